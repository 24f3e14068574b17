//! Numerical derivatives for the oracles: central differences refined by Ridders'
//! extrapolation, each made from two starting steps that must agree, and the verdict of a
//! comparison with a symbolic value.

use deriv::calculus::check::ridders;
use deriv::eval::{EvalError, eval};
use deriv::expr::{ExprId, Name, Store};
use deriv::print::{Style, render};

/// Relative tolerance (with an absolute floor of the same size) for first derivatives.
pub const REL: f64 = 1e-6;
/// The same for second derivatives, whose numerical estimates lose more digits.
pub const REL2: f64 = 1e-5;
/// Values beyond this are treated as "near a singularity" and the point is skipped.
pub const HUGE: f64 = 1e6;
/// The first (largest) steps of the difference quotients: each estimate is made twice,
/// from a coarse and a fine start, and the two must agree (a function that varies on a
/// scale below the coarse step fools the extrapolation's own error estimate).
pub const H0: [f64; 2] = [0.05, 0.002];

/// The value of `e` with `names[i] = vals[i]`; `None` for a domain problem or a huge value.
/// An unbound variable or an unknown function is a bug in the test or in `deriv`: panic.
pub fn value(s: &Store, e: ExprId, names: &[Name], vals: &[f64]) -> Option<f64> {
    let env = |n: Name| names.iter().position(|&m| m == n).map(|i| vals[i]);
    match eval(s, e, &env) {
        Ok(v) if v.is_finite() && v.abs() <= HUGE => Some(v),
        Ok(_) | Err(EvalError::Domain(_) | EvalError::Overflow(_)) => None,
        Err(other) => panic!(
            "evaluating `{}` failed unexpectedly: {other:?}",
            render(s, e, Style::Plain)
        ),
    }
}

/// Ridders from each start in `H0`; the answer is the finer one, its error the larger of
/// the two error estimates and their disagreement.
pub fn robust(g: impl Fn(f64) -> Option<f64>) -> Option<(f64, f64)> {
    let (a, ea) = ridders(&g, H0[0])?;
    let (b, eb) = ridders(&g, H0[1])?;
    Some((b, ea.max(eb).max((a - b).abs())))
}

/// ∂e/∂names[i] at `p`, numerically.
pub fn numeric_first(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    i: usize,
) -> Option<(f64, f64)> {
    robust(|h| {
        let (mut a, mut b) = (p.to_vec(), p.to_vec());
        a[i] += h;
        b[i] -= h;
        Some((value(s, e, names, &a)? - value(s, e, names, &b)?) / (2.0 * h))
    })
}

/// ∂²e/∂names[i]∂names[j] at `p`, numerically (the four-point mixed difference, or the
/// three-point second difference when i == j).
pub fn numeric_second(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    i: usize,
    j: usize,
) -> Option<(f64, f64)> {
    let at = |di: f64, dj: f64| {
        let mut q = p.to_vec();
        q[i] += di;
        q[j] += dj;
        value(s, e, names, &q)
    };
    robust(|h| {
        if i == j {
            Some((at(h, 0.0)? - 2.0 * at(0.0, 0.0)? + at(-h, 0.0)?) / (h * h))
        } else {
            Some((at(h, h)? - at(h, -h)? - at(-h, h)? + at(-h, -h)?) / (4.0 * h * h))
        }
    })
}

/// The outcome of comparing one symbolic value with one numeric estimate.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Agree,
    Skipped,
    Disagree(String),
}

pub fn compare(sym: Option<f64>, num: Option<(f64, f64)>, rel: f64) -> Verdict {
    let (Some(a), Some((b, err))) = (sym, num) else {
        return Verdict::Skipped;
    };
    let scale = 1f64.max(a.abs()).max(b.abs());
    if err > rel * 0.1 * scale {
        // The numerical estimate has not converged (a kink or a pole nearby).
        return Verdict::Skipped;
    }
    if (a - b).abs() <= rel * scale {
        Verdict::Agree
    } else {
        Verdict::Disagree(format!(
            "symbolic {a:.12e}, numeric {b:.12e} (± {err:.1e}), difference {:.3e}",
            (a - b).abs()
        ))
    }
}
