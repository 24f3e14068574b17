//! Values beyond the range of a double, for a closed expression (the point put in): a
//! double's digits with an exponent of its own, so that 10^400·sin(10^-400) is 1 and
//! 800·e^-800 is 2.9e-345 rather than 0. The second opinion of `--at` when the doubles
//! fail or give 0: it tells a value a double cannot hold from one that is out of range
//! only on the way.

use super::exact;
use super::run::{binary, nary, unary};
use crate::expr::{Builtin, Constant, ExprId, Func, Node, Rat, Store};
use num_traits::Zero;
use rustc_hash::FxHashMap;
use std::f64::consts::LN_2;

/// m·2^e, with 1/2 ≤ |m| < 1, or m = 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wide {
    m: f64,
    e: i64,
}

impl Wide {
    fn new(m: f64, e: i64) -> Option<Wide> {
        if !m.is_finite() {
            return None;
        }
        if m == 0.0 {
            return Some(Wide { m: 0.0, e: 0 });
        }
        let (m, k) = libm::frexp(m);
        Some(Wide {
            m,
            e: e.checked_add(k.into())?,
        })
    }

    /// m·2^e; `None` if m is not finite.
    pub fn scaled(m: f64, e: i64) -> Option<Wide> {
        Wide::new(m, e)
    }

    /// The double `x`; `None` if it is not finite.
    pub fn from_f64(x: f64) -> Option<Wide> {
        Wide::new(x, 0)
    }

    fn from_rat(r: &Rat) -> Option<Wide> {
        let (n, d) = (r.numer(), r.denom());
        if n.is_zero() {
            return Wide::from_f64(0.0);
        }
        let e = n.bits() as i64 - d.bits() as i64;
        let scaled = if e >= 0 {
            Rat::from_big(n, d << e as usize)
        } else {
            Rat::from_big(n << (-e) as usize, d)
        };
        Wide::new(scaled.to_f64(), e)
    }

    /// The nearest double: infinite or 0 beyond their range.
    pub fn to_f64(self) -> f64 {
        let e = self.e.clamp(-1200, 1200) as i32;
        libm::ldexp(self.m, e)
    }

    /// Is it 0?
    pub fn is_zero(self) -> bool {
        self.m == 0.0
    }

    /// Within the normal doubles (2.2e-308 to 1.8e308), or 0.
    pub fn in_range(self) -> bool {
        self.m == 0.0 || (-1021..=1024).contains(&self.e)
    }

    /// Beyond the doubles on the small side (not 0)?
    pub fn too_small(self) -> bool {
        self.m != 0.0 && self.e < -1021
    }

    fn mul(self, o: Wide) -> Option<Wide> {
        Wide::new(self.m * o.m, self.e.checked_add(o.e)?)
    }

    fn add(self, o: Wide) -> Option<Wide> {
        let (big, small) = if self.e >= o.e { (self, o) } else { (o, self) };
        if small.m == 0.0 || big.e - small.e > 1100 {
            return Some(if big.m == 0.0 { small } else { big });
        }
        Wide::new(
            big.m + libm::ldexp(small.m, (small.e - big.e) as i32),
            big.e,
        )
    }

    fn recip(self) -> Option<Wide> {
        Wide::new(1.0 / self.m, self.e.checked_neg()?)
    }

    fn powi(self, mut k: i64) -> Option<Wide> {
        let invert = k < 0;
        let mut base = self;
        let mut acc = Wide::from_f64(1.0)?;
        while k != 0 {
            if k & 1 != 0 {
                acc = acc.mul(base)?;
            }
            k /= 2;
            if k != 0 {
                base = base.mul(base)?;
            }
        }
        if invert { acc.recip() } else { Some(acc) }
    }

    fn sqrt(self) -> Option<Wide> {
        if self.m < 0.0 {
            return None;
        }
        let (m, e) = if self.e % 2 == 0 {
            (self.m, self.e)
        } else {
            (2.0 * self.m, self.e - 1)
        };
        Wide::new(m.sqrt(), e / 2)
    }

    /// The natural logarithm, as a double (it always is one).
    fn ln(self) -> Option<f64> {
        (self.m > 0.0).then(|| self.m.ln() + self.e as f64 * LN_2)
    }

    /// e^x for a double x: e^f·2^k with x = k·log 2 + f.
    fn exp(x: f64) -> Option<Wide> {
        if x.abs() < 700.0 {
            return Wide::from_f64(x.exp());
        }
        if x.abs() > 1e15 {
            return None;
        }
        // log 2 in two parts, the first with trailing zeros, so k·LN2_HI is exact.
        const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
        const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
        let k = (x / LN_2).round();
        let f = (x - k * LN2_HI) - k * LN2_LO;
        Wide::new(f.exp(), k as i64)
    }

