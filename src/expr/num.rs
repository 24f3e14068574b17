//! Numbers: exact rationals with an allocation-free fast path for the common small case.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;

/// An exact rational number, always in lowest terms with a positive denominator.
///
/// `Small` is used whenever numerator and denominator both fit in an `i64`; this keeps
/// equality and hashing structural (one value, one representation).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Rat {
    Small(i64, i64),
    Big(Box<(BigInt, BigInt)>),
}

fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Rat {
    pub const ZERO: Rat = Rat::Small(0, 1);
    pub const ONE: Rat = Rat::Small(1, 1);

    pub fn int(n: i64) -> Rat {
        Rat::Small(n, 1)
    }

    /// Builds n/d from 128-bit parts, reducing and choosing the representation.
    fn from_i128(n: i128, d: i128) -> Rat {
        debug_assert!(d != 0);
        let (mut n, mut d) = (n, d);
        if d < 0 {
            // i128::MIN cannot come from products of i64s negated twice; checked anyway.
            match (n.checked_neg(), d.checked_neg()) {
                (Some(a), Some(b)) => {
                    n = a;
                    d = b;
                }
                _ => return Rat::from_big(BigInt::from(n), BigInt::from(d)),
            }
        }
        let g = gcd_u128(n.unsigned_abs(), d as u128) as i128;
        if g > 1 {
            n /= g;
            d /= g;
        }
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(a), Ok(b)) => Rat::Small(a, b),
            _ => Rat::Big(Box::new((BigInt::from(n), BigInt::from(d)))),
        }
    }

    /// Builds n/d from big parts (d != 0), reducing and demoting to `Small` when it fits.
    pub fn from_big(n: BigInt, d: BigInt) -> Rat {
        debug_assert!(!d.is_zero());
        let (mut n, mut d) = if d.is_negative() { (-n, -d) } else { (n, d) };
        if d.is_one() {
            return match n.to_i64() {
                Some(a) => Rat::Small(a, 1),
                None => Rat::Big(Box::new((n, d))),
            };
        }
        let g = n.gcd(&d);
        if !g.is_one() && !g.is_zero() {
            n /= &g;
            d /= &g;
        }
        match (n.to_i64(), d.to_i64()) {
            (Some(a), Some(b)) => Rat::Small(a, b),
            _ => Rat::Big(Box::new((n, d))),
        }
    }

    pub fn from_bigint(n: BigInt) -> Rat {
        Rat::from_big(n, BigInt::one())
    }

    fn parts(&self) -> (BigInt, BigInt) {
        match self {
            Rat::Small(n, d) => (BigInt::from(*n), BigInt::from(*d)),
            Rat::Big(b) => (b.0.clone(), b.1.clone()),
        }
    }

    /// Numerator and denominator as (integer) rationals, without big arithmetic when small.
    pub fn split(&self) -> (Rat, Rat) {
        match self {
            Rat::Small(n, d) => (Rat::Small(*n, 1), Rat::Small(*d, 1)),
            Rat::Big(b) => (Rat::from_bigint(b.0.clone()), Rat::from_bigint(b.1.clone())),
        }
    }

    pub fn numer(&self) -> BigInt {
        self.parts().0
    }

    pub fn denom(&self) -> BigInt {
        self.parts().1
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Rat::Small(0, _))
    }
    pub fn is_one(&self) -> bool {
        matches!(self, Rat::Small(1, 1))
    }
    pub fn is_minus_one(&self) -> bool {
        matches!(self, Rat::Small(-1, 1))
    }
    pub fn is_integer(&self) -> bool {
        match self {
            Rat::Small(_, d) => *d == 1,
            Rat::Big(b) => b.1.is_one(),
        }
    }
    pub fn is_negative(&self) -> bool {
        match self {
            Rat::Small(n, _) => *n < 0,
            Rat::Big(b) => b.0.is_negative(),
        }
    }
    pub fn is_positive(&self) -> bool {
        !self.is_zero() && !self.is_negative()
    }

    /// The value as an `i64` when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Rat::Small(n, 1) => Some(*n),
            _ => None,
        }
    }

    pub fn add(&self, o: &Rat) -> Rat {
        if let (Rat::Small(a, 1), Rat::Small(c, 1)) = (self, o)
            && let Some(n) = a.checked_add(*c)
        {
            return Rat::Small(n, 1);
        }
        if let (Rat::Small(a, b), Rat::Small(c, d)) = (self, o) {
            let (a, b, c, d) = (*a as i128, *b as i128, *c as i128, *d as i128);
            if b == d {
                return Rat::from_i128(a + c, b);
            }
            if let Some(n) = (a * d).checked_add(c * b) {
                return Rat::from_i128(n, b * d);
            }
        }
        let (a, b) = self.parts();
        let (c, d) = o.parts();
        Rat::from_big(a * &d + c * &b, b * d)
    }

    pub fn neg(&self) -> Rat {
        match self {
            Rat::Small(n, d) => match n.checked_neg() {
                Some(m) => Rat::Small(m, *d),
                None => Rat::from_i128(-(*n as i128), *d as i128),
            },
            Rat::Big(b) => Rat::from_big(-b.0.clone(), b.1.clone()),
        }
    }

    pub fn sub(&self, o: &Rat) -> Rat {
        self.add(&o.neg())
    }

    pub fn mul(&self, o: &Rat) -> Rat {
        if let (Rat::Small(a, 1), Rat::Small(c, 1)) = (self, o)
            && let Some(n) = a.checked_mul(*c)
        {
            return Rat::Small(n, 1);
        }
        if let (Rat::Small(a, b), Rat::Small(c, d)) = (self, o) {
            return Rat::from_i128(*a as i128 * *c as i128, *b as i128 * *d as i128);
        }
        let (a, b) = self.parts();
        let (c, d) = o.parts();
        Rat::from_big(a * c, b * d)
    }

    /// 1/x, or `None` for zero.
    pub fn recip(&self) -> Option<Rat> {
        if self.is_zero() {
            return None;
        }
        Some(match self {
            Rat::Small(n, d) => Rat::from_i128(*d as i128, *n as i128),
            Rat::Big(b) => Rat::from_big(b.1.clone(), b.0.clone()),
        })
    }

    /// Number of bits in the larger of numerator and denominator (a size measure).
    pub fn bits(&self) -> u64 {
        match self {
            Rat::Small(n, d) => (64 - n.unsigned_abs().leading_zeros())
                .max(64 - d.unsigned_abs().leading_zeros()) as u64,
            Rat::Big(b) => b.0.bits().max(b.1.bits()),
        }
    }

    /// self^k for an integer k; `None` when self is 0 and k < 0.
    /// The caller bounds the size of the result (see `canon::MAX_FOLD_BITS`).
    pub fn pow_int(&self, k: i64) -> Option<Rat> {
        if k == 0 {
            return Some(Rat::ONE);
        }
        let base = if k < 0 { self.recip()? } else { self.clone() };
        let e = k.unsigned_abs();
        // In lowest terms already: gcd(n, d) = 1 gives gcd(nᵉ, dᵉ) = 1.
        if let (Rat::Small(n, d), Ok(e32)) = (&base, u32::try_from(e))
            && let (Some(a), Some(b)) = (n.checked_pow(e32), d.checked_pow(e32))
        {
            return Some(Rat::Small(a, b));
        }
        let (n, d) = base.parts();
        let e32 = u32::try_from(e).ok()?;
        Some(Rat::from_big(
            num_traits::pow::Pow::pow(n, e32),
            num_traits::pow::Pow::pow(d, e32),
        ))
    }

    /// The exact q-th root when self is a perfect q-th power (q ≥ 2).
    pub fn exact_root(&self, q: u32) -> Option<Rat> {
        if self.is_negative() {
            if q % 2 == 1 {
                return self.neg().exact_root(q).map(|r| r.neg());
            }
            return None;
        }
        if let Rat::Small(n, d) = *self {
            let (rn, rd) = (small_root(n as u64, q)?, small_root(d as u64, q)?);
            return Some(Rat::Small(rn as i64, rd as i64));
        }
        let (n, d) = self.parts();
        let rn = n.nth_root(q);
        let rd = d.nth_root(q);
        let p = |x: &BigInt| num_traits::pow::Pow::pow(x.clone(), q);
        if p(&rn) == n && p(&rd) == d {
            Some(Rat::from_big(rn, rd))
        } else {
            None
        }
    }

    /// An odd integer?
    pub fn is_odd_integer(&self) -> bool {
        match self {
            Rat::Small(n, d) => *d == 1 && n & 1 == 1,
            Rat::Big(b) => b.1.is_one() && b.0.bit(0),
        }
    }

    /// The nearest double (ties to even), so that a decimal printed from a double reads
    /// back as that double.
    pub fn to_f64(&self) -> f64 {
        const EXACT: i64 = 1 << 53;
        match self {
            // Both exact as doubles: one correctly rounded division.
            Rat::Small(n, d) if n.unsigned_abs() <= EXACT as u64 && *d <= EXACT => {
                *n as f64 / *d as f64
            }
            Rat::Small(n, d) => nearest_double(&BigInt::from(*n), &BigInt::from(*d)),
            Rat::Big(b) => nearest_double(&b.0, &b.1),
        }
    }

    /// Parses a decimal literal (`12`, `0.25`, `1e-3`, `.5`) exactly; `None` beyond
    /// `MAX_LITERAL_DIGITS` digits or a decimal exponent of ±100000.
    pub fn parse_decimal(s: &str) -> Option<Rat> {
        if s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse::<i64>().ok().map(Rat::int);
        }
        if literal_digits(s) > MAX_LITERAL_DIGITS {
            return None;
        }
        let (mant, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
            None => (s, 0),
        };
        let (int, frac) = match mant.find('.') {
            Some(i) => (&mant[..i], &mant[i + 1..]),
            None => (mant, ""),
        };
        let digits = format!("{int}{frac}");
        let n: BigInt = if digits.is_empty() {
            return None;
        } else {
            digits.parse().ok()?
        };
        let scale = exp.checked_sub(frac.len() as i64)?;
        // Bound the power of ten: a literal like 1e99999999 is refused, not allocated.
        if scale.unsigned_abs() > 100_000 {
            return None;
        }
        let ten = num_traits::pow::Pow::pow(BigInt::from(10), scale.unsigned_abs() as u32);
        Some(if scale >= 0 {
            Rat::from_bigint(n * ten)
        } else {
            Rat::from_big(n, ten)
        })
    }
}

