//! Numerical derivatives for the oracles: central differences refined by Ridders'
//! extrapolation from several starting steps that must agree (the extrapolation `--check`
//! uses), and the verdict of a comparison with a symbolic value.

use deriv::calculus::check::{STARTS, extrapolate};
use deriv::eval::{EvalError, Perturbation, eval_perturbed, eval_with_rounding};
use deriv::expr::{ExprId, Name, Store};
use deriv::print::{Style, render};

/// Relative tolerance (with an absolute floor of the same size) for first derivatives.
pub const REL: f64 = 1e-6;
/// The same for second derivatives, whose numerical estimates lose more digits.
pub const REL2: f64 = 1e-5;
/// Values beyond this are treated as "near a singularity" and the point is skipped.
pub const HUGE: f64 = 1e6;
/// The value of `e` with `names[i] = vals[i]`; `None` for a domain problem or a huge value.
/// An unbound variable or an unknown function is a bug in the test or in `deriv`: panic.
pub fn value(s: &Store, e: ExprId, names: &[Name], vals: &[f64]) -> Option<f64> {
    value_perturbed(s, e, names, vals, None)
}

/// `value`, computed with the values that depend on some variables moved a little
/// (`eval_perturbed`); `rounding` says how far that moves a function.
pub fn value_perturbed(
    s: &Store,
    e: ExprId,
    names: &[Name],
    vals: &[f64],
    perturb: Option<Perturbation>,
) -> Option<f64> {
    let env = |n: Name| names.iter().position(|&m| m == n).map(|i| vals[i]);
    judge(s, e, eval_perturbed(s, e, &env, perturb))
}

/// A value of `e` as the oracles take it: `None` for a domain problem or a huge value; a
/// panic for an unbound variable or an unknown function (a bug in the test or in
/// `deriv`).
fn judge(s: &Store, e: ExprId, v: Result<f64, EvalError>) -> Option<f64> {
    match v {
        Ok(v) if v.is_finite() && v.abs() <= HUGE => Some(v),
        Ok(_) | Err(EvalError::Domain(_) | EvalError::Overflow(_) | EvalError::Kink(_)) => None,
        Err(other) => panic!(
            "evaluating `{}` failed unexpectedly: {other:?}",
            render(s, e, Style::Plain)
        ),
    }
}

/// `value`, and its rounding error (`eval_with_rounding`, as a function of all `names`).
pub fn value_and_rounding(
    s: &Store,
    e: ExprId,
    names: &[Name],
    vals: &[f64],
) -> Option<(f64, f64)> {
    let env = |n: Name| names.iter().position(|&m| m == n).map(|i| vals[i]);
    let (v, r) = match eval_with_rounding(s, e, &env, names) {
        Ok((v, r)) => (Ok(v), r),
        Err(err) => (Err(err), 0.0),
    };
    Some((judge(s, e, v)?, r))
}

/// The rounding error of a function computed by `g(perturbation)` as a function of
/// `varying`: how far its value moves when the values computed from them are moved by a
/// few units in the last place (both `Perturbation`s). `None` if a moved computation
/// fails (an edge of the domain).
pub fn rounding(g: impl Fn(Option<Perturbation>) -> Option<f64>, varying: &[Name]) -> Option<f64> {
    let v = g(None)?;
    Perturbation::both(varying)
        .into_iter()
        .map(|m| Some((g(Some(m))? - v).abs()))
        .try_fold(0.0, |acc, r| Some(f64::max(acc, r?)))
}

/// The derivative from the difference quotients `q(h)` and its uncertainty, from the
/// steps `--check` starts from (`extrapolate`); `noise(h)` is the rounding error of a
/// quotient over a step h.
pub fn robust(q: impl Fn(f64) -> Option<f64>, noise: impl Fn(f64) -> f64) -> Option<(f64, f64)> {
    extrapolate(q, STARTS, noise)
}

/// ∂e/∂names[i] at `p`, numerically.
pub fn numeric_first(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    i: usize,
) -> Option<(f64, f64)> {
    let r = rounding(|m| value_perturbed(s, e, names, p, m), &names[i..=i])?;
    robust(
        |h| {
            let (mut a, mut b) = (p.to_vec(), p.to_vec());
            a[i] += h;
            b[i] -= h;
            Some((value(s, e, names, &a)? - value(s, e, names, &b)?) / (2.0 * h))
        },
        |h| r / h,
    )
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
    let r = rounding(
        |m| value_perturbed(s, e, names, p, m),
        &[names[i], names[j]],
    )?;
    robust(
        |h| {
            if i == j {
                Some((at(h, 0.0)? - 2.0 * at(0.0, 0.0)? + at(-h, 0.0)?) / (h * h))
            } else {
                Some((at(h, h)? - at(h, -h)? - at(-h, h)? + at(-h, -h)?) / (4.0 * h * h))
            }
        },
        |h| 4.0 * r / (h * h),
    )
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
