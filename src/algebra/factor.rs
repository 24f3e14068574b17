//! Factoring multivariate polynomials over the rationals, as far as it goes here: the
//! numeric content, powers of single variables (x·y·(x + y)), the content in each variable,
//! a square-free decomposition (Yun), and the factors linear in some variable, found by
//! the rational root test generalised to coefficients that are polynomials (x² − y² =
//! (x − y)(x + y)), in each variable in turn. What is left of one variable is split into
//! irreducible factors (`kronecker`: x⁴ + 4 = (x² − 2x + 2)(x² + 2x + 2)); what is left
//! of several variables without a linear factor is kept whole even when it is reducible.

use super::gcd::{content, square_free};
use super::kronecker::{self, integer_divisors};
use super::poly::{Budget, Poly};
use crate::expr::Rat;

/// At most this many candidate linear factors are tried for one polynomial.
const MAX_CANDIDATES: usize = 400;

/// The factors of `p`: p = c·Π fᵢ^kᵢ, each fᵢ with integer coefficients without a common
/// factor and a positive leading coefficient, sorted; `None` when the budget runs out.
pub fn factor(p: &Poly, budget: &mut Budget) -> Option<(Rat, Vec<(Poly, u32)>)> {
    p.check_dense(budget)?;
    let (c, q) = p.primitive_rational();
    if p.is_zero() || q.as_constant().is_some() {
        return Some((if p.is_zero() { Rat::ZERO } else { c }, Vec::new()));
    }
    let mut out = Vec::new();
    let mut q = q;
    // Powers of single variables: x^2·y·(...).
    for v in 0..q.n {
        let k = q.min_degree(v);
        if k > 0 {
            out.push((Poly::var(q.n, v, 1), k as u32));
            q = q.exact_div(&Poly::var(q.n, v, k), budget)?;
        }
    }
    let mut c = c;
    factor_into(&q, 1, &mut c, &mut out, budget)?;
    let (c, out) = merge(c, out);
    Some((c, out))
}

/// Adds the factors of `q` (no numeric content, no single-variable factor) to `out`, each
/// with multiplicity `mult` times its own; the signs chosen go into `c`.
fn factor_into(
    q: &Poly,
    mult: u32,
    c: &mut Rat,
    out: &mut Vec<(Poly, u32)>,
    budget: &mut Budget,
) -> Option<()> {
    budget.spend(1)?;
    let Some(&v) = q.vars().iter().max_by_key(|&&v| q.degree(v)) else {
        let k = q.as_constant().expect("no variables");
        *c = c.mul(&pow_rat(&k, mult));
        return Some(());
    };
    let cont = content(q, v, budget)?;
    if cont.as_constant().is_none() {
        let (cc, cf) = factor(&cont, budget)?;
        *c = c.mul(&pow_rat(&cc, mult));
        out.extend(cf.into_iter().map(|(f, k)| (f, k * mult)));
    }
    let pp = q.exact_div(&cont, budget)?;
    let mut found = Vec::new();
    for (part, k) in square_free(&pp, v, budget)? {
        for f in linear_factors(&part, v, budget)? {
            let split = split_further(f, budget)?;
            found.extend(split.into_iter().map(|g| (g.primitive_rational().1, k)));
        }
    }
    // What the factors leave of pp is a number.
    let mut rest = pp;
    for (f, k) in &found {
        rest = rest.exact_div(&f.pow(*k, budget)?, budget)?;
    }
    *c = c.mul(&pow_rat(&rest.as_constant()?, mult));
    out.extend(found.into_iter().map(|(f, k)| (f, k * mult)));
    Some(())
}

/// `f` (square-free) split as far as it goes: in one variable into irreducible factors
/// (`kronecker`), in several by its content and its linear factors in each variable in
/// turn (y² − x⁴ = (y − x²)(y + x²) is linear in y, not in x).
fn split_further(f: Poly, budget: &mut Budget) -> Option<Vec<Poly>> {
    let vars = f.vars();
    if let [w] = vars[..] {
        return if f.degree(w) >= 2 {
            kronecker::split(&f, w, budget)
        } else {
            Some(vec![f])
        };
    }
    for &w in &vars {
        let c = content(&f, w, budget)?;
        let pieces = if c.as_constant().is_none() {
            vec![f.exact_div(&c, budget)?, c]
        } else if f.degree(w) >= 2 {
            linear_factors(&f, w, budget)?
        } else {
            continue;
        };
        if pieces.len() > 1 {
            let mut out = Vec::new();
            for p in pieces {
                out.extend(split_further(p, budget)?);
            }
            return Some(out);
        }
    }
    Some(vec![f])
}

fn pow_rat(r: &Rat, k: u32) -> Rat {
    r.pow_int(i64::from(k)).expect("a nonzero number")
}

/// Equal factors merged, each normalised (integer coefficients, positive leading one),
/// sorted.
fn merge(mut c: Rat, fs: Vec<(Poly, u32)>) -> (Rat, Vec<(Poly, u32)>) {
    let mut out: Vec<(Poly, u32)> = Vec::new();
    for (f, k) in fs {
        let (s, f) = f.primitive_rational();
        c = c.mul(&pow_rat(&s, k));
        match out.iter_mut().find(|(g, _)| *g == f) {
            Some(e) => e.1 += k,
            None => out.push((f, k)),
        }
    }
    out.sort_by(|a, b| a.0.terms.cmp(&b.0.terms));
    (c, out)
}

/// `f` (square-free in `v`) split into its factors linear in `v` and what is left.
fn linear_factors(f: &Poly, v: usize, budget: &mut Budget) -> Option<Vec<Poly>> {
    let mut f = f.clone();
    let mut out = Vec::new();
    'search: while f.degree(v) >= 2 {
        let cs = f.coeffs(v);
        let (lead, trail) = (cs.last().expect("degree ≥ 2"), &cs[0]);
        let (Some(es), Some(ds)) = (divisors(lead, budget)?, divisors(trail, budget)?) else {
            break;
        };
        if es.len() * ds.len() * 2 > MAX_CANDIDATES {
            break;
        }
        for e in &es {
            for d in &ds {
                for d in [d.clone(), d.neg()] {
                    // e·v − d divides f when v = d/e is a root.
                    let cand = e.mul(&Poly::var(f.n, v, 1), budget)?.sub(&d);
                    if let Some(q) = f.exact_div(&cand, budget) {
                        out.push(cand);
                        f = q;
                        continue 'search;
                    }
                }
            }
        }
        break;
    }
    out.push(f);
    Some(out)
}

/// The divisors of `p` up to a number, each once with a positive leading coefficient:
/// products of its factors; `Some(None)` when there would be too many to try.
fn divisors(p: &Poly, budget: &mut Budget) -> Option<Option<Vec<Poly>>> {
    let (c, fs) = match factor(p, budget) {
        Some(r) => r,
        // A coefficient beyond Kronecker's cap: the linear factors are not searched.
        None if budget.degree_too_high.take().is_some() => return Some(None),
        None => return None,
    };
    let n = p.n;
    let mut ds = match integer_divisors(&c) {
        Some(ks) => ks
            .into_iter()
            .map(|k| Poly::constant(n, Rat::int(k)))
            .collect::<Vec<_>>(),
        None => return Some(None),
    };
    for (f, k) in fs {
        let mut next = Vec::new();
        for d in &ds {
            let mut m = d.clone();
            for _ in 0..=k {
                next.push(m.clone());
                m = m.mul(&f, budget)?;
            }
        }
        ds = next;
        if ds.len() > MAX_CANDIDATES {
            return Some(None);
        }
    }
    Some(Some(ds))
}
