//! The value of a closed expression (the point put in) in ball arithmetic: each value is a
//! midpoint of p bits and a bound on its distance from the truth, so cancellation shows as
//! a ball wider than its value. It is evaluated at 64 bits, then with more, until the ball
//! decides the double nearest the value, or its place beyond the doubles. `--at` asks it
//! where the doubles lose digits (`precision.rs`): (e^x − 1)/x at 10^-20, sin(x)/x at
//! 10^-400 (1, not 0.9999999999999999), a derivative whose sine takes 3·10^13.

use super::big::{self, Float};
use super::wide::Wide;
use crate::expr::{Builtin, Constant, ExprId, Func, Node, Rat, Store};
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// What the balls decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Settled {
    /// The double nearest the value (finite, maybe a subnormal).
    Value(f64),
    /// The value, beyond the doubles above (|v| > 1.8e308).
    TooLarge(Wide),
    /// The value, not 0 but nearer 0 than the smallest subnormal (4.9e-324).
    TooSmall(Wide),
    /// The value is within this of 0 at the highest precision tried: it may be 0.
    NearZero(Wide),
    /// An exponential in it is beyond e^(±2^50): the value is not decided here.
    Beyond,
}

/// The precisions tried, in bits, while the work allows (`WORK`).
const LADDER: [u64; 5] = [64, 192, 512, 1536, 4096];

/// Nodes × bits² at most: about a second of series on this machine (250 nodes at 4096
/// bits, 1,700 at 1536, a million at 64).
const WORK: u64 = 4_000_000_000;

/// A ball that contains 0 at the top precision is "0, within this many bits" only below
/// 2^-1000: wider, the value is unknown.
const NEAR_ZERO: i64 = -1000;

/// The value of `e`, which has no variables, when balls can decide it; `None` where a
/// function has no ball form here (erf, an unknown function), the point is outside a
/// domain, or the work allowed did not settle it.
pub fn settle(s: &Store, e: ExprId) -> Option<Settled> {
    let nodes = s.postorder(&[e]);
    let mut near_zero = None;
    for p in LADDER {
        if (nodes.len() as u64).saturating_mul(p * p) > WORK && p > LADDER[0] {
            break;
        }
        let b = match evaluate(s, &nodes, e, p) {
            Ok(b) => b,
            Err(Stop::Imprecise) => continue,
            Err(Stop::Unsupported) => return None,
            Err(Stop::Beyond) => return Some(Settled::Beyond),
        };
        if b.mid.is_zero() && b.rad.is_zero() {
            return Some(Settled::Value(0.0));
        }
        if b.sign() == Ordering::Equal {
            near_zero = (b.rad.top() < NEAR_ZERO).then(|| wide(&b.rad)).flatten();
            continue;
        }
        // A radius far below the midpoint's last bit moves no rounding: widened to one that
        // can be subtracted without aligning millions of bits.
        let rad = match b.mid.top() - b.rad.top() > 1200 {
            true => Float::pow2(b.mid.top() - 1200),
            false => b.rad.clone(),
        };
        let (lo, hi) = (b.mid.sub(&rad), b.mid.add(&rad));
        let (a, z) = (lo.to_f64(), hi.to_f64());
        if a == z {
            let wide = || wide(&b.mid);
            return Some(match a {
                a if a.is_infinite() => Settled::TooLarge(wide()?),
                0.0 => Settled::TooSmall(wide()?),
                a => Settled::Value(a),
            });
        }
    }
    near_zero.map(Settled::NearZero)
}

/// The value with a double's digits and an exponent of its own.
fn wide(f: &Float) -> Option<Wide> {
    let (r, _) = f.round(64);
    let m = Float { m: r.m, e: -64 }.to_f64();
    Wide::scaled(m, r.e + 64)
}

/// Why a precision gave no ball: too few bits (try more), or no value to be had here.
enum Stop {
    Imprecise,
    Unsupported,
    /// e^u with |u| above 2^50: beyond any exponent kept here (and not 0).
    Beyond,
}

