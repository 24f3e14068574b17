//! Functions of an exact rational computed from the rational, not from its rounding to a
//! double: sin(10^22 + 1) needs the argument reduced by 2π with π to a hundred digits
//! (rounded first, 10^22 + 1 is 10^22, and the sine is another number), and log(10^-400)
//! needs the logarithm of a number no double holds. Everything else keeps the double
//! path, so values that were accurate do not move.

use crate::expr::{Builtin, Rat};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};
use std::sync::Mutex;

/// The largest argument, in bits of its integer part, whose trigonometric functions are
/// reduced exactly (π to this many bits takes a fraction of a second). Beyond it the
/// argument is a double's (infinite) and the value an error.
pub const MAX_REDUCED_BITS: u64 = 1 << 17;

/// f(r) for a built-in function of one argument, when computing it from the double nearest
/// r could lose digits: a trigonometric function of r that is not exactly a double and is
/// not small, or a logarithm of r that is near 1 or outside the doubles' range.
/// `None`: the double path is as good (or the function is not one of these).
pub fn value(f: Builtin, r: &Rat) -> Option<f64> {
    use Builtin::*;
    match f {
        Sin | Cos | Tan | Sec | Csc | Cot => trig(f, r),
        Log => ln(r),
        _ => None,
    }
}

/// Is r exactly a finite, nonzero double? (An odd numerator of at most 53 bits over a
/// power of two, in range.)
pub(super) fn is_double(r: &Rat) -> bool {
    let (n, d) = (r.numer(), r.denom());
    let x = r.to_f64();
    if n.is_zero() || !x.is_finite() || x == 0.0 {
        return n.is_zero();
    }
    let odd = n.magnitude() >> n.magnitude().trailing_zeros().unwrap_or(0);
    let power_of_two = d.magnitude().count_ones() == 1;
    power_of_two && odd.bits() <= 53 && x.abs() >= f64::MIN_POSITIVE
}

/// sin, cos, tan, sec, csc or cot of r by exact reduction: r = k·π/2 + y with |y| ≤ π/4,
/// then the function of y by the quadrant k mod 4.
fn trig(f: Builtin, r: &Rat) -> Option<f64> {
    if is_double(r) || r.to_f64().abs() < 0.5 {
        return None;
    }
    let (n, d) = (r.numer(), r.denom());
    let magnitude = (n.bits() as i64 - d.bits() as i64 + 1).max(0) as u64;
    if magnitude > MAX_REDUCED_BITS {
        return None;
    }
    let (k, y) = reduce(&n, &d, magnitude)?;
    let (s, c) = (y.sin(), y.cos());
    // sin and cos of r by the quadrant: r = k·π/2 + y.
    let (sin, cos) = match k {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    };
    let tan = if k % 2 == 0 { y.tan() } else { -1.0 / y.tan() };
    Some(match f {
        Builtin::Sin => sin,
        Builtin::Cos => cos,
        Builtin::Tan => tan,
        Builtin::Sec => 1.0 / cos,
        Builtin::Csc => 1.0 / sin,
        _ => 1.0 / tan,
    })
}

/// n/d = k·π/2 + y with |y| ≤ π/4 (about): k mod 4 and y, to a double's precision. Fixed
/// point with B fractional bits: X = ⌊n·2^B/d⌋ and H = ⌊π/2·2^B⌋ are each within 1, so
/// Y = X − kH is within |k| + 1 of the truth; B grows until Y has 60 bits above that.
fn reduce(n: &BigInt, d: &BigInt, magnitude: u64) -> Option<(u8, f64)> {
    let mut extra = 128;
    loop {
        let b = magnitude + extra;
        let x = (n << b as usize).div_floor(d);
        let h = pi_scaled(b) >> 1usize;
        let k: BigInt = (&x * 2u32 + &h).div_floor(&(&h * 2u32));
        let y = &x - &k * &h;
        let error_bits = k.bits() + 1;
        if y.bits() >= error_bits + 60 || y.is_zero() && extra > magnitude + 256 {
            let quadrant = k.mod_floor(&BigInt::from(4)).to_u8()?;
            let y = Rat::from_big(y, BigInt::from(1) << b as usize).to_f64();
            return Some((quadrant, y));
        }
        if b > 4 * MAX_REDUCED_BITS {
            return None;
        }
        extra *= 2;
    }
}