    /// The value in scientific notation with `digits` significant digits: `2.934e-345`.
    pub fn scientific(self, digits: usize) -> String {
        if self.m == 0.0 {
            return "0".into();
        }
        let log10 = self.m.abs().log10() + self.e as f64 * std::f64::consts::LOG10_2;
        let mut exponent = log10.floor();
        let mut mantissa = 10f64.powf(log10 - exponent);
        let rounded: f64 = format!("{mantissa:.*}", digits.saturating_sub(1))
            .parse()
            .unwrap_or(mantissa);
        if rounded >= 10.0 {
            mantissa /= 10.0;
            exponent += 1.0;
        }
        let sign = if self.m < 0.0 { "-" } else { "" };
        format!("{sign}{mantissa:.*}e{exponent}", digits.saturating_sub(1))
    }
}

/// The value of `e`, which has no variables, in wide range; `None` where it has none or
/// where a function's argument is beyond the doubles and the function has no wide form.
pub fn value(s: &Store, e: ExprId) -> Option<Wide> {
    let mut v: FxHashMap<ExprId, Wide> = FxHashMap::default();
    for n in s.postorder(&[e]) {
        let x = match s.node(n) {
            Node::Num(r) => Wide::from_rat(r)?,
            Node::Const(Constant::Pi) => Wide::from_f64(std::f64::consts::PI)?,
            Node::Const(Constant::E) => Wide::from_f64(std::f64::consts::E)?,
            Node::Add(ts) => ts[1..].iter().try_fold(v[&ts[0]], |a, t| a.add(v[t]))?,
            Node::Mul(fs) => fs[1..].iter().try_fold(v[&fs[0]], |a, f| a.mul(v[f]))?,
            &Node::Pow(b, x) => power(s, b, v[&b], x, v[&x])?,
            Node::Call(Func::Builtin(f), args) => match s.as_num(args[0]) {
                Some(r) if args.len() == 1 && exact::value(*f, r).is_some() => {
                    Wide::from_f64(exact::value(*f, r)?)?
                }
                _ => call(*f, &args.iter().map(|a| v[a]).collect::<Vec<_>>())?,
            },
            _ => return None,
        };
        v.insert(n, x);
    }
    v.get(&e).copied()
}

/// b^x: e^x, an integer or half-integer power by multiplying, other powers of a positive
/// base through its logarithm.
fn power(s: &Store, base: ExprId, b: Wide, x: ExprId, xv: Wide) -> Option<Wide> {
    if matches!(s.node(base), Node::Const(Constant::E)) {
        return Wide::exp(xv.to_f64());
    }
    if let Some(k) = s.as_num(x) {
        if let Some(k) = k.to_i64() {
            return b.powi(k);
        }
        let twice = k.add(k);
        if let Some(k2) = twice.to_i64() {
            return b.sqrt()?.powi(k2);
        }
        if b.m < 0.0 && k.denom().bit(0) {
            let m = Wide::exp(k.to_f64() * Wide { m: -b.m, e: b.e }.ln()?)?;
            let odd = k.numer().bit(0);
            return Some(if odd { Wide { m: -m.m, e: m.e } } else { m });
        }
    }
    if b.is_zero() {
        return (xv.m > 0.0).then_some(b);
    }
    Wide::exp(xv.to_f64() * b.ln()?)
}

/// A built-in function: its double where the arguments are doubles; for a tiny argument
/// (below the doubles) the first term of its series; log of any positive value.
fn call(f: Builtin, args: &[Wide]) -> Option<Wide> {
    use Builtin::*;
    let a = args[0];
    if args.len() == 1 && f == Log {
        return Wide::from_f64(a.ln()?);
    }
    if args.len() == 1 && f == Abs {
        return Some(Wide {
            m: a.m.abs(),
            e: a.e,
        });
    }
    // e^u, under the doubles, is the value of these where u is very negative.
    if args.len() == 1 && matches!(f, Sigmoid | Softplus) && a.to_f64() < -700.0 {
        return Wide::exp(a.to_f64());
    }
    if args.len() == 1 && a.too_small() {
        return match f {
            Sin | Tan | Sinh | Tanh | Asin | Atan | Asinh | Atanh => Some(a),
            Csc | Cot => a.recip(),
            Erf => a.mul(Wide::from_f64(std::f64::consts::FRAC_2_SQRT_PI)?),
            _ => Wide::from_f64(unary(f, 0.0).0),
        };
    }
    let xs: Vec<f64> = args.iter().map(|w| w.to_f64()).collect();
    let y = match (f, &xs[..]) {
        (Atan2 | LogBase, &[u, x]) => binary(f, u, x).0,
        (Max | Min | Logsumexp, _) => nary(f, xs.iter().copied()),
        (_, &[u]) => unary(f, u).0,
        _ => return None,
    };
    Wide::from_f64(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_beyond_the_doubles() {
        let big = Wide::from_f64(1e300).unwrap().powi(2).unwrap();
        let small = big.recip().unwrap();
        assert!(!big.in_range() && small.too_small());
        assert_eq!(big.mul(small).unwrap().to_f64(), 1.0);
        assert_eq!(small.scientific(4), "1.000e-600");
        let x = Wide::from_f64(800.0)
            .unwrap()
            .mul(Wide::exp(-800.0).unwrap());
        assert_eq!(x.unwrap().scientific(4), "2.934e-345");
    }
}
