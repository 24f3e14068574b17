//! Numeric evaluation in double precision, for `--at`, for checking results and for the
//! warning's second opinion. Walks the DAG bottom-up (no recursion) and names the
//! subexpression where a value leaves the domain.

use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Store};
use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A variable has no value.
    Unbound(Name),
    /// A subexpression is undefined or not a finite real number there.
    Domain(ExprId),
    /// An unknown function (`f(x)`) has no numeric value.
    UnknownFunction(Name),
    /// A subexpression's value is beyond the range of a double (`exp(1000)`).
    Overflow(ExprId),
}

/// The values of several expressions in one walk over their shared DAG; each is its own
/// result, so one entry outside the domain does not hide the others' values.
pub fn eval_many(
    store: &Store,
    roots: &[ExprId],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Vec<Result<f64, EvalError>> {
    let mut val: FxHashMap<ExprId, Result<f64, EvalError>> = FxHashMap::default();
    for n in store.postorder(roots) {
        let (slice, pair) = store.kids(n);
        let failed = slice
            .iter()
            .chain(pair.iter().flatten())
            .find_map(|c| val[c].clone().err());
        let v = match failed {
            Some(e) => Err(e),
            None => {
                let ok: FxHashMap<ExprId, f64> = slice
                    .iter()
                    .chain(pair.iter().flatten())
                    .map(|c| (*c, *val[c].as_ref().expect("checked")))
                    .collect();
                node_value(store, n, &ok, env).and_then(|v| {
                    if v.is_infinite() {
                        Err(EvalError::Overflow(n))
                    } else if v.is_nan() {
                        Err(EvalError::Domain(n))
                    } else {
                        Ok(v)
                    }
                })
            }
        };
        val.insert(n, v);
    }
    roots.iter().map(|r| val[r].clone()).collect()
}

/// The value of `e` where each variable has the value `env` gives it.
pub fn eval(store: &Store, e: ExprId, env: &dyn Fn(Name) -> Option<f64>) -> Result<f64, EvalError> {
    eval_perturbed(store, e, env, None)
}

/// A probe of rounding errors: each value computed from one of the `varying` variables is
/// moved by a few units in the last place (`ULPS`), all of them up (`mixed` false), or up
/// or down depending on the node (`mixed` true). All up compounds the moves, as errors
/// that add up do; mixed catches what moving alike cancels (`-tanh(u)` next to -1 under
/// `acos`).
#[derive(Clone, Copy)]
pub struct Perturbation<'a> {
    pub varying: &'a [Name],
    pub mixed: bool,
}

impl<'a> Perturbation<'a> {
    /// Both probes for `varying`.
    pub fn both(varying: &'a [Name]) -> [Perturbation<'a>; 2] {
        [false, true].map(|mixed| Perturbation { varying, mixed })
    }
}

/// A relative error a little larger than a double's usual rounding of one operation.
const ULPS: f64 = 4.0 * f64::EPSILON;

/// The value of `e`, computed with the values moved as `perturb` says.
pub fn eval_perturbed(
    store: &Store,
    e: ExprId,
    env: &dyn Fn(Name) -> Option<f64>,
    perturb: Option<Perturbation>,
) -> Result<f64, EvalError> {
    Ok(values(store, &store.postorder(&[e]), env, perturb)?[&e])
}

/// The value of `e`, and the size of its rounding error as a function of the `varying`
/// variables: how far the value moves when the values computed from them are moved by a
/// few units in the last place (`Perturbation`), which follows the amplification of
/// `asin` near 1 or of a difference of nearly equal numbers; and at least 100 EPSILON
/// times the largest value computed (`tan(exp(342))` is computed from 1e148). Infinite if
/// the perturbed computation leaves the domain: the value is on its edge.
///
/// Values that do not depend on `varying` are computed alike at every value of them, so
/// their rounding changes the function slightly, not its differences, nor how the
/// function and its derivative agree when both are computed from the same values.
pub fn eval_with_rounding(
    store: &Store,
    e: ExprId,
    env: &dyn Fn(Name) -> Option<f64>,
    varying: &[Name],
) -> Result<(f64, f64), EvalError> {
    let order = store.postorder(&[e]);
    let vals = values(store, &order, env, None)?;
    let v = vals[&e];
    let largest = vals.values().fold(0.0f64, |m, v| m.max(v.abs()));
    let moved = Perturbation::both(varying)
        .iter()
        .map(|&m| values(store, &order, env, Some(m)).map_or(f64::INFINITY, |p| (p[&e] - v).abs()))
        .fold(0.0, f64::max);
    Ok((v, moved.max(100.0 * f64::EPSILON * largest)))
}