/// ⌊π·2^bits⌋, by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), kept for the next call.
pub(super) fn pi_scaled(bits: u64) -> BigInt {
    static PI: Mutex<Option<(u64, BigInt)>> = Mutex::new(None);
    let mut cached = PI.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((b, pi)) = cached.as_ref()
        && *b >= bits
    {
        return pi >> (b - bits) as usize;
    }
    let guard = 64;
    let w = bits + guard;
    let pi: BigInt = (atan_inverse(5, w) * 16u32 - atan_inverse(239, w) * 4u32) >> guard as usize;
    *cached = Some((bits, pi.clone()));
    pi
}

/// atan(1/x)·2^bits, within a few units: Σ (−1)^j / ((2j+1)·x^(2j+1)).
fn atan_inverse(x: u32, bits: u64) -> BigInt {
    let x2 = BigInt::from(x) * x;
    let mut power = (BigInt::from(1) << bits as usize) / x;
    let mut sum = BigInt::zero();
    let mut j: u64 = 0;
    while !power.is_zero() {
        let term = &power / (2 * j + 1);
        if j.is_multiple_of(2) {
            sum += term;
        } else {
            sum -= term;
        }
        power /= &x2;
        j += 1;
    }
    sum
}

/// log(r) for r > 0 where the double nearest r would lose it: r near 1 (log1p of the exact
/// r − 1), or r beyond the doubles (log of r/2^e plus e·log 2, from the sizes of its
/// numerator and denominator).
fn ln(r: &Rat) -> Option<f64> {
    if !r.is_positive() || is_double(r) {
        return None;
    }
    let (n, d) = (r.numer(), r.denom());
    let less_one = Rat::from_big(&n - &d, d.clone());
    if less_one.to_f64().abs() < 0.5 {
        return Some(less_one.to_f64().ln_1p());
    }
    let x = r.to_f64();
    if x.is_finite() && x >= f64::MIN_POSITIVE {
        return None;
    }
    let e = n.bits() as i64 - d.bits() as i64;
    let scaled = if e >= 0 {
        Rat::from_big(n, d << e as usize)
    } else {
        Rat::from_big(n << (-e) as usize, d)
    };
    Some(scaled.to_f64().ln() + e as f64 * std::f64::consts::LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rat(n: &str, d: &str) -> Rat {
        Rat::from_big(n.parse().unwrap(), d.parse().unwrap())
    }

    #[test]
    fn pi_digits() {
        // π·2^64 = 57952155664616982739.03…
        assert_eq!(pi_scaled(64).to_string(), "57952155664616982739");
    }

    #[test]
    fn reduces_large_arguments_exactly() {
        // sin(10^22 + 1) = −0.0201760234595004332… (mpmath, 60 digits).
        let r = rat("10000000000000000000001", "1");
        let s = value(Builtin::Sin, &r).unwrap();
        assert!((s - -0.020176023459500433).abs() < 1e-17, "{s}");
        // sin(355/113) = −2.6676418906241914e-7: near π, the reduction keeps its digits.
        let s = value(Builtin::Sin, &rat("355", "113")).unwrap();
        assert!((s / -2.6676418906241915e-7 - 1.0).abs() < 1e-14, "{s}");
    }

    #[test]
    fn doubles_and_small_arguments_keep_the_double_path() {
        assert_eq!(
            value(Builtin::Sin, &rat("10000000000000000000000", "1")),
            None
        );
        assert_eq!(value(Builtin::Sin, &rat("1", "3")), None);
        assert_eq!(value(Builtin::Log, &rat("1", "3")), None);
    }

    #[test]
    fn logarithms_beyond_the_doubles() {
        let tiny = Rat::from_big(1.into(), BigInt::from(10).pow(400));
        let l = value(Builtin::Log, &tiny).unwrap();
        assert!((l - -921.0340371976183).abs() < 1e-12, "{l}");
        let near_one = Rat::from_big(BigInt::from(10).pow(30) + 1, BigInt::from(10).pow(30));
        assert_eq!(value(Builtin::Log, &near_one), Some(1e-30));
    }
}