/// A number literal has at most this many digits: more would pass the limit of exact
/// arithmetic (`canon::MAX_NUMBER_BITS`, 400,000 bits) anyway, and converting ten
/// million digits to binary takes minutes.
pub const MAX_LITERAL_DIGITS: usize = 120_000;

/// The digits of a literal's mantissa (before any `e`).
pub fn literal_digits(s: &str) -> usize {
    s.bytes()
        .take_while(|b| !matches!(b, b'e' | b'E'))
        .filter(u8::is_ascii_digit)
        .count()
}

/// Trial division for `split_power` stops at this factor.
const MAX_TRIAL_FACTOR: u64 = 10_000;

/// n as m^q·r with m as large as trial division by factors up to `MAX_TRIAL_FACTOR` (and a
/// last check that the rest is a perfect q-th power) finds: (m, r). Splitting r again
/// gives (1, r), so the result is a canonical form: 8 = 2^2·2, so sqrt(8) = 2*sqrt(2).
pub fn split_power(mut n: u64, q: u32) -> (u64, u64) {
    let mut m = 1;
    let mut p: u64 = 2;
    // A composite p never divides: its prime factors were taken out before it.
    while p <= MAX_TRIAL_FACTOR {
        let Some(pq) = p.checked_pow(q).filter(|&pq| pq <= n) else {
            break;
        };
        while n.is_multiple_of(pq) {
            n /= pq;
            m *= p;
        }
        p += if p == 2 { 1 } else { 2 };
    }
    if n > 1
        && let Some(r) = small_root(n, q)
    {
        return (m * r, 1);
    }
    (m, n)
}

