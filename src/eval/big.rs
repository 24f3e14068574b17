//! Binary floating point of any precision, for `ball`: m·2^e with a big-integer m, and the
//! elementary functions to a given number of bits (series in fixed point, after reducing
//! the argument). Odd functions are computed as x·g(x²), so a tiny argument (10^-400)
//! keeps its relative precision.

use super::exact::pi_scaled;
use crate::expr::Rat;
use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::sync::Mutex;

/// m·2^e, exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Float {
    pub m: BigInt,
    pub e: i64,
}

/// The largest exponent a value may reach (far beyond anything printed; it keeps the
/// exponent arithmetic away from i64's end).
const MAX_EXPONENT: i64 = 1 << 52;

/// Bits apart beyond which `add` keeps the larger term alone.
const FAR: i64 = 1 << 16;

impl Float {
    pub fn zero() -> Float {
        Float {
            m: BigInt::zero(),
            e: 0,
        }
    }

    pub fn int(n: i64) -> Float {
        Float {
            m: BigInt::from(n),
            e: 0,
        }
    }

    /// 2^k.
    pub fn pow2(k: i64) -> Float {
        Float {
            m: BigInt::one(),
            e: k,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.m.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.m.is_negative()
    }

    /// The exponent just above |self|: |self| < 2^top (very negative for 0).
    pub fn top(&self) -> i64 {
        if self.m.is_zero() {
            return -MAX_EXPONENT;
        }
        self.e + self.m.bits() as i64
    }

    /// Is the exponent within bounds? (`None` past them: no value to give.)
    pub fn checked(self) -> Option<Float> {
        (self.m.is_zero() || self.top().abs() < MAX_EXPONENT).then_some(self)
    }

    pub fn neg(&self) -> Float {
        Float {
            m: -&self.m,
            e: self.e,
        }
    }

    pub fn abs(&self) -> Float {
        Float {
            m: self.m.abs(),
            e: self.e,
        }
    }

    /// Rounded toward 0 to `p` bits; the flag says whether anything was dropped.
    pub fn round(&self, p: u64) -> (Float, bool) {
        let bits = self.m.bits();
        if bits <= p {
            return (self.clone(), false);
        }
        let shift = bits - p;
        let (q, r) = self.m.abs().div_rem(&(BigInt::one() << shift as usize));
        let q = if self.m.is_negative() { -q } else { q };
        let f = Float {
            m: q,
            e: self.e + shift as i64,
        };
        (f, !r.is_zero())
    }

    /// |self| rounded up to 64 bits: for error bounds.
    pub fn up(&self) -> Float {
        let (f, dropped) = self.abs().round(64);
        if dropped {
            Float {
                m: f.m + 1u32,
                e: f.e,
            }
        } else {
            f
        }
    }

    pub fn add(&self, o: &Float) -> Float {
        if self.is_zero() {
            return o.clone();
        }
        if o.is_zero() {
            return self.clone();
        }
        // Past 2^16 bits apart the smaller is far below any precision used (4096 bits),
        // and aligning them could take more memory than there is (2^-10^15 + 1).
        if (self.top() - o.top()).abs() > FAR {
            return if self.top() > o.top() {
                self.clone()
            } else {
                o.clone()
            };
        }
        let e = self.e.min(o.e);
        let a = &self.m << (self.e - e) as usize;
        let b = &o.m << (o.e - e) as usize;
        Float { m: a + b, e }
    }

    /// self + o for error bounds (both ≥ 0), rounded up to 64 bits: far apart, the
    /// smaller counts as one unit of the larger's last place (no huge alignment).
    pub fn add_bound(&self, o: &Float) -> Float {
        let (big, small) = match self.top() >= o.top() {
            true => (self, o),
            false => (o, self),
        };
        if small.is_zero() {
            return big.up();
        }
        if big.top() - small.top() > 128 {
            let u = big.up();
            return Float {
                m: u.m + 1u32,
                e: u.e,
            };
        }
        big.add(small).up()
    }

    /// self − o rounded down to 64 bits, for self > o ≥ 0 (a lower bound).
    pub fn minus_bound(&self, o: &Float) -> Float {
        if o.is_zero() {
            return self.round(64).0;
        }
        if self.top() - o.top() > 128 {
            // One unit off in the 64th bit (the mantissa widened to 64 bits first).
            let r = self.round(64).0;
            let widen = 64 - r.m.bits() as i64;
            return Float {
                m: (r.m << widen as usize) - 1u32,
                e: r.e - widen,
            };
        }
        self.sub(o).round(64).0
    }

    pub fn sub(&self, o: &Float) -> Float {
        self.add(&o.neg())
    }

    pub fn mul(&self, o: &Float) -> Float {
        Float {
            m: &self.m * &o.m,
            e: self.e + o.e,
        }
    }

    /// self/o to `p` bits (toward 0); the flag says whether it is inexact.
    pub fn div(&self, o: &Float, p: u64) -> (Float, bool) {
        let shift = (p as i64 + o.m.bits() as i64 - self.m.bits() as i64 + 2).max(0);
        let (q, r) = (&self.m << shift as usize).div_rem(&o.m);
        let f = Float {
            m: q,
            e: self.e - o.e - shift,
        };
        (f, !r.is_zero())
    }

    /// n/d to `p` bits, and whether it is inexact.
    pub fn from_rat(r: &Rat, p: u64) -> (Float, bool) {
        let d = Float { m: r.denom(), e: 0 };
        Float { m: r.numer(), e: 0 }.div(&d, p)
    }

    pub fn cmp_abs(&self, o: &Float) -> Ordering {
        match (self.is_zero(), o.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        if self.top() != o.top() {
            return self.top().cmp(&o.top());
        }
        self.abs().sub(&o.abs()).m.sign().cmp(&Sign::NoSign)
    }

    /// The value as a double, correctly rounded (to nearest, ties to even), with IEEE's
    /// range: infinite above it, a subnormal or 0 below.
    pub fn to_f64(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let sign = if self.is_negative() { -1.0 } else { 1.0 };
        if self.top() > 1025 {
            return sign * f64::INFINITY;
        }
        if self.top() < -1080 {
            return sign * 0.0;
        }
        let (n, d) = match self.e {
            e if e >= 0 => (&self.m << e as usize, BigInt::one()),
            e => (self.m.clone(), BigInt::one() << (-e) as usize),
        };
        Rat::from_big(n, d).to_f64()
    }

    /// ⌊self⌋ as a Float.
    pub fn floor(&self) -> Float {
        if self.e >= 0 {
            return self.clone();
        }
        Float {
            m: self.fixed(0),
            e: 0,
        }
    }

    /// The integer `self` is (e ≥ 0, or a multiple of 2^-e), for a moderate exponent.
    fn integer(&self) -> BigInt {
        self.fixed(0)
    }

    /// self·2^w as an integer (toward −∞): fixed point with `w` fractional bits.
    fn fixed(&self, w: u64) -> BigInt {
        let shift = self.e + w as i64;
        if shift >= 0 {
            &self.m << shift as usize
        } else if -shift > self.m.bits() as i64 + 1 {
            // Below the last fractional bit (2^-10^9 too): no power of two is built.
            match self.m.is_negative() {
                true => BigInt::from(-1),
                false => BigInt::zero(),
            }
        } else {
            self.m.div_floor(&(BigInt::one() << (-shift) as usize))
        }
    }

    fn from_fixed(m: BigInt, w: u64) -> Float {
        Float { m, e: -(w as i64) }
    }
}

/// π to `w` fractional bits (within 2^-w).
pub fn pi(w: u64) -> Float {
    // In steps of 4096 bits, so that each precision tried reuses the one cached.
    let cached = w.next_multiple_of(4096);
    Float::from_fixed(pi_scaled(cached) >> (cached - w) as usize, w)
}

/// log 2 to `w` fractional bits: 2·atanh(1/3).
pub fn ln2(w: u64) -> Float {
    static CACHE: Mutex<Option<(u64, Float)>> = Mutex::new(None);
    let mut cached = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((b, l)) = cached.as_ref()
        && *b >= w
    {
        return l.round(w + 2).0;
    }
    let third = Float::int(1).div(&Float::int(3), w + 8).0;
    let l = atanh_small(&third, w + 8).mul(&Float::int(2));
    *cached = Some((w, l.clone()));
    l
}

/// Σ_k (±1)^k c_k t^k in fixed point with `w` bits, for |t| < 1 (its sign is the
/// alternation); `coef(k)` gives c_k/c_{k-1} as (a, b): term_k = term_{k-1}·|t|·a/b.
fn series(t: &Float, w: u64, coef: impl Fn(u64) -> (BigInt, BigInt), alternate: bool) -> Float {
    let alternate = alternate != t.is_negative();
    let t = t.abs().fixed(w);
    let mut term = BigInt::one() << w as usize;
    let mut sum = term.clone();
    let mut k = 1;
    while !term.is_zero() {
        let (a, b) = coef(k);
        term = ((&term * &t) >> w as usize) * a / b;
        if alternate && k % 2 == 1 {
            sum -= &term;
        } else {
            sum += &term;
        }
        k += 1;
    }
    Float::from_fixed(sum, w)
}

/// x·Σ (±x²)^k/(2k+1)-like series of an odd function: `coef` as in `series`, with t = x².
fn odd(x: &Float, w: u64, coef: impl Fn(u64) -> (BigInt, BigInt), alternate: bool) -> Float {
    x.mul(&series(&x.mul(x), w, coef, alternate))
}

/// atanh(z) for |z| ≤ 1/2: z·Σ z^2k/(2k+1); relative error about 2^-w.
pub fn atanh_small(z: &Float, w: u64) -> Float {
    let reciprocal = |k: u64| (BigInt::from(2 * k - 1), BigInt::from(2 * k + 1));
    odd(z, w, reciprocal, false)
}

/// e^x to about `w` bits, relative; `None` past the exponent range.
pub fn exp(x: &Float, w: u64) -> Option<Float> {
    if x.top() < -(w as i64) {
        return Some(Float::int(1).add(x));
    }
    let approx = x.to_f64();
    if !approx.is_finite() || approx.abs() > 2f64.powi(50) {
        return None;
    }
    let k = (approx / std::f64::consts::LN_2).round() as i64;
    let wr = w + 80;
    let r = x.sub(&Float::int(k).mul(&ln2(wr)));
    // e^r = (e^(r/2^s))^(2^s): the series on a small argument, squared back.
    let s = 16u64;
    let small = Float {
        m: r.m,
        e: r.e - s as i64,
    };
    let ws = wr + s;
    let mut y = series(&small, ws, |k| (BigInt::one(), BigInt::from(k)), false).fixed(ws);
    for _ in 0..s {
        y = (&y * &y) >> ws as usize;
    }
    let y = Float::from_fixed(y, ws);
    Float { m: y.m, e: y.e + k }.checked()
}

/// log(x) for x > 0 to about `w` bits: x = f·2^n with f in [√½, √2), and
/// log f = 2·atanh((f − 1)/(f + 1)).
pub fn ln(x: &Float, w: u64) -> Option<Float> {
    if x.m.sign() != Sign::Plus {
        return None;
    }
    let mut n = x.top();
    let mut f = Float {
        m: x.m.clone(),
        e: x.e - n,
    };
    // f in [1/2, 1): below √½ ≈ 0.7071 move it up an octave.
    if f.to_f64() < std::f64::consts::FRAC_1_SQRT_2 {
        f.e += 1;
        n -= 1;
    }
    let one = Float::int(1);
    let z = f.sub(&one).div(&f.add(&one), w + 16).0;
    let lf = atanh_small(&z, w + 16).mul(&Float::int(2));
    Some(Float::int(n).mul(&ln2(w + 80)).add(&lf))
}

/// (sin x, cos x, whether reduced by a multiple of π/2), to about `w` bits; `None` past
/// `exact::MAX_REDUCED_BITS`.
pub fn sin_cos(x: &Float, w: u64) -> Option<(Float, Float, bool)> {
    let top = x.top().max(0) as u64;
    if top > super::exact::MAX_REDUCED_BITS {
        return None;
    }
    let (k, y) = if x.top() < 0 {
        (0, x.clone())
    } else {
        let half_pi = pi(w + top + 64);
        let half_pi = Float {
            m: half_pi.m,
            e: half_pi.e - 1,
        };
        let k = x.div(&half_pi, top + 4).0.add(&Float::pow2(-1)).floor();
        (
            k.integer().mod_floor(&BigInt::from(4)).to_u8()?,
            x.sub(&k.mul(&half_pi)),
        )
    };
    let ww = w + 16;
    let sin = odd(
        &y,
        ww,
        |k| (BigInt::one(), BigInt::from(2 * k * (2 * k + 1))),
        true,
    );
    let cos = series(
        &y.mul(&y),
        ww,
        |k| (BigInt::one(), BigInt::from((2 * k - 1) * 2 * k)),
        true,
    );
    let (s, c) = match k {
        0 => (sin, cos),
        1 => (cos, sin.neg()),
        2 => (sin.neg(), cos.neg()),
        _ => (cos.neg(), sin),
    };
    Some((s, c, x.top() >= 0))
}

/// atan(x) to about `w` bits: π/2 − atan(1/x) above 1, then three halvings
/// (atan x = 2·atan(x/(1 + √(1 + x²)))) before the series.
pub fn atan(x: &Float, w: u64) -> Float {
    let ww = w + 16;
    if x.cmp_abs(&Float::int(1)) == Ordering::Greater {
        let half_pi = pi(ww);
        let half_pi = Float {
            m: half_pi.m,
            e: half_pi.e - 1,
        };
        let inner = atan(&Float::int(1).div(x, ww).0, w);
        let side = if x.is_negative() {
            half_pi.neg()
        } else {
            half_pi
        };
        return side.sub(&inner);
    }
    let mut y = x.clone();
    for _ in 0..3 {
        let root = sqrt(&Float::int(1).add(&y.mul(&y)), ww).unwrap_or_else(|| Float::int(1));
        y = y.div(&Float::int(1).add(&root), ww).0;
    }
    let reciprocal = |k: u64| (BigInt::from(2 * k - 1), BigInt::from(2 * k + 1));
    let a = odd(&y, ww, reciprocal, true);
    Float { m: a.m, e: a.e + 3 }
}

/// √x to `w` bits (toward 0), for x ≥ 0.
pub fn sqrt(x: &Float, w: u64) -> Option<Float> {
    if x.is_negative() {
        return None;
    }
    if x.is_zero() {
        return Some(Float::zero());
    }
    // m·2^e with e even and m of at least 2w bits.
    let mut shift = (2 * w as i64 - x.m.bits() as i64).max(0);
    if (x.e - shift) % 2 != 0 {
        shift += 1;
    }
    let m: BigInt = &x.m << shift as usize;
    Some(Float {
        m: m.sqrt(),
        e: (x.e - shift) / 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: &Float, want: f64) {
        let g = got.to_f64();
        assert!(
            (g - want).abs() <= 2.0 * f64::EPSILON * want.abs(),
            "{g} vs {want}"
        );
    }

    #[test]
    fn elementary_functions_agree_with_the_doubles() {
        let w = 200;
        for x in [0.3f64, -2.5, 7.0, 1e-5, 100.0] {
            let f = Float::from_rat(&Rat::parse_decimal(&format!("{}", x.abs())).unwrap(), w).0;
            let f = if x < 0.0 { f.neg() } else { f };
            close(&exp(&f, w).unwrap(), x.exp());
            let (s, c, _) = sin_cos(&f, w).unwrap();
            close(&s, x.sin());
            close(&c, x.cos());
            close(&atan(&f, w), x.atan());
            if x > 0.0 {
                close(&ln(&f, w).unwrap(), x.ln());
                close(&sqrt(&f, w).unwrap(), x.sqrt());
            }
        }
        close(&pi(100), std::f64::consts::PI);
        close(&ln2(100), std::f64::consts::LN_2);
    }
}
