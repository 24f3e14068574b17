//! Canonical constructors of the piecewise, n-ary and inverse hyperbolic built-ins (relu,
//! heaviside, sign, floor, ceil, max, min, logsumexp, atan2, log to a base, ...): what
//! folds to an exact number, and the few rewrites that make one function one node
//! (`max(0, u)` is `relu(u)`, `logsumexp(0, u)` is `softplus(u)`).

use super::{Builtin, Constant, ExprId, Fault, Func, Node, Rat, Store};
use num_integer::Integer;
use std::cmp::Ordering;

/// Exact logarithms are looked for among powers up to this exponent (2^64 > any i64).
const MAX_LOG_EXPONENT: u32 = 64;

impl Store {
    /// softplus, relu, heaviside, sign, floor and ceil of `u` where the sign or the value
    /// of `u` decides them (`relu(e^x)` = e^x, `floor(7/2)` = 3), and the idempotent nests
    /// (`relu(relu(u))` = relu(u), `floor(ceil(u))` = ceil(u)); `None` keeps the call.
    pub(super) fn piecewise_value(&mut self, b: Builtin, u: ExprId) -> Option<ExprId> {
        let sign = self.known_sign(u);
        let zero = sign == Some(Ordering::Equal);
        let inner = match self.node(u) {
            Node::Call(Func::Builtin(g), _) => Some(*g),
            _ => None,
        };
        use Builtin::*;
        Some(match b {
            Softplus if zero => {
                let two = self.int(2);
                self.builtin(Log, two)
            }
            // relu(u) = u where u ≥ 0, 0 where u ≤ 0; relu(relu(u)) = relu(u).
            Relu if matches!(sign, Some(Ordering::Greater | Ordering::Equal)) => u,
            Relu if sign == Some(Ordering::Less) => self.zero(),
            Relu if inner == Some(Relu) => u,
            Heaviside => match sign {
                Some(Ordering::Greater) => self.one(),
                Some(Ordering::Less) => self.zero(),
                Some(Ordering::Equal) => self.undefined(Fault::StepAtJump { arg: u }),
                None => return None,
            },
            Sign => match sign {
                Some(Ordering::Greater) => self.one(),
                Some(Ordering::Less) => self.minus_one(),
                _ if inner == Some(Sign) => u,
                _ => return None,
            },
            Floor | Ceil => match self.as_num(u) {
                Some(r) => {
                    let r = if b == Floor {
                        floor(r)
                    } else {
                        floor(&r.neg()).neg()
                    };
                    self.num(r)
                }
                // Integer-valued already: floor(ceil(u)) = ceil(u), floor(sign(u)) = sign(u).
                None if matches!(inner, Some(Floor | Ceil | Sign | Heaviside)) => u,
                None => return None,
            },
            _ => return None,
        })
    }

    /// The built-ins of two or more arguments.
    pub(super) fn call_nary(&mut self, b: Builtin, args: Vec<ExprId>) -> ExprId {
        match b {
            Builtin::Max | Builtin::Min => self.extremum(b, args),
            Builtin::Logsumexp => self.logsumexp(args),
            Builtin::Atan2 => self.atan2(args[0], args[1]),
            Builtin::LogBase => self.log_base(args[0], args[1]),
            _ => self.intern_call(b, args),
        }
    }

    fn intern_call(&mut self, b: Builtin, args: Vec<ExprId>) -> ExprId {
        self.intern(Node::Call(Func::Builtin(b), args.into_boxed_slice()))
    }

