//! Calls of built-in functions, canonical as they are built: exact values (`sin(pi/6)` is
//! 1/2, `tan(pi/2)` is undefined: a pole), a function of its own inverse (`tan(atan(u))`
//! is u) and the sign rules of odd and even functions.

use super::{Builtin, Constant, ExprId, Fault, Func, Node, Rat, Store};

/// sin, tan and csc at n·π/12 for n = 0..=6 (the first quadrant), each value a + b·√2 +
/// c·√3 + d·√6 written as [a, b, c, d] over a common denominator; `None` is a pole. Every
/// other multiple of π/12 reduces to these by the symmetries of the functions.
type Surd = Option<([i64; 4], i64)>;
const SIN: [Surd; 7] = [
    Some(([0, 0, 0, 0], 1)),
    Some(([0, -1, 0, 1], 4)),
    Some(([1, 0, 0, 0], 2)),
    Some(([0, 1, 0, 0], 2)),
    Some(([0, 0, 1, 0], 2)),
    Some(([0, 1, 0, 1], 4)),
    Some(([1, 0, 0, 0], 1)),
];
const TAN: [Surd; 7] = [
    Some(([0, 0, 0, 0], 1)),
    Some(([2, 0, -1, 0], 1)),
    Some(([0, 0, 1, 0], 3)),
    Some(([1, 0, 0, 0], 1)),
    Some(([0, 0, 1, 0], 1)),
    Some(([2, 0, 1, 0], 1)),
    None,
];
const CSC: [Surd; 7] = [
    None,
    Some(([0, 1, 0, 1], 1)),
    Some(([2, 0, 0, 0], 1)),
    Some(([0, 1, 0, 0], 1)),
    Some(([0, 0, 2, 0], 3)),
    Some(([0, -1, 0, 1], 1)),
    Some(([1, 0, 0, 0], 1)),
];

/// A value c·√r with a fraction c = n/d and r in {1, 2, 3}, and the angle k·π (k = p/q)
/// whose sine (or tangent) it is: ((n, d), r, (p, q)).
type Angle = ((i64, i64), u8, (i64, i64));

/// The angles whose sine is one of a few exact values.
const ASIN: [Angle; 5] = [
    ((0, 1), 1, (0, 1)),
    ((1, 2), 1, (1, 6)),
    ((1, 2), 2, (1, 4)),
    ((1, 2), 3, (1, 3)),
    ((1, 1), 1, (1, 2)),
];
/// The same for the tangent.
const ATAN: [Angle; 3] = [
    ((1, 3), 3, (1, 6)),
    ((1, 1), 1, (1, 4)),
    ((1, 1), 3, (1, 3)),
];

impl Store {
    /// Is `e` written with a leading minus sign (a negative number or coefficient)?
    pub fn is_negated(&self, e: ExprId) -> bool {
        match self.node(e) {
            Node::Num(r) => r.is_negative(),
            Node::Mul(fs) => matches!(self.node(fs[0]), Node::Num(r) if r.is_negative()),
            _ => false,
        }
    }

    /// `f` applied to `args` in canonical form: exact values folded (`sin(pi/6)` is 1/2),
    /// inverse pairs undone where valid, odd and even functions of a negated argument
    /// normalised, an indexed name with integer indices made a variable.
    pub fn call(&mut self, f: Func, args: Vec<ExprId>) -> ExprId {
        if let Some(&u) = args.iter().find(|&&a| self.is_undefined(a)) {
            return u;
        }
        if let Func::Index(base) = f {
            // w[1, 2] with number indices is the variable `w[1,2]`.
            let ints: Option<Vec<String>> = args
                .iter()
                .map(|&a| {
                    self.as_num(a)
                        .filter(|r| r.is_integer())
                        .map(|r| r.to_string())
                })
                .collect();
            if let Some(ints) = ints {
                let name = format!("{}[{}]", self.name(base), ints.join(","));
                return self.sym(&name);
            }
            return self.intern(Node::Call(f, args.into_boxed_slice()));
        }
        let Func::Builtin(b) = f else {
            return self.intern(Node::Call(f, args.into_boxed_slice()));
        };
        if b.arity() != (1, 1) {
            return self.call_nary(b, args);
        }
        let u = args[0];
        if self.is_negated(u) && (b.is_odd() || b.is_even()) {
            let pos = self.neg(u);
            let v = self.call(f, vec![pos]);
            return if b.is_odd() { self.neg(v) } else { v };
        }
        match self.builtin_value(b, u) {
            Some(v) => v,
            None => self.intern(Node::Call(f, args.into_boxed_slice())),
        }
    }

