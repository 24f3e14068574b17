//! `--check`: a second opinion on a symbolic derivative from numbers. Each derivative
//! step ∂g/∂v is compared with central differences of g extrapolated by Ridders' method,
//! at points where that estimate is sure enough to judge by.

use crate::eval::{Options, Rng, RoundingProbe, Tape};
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
    /// Comparisons skipped because the difference quotient was too uncertain there (the
    /// function varies faster than its steps resolve, as tan near a pole does).
    pub inconclusive: usize,
}

/// Relative errors above this are a mismatch: the difference quotient is good to about
/// 1e-9 on smooth functions, so this leaves room without hiding a wrong rule.
pub const TOLERANCE: f64 = 1e-6;

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.points > 0 && self.max_rel_error <= TOLERANCE
    }

    fn merge(&mut self, o: CheckReport) {
        let inconclusive = self.inconclusive + o.inconclusive;
        if o.points > 0 && (o.max_rel_error > self.max_rel_error || self.points == 0) {
            let points = self.points;
            *self = o;
            self.points += points;
        } else {
            self.points += o.points;
        }
        self.inconclusive = inconclusive;
    }
}

/// A derivative larger than this times the function's size (at least 1) is not judged:
/// the function varies on a scale below 1e-4, finer than the difference steps resolve.
const RESOLUTION: f64 = 1e4;

/// A point: a value for each variable.
pub type Point = Vec<(Name, f64)>;

/// Random points in (0.1, 1.9) for `names`, away from the common singularities at 0.
pub fn random_points(names: &[Name], n: usize, seed: u64) -> Vec<Point> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| names.iter().map(|&v| (v, rng.uniform(0.1, 1.9))).collect())
        .collect()
}

/// The point as the evaluator reads it.
fn env(p: &Point) -> impl Fn(Name) -> Option<f64> + '_ {
    |n| p.iter().find(|(m, _)| *m == n).map(|q| q.1)
}

/// Compares `dg` with ∂g/∂v at each point. Points where either side cannot be evaluated
/// are skipped and not counted; so are points where the numeric estimate is too uncertain
/// to judge by (counted as inconclusive).
pub fn check_step(s: &Store, g: ExprId, v: Name, dg: ExprId, points: &[Point]) -> CheckReport {
    let mut report = CheckReport::default();
    // Compiled once, run at every point and every difference step.
    let (dg_probe, g_probe) = (
        RoundingProbe::new(s, dg, &[v]),
        RoundingProbe::new(s, g, &[v]),
    );
    let g_tape = Tape::compile(s, &[g], Options::default());
    for p in points {
        let Ok((sym, sym_rounding)) = dg_probe.at(&env(p)) else {
            continue;
        };
        let Ok((f, f_rounding)) = g_probe.at(&env(p)) else {
            continue;
        };
        let Some((num, uncertainty)) = difference(&g_tape, v, p, f_rounding) else {
            continue;
        };
        let scale = sym.abs().max(num.abs()).max(1.0);
        // A function that changes by more than RESOLUTION times its size per unit step
        // (cos(1/u) with u near 0) varies on a scale the difference steps cannot resolve,
        // and their estimate can look sure of a wrong value: no verdict there either.
        let size = f.abs().max(1.0);
        // (NaN compares false: not precise.)
        let precise = uncertainty.max(sym_rounding) <= TOLERANCE / 8.0 * scale;
        if !precise || sym.abs().max(num.abs()) > RESOLUTION * size {
            report.inconclusive += 1;
            continue;
        }
        let err = (sym - num).abs() / scale;
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
            inconclusive: 0,
        });
    }
    report
}

/// ∂g/∂v at p and how uncertain that is (`extrapolate`, with steps relative to the point,
/// so a point near a domain edge, log at 0.01, stays inside). `rounding` is the rounding
/// error of g's value at p (`RoundingProbe::at`).
fn difference(g: &Tape, v: Name, p: &Point, rounding: f64) -> Option<(f64, f64)> {
    let x0 = p.iter().find(|(n, _)| *n == v).map(|q| q.1).unwrap_or(0.0);
    let at = |x: f64| -> Option<f64> {
        let mut q = p.clone();
        match q.iter_mut().find(|(n, _)| *n == v) {
            Some(slot) => slot.1 = x,
            None => q.push((v, x)),
        }
        g.values_at(&env(&q)).swap_remove(0).ok()
    };
    let quotient = |h: f64| Some((at(x0 + h)? - at(x0 - h)?) / (2.0 * h));
    let unit = if x0 == 0.0 { 1.0 } else { x0.abs().min(1.0) };
    extrapolate(quotient, STARTS.map(|h| h * unit), |h| rounding / h)
}