    /// The arguments of an n-ary `b` with nested calls of `b` spliced in (max(a, max(b, c))
    /// is max(a, b, c)), sorted.
    fn flat_args(&self, b: Builtin, args: Vec<ExprId>) -> Vec<ExprId> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match self.node(a) {
                Node::Call(Func::Builtin(g), xs) if *g == b => out.extend_from_slice(xs),
                _ => out.push(a),
            }
        }
        out.sort_by(|&x, &y| self.cmp_expr(x, y));
        out
    }

    /// max(...) or min(...): numbers folded into one (max(1, 2, x) = max(2, x)), repeats
    /// dropped, one argument left alone is the value; max(0, u) is relu(u).
    fn extremum(&mut self, b: Builtin, args: Vec<ExprId>) -> ExprId {
        let mut args = self.flat_args(b, args);
        args.dedup();
        let mut best: Option<(Rat, ExprId)> = None;
        args.retain(|&a| match self.as_num(a) {
            Some(r) => {
                let better = best.as_ref().is_none_or(|(m, _)| match b {
                    Builtin::Max => r > m,
                    _ => r < m,
                });
                if better {
                    best = Some((r.clone(), a));
                }
                false
            }
            None => true,
        });
        if let Some((r, n)) = best {
            if args.is_empty() {
                return n;
            }
            if b == Builtin::Max && r.is_zero() && args.len() == 1 {
                return self.builtin(Builtin::Relu, args[0]);
            }
            args.insert(0, n);
        }
        if args.len() == 1 {
            return args[0];
        }
        self.intern_call(b, args)
    }

    /// logsumexp(...) = log(Σ exp(aᵢ)): nested calls spliced in, one argument is the
    /// value, logsumexp(0, u) is softplus(u).
    fn logsumexp(&mut self, args: Vec<ExprId>) -> ExprId {
        let args = self.flat_args(Builtin::Logsumexp, args);
        match args[..] {
            [a] => a,
            [z, u] if self.as_num(z).is_some_and(Rat::is_zero) => {
                self.builtin(Builtin::Softplus, u)
            }
            _ => self.intern_call(Builtin::Logsumexp, args),
        }
    }

    /// atan2(y, x), folded on the axes (where the sign of each argument is known).
    fn atan2(&mut self, y: ExprId, x: ExprId) -> ExprId {
        use Ordering::*;
        let pi = self.constant(Constant::Pi);
        match (self.known_sign(y), self.known_sign(x)) {
            (Some(Equal), Some(Equal)) => self.undefined(Fault::AngleOfOrigin),
            (Some(Equal), Some(Greater)) => self.zero(),
            (Some(Equal), Some(Less)) => pi,
            (Some(Greater), Some(Equal)) => {
                let h = self.rat(1, 2);
                self.mul2(h, pi)
            }
            (Some(Less), Some(Equal)) => {
                let h = self.rat(-1, 2);
                self.mul2(h, pi)
            }
            _ => self.intern_call(Builtin::Atan2, vec![y, x]),
        }
    }

    /// log(u, b), the logarithm to the base b: log(u) when b is e, an exact number when
    /// there is one (log(8, 2) = 3, log(2^x, 2) = x).
    fn log_base(&mut self, u: ExprId, b: ExprId) -> ExprId {
        if matches!(self.node(b), Node::Const(Constant::E)) {
            return self.builtin(Builtin::Log, u);
        }
        if let Some(r) = self.as_num(b) {
            // log(u, b) = log(u)/log(b), and log(1) = 0.
            if r.is_one() {
                return self.undefined(Fault::DivisionByZero { divisor: b });
            }
            if r.is_zero() {
                return self.undefined(Fault::LogOfZero { arg: b });
            }
        }
        if let Some(r) = self.as_num(u) {
            if r.is_zero() {
                return self.undefined(Fault::LogOfZero { arg: u });
            }
            if r.is_one() {
                return self.zero();
            }
        }
        if u == b {
            return self.one();
        }
        if let (Some(x), Some(y)) = (self.as_num(u), self.as_num(b))
            && let Some(k) = exact_log(x, y)
        {
            return self.num(k);
        }
        if let Node::Pow(p, k) = *self.node(u)
            && p == b
            && self.known_sign(b) == Some(Ordering::Greater)
        {
            return k;
        }
        self.intern_call(Builtin::LogBase, vec![u, b])
    }

    /// The sign of `e` where it is plain from its form: numbers, π and e, powers of a
    /// positive constant (e^u > 0), sigmoid and softplus, and products or sums of those.
    /// Looks one level deep only, so it costs nothing on deep expressions.
    pub(crate) fn known_sign(&self, e: ExprId) -> Option<Ordering> {
        let leaf = |x: ExprId| -> Option<Ordering> {
            match self.node(x) {
                Node::Num(r) => Some(r.cmp(&Rat::ZERO)),
                Node::Const(_) => Some(Ordering::Greater),
                Node::Pow(p, _) => match self.node(*p) {
                    Node::Const(_) => Some(Ordering::Greater),
                    Node::Num(r) if r.is_positive() => Some(Ordering::Greater),
                    _ => None,
                },
                Node::Call(Func::Builtin(Builtin::Sigmoid | Builtin::Softplus), _) => {
                    Some(Ordering::Greater)
                }
                _ => None,
            }
        };
        match self.node(e) {
            Node::Mul(fs) => fs.iter().try_fold(Ordering::Greater, |acc, &f| {
                let s = leaf(f)?;
                Some(match (acc, s) {
                    (Ordering::Equal, _) | (_, Ordering::Equal) => Ordering::Equal,
                    (a, b) if a == b => Ordering::Greater,
                    _ => Ordering::Less,
                })
            }),
            Node::Add(ts) => {
                let first = leaf(ts[0])?;
                (first != Ordering::Equal && ts.iter().all(|&t| leaf(t) == Some(first)))
                    .then_some(first)
            }
            _ => leaf(e),
        }
    }
}

