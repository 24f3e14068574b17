//! Kronecker's method: the irreducible factors over the rationals of a polynomial in one
//! variable. A factor of degree d takes at d + 1 integer points values that divide the
//! polynomial's values there, so trying every choice of divisors (and interpolating)
//! finds it, or proves there is none. The number of choices grows fast with d: the
//! points are those of few divisors, the degree is capped and the work is budgeted.

use super::poly::{Budget, Poly};
use crate::expr::Rat;

/// Polynomials of higher degree are not split by Kronecker's method (factor refuses them
/// rather than call a factor irreducible that may not be).
pub const MAX_DEGREE: i32 = 10;

/// The irreducible factors of `f`, a primitive square-free polynomial in `v` alone with
/// integer coefficients, each primitive; `None` when the budget runs out or the degree
/// passes `MAX_DEGREE` (then `budget.degree_too_high` says so).
pub fn split(f: &Poly, v: usize, budget: &mut Budget) -> Option<Vec<Poly>> {
    let mut f = f.primitive_rational().1;
    let mut out = Vec::new();
    let mut d = 1;
    while 2 * d <= f.degree(v) {
        if f.degree(v) > MAX_DEGREE {
            budget.degree_too_high = Some(f.degree(v));
            return None;
        }
        match factor_of_degree(&f, v, d, budget)? {
            Some(g) => {
                f = f.exact_div(&g, budget)?;
                out.push(g);
            }
            None => d += 1,
        }
    }
    out.push(f);
    Some(out)
}

/// A factor of `f` of degree `d` (or a linear one met on the way), `Some(None)` if none.
fn factor_of_degree(f: &Poly, v: usize, d: i32, budget: &mut Budget) -> Option<Option<Poly>> {
    let cs: Vec<Rat> = f
        .coeffs(v)
        .iter()
        .map(Poly::as_constant)
        .collect::<Option<_>>()?;
    let need = d as usize + 1;
    // Points 0, 1, -1, 2, -2, ...: those whose values have the fewest divisors.
    let mut pts: Vec<(i64, Rat, Vec<i64>)> = Vec::new();
    for i in 0..4 * need as i64 + 4 {
        let a = if i % 2 == 0 { -i / 2 } else { i / 2 + 1 };
        let y = cs
            .iter()
            .rev()
            .fold(Rat::ZERO, |acc, c| acc.mul(&Rat::int(a)).add(c));
        if y.is_zero() {
            let root = Poly::var(f.n, v, 1).sub(&Poly::constant(f.n, Rat::int(a)));
            return Some(Some(root));
        }
        if let Some(ds) = integer_divisors(&y) {
            pts.push((a, y, ds));
        }
    }
    if pts.len() < need {
        budget.spend(u64::MAX)?;
    }
    pts.sort_by_key(|p| p.2.len());
    pts.truncate(need);
    let xs: Vec<i64> = pts.iter().map(|p| p.0).collect();
    // Each point's choices: its divisors with both signs (the first's positive only, as
    // g and -g are the same factor).
    let choices: Vec<Vec<Rat>> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let signs: &[i64] = if i == 0 { &[1] } else { &[1, -1] };
            let ds = p.2.iter();
            ds.flat_map(|&k| signs.iter().map(move |s| Rat::int(s * k)))
                .collect()
        })
        .collect();
    let (lead, trail) = (cs.last()?.clone(), cs[0].clone());
    let mut at = vec![0usize; need];
    loop {
        budget.spend(need as u64)?;
        let ys: Vec<Rat> = at
            .iter()
            .zip(&choices)
            .map(|(&j, c)| c[j].clone())
            .collect();
        let g = interpolate(&xs, &ys);
        if g.len() == need
            && g.iter().all(Rat::is_integer)
            && divides(&g[d as usize], &lead)
            && divides(&g[0], &trail)
        {
            let gp = Poly::from_coeffs(
                f.n,
                v,
                &g.into_iter()
                    .map(|c| Poly::constant(f.n, c))
                    .collect::<Vec<_>>(),
            );
            if f.exact_div(&gp, budget).is_some() {
                return Some(Some(gp.primitive_rational().1));
            }
        }
        // The next choice, as an odometer.
        let mut i = 0;
        loop {
            if i == need {
                return Some(None);
            }
            at[i] += 1;
            if at[i] < choices[i].len() {
                break;
            }
            at[i] = 0;
            i += 1;
        }
    }
}

