//! How far a value at a point can be trusted: computed from the exact point where the
//! doubles of the point would be wrong (sin(10^22 + 1), log(10^-400)), in wide range
//! where the doubles overflow or underflow on the way (10^400·sin(10^-400) is 1), said
//! with its size where the value itself is below the doubles (800·e^-800 is about
//! 2.934e-345, printed as 0 with a warning), and printed only to the digits its rounding
//! errors leave.

use deriv::diagnostic::Diagnostic;
use deriv::eval::{EvalError, Perturbation, eval, eval_perturbed, wide};
use deriv::expr::{ExprId, Store};
use deriv::print::{Style, float, quote};

/// The value of an entry at the point, and a warning when rounding leaves it fewer digits
/// than a double has. `x` is the entry's value from the doubles of the point, `v` the
/// entry with the exact point put in (no variables left).
pub fn at_point(
    s: &Store,
    v: ExprId,
    x: Result<f64, EvalError>,
) -> Result<(f64, Option<Diagnostic>), EvalError> {
    // From the exact point: sin(10^22 + 1) from 10^22 + 1, not 10^22; x - 1 at x = 1 + 10^-20.
    let exact_point = eval(s, v, &|_| None);
    let doubtful = match exact_point {
        Ok(y) => y == 0.0 || y.is_subnormal(),
        Err(EvalError::Overflow(_) | EvalError::Domain(_)) => true,
        Err(_) => false,
    };
    if doubtful {
        match (wide::value(s, v), &exact_point) {
            (Some(w), _) if w.too_small() => return Ok(below_the_doubles(s, v, w)),
            // Out of range only on the way: the wide value is the value.
            (Some(w), Err(_)) if w.in_range() && !w.is_zero() => return Ok((w.to_f64(), None)),
            _ => {}
        }
    }
    let y = exact_point?;
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
    Ok(trusted_digits(y, moved))
}

/// A value below the normal doubles: the nearest double (a subnormal, or 0 below
/// 4.9e-324), with a warning giving its size where that loses digits. sigmoid(-800) is a
/// fine 0 for a computation, but not silently: the value is about 3.668e-348.
fn below_the_doubles(s: &Store, v: ExprId, w: wide::Wide) -> (f64, Option<Diagnostic>) {
    let x = w.to_f64();
    // (Subnormals are 4.9e-324 apart: above 5e-312 one keeps 12 digits or more.)
    if x.abs() >= 5e-312 {
        return (x, None);
    }
    let warning = Diagnostic::warning(format!(
        "{} is about {} at this point, below what a double holds: printed as {}",
        quote(s, v, Style::Plain),
        w.scientific(4),
        float(x, Style::Plain)
    ));
    (x, Some(warning))
}

/// Relative rounding errors below this leave the value as computed (a double's last
/// digits are its own); above it the value is printed to the digits that are left.
const TRUSTED: f64 = 1e-10;

/// `x` rounded to the digits its rounding error `moved` leaves, with a warning when that is
/// fewer than a double's; as computed, with the size of its error, when none is left (0
/// too: it has no digit to keep). `moved` is how far `x` moves when every value it is
/// computed from moves by a few units in the last place, two ways
/// (`Perturbation`): a difference of nearly equal numbers, or sin of a large argument
/// computed with a small relative error, moves it far.
fn trusted_digits(x: f64, moved: f64) -> (f64, Option<Diagnostic>) {
    // Twice the larger move: the probes estimate the error, they do not bound it (on the
    // W2 expressions at x = 0.7 the true error was up to 1.1 times the move).
    let error = 2.0 * moved;
    let relative = error / x.abs();
    if relative <= TRUSTED || moved == 0.0 {
        return (x, None);
    }
    let digits = (-relative.log10()).floor() as i32;
    if x == 0.0 || digits < 1 {
        // exp(x) - 1 at 10^-17: the value as computed, and how far it may be from the truth.
        return (
            x,
            Some(Diagnostic::warning(format!(
                "a double cannot give a digit of the value at this point: it is {} give or \
                 take {error:.1e}",
                float(x, Style::Plain),
            ))),
        );
    }
    let rounded: f64 = format!("{x:.*e}", digits as usize - 1).parse().unwrap_or(x);
    let warning = Diagnostic::warning(format!(
        "rounding errors leave {digits} correct digit{} of the value at this point: it is \
         printed to those",
        if digits == 1 { "" } else { "s" }
    ));
    (rounded, Some(warning))
}
