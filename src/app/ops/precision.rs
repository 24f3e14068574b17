//! How far a value at a point can be trusted: computed from the exact point where the
//! doubles of the point would be wrong (sin(10^22 + 1), log(10^-400)); where the doubles
//! lose digits or leave their range on the way, computed again in ball arithmetic of more
//! bits (`eval::ball`) to the double nearest the value (sin(x)/x at 10^-400 is 1,
//! (e^x − 1)/x at 10^-20 is 1); a value beyond the doubles, above or below, is an error
//! that gives its size (e^800 is about 2.726e347, 800·e^-800 about 2.934e-345); and where
//! no more bits can be had (erf), printed only to the digits its rounding errors leave, or
//! refused when none is left.

use deriv::diagnostic::Diagnostic;
use deriv::eval::ball::{self, Settled};
use deriv::eval::{EvalError, Perturbation, eval, eval_perturbed, wide};
use deriv::expr::{ExprId, Store};
use deriv::print::{Style, float, quote};

/// Why a value at a point is not printed: the evaluator's reason, or one said here.
pub enum Refused {
    Eval(EvalError),
    Said(Diagnostic),
}

/// The value of an entry at the point, and a warning when it is printed with fewer digits
/// than a double has. `x` is the entry's value from the doubles of the point, `v` the
/// entry with the exact point put in (no variables left).
pub fn at_point(
    s: &Store,
    v: ExprId,
    x: Result<f64, EvalError>,
) -> Result<(f64, Option<Diagnostic>), Refused> {
    // Balls of more and more bits give the double nearest the value (or its place beyond
    // the doubles).
    let settled = ball::settle(s, v);
    if let Some(settled) = settled.filter(|&t| t != Settled::Beyond) {
        return settled_value(s, v, settled);
    }
    // Where they cannot (erf, a large expression), doubles from the exact point:
    // sin(10^22 + 1) from 10^22 + 1, not 10^22; x - 1 at x = 1 + 10^-20.
    let exact_point = eval(s, v, &|_| None);
    // e^(−10^20) is not 0: the doubles' 0 (or subnormal) would have no correct digit.
    if settled == Some(Settled::Beyond) && exact_point.as_ref().is_ok_and(|y| !y.is_normal()) {
        return Err(Refused::Said(Diagnostic::error(format!(
            "{} is too small for a double at this point: it has an exponential of a number \
             beyond ±10^15",
            quote(s, v, Style::Plain)
        ))));
    }
    let doubtful = match exact_point {
        Ok(y) => y == 0.0 || y.is_subnormal(),
        Err(EvalError::Overflow(_) | EvalError::Domain(_)) => true,
        Err(_) => false,
    };
    if doubtful {
        match (wide::value(s, v), &exact_point) {
            (Some(w), _) if w.too_small() => return below_the_doubles(s, v, w.to_f64(), w),
            // Out of range only on the way: the wide value is the value.
            (Some(w), Err(_)) if w.in_range() && !w.is_zero() => return Ok((w.to_f64(), None)),
            _ => {}
        }
    }
    let y = exact_point.map_err(Refused::Eval)?;
    let moved = Perturbation::everywhere()
        .into_iter()
        .filter_map(|p| eval_perturbed(s, v, &|_| None, Some(p)).ok())
        .map(|p| (p - y).abs())
        .fold(0.0, f64::max);
    // The doubles of the point, where they agree: values that were right do not move.
    let y = match x {
        Ok(x) if (x - y).abs() <= 2.0 * moved + 4.0 * f64::EPSILON * y.abs() => x,
        _ => y,
    };
    trusted_digits(y, moved).map_err(Refused::Said)
}