/// Does the integer `a` (nonzero) divide the integer `b`?
fn divides(a: &Rat, b: &Rat) -> bool {
    !a.is_zero() && a.recip().is_some_and(|r| b.mul(&r).is_integer())
}

/// The polynomial of degree below `xs.len()` through the points, its coefficients from
/// degree 0 up with the zero top ones dropped (Newton's divided differences).
fn interpolate(xs: &[i64], ys: &[Rat]) -> Vec<Rat> {
    let n = xs.len();
    let mut dd = ys.to_vec();
    for j in 1..n {
        for i in (j..n).rev() {
            let step = Rat::int(xs[i] - xs[i - j])
                .recip()
                .expect("distinct points");
            dd[i] = dd[i].sub(&dd[i - 1]).mul(&step);
        }
    }
    let mut p = vec![dd[n - 1].clone()];
    for i in (0..n - 1).rev() {
        // p·(x − xs[i]) + dd[i]
        let mut q = vec![Rat::ZERO; p.len() + 1];
        for (k, c) in p.iter().enumerate() {
            q[k + 1] = q[k + 1].add(c);
            q[k] = q[k].sub(&c.mul(&Rat::int(xs[i])));
        }
        q[0] = q[0].add(&dd[i]);
        p = q;
    }
    while p.len() > 1 && p.last().is_some_and(Rat::is_zero) {
        p.pop();
    }
    p
}

/// The positive divisors of the numerator of `c` (its denominator is 1 for the coefficients
/// here), by trial division; `None` for a numerator too large to factor quickly.
pub(super) fn integer_divisors(c: &Rat) -> Option<Vec<i64>> {
    let n = c.numer().magnitude().clone();
    let mut n: u64 = num_traits::ToPrimitive::to_u64(&n)?;
    if n > 1 << 40 {
        return None;
    }
    let mut ds = vec![1i64];
    let mut p = 2u64;
    while p * p <= n {
        let mut k = 0;
        while n.is_multiple_of(p) {
            n /= p;
            k += 1;
        }
        if k > 0 {
            let base = ds.clone();
            let mut m = 1i64;
            for _ in 0..k {
                m *= p as i64;
                ds.extend(base.iter().map(|d| d * m));
            }
        }
        p += 1;
    }
    if n > 1 {
        let base = ds.clone();
        ds.extend(base.iter().map(|d| d * n as i64));
    }
    ds.sort_unstable();
    Some(ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(cs: &[i64]) -> Poly {
        let cs: Vec<Poly> = cs.iter().map(|&c| Poly::constant(1, Rat::int(c))).collect();
        Poly::from_coeffs(1, 0, &cs)
    }

    #[test]
    fn interpolation_goes_through_the_points() {
        // 2x^2 - 3x + 1 at -1, 0, 2
        let p = interpolate(&[-1, 0, 2], &[Rat::int(6), Rat::int(1), Rat::int(3)]);
        assert_eq!(p, vec![Rat::int(1), Rat::int(-3), Rat::int(2)]);
    }

    #[test]
    fn quartics_without_roots_split_into_quadratics() {
        let mut b = Budget::new(1_000_000);
        // x^4 + 4 = (x^2 - 2x + 2)(x^2 + 2x + 2)
        let mut fs = split(&poly(&[4, 0, 0, 0, 1]), 0, &mut b).unwrap();
        fs.sort_by(|a, b| a.terms.cmp(&b.terms));
        assert_eq!(fs, vec![poly(&[2, -2, 1]), poly(&[2, 2, 1])]);
        // x^4 + x^2 + 1 = (x^2 - x + 1)(x^2 + x + 1)
        let fs = split(&poly(&[1, 0, 1, 0, 1]), 0, &mut b).unwrap();
        assert_eq!(fs.len(), 2);
        // x^4 + 1 and x^4 - 2 are irreducible over Q
        assert_eq!(split(&poly(&[1, 0, 0, 0, 1]), 0, &mut b).unwrap().len(), 1);
        assert_eq!(split(&poly(&[-2, 0, 0, 0, 1]), 0, &mut b).unwrap().len(), 1);
    }

    #[test]
    fn beyond_the_degree_cap_it_says_so() {
        let mut b = Budget::new(1_000_000);
        let mut cs = vec![0; 13];
        cs[0] = 1;
        cs[12] = 1;
        assert!(split(&poly(&cs), 0, &mut b).is_none());
        assert_eq!(b.degree_too_high, Some(12));
    }
}