type Out = Result<Ball, Stop>;

/// Every real number within `rad` of `mid` (rad ≥ 0, kept to 64 bits, rounded up).
#[derive(Clone, Debug)]
struct Ball {
    mid: Float,
    rad: Float,
}

impl Ball {
    fn exact(mid: Float) -> Ball {
        Ball {
            mid,
            rad: Float::zero(),
        }
    }

    /// Is every value in the ball above 0 (`Greater`), below it, or is 0 inside?
    fn sign(&self) -> Ordering {
        match self.mid.cmp_abs(&self.rad) {
            Ordering::Greater if self.mid.is_negative() => Ordering::Less,
            Ordering::Greater => Ordering::Greater,
            _ => Ordering::Equal,
        }
    }

    /// The smallest |value| in the ball (0 if 0 is inside), rounded down.
    fn low(&self) -> Float {
        match self.sign() {
            Ordering::Equal => Float::zero(),
            _ => self.mid.abs().minus_bound(&self.rad),
        }
    }
}

/// a/b for error bounds: rounded up, b > 0.
fn div_up(a: &Float, b: &Float) -> Float {
    let (q, _) = a.abs().div(b, 64);
    Float {
        m: q.m + 1u32,
        e: q.e,
    }
}

/// One evaluation at precision `p` bits.
struct Balls {
    p: u64,
}

impl Balls {
    /// `mid` rounded to p bits, its rounding added to `rad`.
    fn ball(&self, mid: Float, rad: Float) -> Out {
        let (m, dropped) = mid.round(self.p);
        let m = m.checked().ok_or(Stop::Unsupported)?;
        let rad = match dropped {
            true => rad.add_bound(&Float::pow2(m.e)),
            false => rad.up(),
        };
        Ok(Ball { mid: m, rad })
    }

    /// A function's value `v` at the midpoint, computed to about p + 32 bits, and its
    /// slope bound `slope` over the ball: rad = slope·rad + the error of `v`.
    fn func(&self, a: &Ball, v: Float, slope: Float) -> Out {
        // An exact 0 (log 1, sin 0) has no error.
        let error = match v.is_zero() {
            true => Float::zero(),
            false => Float::pow2(v.top() - self.p as i64 - 24),
        };
        self.ball(v, slope.mul(&a.rad).add_bound(&error))
    }

    fn w(&self) -> u64 {
        self.p + 32
    }

    fn add(&self, a: &Ball, b: &Ball) -> Out {
        let (big, small) = match a.mid.top() >= b.mid.top() {
            true => (a, b),
            false => (b, a),
        };
        // Far below the larger one's last bit, the smaller is an error term, not added.
        if big.mid.top() - small.mid.top() > self.p as i64 + 64 && !big.mid.is_zero() {
            let rad = big.rad.add_bound(&small.rad).add_bound(&small.mid.up());
            return self.ball(big.mid.clone(), rad);
        }
        self.ball(a.mid.add(&b.mid), a.rad.add_bound(&b.rad))
    }

    fn mul(&self, a: &Ball, b: &Ball) -> Out {
        let rad = a.mid.up().mul(&b.rad).add_bound(&b.mid.up().mul(&a.rad));
        self.ball(a.mid.mul(&b.mid), rad.add_bound(&a.rad.mul(&b.rad)))
    }

    fn recip(&self, a: &Ball) -> Out {
        if a.sign() == Ordering::Equal {
            return Err(stop_at_zero(a));
        }
        let low = a.low();
        let rad = div_up(&a.rad, &a.mid.abs().mul(&low).round(64).0);
        let (q, dropped) = Float::int(1).div(&a.mid, self.p);
        let rad = match dropped {
            true => rad.add_bound(&Float::pow2(q.top() - self.p as i64 + 1)),
            false => rad,
        };
        self.ball(q, rad)
    }