/// What the balls decided, as a value to print or a refusal.
fn settled_value(
    s: &Store,
    v: ExprId,
    settled: Settled,
) -> Result<(f64, Option<Diagnostic>), Refused> {
    match settled {
        Settled::Value(y) if y.is_subnormal() => match wide::Wide::from_f64(y) {
            Some(w) => below_the_doubles(s, v, y, w),
            None => Ok((y, None)),
        },
        Settled::Value(y) => Ok((y, None)),
        Settled::TooLarge(w) => Err(Refused::Said(Diagnostic::error(format!(
            "{} is too large for a double at this point: it is about {}, and the largest \
             double is 1.8e308",
            quote(s, v, Style::Plain),
            w.scientific(4)
        )))),
        Settled::TooSmall(w) => Err(too_small(s, v, w)),
        Settled::Beyond => unreachable!("handled by at_point"),
        Settled::NearZero(r) => Ok((
            0.0,
            Some(Diagnostic::warning(format!(
                "the value is 0 to within {} at this point: more bits give no digit of \
                 it (it may be exactly 0)",
                r.scientific(2)
            ))),
        )),
    }
}

/// A value nearer 0 than any double: 0 would be printed with no correct digit.
fn too_small(s: &Store, v: ExprId, w: wide::Wide) -> Refused {
    Refused::Said(Diagnostic::error(format!(
        "{} is too small for a double at this point: it is about {}, and the smallest \
         double is 4.9e-324",
        quote(s, v, Style::Plain),
        w.scientific(4)
    )))
}

/// A value below the normal doubles, `x` its nearest double: a subnormal keeps fewer
/// digits the smaller it is, and it is printed with a warning giving its size while it
/// keeps one (from 4.9e-323, ten times the smallest); nearer 0 it is refused, as 0 is.
/// (Subnormals are 4.9e-324 apart: above 5e-312 one keeps 12 digits or more.)
fn below_the_doubles(
    s: &Store,
    v: ExprId,
    x: f64,
    w: wide::Wide,
) -> Result<(f64, Option<Diagnostic>), Refused> {
    if x.abs() >= 5e-312 {
        return Ok((x, None));
    }
    if x.abs() < 4.9e-323 {
        return Err(too_small(s, v, w));
    }
    let warning = Diagnostic::warning(format!(
        "{} is about {} at this point, below the normal doubles: printed as {}",
        quote(s, v, Style::Plain),
        w.scientific(4),
        float(x, Style::Plain)
    ));
    Ok((x, Some(warning)))
}

/// Relative rounding errors below this leave the value as computed (a double's last
/// digits are its own); above it the value is printed to the digits that are left.
const TRUSTED: f64 = 1e-10;

/// `x` rounded to the digits its rounding error `moved` leaves, with a warning when that is
/// fewer than a double's; an error giving the value's size and error when none is left (0
/// too: it has no digit to keep). `moved` is how far `x` moves when every value it is
/// computed from moves by a few units in the last place, two ways
/// (`Perturbation`): a difference of nearly equal numbers, or sin of a large argument
/// computed with a small relative error, moves it far.
fn trusted_digits(x: f64, moved: f64) -> Result<(f64, Option<Diagnostic>), Diagnostic> {
    // Twice the larger move: the probes estimate the error, they do not bound it (on the
    // W2 expressions at x = 0.7 the true error was up to 1.1 times the move).
    let error = 2.0 * moved;
    let relative = error / x.abs();
    if relative <= TRUSTED || moved == 0.0 {
        return Ok((x, None));
    }
    let digits = (-relative.log10()).floor() as i32;
    if x == 0.0 || digits < 1 {
        // erf(x) - 1 at 7: what a double gives is rounding error, not the value.
        return Err(Diagnostic::error(format!(
            "a double cannot give a digit of the value at this point: it is {} give or take \
             {error:.1e}",
            float(x, Style::Plain),
        ))
        .with_note(
            "more bits could not be had for it (erf, or too large an expression for them): \
             rewrite it without the difference of nearly equal values, or take a point \
             near this one",
        ));
    }
    let rounded: f64 = format!("{x:.*e}", digits as usize - 1).parse().unwrap_or(x);
    let warning = Diagnostic::warning(format!(
        "rounding errors leave {digits} correct digit{} of the value at this point: it is \
         printed to those",
        if digits == 1 { "" } else { "s" }
    ));
    Ok((rounded, Some(warning)))
}