/// The value of every node of `order` (children before parents), stopping at the first
/// one that is not a finite number; values moved as `perturb` says.
fn values(
    store: &Store,
    order: &[ExprId],
    env: &dyn Fn(Name) -> Option<f64>,
    perturb: Option<Perturbation>,
) -> Result<FxHashMap<ExprId, f64>, EvalError> {
    let mut val: FxHashMap<ExprId, f64> = FxHashMap::default();
    // The nodes that depend on a varying variable, when perturbing.
    let mut varies: FxHashSet<ExprId> = FxHashSet::default();
    for &n in order {
        let mut v = node_value(store, n, &val, env)?;
        if let Some(Perturbation { varying, mixed }) = perturb {
            let (slice, pair) = store.kids(n);
            let depends = match store.node(n) {
                Node::Sym(name) => varying.contains(name),
                _ => slice
                    .iter()
                    .chain(pair.iter().flatten())
                    .any(|k| varies.contains(k)),
            };
            if depends {
                varies.insert(n);
                // Not the variables themselves: their values are given.
                if !matches!(store.node(n), Node::Sym(_)) {
                    let down = mixed && (n.index() as u32).wrapping_mul(0x9E37_79B9) >> 31 == 1;
                    v *= 1.0 + if down { -ULPS } else { ULPS };
                }
            }
        }
        if v.is_infinite() {
            return Err(EvalError::Overflow(n));
        }
        if v.is_nan() {
            return Err(EvalError::Domain(n));
        }
        val.insert(n, v);
    }
    Ok(val)
}

fn node_value(
    store: &Store,
    n: ExprId,
    val: &FxHashMap<ExprId, f64>,
    env: &dyn Fn(Name) -> Option<f64>,
) -> Result<f64, EvalError> {
    let get = |k: &ExprId| val[k];
    Ok(match store.node(n) {
        Node::Num(r) => r.to_f64(),
        Node::Const(Constant::Pi) => std::f64::consts::PI,
        Node::Const(Constant::E) => std::f64::consts::E,
        Node::Sym(name) => env(*name).ok_or(EvalError::Unbound(*name))?,
        Node::Add(ts) => ts.iter().map(get).sum(),
        Node::Mul(fs) => fs.iter().map(get).product(),
        Node::Pow(b, x) => {
            let (b, x) = (get(b), get(x));
            if b == 0.0 && x < 0.0 {
                return Err(EvalError::Domain(n));
            }
            if b < 0.0 {
                // A real odd root of a negative number: (-8)^(1/3) = -2.
                if let Some(r) = store.as_num(*match store.node(n) {
                    Node::Pow(_, x) => x,
                    _ => unreachable!(),
                }) {
                    let d = r.denom();
                    if !r.is_integer() && d.bit(0) {
                        let m = (-b).powf(x.abs()).copysign(-1.0);
                        let m = if r.numer().bit(0) { m } else { -m };
                        return Ok(if x < 0.0 { 1.0 / m } else { m });
                    }
                }
            }
            b.powf(x)
        }
        Node::Call(Func::Builtin(f), args) => {
            let u = get(&args[0]);
            use Builtin::*;
            let v = match f {
                Sin => u.sin(),
                Cos => u.cos(),
                Tan => u.tan(),
                Sec => 1.0 / u.cos(),
                Csc => 1.0 / u.sin(),
                Cot => 1.0 / u.tan(),
                Asin => u.asin(),
                Acos => u.acos(),
                Atan => u.atan(),
                Sinh => u.sinh(),
                Cosh => u.cosh(),
                Tanh => u.tanh(),
                Log if u <= 0.0 => return Err(EvalError::Domain(n)),
                Log => u.ln(),
                Abs => u.abs(),
                Sigmoid => 1.0 / (1.0 + (-u).exp()),
            };
            if v.is_nan() {
                return Err(EvalError::Domain(n));
            }
            v
        }
        Node::Call(Func::Unknown { name, .. } | Func::Index(name) | Func::Sum(name), _) => {
            return Err(EvalError::UnknownFunction(*name));
        }
        Node::Undefined => return Err(EvalError::Domain(n)),
    })
}