    fn exp(&self, a: &Ball) -> Out {
        if a.rad.top() > -1 {
            return Err(Stop::Imprecise);
        }
        if a.mid.top() > 50 {
            return Err(Stop::Beyond);
        }
        let v = big::exp(&a.mid, self.w()).ok_or(Stop::Unsupported)?;
        // |e^(m+d) − e^m| ≤ e^m·|d|·e^|d| ≤ 2·e^m·|d| for |d| ≤ 1/2.
        let slope = v.up().mul(&Float::int(2));
        self.func(a, v, slope)
    }

    fn ln(&self, a: &Ball) -> Out {
        match a.sign() {
            Ordering::Greater => {}
            Ordering::Less => return Err(Stop::Unsupported),
            Ordering::Equal => return Err(stop_at_zero(a)),
        }
        let v = big::ln(&a.mid, self.w()).ok_or(Stop::Unsupported)?;
        self.func(a, v, div_up(&Float::int(1), &a.low()))
    }

    fn sqrt(&self, a: &Ball) -> Out {
        match a.sign() {
            Ordering::Greater => {}
            Ordering::Less => return Err(Stop::Unsupported),
            Ordering::Equal if a.mid.is_zero() && a.rad.is_zero() => {
                return Ok(Ball::exact(Float::zero()));
            }
            Ordering::Equal => return Err(stop_at_zero(a)),
        }
        let v = big::sqrt(&a.mid, self.w()).ok_or(Stop::Unsupported)?;
        let root_low = big::sqrt(&a.low(), 64).ok_or(Stop::Unsupported)?;
        let slope = div_up(&Float::int(1), &root_low.mul(&Float::int(2)));
        self.func(a, v, slope)
    }

    /// (sin, cos) of a ball: both have slope at most 1.
    fn sin_cos(&self, a: &Ball) -> Result<(Ball, Ball), Stop> {
        let (sin, cos, reduced) = big::sin_cos(&a.mid, self.w()).ok_or(Stop::Unsupported)?;
        // The reduction by π/2 leaves an absolute error, far below p bits.
        let floor = match reduced {
            true => Float::pow2(-(self.w() as i64) - 32),
            false => Float::zero(),
        };
        let one = Float::int(1);
        let with = |v: Float| {
            self.func(
                &Ball {
                    mid: a.mid.clone(),
                    rad: a.rad.add_bound(&floor),
                },
                v,
                one.clone(),
            )
        };
        Ok((with(sin)?, with(cos)?))
    }

    fn atan(&self, a: &Ball) -> Out {
        self.func(a, big::atan(&a.mid, self.w()), Float::int(1))
    }

    fn pi(&self) -> Out {
        let w = self.w();
        self.ball(big::pi(w), Float::pow2(-(w as i64) + 1))
    }

    fn int(&self, n: i64) -> Ball {
        Ball::exact(Float::int(n))
    }

    fn neg(a: &Ball) -> Ball {
        Ball {
            mid: a.mid.neg(),
            rad: a.rad.clone(),
        }
    }

    fn sub(&self, a: &Ball, b: &Ball) -> Out {
        self.add(a, &Balls::neg(b))
    }

    fn div(&self, a: &Ball, b: &Ball) -> Out {
        self.mul(a, &self.recip(b)?)
    }

    fn half(a: &Ball) -> Ball {
        Ball {
            mid: Float {
                m: a.mid.m.clone(),
                e: a.mid.e - 1,
            },
            rad: Float {
                m: a.rad.m.clone(),
                e: a.rad.e - 1,
            },
        }
    }

    /// A number of the point, with its integer part whole: sin(2^1000 + 1) needs the 1.
    fn number(&self, r: &Rat) -> Out {
        let whole = (r.numer().bits() as i64 - r.denom().bits() as i64).max(0) as u64;
        let (f, inexact) = Float::from_rat(r, self.p + whole);
        let rad = match inexact {
            true => Float::pow2(f.e + 1),
            false => Float::zero(),
        };
        Ok(Ball {
            mid: f.checked().ok_or(Stop::Unsupported)?,
            rad,
        })
    }
}

