//! `--check`: a second opinion on a symbolic derivative from numbers. Each derivative
//! step ∂g/∂v is compared with a Richardson-extrapolated central difference of g.

use crate::eval::{EvalError, Rng, eval};
use crate::expr::{ExprId, Name, Store};

/// The worst disagreement found, over every point where both sides could be evaluated.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub points: usize,
    pub max_rel_error: f64,
    /// Where the worst error was seen: the point, as `x=1.2, y=0.7`.
    pub worst_at: String,
    pub symbolic: f64,
    pub numeric: f64,
}

/// Relative errors above this are a mismatch: the difference quotient is good to about
/// 1e-9 on smooth functions, so this leaves room without hiding a wrong rule.
pub const TOLERANCE: f64 = 1e-6;

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.points > 0 && self.max_rel_error <= TOLERANCE
    }

    fn merge(&mut self, o: CheckReport) {
        if o.max_rel_error > self.max_rel_error || self.points == 0 {
            let points = self.points;
            *self = o.clone();
            self.points += points;
        } else {
            self.points += o.points;
        }
    }
}

/// A point: a value for each variable.
pub type Point = Vec<(Name, f64)>;

/// Random points in (0.1, 1.9) for `names`, away from the common singularities at 0.
pub fn random_points(names: &[Name], n: usize, seed: u64) -> Vec<Point> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| names.iter().map(|&v| (v, rng.uniform(0.1, 1.9))).collect())
        .collect()
}

fn value(s: &Store, e: ExprId, p: &Point) -> Result<f64, EvalError> {
    eval(s, e, &|n| p.iter().find(|(m, _)| *m == n).map(|q| q.1))
}

/// Compares `dg` with ∂g/∂v at each point (points where either cannot be evaluated are
/// skipped and not counted).
pub fn check_step(s: &Store, g: ExprId, v: Name, dg: ExprId, points: &[Point]) -> CheckReport {
    let mut report = CheckReport::default();
    for p in points {
        let Ok(sym) = value(s, dg, p) else { continue };
        let Some(num) = difference(s, g, v, p) else {
            continue;
        };
        let err = (sym - num).abs() / sym.abs().max(num.abs()).max(1.0);
        let at = p
            .iter()
            .map(|(n, x)| format!("{}={x:.6}", s.name(*n)))
            .collect::<Vec<_>>()
            .join(", ");
        report.merge(CheckReport {
            points: 1,
            max_rel_error: err,
            worst_at: at,
            symbolic: sym,
            numeric: num,
        });
    }
    report
}

/// ∂g/∂v at p by central differences, extrapolated: (4·D(h/2) − D(h))/3.
fn difference(s: &Store, g: ExprId, v: Name, p: &Point) -> Option<f64> {
    let x0 = p.iter().find(|(n, _)| *n == v).map(|q| q.1).unwrap_or(0.0);
    let at = |x: f64| -> Option<f64> {
        let mut q = p.clone();
        match q.iter_mut().find(|(n, _)| *n == v) {
            Some(slot) => slot.1 = x,
            None => q.push((v, x)),
        }
        value(s, g, &q).ok()
    };
    let h = 1e-3 * x0.abs().max(1.0);
    let d = |h: f64| Some((at(x0 + h)? - at(x0 - h)?) / (2.0 * h));
    let (d1, d2) = (d(h)?, d(h / 2.0)?);
    Some((4.0 * d2 - d1) / 3.0)
}

/// Checks a chain of derivative steps g₀ → g₁ → … where gₖ = ∂gₖ₋₁/∂vₖ.
pub fn check_chain(s: &Store, steps: &[(ExprId, Name, ExprId)], points: &[Point]) -> CheckReport {
    let mut report = CheckReport::default();
    for &(g, v, dg) in steps {
        report.merge(check_step(s, g, v, dg, points));
    }
    report
}
