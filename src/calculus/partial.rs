//! Partial derivatives: ∂/∂v with every other symbol held constant, one rule per node
//! kind, memoised so shared subexpressions are differentiated once.

use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Store};
use rustc_hash::FxHashMap;

/// Differentiates with respect to one variable, remembering every result.
pub struct Differ {
    var: Name,
    memo: FxHashMap<ExprId, ExprId>,
}

/// ∂e/∂var
pub fn partial(store: &mut Store, e: ExprId, var: Name) -> ExprId {
    Differ::new(var).d(store, e)
}

impl Differ {
    pub fn new(var: Name) -> Differ {
        Differ {
            var,
            memo: FxHashMap::default(),
        }
    }

    pub fn d(&mut self, s: &mut Store, e: ExprId) -> ExprId {
        if let Some(&r) = self.memo.get(&e) {
            return r;
        }
        let r = self.rule(s, e);
        self.memo.insert(e, r);
        r
    }

    fn rule(&mut self, s: &mut Store, e: ExprId) -> ExprId {
        match s.node(e).clone() {
            Node::Num(_) | Node::Const(_) => s.zero(),
            Node::Undefined => e,
            Node::Sym(n) => {
                if n == self.var {
                    s.one()
                } else {
                    s.zero()
                }
            }
            // (u + v)' = u' + v'
            Node::Add(ts) => {
                let ds: Vec<ExprId> = ts.iter().map(|&t| self.d(s, t)).collect();
                s.add(ds)
            }
            // (u·v·w)' = u'·v·w + u·v'·w + u·v·w'
            Node::Mul(fs) => {
                let mut terms = Vec::new();
                for i in 0..fs.len() {
                    let di = self.d(s, fs[i]);
                    if di == s.zero() {
                        continue;
                    }
                    terms.push(s.mul_insert(&fs, Some(i), di));
                }
                s.add(terms)
            }
            Node::Pow(u, v) => {
                let du = self.d(s, u);
                let dv = self.d(s, v);
                let zero = s.zero();
                let mut terms = Vec::new();
                // (u^v)' = v·u^(v-1)·u' + u^v·log(u)·v'
                if du != zero {
                    let m1 = s.minus_one();
                    let v1 = s.add2(v, m1);
                    let p = s.pow(u, v1);
                    terms.push(s.mul(vec![v, p, du]));
                }
                if dv != zero {
                    let l = if matches!(s.node(u), Node::Const(Constant::E)) {
                        s.one()
                    } else {
                        s.builtin(Builtin::Log, u)
                    };
                    terms.push(s.mul(vec![e, l, dv]));
                }
                s.add(terms)
            }
            Node::Call(f, args) => {
                // Chain rule: f(u1, u2, ...)' = Σ ∂ᵢf(u)·uᵢ'
                let mut terms = Vec::new();
                for (i, &a) in args.iter().enumerate() {
                    let da = self.d(s, a);
                    if da == s.zero() {
                        continue;
                    }
                    let outer = outer_derivative(s, &f, &args, i);
                    let t = match s.node(da) {
                        Node::Mul(fs) => {
                            let fs = fs.clone();
                            s.mul_insert(&fs, None, outer)
                        }
                        _ => s.mul2(outer, da),
                    };
                    terms.push(t);
                }
                s.add(terms)
            }
        }
    }
}

/// ∂f/∂(argument i), evaluated at `args`.
pub(crate) fn outer_derivative(s: &mut Store, f: &Func, args: &[ExprId], i: usize) -> ExprId {
    let b = match f {
        Func::Builtin(b) => *b,
        // Expanded before differentiation; left as named derivatives if ever met here.
        Func::Index(name) | Func::Sum(name) => {
            return s.call(
                Func::Unknown {
                    name: *name,
                    derivs: vec![i as u32].into_boxed_slice(),
                },
                args.to_vec(),
            );
        }
        Func::Unknown { name, derivs } => {
            // A rule given with --let: f'(u) is its body with the parameter set to u.
            if let (Some(&(p, body)), true, 1) = (s.rules.get(name), derivs.is_empty(), args.len())
            {
                let map = rustc_hash::FxHashMap::from_iter([(p, args[0])]);
                return s.substitute(body, &map);
            }
            let mut d = derivs.to_vec();
            d.push(i as u32);
            d.sort_unstable();
            return s.call(
                Func::Unknown {
                    name: *name,
                    derivs: d.into_boxed_slice(),
                },
                args.to_vec(),
            );
        }
    };
    let u = args[0];
    let two = s.int(2);
    let one = s.one();
    use Builtin::*;
    match b {
        Sin => s.builtin(Cos, u),
        Cos => {
            let x = s.builtin(Sin, u);
            s.neg(x)
        }
        // sec²(u)
        Tan => {
            let x = s.builtin(Sec, u);
            s.pow(x, two)
        }
        Sec => {
            let a = s.builtin(Sec, u);
            let t = s.builtin(Tan, u);
            s.mul2(a, t)
        }
        Csc => {
            let a = s.builtin(Csc, u);
            let t = s.builtin(Cot, u);
            let m = s.mul2(a, t);
            s.neg(m)
        }
        Cot => {
            let a = s.builtin(Csc, u);
            let p = s.pow(a, two);
            s.neg(p)
        }
        // ±1/sqrt(1 - u²)
        Asin | Acos => {
            let u2 = s.pow(u, two);
            let d = s.sub(one, u2);
            let mh = s.rat(-1, 2);
            let r = s.pow(d, mh);
            if b == Acos { s.neg(r) } else { r }
        }
        // 1/(1 + u²)
        Atan => {
            let u2 = s.pow(u, two);
            let d = s.add2(one, u2);
            let m1 = s.minus_one();
            s.pow(d, m1)
        }
        Sinh => s.builtin(Cosh, u),
        Cosh => s.builtin(Sinh, u),
        // 1 - tanh²(u)
        Tanh => {
            let t = s.builtin(Tanh, u);
            let t2 = s.pow(t, two);
            s.sub(one, t2)
        }
        Log => {
            let m1 = s.minus_one();
            s.pow(u, m1)
        }
        // u/|u|, undefined at 0
        Abs => {
            let a = s.builtin(Abs, u);
            s.div(u, a)
        }
        // σ(u)·(1 - σ(u))
        Sigmoid => {
            let g = s.builtin(Sigmoid, u);
            let c = s.sub(one, g);
            s.mul2(g, c)
        }
    }
}