/// A ball with 0 inside where a function needs a sign: more bits may tell, unless the
/// value is exactly 0.
fn stop_at_zero(a: &Ball) -> Stop {
    match a.mid.is_zero() && a.rad.is_zero() {
        true => Stop::Unsupported,
        false => Stop::Imprecise,
    }
}

/// The ball of `e` at `p` bits, from its nodes in postorder.
fn evaluate(s: &Store, nodes: &[ExprId], e: ExprId, p: u64) -> Out {
    let bs = Balls { p };
    let mut v: FxHashMap<ExprId, Ball> = FxHashMap::default();
    for &n in nodes {
        let b = match s.node(n) {
            Node::Num(r) => bs.number(r)?,
            Node::Const(Constant::Pi) => bs.pi()?,
            Node::Const(Constant::E) => bs.exp(&bs.int(1))?,
            Node::Add(ts) => ts[1..]
                .iter()
                .try_fold(v[&ts[0]].clone(), |a, t| bs.add(&a, &v[t]))?,
            Node::Mul(fs) => fs[1..]
                .iter()
                .try_fold(v[&fs[0]].clone(), |a, f| bs.mul(&a, &v[f]))?,
            &Node::Pow(b, x) => power(&bs, s, b, &v[&b], x, &v[&x])?,
            Node::Call(Func::Builtin(f), args) => {
                let args: Vec<&Ball> = args.iter().map(|a| &v[a]).collect();
                call(&bs, *f, &args)?
            }
            _ => return Err(Stop::Unsupported),
        };
        v.insert(n, b);
    }
    v.remove(&e).ok_or(Stop::Unsupported)
}

/// b^x: e^x; an integer power by squaring; a power with denominator 2 by √; of a negative
/// base with an odd denominator by |b|; otherwise of a positive base, e^(x·log b).
fn power(bs: &Balls, s: &Store, base: ExprId, b: &Ball, x: ExprId, xv: &Ball) -> Out {
    if matches!(s.node(base), Node::Const(Constant::E)) {
        return bs.exp(xv);
    }
    if let Some(k) = s.as_num(x) {
        if let Some(k) = k.to_i64().filter(|k| k.unsigned_abs() <= 1 << 20) {
            return powi(bs, b, k);
        }
        if k.denom() == 2.into()
            && let Some(n) = k
                .numer()
                .try_into()
                .ok()
                .filter(|n: &i64| n.unsigned_abs() <= 1 << 20)
        {
            return powi(bs, &bs.sqrt(b)?, n);
        }
        let odd_root = k.denom().bit(0);
        if b.sign() == Ordering::Less && odd_root {
            let m = power_of_positive(bs, &Balls::neg(b), xv)?;
            return Ok(if k.numer().bit(0) { Balls::neg(&m) } else { m });
        }
    }
    if b.mid.is_zero() && b.rad.is_zero() && xv.sign() == Ordering::Greater {
        return Ok(b.clone());
    }
    power_of_positive(bs, b, xv)
}

fn power_of_positive(bs: &Balls, b: &Ball, x: &Ball) -> Out {
    bs.exp(&bs.mul(x, &bs.ln(b)?)?)
}

fn powi(bs: &Balls, b: &Ball, k: i64) -> Out {
    let mut acc = bs.int(1);
    let mut base = b.clone();
    let mut n = k.unsigned_abs();
    while n != 0 {
        if n & 1 != 0 {
            acc = bs.mul(&acc, &base)?;
        }
        n >>= 1;
        if n != 0 {
            base = bs.mul(&base, &base)?;
        }
    }
    if k < 0 { bs.recip(&acc) } else { Ok(acc) }
}