/// ⌊r⌋
fn floor(r: &Rat) -> Rat {
    if let Rat::Small(n, d) = *r {
        return Rat::int(n.div_euclid(d));
    }
    Rat::from_bigint(r.numer().div_floor(&r.denom()))
}

/// r = c^k with c > 1 and the largest such k (k negative for r < 1); `None` for r ≤ 0 or 1.
fn perfect_power(r: &Rat) -> Option<(Rat, i64)> {
    if !r.is_positive() || r.is_one() {
        return None;
    }
    let (r, sign) = if *r < Rat::ONE {
        (r.recip()?, -1)
    } else {
        (r.clone(), 1)
    };
    let top = u32::try_from(r.bits())
        .unwrap_or(u32::MAX)
        .min(MAX_LOG_EXPONENT);
    for k in (2..=top).rev() {
        if let Some(c) = r.exact_root(k) {
            return Some((c, sign * i64::from(k)));
        }
    }
    Some((r, sign))
}

/// The rational k with b^k = x, when there is one (x, b > 0, b ≠ 1).
fn exact_log(x: &Rat, b: &Rat) -> Option<Rat> {
    let (c, m) = perfect_power(x)?;
    let (d, n) = perfect_power(b)?;
    (c == d).then(|| Rat::int(m).mul(&Rat::int(n).recip().expect("n ≠ 0")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_logarithms() {
        let r = |n, d| Rat::int(n).mul(&Rat::int(d).recip().unwrap());
        assert_eq!(exact_log(&r(8, 1), &r(2, 1)), Some(r(3, 1)));
        assert_eq!(exact_log(&r(1, 8), &r(2, 1)), Some(r(-3, 1)));
        assert_eq!(exact_log(&r(8, 1), &r(4, 1)), Some(r(3, 2)));
        assert_eq!(exact_log(&r(4, 1), &r(1, 2)), Some(r(-2, 1)));
        assert_eq!(exact_log(&r(1000, 1), &r(10, 1)), Some(r(3, 1)));
        assert_eq!(exact_log(&r(6, 1), &r(2, 1)), None);
        assert_eq!(exact_log(&r(9, 4), &r(3, 2)), Some(r(2, 1)));
        assert_eq!(floor(&r(7, 2)), r(3, 1));
        assert_eq!(floor(&r(-7, 2)), r(-4, 1));
    }
}