    /// The built-in `b` of one argument applied to `u`.
    pub fn builtin(&mut self, b: Builtin, u: ExprId) -> ExprId {
        self.call(Func::Builtin(b), vec![u])
    }

    /// b(u) when it is known exactly or simpler than the call; `None` keeps the call.
    fn builtin_value(&mut self, b: Builtin, u: ExprId) -> Option<ExprId> {
        let zero = self.as_num(u).is_some_and(|r| r.is_zero());
        let one = self.as_num(u).is_some_and(|r| r.is_one());
        use Builtin::*;
        Some(match b {
            Sin | Tan | Asin | Atan | Sinh | Tanh | Asinh | Atanh | Erf | Sign if zero => {
                self.zero()
            }
            Cos | Sec | Cosh if zero => self.one(),
            Acosh if one => self.zero(),
            Sigmoid if zero => self.rat(1, 2),
            Log if one => self.zero(),
            Log if zero => self.undefined(Fault::LogOfZero { arg: u }),
            Log if matches!(self.node(u), Node::Const(Constant::E)) => self.one(),
            Log => match *self.node(u) {
                Node::Pow(base, x) if matches!(self.node(base), Node::Const(Constant::E)) => x,
                // log(w·e^v) = v + log(w): e^v > 0, so both sides are defined for w > 0.
                Node::Mul(ref fs) => {
                    let is_exp = |s: &Store, f: ExprId| {
                        matches!(s.node(s.base_exp(f).0), Node::Const(Constant::E))
                    };
                    let i = fs.iter().position(|&f| is_exp(self, f))?;
                    let Node::Pow(_, v) = *self.node(fs[i]) else {
                        return None;
                    };
                    let mut rest = fs.to_vec();
                    rest.remove(i);
                    let w = self.mul(rest);
                    let l = self.builtin(Log, w);
                    self.add2(v, l)
                }
                _ => return None,
            },
            Abs => match self.node(u) {
                Node::Num(r) => {
                    let a = if r.is_negative() { r.neg() } else { r.clone() };
                    self.num(a)
                }
                Node::Call(Func::Builtin(Abs), _) => u,
                _ if self.is_nonnegative(u) => u,
                // |u^k| = |u|^k and |c·u| = |c|·|u|, so that |u| meets u in products.
                &Node::Pow(b, k) if self.as_num(k).is_some() => {
                    let a = self.builtin(Abs, b);
                    self.pow(a, k)
                }
                Node::Mul(fs) if self.as_num(fs[0]).is_some() => {
                    let c = self
                        .as_num(fs[0])
                        .map(|c| if c.is_negative() { c.neg() } else { c.clone() });
                    let rest = self.term_factors(&u).to_vec();
                    let rest = self.mul(rest);
                    let a = self.builtin(Abs, rest);
                    let c = self.num(c.expect("a number"));
                    self.mul(vec![c, a])
                }
                _ => return None,
            },
            Sin | Cos | Tan | Sec | Csc | Cot => {
                // csc(0) and cot(0) are poles, as at other multiples of π.
                if let Some(k) = self.pi_multiple(u).or(zero.then_some(Rat::ZERO)) {
                    return self.trig_at_pi(b, &k, u);
                }
                let &Node::Call(Func::Builtin(inner), ref args) = self.node(u) else {
                    return None;
                };
                let v = args[0];
                return self.of_inverse(b, inner, v);
            }
            Asin | Acos | Atan => return self.inverse_trig_value(b, u),
            Softplus | Relu | Heaviside | Sign | Floor | Ceil => return self.piecewise_value(b, u),
            _ => return None,
        })
    }

