//! The vertical range of a plot: chosen from the samples robustly, so that a pole or a
//! spike does not flatten the rest of the curve (quartile fences, then continuity), made
//! symmetric about 0 when f is odd, and padded so that no curve touches the frame.

/// Tukey's "far out" fences: this many interquartile ranges beyond the quartiles.
const FENCE: f64 = 3.0;
/// How steep (plot heights per plot width) a sample outside the fences may be reached
/// from a shown neighbour and still be shown: steeper is the flank of a pole or a spike.
const STEEP: f64 = 30.0;
/// How far beyond f's range f′ may reach when either is clipped (a fraction of f's span):
/// where f or f′ has a pole, f′'s is the steeper one, and the picture is about f.
const SLACK: f64 = 0.25;
/// Room left between the curves and the frame, a fraction of the span on each side.
const PAD: f64 = 0.05;

/// The values of one series worth showing, and whether some were left out.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Extent {
    lo: f64,
    hi: f64,
    clipped: bool,
}

/// The value at fraction `p` of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The range of one series: every value inside the quartile fences, grown along the curve
/// to neighbours that are not too steep to see at the scale reached so far. A value reached
/// only through a jump (the flank of a pole) stays out.
fn extent(ys: &[Option<f64>]) -> Option<Extent> {
    let mut v: Vec<f64> = ys
        .iter()
        .flatten()
        .copied()
        .filter(|y| y.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let (q1, q3) = (quantile(&v, 0.25), quantile(&v, 0.75));
    let (lo_fence, hi_fence) = (q1 - FENCE * (q3 - q1), q3 + FENCE * (q3 - q1));
    let value = |i: usize| ys[i].filter(|y| y.is_finite());
    let mut kept: Vec<bool> = (0..ys.len())
        .map(|i| value(i).is_some_and(|y| (lo_fence..=hi_fence).contains(&y)))
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for y in (0..ys.len()).filter(|&i| kept[i]).filter_map(value) {
        (lo, hi) = (lo.min(y), hi.max(y));
    }
    let intervals = (ys.len().max(2) - 1) as f64;
    // Grow in sweeps that add every reachable sample at once, so that the growth treats
    // both ends alike (a symmetric function stays symmetric).
    loop {
        let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let reach = |i: usize, j: usize| {
            kept[j]
                && (value(i).zip(value(j)))
                    .is_some_and(|(a, b)| (a - b).abs() * intervals <= STEEP * span)
        };
        let grown: Vec<usize> = (0..ys.len())
            .filter(|&i| !kept[i] && value(i).is_some())
            .filter(|&i| (i > 0 && reach(i, i - 1)) || (i + 1 < ys.len() && reach(i, i + 1)))
            .collect();
        if grown.is_empty() {
            break;
        }
        for i in grown {
            kept[i] = true;
            let y = value(i).expect("a grown sample has a value");
            (lo, hi) = (lo.min(y), hi.max(y));
        }
    }
    let clipped = (0..ys.len()).any(|i| !kept[i] && value(i).is_some());
    Some(Extent { lo, hi, clipped })
}

/// Whether the samples are odd: y at the mirrored sample is −y (tan on [−π, π], or on
/// [0, π] about π/2). The grid is mirrored exactly, so only rounding in f itself counts.
fn odd(ys: &[Option<f64>]) -> bool {
    let n = ys.len();
    let mut nonzero = false;
    let same = (0..n / 2).all(|i| match (ys[i], ys[n - 1 - i]) {
        (Some(a), Some(b)) => {
            nonzero |= a != 0.0;
            (a + b).abs() <= 1e-9 * (a.abs() + b.abs())
        }
        (None, None) => true,
        _ => false,
    });
    same && nonzero
}

fn symmetric(lo: f64, hi: f64) -> (f64, f64) {
    let m = lo.abs().max(hi.abs());
    (-m, m)
}

/// The vertical range for f and f′: f's robust range, widened by f′'s (only a little when a
/// pole or a spike was clipped), symmetric when f is odd, then padded. `None` when f has no value at all.
pub fn range(f: &[Option<f64>], df: &[Option<f64>]) -> Option<(f64, f64)> {
    let ef = extent(f)?;
    let (mut lo, mut hi) = (ef.lo, ef.hi);
    let f_odd = odd(f);
    if f_odd {
        (lo, hi) = symmetric(lo, hi);
    }
    if let Some(ed) = extent(df) {
        let (mut dlo, mut dhi) = if odd(df) {
            symmetric(ed.lo, ed.hi)
        } else {
            (ed.lo, ed.hi)
        };
        if ef.clipped || ed.clipped {
            let slack = SLACK * (hi - lo);
            (dlo, dhi) = (dlo.max(lo - slack), dhi.min(hi + slack));
        }
        (lo, hi) = (lo.min(dlo), hi.max(dhi));
    }
    if f_odd {
        (lo, hi) = symmetric(lo, hi);
    }
    if hi - lo < 1e-12 * lo.abs().max(hi.abs()).max(1.0) {
        let d = lo.abs().max(1.0) * 0.5;
        (lo, hi) = (lo - d, hi + d);
    }
    let pad = PAD * (hi - lo);
    Some((lo - pad, hi + pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(f: impl Fn(f64) -> f64, from: f64, to: f64, n: usize) -> Vec<Option<f64>> {
        (0..n)
            .map(|i| {
                let (t, s) = (
                    i as f64 / (n - 1) as f64,
                    (n - 1 - i) as f64 / (n - 1) as f64,
                );
                Some(f(from * s + to * t)).filter(|y| y.is_finite())
            })
            .collect()
    }

    #[test]
    fn a_smooth_curve_is_shown_whole_and_padded() {
        let f = samples(f64::exp, -5.0, 5.0, 128);
        let d = f.clone();
        let (lo, hi) = range(&f, &d).unwrap();
        let max = 5f64.exp();
        assert!(hi > max && hi < max * 1.1, "{lo} {hi}");
        assert!(lo < 0.0 && lo > -0.1 * max, "{lo} {hi}");
    }

    #[test]
    fn tan_is_clipped_symmetrically_around_its_poles() {
        let pi = std::f64::consts::PI;
        for n in [128, 640] {
            let f = samples(f64::tan, -pi, pi, n);
            let d = samples(|x| 1.0 / x.cos().powi(2), -pi, pi, n);
            let (lo, hi) = range(&f, &d).unwrap();
            assert_eq!(lo, -hi);
            assert!((5.0..=25.0).contains(&hi), "{n}: {lo} {hi}");
        }
    }

    #[test]
    fn a_spike_is_left_out() {
        let f = samples(|x| 1.0 / (x * x + 1e-6), -5.0, 5.0, 129);
        let d = samples(|x| -2.0 * x / (x * x + 1e-6).powi(2), -5.0, 5.0, 129);
        let (_, hi) = range(&f, &d).unwrap();
        assert!(hi < 100.0, "{hi}");
    }

    #[test]
    fn no_value_no_range() {
        assert_eq!(range(&[None, None], &[Some(1.0), Some(2.0)]), None);
        assert!(odd(&[Some(-1.0), Some(0.0), Some(1.0)]));
        assert!(!odd(&[Some(1.0), Some(0.0), Some(1.0)]));
    }
}