/// A built-in function of balls, from exp, log, sin, cos, atan and √.
fn call(bs: &Balls, f: Builtin, args: &[&Ball]) -> Out {
    use Builtin::*;
    let a = args[0];
    let one = bs.int(1);
    match f {
        Sin | Cos | Tan | Sec | Csc | Cot => trig(bs, f, a),
        Atan => bs.atan(a),
        Asin | Acos => inverse_sine(bs, f, a),
        Sinh | Cosh => {
            let (p, m) = (bs.exp(a)?, bs.exp(&Balls::neg(a))?);
            let sum = if f == Sinh {
                bs.sub(&p, &m)?
            } else {
                bs.add(&p, &m)?
            };
            Ok(Balls::half(&sum))
        }
        Tanh => {
            // (e^2u − 1)/(e^2u + 1), from the side where e^2u does not grow.
            let flip = a.mid.is_negative();
            let u = if flip { Balls::neg(a) } else { a.clone() };
            let q = bs.exp(&bs.mul(&bs.int(-2), &u)?)?;
            let t = bs.div(&bs.sub(&one, &q)?, &bs.add(&one, &q)?)?;
            Ok(if flip { Balls::neg(&t) } else { t })
        }
        Log => bs.ln(a),
        Abs => Ok(Ball {
            mid: a.mid.abs(),
            rad: a.rad.clone(),
        }),
        Sigmoid => bs.recip(&bs.add(&one, &bs.exp(&Balls::neg(a))?)?),
        Softplus => bs.ln(&bs.add(&one, &bs.exp(a)?)?),
        Asinh => {
            let flip = a.mid.is_negative();
            let u = if flip { Balls::neg(a) } else { a.clone() };
            let root = bs.sqrt(&bs.add(&bs.mul(&u, &u)?, &one)?)?;
            let v = bs.ln(&bs.add(&u, &root)?)?;
            Ok(if flip { Balls::neg(&v) } else { v })
        }
        Acosh => {
            let inner = bs.mul(&bs.sub(a, &one)?, &bs.add(a, &one)?)?;
            bs.ln(&bs.add(a, &bs.sqrt(&inner)?)?)
        }
        Atanh => {
            let q = bs.div(&bs.add(&one, a)?, &bs.sub(&one, a)?)?;
            Ok(Balls::half(&bs.ln(&q)?))
        }
        Relu => Ok(match a.sign() {
            Ordering::Less => bs.int(0),
            Ordering::Greater => a.clone(),
            Ordering::Equal if a.mid.is_zero() && a.rad.is_zero() => bs.int(0),
            Ordering::Equal => return Err(Stop::Imprecise),
        }),
        Sign | Heaviside => match (a.sign(), f) {
            (Ordering::Greater, _) => Ok(one),
            (Ordering::Less, Sign) => Ok(bs.int(-1)),
            (Ordering::Less, _) => Ok(bs.int(0)),
            _ => Err(stop_at_zero(a)),
        },
        Floor | Ceil => {
            let (lo, hi) = (a.mid.sub(&a.rad), a.mid.add(&a.rad));
            let side = |x: &Float| match f {
                Floor => x.floor(),
                _ => x.neg().floor().neg(),
            };
            match side(&lo) == side(&hi) {
                true => Ok(Ball::exact(side(&lo))),
                false => Err(Stop::Imprecise),
            }
        }
        Atan2 => atan2(bs, a, args[1]),
        LogBase => bs.div(&bs.ln(a)?, &bs.ln(args[1])?),
        Max | Min | Logsumexp => nary(bs, f, args),
        Erf => Err(Stop::Unsupported),
    }
}

/// sin, cos, tan, sec, csc or cot, from one reduction of the argument.
fn trig(bs: &Balls, f: Builtin, a: &Ball) -> Out {
    let (sin, cos) = bs.sin_cos(a)?;
    match f {
        Builtin::Sin => Ok(sin),
        Builtin::Cos => Ok(cos),
        Builtin::Tan => bs.div(&sin, &cos),
        Builtin::Sec => bs.recip(&cos),
        Builtin::Csc => bs.recip(&sin),
        _ => bs.div(&cos, &sin),
    }
}