/// The exact q-th root of n (q ≥ 2), if n is a perfect q-th power: a floating-point
/// estimate, then exact checks of its neighbours.
fn small_root(n: u64, q: u32) -> Option<u64> {
    let r = (n as f64).powf(1.0 / f64::from(q)).round() as u64;
    (r.saturating_sub(1)..=r + 1).find(|c| c.checked_pow(q) == Some(n))
}

impl PartialOrd for Rat {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rat {
    fn cmp(&self, o: &Self) -> Ordering {
        if let (Rat::Small(a, 1), Rat::Small(c, 1)) = (self, o) {
            return a.cmp(c);
        }
        if let (Rat::Small(a, b), Rat::Small(c, d)) = (self, o) {
            return (*a as i128 * *d as i128).cmp(&(*c as i128 * *b as i128));
        }
        let (a, b) = self.parts();
        let (c, d) = o.parts();
        (a * d).cmp(&(c * b))
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rat::Small(n, 1) => write!(f, "{n}"),
            Rat::Small(n, d) => write!(f, "{n}/{d}"),
            Rat::Big(b) if b.1.is_one() => write!(f, "{}", b.0),
            Rat::Big(b) => write!(f, "{}/{}", b.0, b.1),
        }
    }
}

/// The double nearest n/d (d > 0), rounding once: a quotient with 65 or 66 bits and a
/// sticky remainder decide the last bit, at the precision the result has (fewer bits
/// below 2^-1022).
fn nearest_double(n: &BigInt, d: &BigInt) -> f64 {
    let magnitude = nearest_positive(n.magnitude(), d.magnitude());
    if n.is_negative() {
        -magnitude
    } else {
        magnitude
    }
}

