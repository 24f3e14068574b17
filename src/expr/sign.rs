//! Signs known from structure alone: `x^2 + 1` is positive for every real x, `abs(u)` and
//! `sqrt(u)` are never negative. Used where a rule holds only for such values (`0^u` is 0
//! for u > 0, `abs(u)` is u for u ≥ 0).

use super::{Builtin, Constant, ExprId, Func, Node, Store};

/// How far below the top the sign rules look: deeper parts count as unknown (the walk
/// recurses, and a sign that needs more levels than this is rare).
const MAX_SIGN_DEPTH: u32 = 6;

#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Sign {
    Unknown,
    NonNegative,
    Positive,
}

impl Store {
    /// Is `e` > 0 wherever it is defined, whatever real values its variables have?
    pub fn is_positive(&self, e: ExprId) -> bool {
        self.sign(e, MAX_SIGN_DEPTH) == Sign::Positive
    }

    /// Is `e` ≥ 0 wherever it is defined?
    pub fn is_nonnegative(&self, e: ExprId) -> bool {
        self.sign(e, MAX_SIGN_DEPTH) >= Sign::NonNegative
    }

    fn sign(&self, e: ExprId, depth: u32) -> Sign {
        if depth == 0 {
            return Sign::Unknown;
        }
        let d = depth - 1;
        match self.node(e) {
            Node::Num(r) if r.is_positive() => Sign::Positive,
            Node::Num(r) if r.is_zero() => Sign::NonNegative,
            Node::Const(_) => Sign::Positive,
            // A sum of terms ≥ 0 is ≥ 0, and > 0 if one of them is.
            Node::Add(ts) => {
                let signs = ts.iter().map(|&t| self.sign(t, d));
                signs.fold(Sign::NonNegative, |acc, s| match (acc, s) {
                    (Sign::Unknown, _) | (_, Sign::Unknown) => Sign::Unknown,
                    (Sign::Positive, _) | (_, Sign::Positive) => Sign::Positive,
                    _ => Sign::NonNegative,
                })
            }
            Node::Mul(fs) => fs
                .iter()
                .map(|&f| self.sign(f, d))
                .min()
                .unwrap_or(Sign::Unknown),
            &Node::Pow(b, x) => {
                if matches!(self.node(b), Node::Const(Constant::E)) {
                    return Sign::Positive;
                }
                let base = self.sign(b, d);
                if base == Sign::Positive {
                    return Sign::Positive;
                }
                // An even power, or a root of even index, is never negative.
                let even = self.as_num(x).is_some_and(|k| {
                    let (n, q) = (k.numer(), k.denom());
                    !n.bit(0) || !q.bit(0)
                });
                if even {
                    Sign::NonNegative
                } else {
                    base.min(Sign::NonNegative)
                }
            }
            Node::Call(Func::Builtin(f), args) => match f {
                Builtin::Cosh | Builtin::Sigmoid => Sign::Positive,
                Builtin::Abs => match self.sign(args[0], d) {
                    Sign::Positive => Sign::Positive,
                    _ => Sign::NonNegative,
                },
                _ => Sign::Unknown,
            },
            _ => Sign::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::Store;
    use crate::parse::parse;

    #[test]
    fn signs_known_from_structure() {
        let mut s = Store::new();
        for (text, positive, nonnegative) in [
            ("x^2 + 1", true, true),
            ("exp(x) + x^4", true, true),
            ("sqrt(y)*3", false, true),
            ("abs(x) + pi", true, true),
            ("cosh(x)*sigmoid(y)", true, true),
            ("x^2 - 1", false, false),
            ("x^3", false, false),
            ("sin(x)^2", false, true),
            ("-2*exp(x)", false, false),
        ] {
            let e = parse(&mut s, text).unwrap();
            assert_eq!(s.is_positive(e), positive, "{text} > 0");
            assert_eq!(s.is_nonnegative(e), nonnegative, "{text} >= 0");
        }
    }
}