/// A small deterministic generator (xorshift*) for sample points; no external crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Are `a` and `b` numerically equal at several random points? `None` when no point
/// could be evaluated (so the question cannot be settled numerically).
pub fn numerically_equal(store: &Store, a: ExprId, b: ExprId) -> Option<bool> {
    let names = store.free_symbols(&[a, b]);
    let mut rng = Rng::new(0x5EED);
    let mut checked = 0;
    for _ in 0..12 {
        let point: Vec<(Name, f64)> = names.iter().map(|&n| (n, rng.uniform(0.1, 1.9))).collect();
        let env = |n: Name| point.iter().find(|(m, _)| *m == n).map(|p| p.1);
        if let (Ok(x), Ok(y)) = (eval(store, a, &env), eval(store, b, &env)) {
            let scale = x.abs().max(y.abs()).max(1.0);
            if (x - y).abs() > 1e-9 * scale {
                return Some(false);
            }
            checked += 1;
            if checked >= 4 {
                break;
            }
        }
    }
    (checked > 0).then_some(true)
}

/// The value of `f` and its gradient by `vars` at a point, by reverse-mode automatic
/// differentiation on numbers: one forward pass for the values, one backward pass for the
/// adjoints, no symbolic derivative built. This is what `grad --at` with many variables and
/// `step` use (`--check` and small results go through the symbolic derivative instead).
pub fn gradient_at(
    store: &Store,
    f: ExprId,
    vars: &[Name],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Result<(f64, Vec<f64>), EvalError> {
    let order = store.postorder(&[f]);
    let val = values(store, &order, env, None)?;
    let sym: FxHashMap<Name, ExprId> = order
        .iter()
        .filter_map(|&n| match store.node(n) {
            Node::Sym(name) => Some((*name, n)),
            _ => None,
        })
        .collect();
    let constant = |k: ExprId| matches!(store.node(k), Node::Num(_) | Node::Const(_));
    let mut adj: FxHashMap<ExprId, f64> = FxHashMap::default();
    adj.insert(f, 1.0);
    for &n in order.iter().rev() {
        let a = adj.get(&n).copied().unwrap_or(0.0);
        if a == 0.0 {
            continue;
        }
        let mut push = |k: ExprId, d: f64| {
            if !constant(k) {
                *adj.entry(k).or_insert(0.0) += a * d;
            }
        };
        match store.node(n) {
            Node::Add(ts) => ts.iter().for_each(|&t| push(t, 1.0)),
            Node::Mul(fs) => {
                // products of the other factors, by prefix and suffix products
                let vs: Vec<f64> = fs.iter().map(|k| val[k]).collect();
                let mut suffix = vec![1.0; vs.len() + 1];
                for i in (0..vs.len()).rev() {
                    suffix[i] = suffix[i + 1] * vs[i];
                }
                let mut prefix = 1.0;
                for (i, &k) in fs.iter().enumerate() {
                    push(k, prefix * suffix[i + 1]);
                    prefix *= vs[i];
                }
            }
            Node::Pow(b, x) => {
                let (bv, xv, pv) = (val[b], val[x], val[&n]);
                if !constant(*b) {
                    let d = if bv != 0.0 {
                        xv * pv / bv
                    } else {
                        xv * bv.powf(xv - 1.0)
                    };
                    push(*b, d);
                }
                if !constant(*x) {
                    if bv <= 0.0 {
                        return Err(EvalError::Domain(n));
                    }
                    push(*x, pv * bv.ln());
                }
            }
            Node::Call(Func::Builtin(func), args) => {
                let u = val[&args[0]];
                use Builtin::*;
                let d = match func {
                    Sin => u.cos(),
                    Cos => -u.sin(),
                    Tan => 1.0 / (u.cos() * u.cos()),
                    Sec => u.tan() / u.cos(),
                    Csc => -1.0 / (u.sin() * u.tan()),
                    Cot => -1.0 / (u.sin() * u.sin()),
                    Asin => 1.0 / (1.0 - u * u).sqrt(),
                    Acos => -1.0 / (1.0 - u * u).sqrt(),
                    Atan => 1.0 / (1.0 + u * u),
                    Sinh => u.cosh(),
                    Cosh => u.sinh(),
                    Tanh => 1.0 - u.tanh() * u.tanh(),
                    Log => 1.0 / u,
                    Abs if u == 0.0 => return Err(EvalError::Domain(n)),
                    Abs => u.signum(),
                    Sigmoid => {
                        let s = val[&n];
                        s * (1.0 - s)
                    }
                };
                if !d.is_finite() {
                    return Err(EvalError::Domain(n));
                }
                push(args[0], d);
            }
            Node::Call(Func::Unknown { name, .. } | Func::Index(name) | Func::Sum(name), _) => {
                return Err(EvalError::UnknownFunction(*name));
            }
            _ => {}
        }
    }
    let grad = vars
        .iter()
        .map(|v| sym.get(v).and_then(|k| adj.get(k)).copied().unwrap_or(0.0))
        .collect();
    Ok((val[&f], grad))
}