fn nearest_positive(n: &num_bigint::BigUint, d: &num_bigint::BigUint) -> f64 {
    use num_bigint::BigUint;
    if n.is_zero() {
        return 0.0;
    }
    let shift = 65 - (n.bits() as i64 - d.bits() as i64);
    let (num, den): (BigUint, BigUint) = if shift >= 0 {
        (n << shift as usize, d.clone())
    } else {
        (n.clone(), d << (-shift) as usize)
    };
    let (q, r) = num.div_rem(&den);
    // n/d = (q + r/den)·2^-shift with 2^64 <= q < 2^66, so n/d lies in [2^e, 2^(e+1)).
    let qbits = q.bits() as i64;
    let e = qbits - 1 - shift;
    if e > 1023 {
        return f64::INFINITY;
    }
    let precision = if e >= -1022 { 53 } else { 53 - (-1022 - e) };
    if precision < 0 {
        return 0.0;
    }
    let drop = (qbits - precision) as usize;
    let mut m = (&q >> drop).to_u64().unwrap_or(0);
    let rest = &q - (BigUint::from(m) << drop);
    let half = BigUint::one() << (drop - 1);
    if rest > half || (rest == half && (!r.is_zero() || m & 1 == 1)) {
        m += 1;
    }
    // m·2^k is a double: scale in two steps, each by a normal power of two.
    let k = (drop as i64 - shift) as i32;
    let pow2 = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    m as f64 * pow2(k / 2) * pow2(k - k / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_and_huge_rationals_convert_to_the_nearest_double() {
        use num_traits::One;
        let two = |k: u32| BigInt::one() << k;
        for k in [1000u32, 1022, 1060, 1074] {
            let tiny = Rat::from_big(BigInt::one(), two(k));
            // (powi itself underflows to 0 below about 2^-1022.)
            let want = 2f64.powi(-500) * 2f64.powi(500 - k as i32);
            assert!(want > 0.0);
            assert_eq!(tiny.to_f64(), want, "2^-{k}");
            let huge = Rat::from_big(two(k.min(1023)), BigInt::one());
            assert_eq!(huge.to_f64(), 2f64.powi(k.min(1023) as i32), "2^{k}");
        }
        let third = Rat::from_big(BigInt::one(), BigInt::from(3) * two(1020));
        assert_eq!(third.to_f64(), (1.0 / 3.0) * 2f64.powi(-1020));
        assert_eq!(Rat::from_big(BigInt::one(), two(1200)).to_f64(), 0.0);
        assert_eq!(
            Rat::from_big(two(1100), BigInt::one()).to_f64(),
            f64::INFINITY
        );
    }

    #[test]
    fn decimal_literals_are_exact() {
        assert_eq!(Rat::parse_decimal("0.25"), Some(Rat::Small(1, 4)));
        assert_eq!(Rat::parse_decimal("1e-3"), Some(Rat::Small(1, 1000)));
        assert_eq!(Rat::parse_decimal(".5"), Some(Rat::Small(1, 2)));
        assert_eq!(Rat::parse_decimal("2.50e1"), Some(Rat::Small(25, 1)));
    }

    #[test]
    fn machine_word_roots_and_powers_agree_with_big_ones() {
        let big = |n: i64, d: i64| Rat::Big(Box::new((BigInt::from(n), BigInt::from(d))));
        for (n, d, q) in [
            (1, 8, 3),
            (0, 1, 2),
            (9223372030926249001, 1, 2),
            (16, 81, 4),
        ] {
            let small = Rat::Small(n, d).exact_root(q);
            assert!(small.is_some(), "{n}/{d} has a {q}-th root");
            assert_eq!(small, big(n, d).exact_root(q));
        }
        for (n, d, q) in [
            (2, 1, 2),
            (9223372030926249002, 1, 2),
            (27, 4, 3),
            (-8, 27, 2),
        ] {
            assert_eq!(Rat::Small(n, d).exact_root(q), None, "{n}/{d}, q = {q}");
        }
        assert_eq!(Rat::Small(-8, 27).exact_root(3), Some(Rat::Small(-2, 3)));
        for (n, d, k) in [
            (3i64, 4i64, 5i64),
            (-2, 3, -3),
            (7, 1, 22),
            (2, 1, 64),
            (-1, 2, 63),
        ] {
            let e = k.unsigned_abs() as u32;
            let pow = |x: i64| num_traits::pow::Pow::pow(BigInt::from(x), e);
            let via_big = Rat::from_big(pow(n), pow(d));
            let expected = if k < 0 {
                via_big.recip()
            } else {
                Some(via_big)
            };
            assert_eq!(Rat::Small(n, d).pow_int(k), expected, "({n}/{d})^{k}");
        }
    }

    #[test]
    fn overflow_promotes_to_big_and_back() {
        let big = Rat::int(i64::MAX).add(&Rat::ONE);
        assert!(matches!(big, Rat::Big(_)));
        assert_eq!(big.to_string(), "9223372036854775808");
        assert_eq!(big.sub(&Rat::ONE), Rat::int(i64::MAX));
        assert_eq!(Rat::int(i64::MIN).neg().to_string(), "9223372036854775808");
        assert_eq!(
            Rat::int(i64::MIN).mul(&Rat::int(-1)).neg(),
            Rat::int(i64::MIN)
        );
    }

    #[test]
    fn arithmetic_reduces() {
        let a = Rat::Small(1, 6).add(&Rat::Small(1, 3));
        assert_eq!(a, Rat::Small(1, 2));
        assert_eq!(Rat::Small(2, 3).mul(&Rat::Small(3, 4)), Rat::Small(1, 2));
        assert_eq!(Rat::Small(-2, 3).recip(), Some(Rat::Small(-3, 2)));
        assert_eq!(Rat::ZERO.recip(), None);
        assert_eq!(Rat::Small(4, 9).exact_root(2), Some(Rat::Small(2, 3)));
        assert_eq!(Rat::int(2).exact_root(2), None);
        assert_eq!(Rat::int(-8).exact_root(3), Some(Rat::int(-2)));
        assert_eq!(Rat::int(2).pow_int(-3), Some(Rat::Small(1, 8)));
    }

    #[test]
    fn big_to_f64() {
        let r = Rat::parse_decimal("1e300")
            .unwrap()
            .mul(&Rat::parse_decimal("1e-298").unwrap());
        assert!((r.to_f64() - 100.0).abs() < 1e-9);
        let x = Rat::parse_decimal("123456789012345678901234567890").unwrap();
        assert!((x.to_f64() / 1.2345678901234568e29 - 1.0).abs() < 1e-15);
    }
}