/// asin u = atan(u/√((1 − u)(1 + u))), ±π/2 at ±1 exactly; acos u = π/2 − asin u.
fn inverse_sine(bs: &Balls, f: Builtin, a: &Ball) -> Out {
    let one = bs.int(1);
    let inner = bs.mul(&bs.sub(&one, a)?, &bs.add(&one, a)?)?;
    let asin = if inner.mid.is_zero() && inner.rad.is_zero() {
        let half_pi = Balls::half(&bs.pi()?);
        if a.mid.is_negative() {
            Balls::neg(&half_pi)
        } else {
            half_pi
        }
    } else {
        bs.atan(&bs.div(a, &bs.sqrt(&inner)?)?)?
    };
    match f {
        Builtin::Asin => Ok(asin),
        _ => bs.sub(&Balls::half(&bs.pi()?), &asin),
    }
}

/// The angle of (x, y) = (`b`, `a`): atan(y/x) where |x| ≥ |y| (plus ±π left of the
/// axis), π/2·sign(y) − atan(x/y) otherwise.
fn atan2(bs: &Balls, y: &Ball, x: &Ball) -> Out {
    if x.mid.cmp_abs(&y.mid) != Ordering::Less {
        let t = bs.atan(&bs.div(y, x)?)?;
        return match x.sign() {
            Ordering::Greater => Ok(t),
            Ordering::Less if y.mid.is_negative() => bs.sub(&t, &bs.pi()?),
            Ordering::Less => bs.add(&t, &bs.pi()?),
            Ordering::Equal => Err(stop_at_zero(x)),
        };
    }
    let half_pi = Balls::half(&bs.pi()?);
    let t = bs.atan(&bs.div(x, y)?)?;
    match y.sign() {
        Ordering::Greater => bs.sub(&half_pi, &t),
        Ordering::Less => bs.sub(&Balls::neg(&half_pi), &t),
        Ordering::Equal => Err(stop_at_zero(y)),
    }
}