    /// k when `u` is k·π for a rational k.
    fn pi_multiple(&self, u: ExprId) -> Option<Rat> {
        match self.node(u) {
            Node::Const(Constant::Pi) => Some(Rat::ONE),
            Node::Mul(fs) if fs.len() == 2 => match (self.node(fs[0]), self.node(fs[1])) {
                (Node::Num(k), Node::Const(Constant::Pi)) => Some(k.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// b(k·π) for a multiple of π/12 (a pole is undefined); `None` for other multiples.
    fn trig_at_pi(&mut self, b: Builtin, k: &Rat, u: ExprId) -> Option<ExprId> {
        let twelfths = k.mul(&Rat::int(12));
        if !twelfths.is_integer() {
            return None;
        }
        // The angle in twelfths of π, in [0, 24): every function here has period 2π.
        let m = num_integer::Integer::mod_floor(&twelfths.numer(), &num_bigint::BigInt::from(24));
        let m: i64 = num_traits::ToPrimitive::to_i64(&m).expect("below 24");
        // sin and csc: the first-quadrant angle and the sign, from sin(π − a) = sin(a)
        // and sin(π + a) = −sin(a).
        let quadrant = |m: i64| match m {
            0..=6 => (m, 1),
            7..=12 => (12 - m, 1),
            13..=18 => (m - 12, -1),
            _ => (24 - m, -1),
        };
        // tan has period π, and tan(π − a) = −tan(a); cot(a) = tan(π/2 − a).
        let tan_of = |m: i64| match m.rem_euclid(12) {
            n @ 0..=6 => (n, 1),
            n => (12 - n, -1),
        };
        use Builtin::*;
        let ((n, sign), table) = match b {
            Sin => (quadrant(m), &SIN),
            Cos => (quadrant((m + 6) % 24), &SIN),
            Csc => (quadrant(m), &CSC),
            Sec => (quadrant((m + 6) % 24), &CSC),
            Tan => (tan_of(m), &TAN),
            Cot => (tan_of(6 - m), &TAN),
            _ => return None,
        };
        let Some((parts, den)) = table[n as usize] else {
            return Some(self.undefined(Fault::Pole {
                func: b,
                multiple: k.clone(),
                arg: u,
            }));
        };
        let radicals = [1, 2, 3, 6].map(|r| {
            let r = self.int(r);
            self.sqrt(r)
        });
        let terms: Vec<ExprId> = parts
            .iter()
            .zip(radicals)
            .map(|(&c, r)| {
                let c = self.int(c);
                self.mul(vec![c, r])
            })
            .collect();
        let sum = self.add(terms);
        let scale = self.rat(sign, den);
        Some(self.mul(vec![scale, sum]))
    }

    /// b(inner(v)) for a trigonometric b and an inverse trigonometric `inner`, as an
    /// algebraic expression in v: tan(atan(v)) = v, cos(asin(v)) = √(1 − v²). Each holds
    /// wherever inner(v) is defined (|v| ≤ 1 for asin and acos), and both sides are
    /// undefined at the same points there (tan(asin(1)) and 1/√0).
    fn of_inverse(&mut self, b: Builtin, inner: Builtin, v: ExprId) -> Option<ExprId> {
        use Builtin::*;
        if !matches!(inner, Asin | Acos | Atan) {
            return None;
        }
        let (one, two) = (self.one(), self.int(2));
        let v2 = self.pow(v, two);
        // The third side: √(1 − v²) for asin and acos, √(1 + v²) for atan.
        let side = if inner == Atan {
            self.add2(one, v2)
        } else {
            self.sub(one, v2)
        };
        let root = self.sqrt(side);
        // (numerator, denominator) of sin, cos and tan: the sides of the triangle.
        let (sin, cos) = match inner {
            Asin => (v, root),
            Acos => (root, v),
            _ => (v, one),
        };
        // For atan the hypotenuse is √(1 + v²), otherwise 1.
        let hyp = if inner == Atan { root } else { one };
        let (n, d) = match b {
            Sin => (sin, hyp),
            Cos => (cos, hyp),
            Tan => (sin, cos),
            Cot => (cos, sin),
            Sec => (hyp, cos),
            Csc => (hyp, sin),
            _ => return None,
        };
        Some(self.div(n, d))
    }

    /// asin, acos and atan of the values in `ASIN` and `ATAN` (and acos of their
    /// negatives: asin and atan take the sign out as odd functions).
    fn inverse_trig_value(&mut self, b: Builtin, u: ExprId) -> Option<ExprId> {
        let (c, r) = self.surd(u)?;
        let negative = c.is_negative();
        let c = if negative { c.neg() } else { c };
        let table: &[_] = if b == Builtin::Atan { &ATAN } else { &ASIN };
        // The tables' fractions are in lowest terms.
        let &(_, _, (p, q)) = table
            .iter()
            .find(|((n, d), rad, _)| *rad == r && c == Rat::Small(*n, *d))?;
        let angle = Rat::Small(p, q);
        // acos(v) = π/2 − asin(v), and acos(−v) = π − acos(v).
        let k = match (b, negative) {
            (Builtin::Acos, false) => Rat::Small(1, 2).sub(&angle),
            (Builtin::Acos, true) => Rat::Small(1, 2).add(&angle),
            (_, false) => angle,
            (_, true) => angle.neg(),
        };
        let kk = self.num(k);
        let pi = self.constant(Constant::Pi);
        Some(self.mul(vec![kk, pi]))
    }

    /// `u` as c·√r with r in {1, 2, 3} (r = 1: a rational).
    fn surd(&self, u: ExprId) -> Option<(Rat, u8)> {
        let radicand = |e: ExprId| match self.node(e) {
            Node::Pow(b, h) if self.as_num(*h) == Some(&Rat::Small(1, 2)) => {
                match self.as_num(*b)?.to_i64()? {
                    r @ (2 | 3) => Some(r as u8),
                    _ => None,
                }
            }
            _ => None,
        };
        match self.node(u) {
            Node::Num(c) => Some((c.clone(), 1)),
            Node::Mul(fs) if fs.len() == 2 => Some((self.as_num(fs[0])?.clone(), radicand(fs[1])?)),
            _ => Some((Rat::ONE, radicand(u)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::eval;

    fn value(s: &Store, e: ExprId) -> f64 {
        eval(s, e, &|_| None).unwrap_or_else(|err| panic!("{err:?}"))
    }

    /// Every function at every multiple of π/24 from −2π to 4π: the exact value where it
    /// folds agrees with the double, a pole is undefined exactly where the double is huge,
    /// and the twelfths of π all fold.
    #[test]
    fn trigonometric_values_at_multiples_of_pi_agree_with_doubles() {
        use Builtin::*;
        for f in [Sin, Cos, Tan, Sec, Csc, Cot] {
            for n in -48..=96 {
                let mut s = Store::new();
                let k = s.rat(n, 24);
                let pi = s.constant(Constant::Pi);
                let u = s.mul(vec![k, pi]);
                let v = s.builtin(f, u);
                let x = n as f64 * std::f64::consts::PI / 24.0;
                let (sin, cos) = (x.sin(), x.cos());
                let want = match f {
                    Sin => sin,
                    Cos => cos,
                    Tan => sin / cos,
                    Sec => 1.0 / cos,
                    Csc => 1.0 / sin,
                    _ => cos / sin,
                };
                if s.is_undefined(v) {
                    assert!(want.abs() > 1e14, "{f:?}({n}π/24) undefined, double {want}");
                    assert!(matches!(s.fault, Some(Fault::Pole { .. })));
                    continue;
                }
                assert!(want.abs() < 1e14, "{f:?}({n}π/24) = {want} is a pole");
                let folded = !s
                    .postorder(&[v])
                    .iter()
                    .any(|&n| matches!(s.node(n), Node::Call(..)));
                assert_eq!(folded, n % 2 == 0, "{f:?}({n}π/24) folds only at twelfths");
                let got = value(&s, v);
                assert!(
                    (got - want).abs() < 1e-12 * want.abs().max(1.0),
                    "{f:?}({n}π/24)"
                );
            }
        }
    }

    #[test]
    fn inverse_functions_of_exact_values_and_of_each_other() {
        use Builtin::*;
        let vals = [
            "0",
            "1/2",
            "-1/2",
            "1",
            "-1",
            "sqrt(2)/2",
            "-sqrt(3)/2",
            "sqrt(3)",
            "sqrt(3)/3",
        ];
        for f in [Asin, Acos, Atan] {
            for t in vals {
                let mut s = Store::new();
                let u = crate::parse::parse(&mut s, t).unwrap();
                let x = value(&s, u);
                let want = match f {
                    Asin => x.asin(),
                    Acos => x.acos(),
                    _ => x.atan(),
                };
                let v = s.builtin(f, u);
                if want.is_nan() {
                    continue;
                }
                assert!((value(&s, v) - want).abs() < 1e-12, "{f:?}({t})");
            }
        }
        for outer in [Sin, Cos, Tan, Sec, Csc, Cot] {
            for inner in [Asin, Acos, Atan] {
                for x in [-0.9, -0.3, 0.2, 0.7, 1.6] {
                    let mut s = Store::new();
                    let xs = s.sym("x");
                    let i = s.builtin(inner, xs);
                    let e = s.builtin(outer, i);
                    assert!(!matches!(s.node(e), Node::Call(Func::Builtin(g), _) if *g == outer));
                    let a = match inner {
                        Asin => f64::asin(x),
                        Acos => f64::acos(x),
                        _ => f64::atan(x),
                    };
                    let want = match outer {
                        Sin => a.sin(),
                        Cos => a.cos(),
                        Tan => a.tan(),
                        Sec => 1.0 / a.cos(),
                        Csc => 1.0 / a.sin(),
                        _ => 1.0 / a.tan(),
                    };
                    match eval(&s, e, &|_| Some(x)) {
                        Ok(_) if want.is_nan() => {}
                        Ok(g) => assert!(
                            (g - want).abs() < 1e-9 * want.abs().max(1.0),
                            "{outer:?}({inner:?}({x})) = {g}, want {want}"
                        ),
                        // Undefined only where the composition is (asin(1.6)).
                        Err(_) => assert!(want.is_nan(), "{outer:?}({inner:?}({x}))"),
                    }
                }
            }
        }
    }
}