/// The first steps of `extrapolate`'s difference quotients, coarse to fine, for a
/// variable of size 1.
pub const STARTS: [f64; 3] = [0.05, 0.002, 0.0001];

/// A derivative from the difference quotients `q(h)`, and how uncertain it is: Ridders'
/// extrapolation from each of `starts` (coarse to fine). For two successive starts, the
/// uncertainty is the larger of their error estimates and their disagreement (a function
/// that varies on a scale finer than a step fools that step's own estimate), and at least
/// the rounding error, `noise(h)` for the finer step h.
///
/// Pairs are tried from the finest: a finer pair sees what the coarser steps average out
/// (a ripple of period 1e-4), so its verdict stands unless rounding explains its
/// uncertainty; then a coarser pair, whose rounding is smaller, may be more certain.
/// (`tan(90x)` needs the finer pair too: the coarse steps straddle its poles.)
pub fn extrapolate<const N: usize>(
    q: impl Fn(f64) -> Option<f64>,
    starts: [f64; N],
    noise: impl Fn(f64) -> f64,
) -> Option<(f64, f64)> {
    let estimates = starts.map(|h| ridders(&q, h));
    let mut best: Option<(f64, f64)> = None;
    for k in (1..N).rev() {
        // A start whose steps leave the domain (asin at 0.99) leaves the finer pairs to judge.
        let (Some((a, ea)), Some((b, eb))) = (estimates[k - 1], estimates[k]) else {
            break;
        };
        let spread = ea.max(eb).max((a - b).abs());
        let rounding = noise(starts[k]);
        let uncertainty = spread.max(rounding);
        if best.is_none_or(|(_, u)| uncertainty < u) {
            best = Some((b, uncertainty));
        }
        // Stop unless rounding explains the spread (a NaN stops too).
        if spread > rounding || spread.is_nan() {
            break;
        }
    }
    best
}

/// Ridders' method: extrapolates `q(h)`, whose error is a series in h², to h → 0. Returns
/// the estimate and its error estimate, or `None` if `q` fails. (The tests' numeric
/// oracles use it too.)
pub fn ridders(q: impl Fn(f64) -> Option<f64>, h0: f64) -> Option<(f64, f64)> {
    const CON: f64 = 1.4;
    const CON2: f64 = CON * CON;
    const NTAB: usize = 10;
    const SAFE: f64 = 2.0;
    let mut a = [[0.0f64; NTAB]; NTAB];
    let mut h = h0;
    a[0][0] = q(h)?;
    let (mut ans, mut err) = (a[0][0], f64::MAX);
    for i in 1..NTAB {
        h /= CON;
        a[0][i] = q(h)?;
        let mut fac = CON2;
        for j in 1..=i {
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1.0);
            fac *= CON2;
            let e = (a[j][i] - a[j - 1][i])
                .abs()
                .max((a[j][i] - a[j - 1][i - 1]).abs());
            if e <= err {
                err = e;
                ans = a[j][i];
            }
        }
        if (a[i][i] - a[i - 1][i - 1]).abs() >= SAFE * err {
            break;
        }
    }
    Some((ans, err))
}

/// Checks the steps at random points until `wanted` points have given a conclusive
/// comparison, trying at most `MAX_TRIES`. Returns the report and how many points were
/// used.
pub fn check_random(
    s: &Store,
    steps: &[(ExprId, Name, ExprId)],
    names: &[Name],
    wanted: usize,
    seed: u64,
) -> (CheckReport, usize) {
    const MAX_TRIES: usize = 30;
    let mut report = CheckReport::default();
    let mut used = 0;
    for p in random_points(names, MAX_TRIES, seed) {
        if used == wanted {
            break;
        }
        let r = check_chain(s, steps, &[p]);
        used += usize::from(r.points > 0);
        report.merge(r);
    }
    (report, used)
}

/// Checks a chain of derivative steps g₀ → g₁ → … where gₖ = ∂gₖ₋₁/∂vₖ.
pub fn check_chain(s: &Store, steps: &[(ExprId, Name, ExprId)], points: &[Point]) -> CheckReport {
    let mut report = CheckReport::default();
    for &(g, v, dg) in steps {
        report.merge(check_step(s, g, v, dg, points));
    }
    report
}