/// max, min (by midpoints, once the balls are apart) and logsumexp (the largest taken out).
fn nary(bs: &Balls, f: Builtin, args: &[&Ball]) -> Out {
    let mut best = args[0];
    for &b in &args[1..] {
        let d = bs.sub(b, best)?;
        let better = match f {
            Builtin::Min => d.sign() == Ordering::Less,
            _ => d.sign() == Ordering::Greater,
        };
        if better {
            best = b;
        } else if d.sign() == Ordering::Equal && f != Builtin::Logsumexp && !d.mid.is_zero() {
            return Err(Stop::Imprecise);
        }
    }
    if f != Builtin::Logsumexp {
        return Ok(best.clone());
    }
    let mut sum = bs.int(0);
    for &b in args {
        sum = bs.add(&sum, &bs.exp(&bs.sub(b, best)?)?)?;
    }
    bs.add(best, &bs.ln(&sum)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Rng;

    fn settle_text(text: &str) -> Option<Settled> {
        let mut s = Store::new();
        let e = crate::parse::parse(&mut s, text).expect("parses");
        settle(&s, e)
    }

    fn ulps(got: f64, want: f64) -> f64 {
        (got - want).abs() / (f64::EPSILON * want.abs().max(f64::MIN_POSITIVE))
    }

    /// Every function with a ball form against the doubles' own at random points that are
    /// exactly doubles (k/2^20), within the few units of libm's and the reference's error.
    #[test]
    fn every_function_agrees_with_the_doubles() {
        type F = fn(f64) -> f64;
        let table: [(&str, F, f64, f64); 22] = [
            ("sin", f64::sin, -40.0, 40.0),
            ("cos", f64::cos, -40.0, 40.0),
            ("tan", f64::tan, -1.5, 1.5),
            ("sec", |u| 1.0 / u.cos(), -1.5, 1.5),
            ("csc", |u| 1.0 / u.sin(), 0.1, 3.0),
            ("cot", |u| 1.0 / u.tan(), 0.1, 1.5),
            ("asin", f64::asin, -0.99, 0.99),
            ("acos", f64::acos, -0.99, 0.99),
            ("atan", f64::atan, -50.0, 50.0),
            ("sinh", f64::sinh, -20.0, 20.0),
            ("cosh", f64::cosh, -20.0, 20.0),
            ("tanh", f64::tanh, -5.0, 5.0),
            ("log", f64::ln, 0.01, 1e6),
            ("abs", f64::abs, -5.0, 5.0),
            ("sigmoid", |u| 1.0 / (1.0 + (-u).exp()), -30.0, 30.0),
            ("asinh", f64::asinh, -9.0, 9.0),
            ("acosh", f64::acosh, 1.5, 90.0),
            ("atanh", f64::atanh, -0.9, 0.9),
            ("softplus", |u| u.exp().ln_1p(), -30.0, 30.0),
            ("relu", |u| u.max(0.0), -3.0, 3.0),
            ("exp", f64::exp, -700.0, 700.0),
            ("sqrt", f64::sqrt, 0.0, 1e9),
        ];
        let mut rng = Rng::new(17);
        for (name, f, lo, hi) in table {
            for _ in 0..40 {
                let k = (rng.uniform(lo, hi) * 1048576.0).round();
                let u = k / 1048576.0;
                let want = f(u);
                let got = match settle_text(&format!("{name}({k}/1048576)")) {
                    Some(Settled::Value(v)) => v,
                    other => panic!("{name}({u}): {other:?}"),
                };
                assert!(
                    ulps(got, want) <= 4.0,
                    "{name}({u}) = {got:e}, doubles {want:e}"
                );
            }
        }
    }

    #[test]
    fn two_argument_functions_and_powers_agree_with_the_doubles() {
        let mut rng = Rng::new(5);
        for _ in 0..40 {
            let (a, b) = (rng.uniform(-9.0, 9.0), rng.uniform(-9.0, 9.0));
            let (ka, kb) = ((a * 1024.0).round(), (b * 1024.0).round());
            let (a, b) = (ka / 1024.0, kb / 1024.0);
            let cases = [
                (format!("atan2({ka}/1024, {kb}/1024)"), a.atan2(b)),
                (format!("max({ka}/1024, {kb}/1024)"), a.max(b)),
                (
                    format!("logsumexp({ka}/1024, {kb}/1024)"),
                    a.max(b) + (-(a - b).abs()).exp().ln_1p(),
                ),
                (format!("abs({ka}/1024)^({kb}/1024)"), a.abs().powf(b)),
                (format!("log(abs({ka}/1024), 3)"), a.abs().ln() / 3f64.ln()),
            ];
            for (text, want) in cases {
                match settle_text(&text) {
                    Some(Settled::Value(v)) => {
                        assert!(ulps(v, want) <= 8.0, "{text} = {v:e}, doubles {want:e}")
                    }
                    other => panic!("{text}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn cancellation_takes_more_bits_and_beyond_the_doubles_is_said() {
        let value = |t: &str| settle_text(t);
        // (e^u − 1)/u and sin(u)/u at 2^-1000: the difference needs over a thousand bits.
        for t in ["(exp(2^-1000) - 1)/2^-1000", "sin(2^-1000)/2^-1000"] {
            assert_eq!(value(t), Some(Settled::Value(1.0)), "{t}");
        }
        assert_eq!(value("sin(1/3)^2 + cos(1/3)^2"), Some(Settled::Value(1.0)));
        assert!(matches!(
            value("sin(1/3)^2 + cos(1/3)^2 - 1"),
            Some(Settled::NearZero(_))
        ));
        assert!(
            matches!(value("exp(800)"), Some(Settled::TooLarge(w)) if w.scientific(4) == "2.726e347")
        );
        assert!(
            matches!(value("800*exp(-800)"), Some(Settled::TooSmall(w)) if w.scientific(4) == "2.934e-345")
        );
        // Outside a domain, or without a ball form: no value here.
        for t in [
            "log(-1/3)",
            "sqrt(-2)",
            "asin(3/2)",
            "erf(1/3)",
            "1/(1 - 1)",
        ] {
            assert_eq!(value(t), None, "{t}");
        }
    }
}
