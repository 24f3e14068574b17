//! Greatest common divisors of multivariate polynomials over the rationals: recursive, by
//! the primitive polynomial remainder sequence in one variable with coefficients in the
//! others (Knuth, TAOCP vol. 2, 4.6.1), and Yun's square-free decomposition built on it.

use super::poly::{Budget, Poly};

/// gcd(a, b), with integer coefficients, no common numeric factor and a positive leading
/// coefficient (a rational nonzero constant if they share no variable factor: 1).
pub fn gcd(a: &Poly, b: &Poly, budget: &mut Budget) -> Option<Poly> {
    budget.spend(1)?;
    a.check_dense(budget)?;
    b.check_dense(budget)?;
    if a.is_zero() {
        return Some(b.primitive_rational().1);
    }
    if b.is_zero() {
        return Some(a.primitive_rational().1);
    }
    let (va, vb) = (a.vars(), b.vars());
    // A variable of one but not the other: the gcd divides every coefficient of that one.
    if let Some(&v) = va.iter().find(|v| !vb.contains(v)) {
        let c = content(a, v, budget)?;
        return gcd(&c, b, budget);
    }
    if let Some(&v) = vb.iter().find(|v| !va.contains(v)) {
        let c = content(b, v, budget)?;
        return gcd(a, &c, budget);
    }
    // Both constants (nonzero): they share no variable factor.
    let Some(&v) = va.iter().min_by_key(|&&v| a.degree(v).max(b.degree(v))) else {
        return Some(Poly::constant(a.n, crate::expr::Rat::ONE));
    };
    let (ca, cb) = (content(a, v, budget)?, content(b, v, budget)?);
    let (pa, pb) = (a.exact_div(&ca, budget)?, b.exact_div(&cb, budget)?);
    let c = gcd(&ca, &cb, budget)?;
    let g = primitive_prs(pa, pb, v, budget)?;
    Some(c.mul(&g, budget)?.primitive_rational().1)
}

/// The gcd of the coefficients of `p` as a polynomial in `v`.
pub fn content(p: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let mut cs = p.coeffs(v).into_iter().filter(|c| !c.is_zero());
    let mut g = cs.next().unwrap_or_else(|| Poly::zero(p.n));
    for c in cs {
        if g.as_constant().is_some() {
            break;
        }
        g = gcd(&g, &c, budget)?;
    }
    Some(g.primitive_rational().1)
}

/// `p` divided by its content in `v`.
pub fn primitive(p: &Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let c = content(p, v, budget)?;
    p.exact_div(&c, budget)
}

/// The gcd of two polynomials primitive in `v`, by pseudo-remainders made primitive.
fn primitive_prs(a: Poly, b: Poly, v: usize, budget: &mut Budget) -> Option<Poly> {
    let (mut a, mut b) = if a.degree(v) >= b.degree(v) {
        (a, b)
    } else {
        (b, a)
    };
    loop {
        if b.degree(v) == 0 {
            // b is free of v and primitive: a unit unless it is zero.
            return Some(if b.is_zero() {
                a
            } else {
                Poly::constant(a.n, crate::expr::Rat::ONE)
            });
        }
        let r = a.pseudo_rem(&b, v, budget)?;
        if r.is_zero() {
            return Some(b);
        }
        a = b;
        b = primitive(&r, v, budget)?;
    }
}

/// Yun's square-free decomposition of `f`, primitive in `v`, as a polynomial in `v`:
/// (a_i, i) with f = c·Π a_i^i, each a_i square-free in `v` and the a_i coprime.
pub fn square_free(f: &Poly, v: usize, budget: &mut Budget) -> Option<Vec<(Poly, u32)>> {
    let df = f.derivative(v);
    let a0 = gcd(f, &df, budget)?;
    let mut b = f.exact_div(&a0, budget)?;
    let mut c = df.exact_div(&a0, budget)?;
    let mut d = c.sub(&b.derivative(v));
    let mut out = Vec::new();
    let mut i = 1;
    while b.degree(v) > 0 {
        let a = gcd(&b, &d, budget)?;
        b = b.exact_div(&a, budget)?;
        c = d.exact_div(&a, budget)?;
        d = c.sub(&b.derivative(v));
        if a.degree(v) > 0 {
            out.push((a, i));
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Rat;

    /// x and y as polynomials in two variables, and a generous budget.
    fn xy() -> (Poly, Poly, Budget) {
        (
            Poly::var(2, 0, 1),
            Poly::var(2, 1, 1),
            Budget::new(1_000_000),
        )
    }

    fn c(k: i64) -> Poly {
        Poly::constant(2, Rat::int(k))
    }

    #[test]
    fn gcd_of_products_is_the_shared_factor() {
        let (x, y, mut b) = xy();
        let b = &mut b;
        let xy1 = x.mul(&y, b).unwrap().add(&c(1)); // xy + 1
        let xmy = x.sub(&y); // x - y
        let x2 = x.mul(&x, b).unwrap();
        let p = xy1
            .mul(&xmy, b)
            .unwrap()
            .mul(&x2, b)
            .unwrap()
            .scale(&Rat::int(6));
        let q = xy1
            .mul(&x.add(&c(3)), b)
            .unwrap()
            .mul(&x, b)
            .unwrap()
            .scale(&Rat::int(-4));
        let g = gcd(&p, &q, b).unwrap();
        assert_eq!(g, xy1.mul(&x, b).unwrap());
        assert_eq!(gcd(&p, &c(7), b).unwrap(), c(1));
        assert_eq!(gcd(&xmy, &x.add(&y), b).unwrap(), c(1));
        // gcd(x^2 - y^2, x^2 + 2xy + y^2) = x + y
        let y2 = y.mul(&y, b).unwrap();
        let d2 = x2.sub(&y2);
        let s2 = x.add(&y).pow(2, b).unwrap();
        assert_eq!(gcd(&d2, &s2, b).unwrap(), x.add(&y));
    }

    #[test]
    fn square_free_parts_with_their_multiplicities() {
        let (x, y, mut b) = xy();
        let b = &mut b;
        // (x + 1)·(x - y)^2·(x + y)^3
        let f = x
            .add(&c(1))
            .mul(&x.sub(&y).pow(2, b).unwrap(), b)
            .unwrap()
            .mul(&x.add(&y).pow(3, b).unwrap(), b)
            .unwrap();
        let parts = square_free(&f, 0, b).unwrap();
        assert_eq!(
            parts,
            vec![(x.add(&c(1)), 1), (x.sub(&y), 2), (x.add(&y), 3)]
        );
    }

    #[test]
    fn a_small_budget_gives_up_instead_of_working_long() {
        let (x, y, mut b) = xy();
        let big = x.add(&y).add(&c(1)).pow(12, &mut b).unwrap();
        let other = x.sub(&y).pow(12, &mut b).unwrap();
        assert!(gcd(&big, &other, &mut Budget::new(50)).is_none());
        assert_eq!(gcd(&big, &other, &mut b).unwrap(), c(1));
    }
}
