//! expand, collect and factor: exact forms, and the value kept at random points.

use super::*;
use crate::eval::assert_same_values;
use crate::parse::parse;
use crate::print::{Style, render};

/// Checks `op(text)` prints `want` and has the value of `text` at a few points.
fn check(op: impl Fn(&mut Store, ExprId) -> Result<ExprId, AlgebraError>, text: &str, want: &str) {
    let mut s = Store::new();
    let e = parse(&mut s, text).unwrap();
    let r = op(&mut s, e).unwrap();
    assert_eq!(render(&s, r, Style::Plain), want, "{text}");
    assert_same_values(&s, (e, r), text, 20, 5);
}

#[test]
fn expand_multiplies_out_everywhere() {
    check(expand, "(x + 1)^2*(x - 1)", "x^3 + x^2 - x - 1");
    check(expand, "(x + y)^3", "x^3 + 3*x^2*y + 3*x*y^2 + y^3");
    check(
        expand,
        "sin((x + 1)^2) + 2*(y - 1)",
        "2*y + sin(x^2 + 2*x + 1) - 2",
    );
    check(expand, "(x + 1)/x", "1/x + 1");
    check(
        expand,
        "(x + 1)/(x - 1)^2",
        "x/(x^2 - 2*x + 1) + 1/(x^2 - 2*x + 1)",
    );
    check(expand, "(sqrt(x) + 1)*(sqrt(x) - 1)", "x - 1");
    check(
        expand,
        "sigmoid(z)*(1 - y) - y*(1 - sigmoid(z))",
        "sigmoid(z) - y",
    );
}

#[test]
fn collect_groups_by_powers_of_the_variable() {
    let c = |s: &mut Store, e| {
        let x = s.intern_name("x");
        collect(s, e, x)
    };
    check(c, "x*y + x + y^2*x^2", "x^2*y^2 + x*(y + 1)");
    check(c, "(x + y)^2 + x*sin(y)", "x^2 + x*(2*y + sin(y)) + y^2");
    check(c, "y + 1", "y + 1");
}

#[test]
fn factor_finds_common_and_polynomial_factors() {
    check(factor, "x^2 - 1", "(x - 1)*(x + 1)");
    check(factor, "x^2 - y^2", "(x + y)*(x - y)");
    check(factor, "2*x^3 - 2*x", "2*x*(x - 1)*(x + 1)");
    check(factor, "x^2 + 2*x*y + y^2", "(x + y)^2");
    check(factor, "6*x^2 + 5*x + 1", "(2*x + 1)*(3*x + 1)");
    check(factor, "x^3*y + x*y^3 + 2*x^2*y^2", "x*y*(x + y)^2");
    check(factor, "(x^2 - 1)/(x^2 + 2*x + 1)", "(x - 1)/(x + 1)");
    check(factor, "1/x + 1/y", "(x + y)/(x*y)");
    check(factor, "x^2 + 1", "x^2 + 1");
    check(factor, "sin(x^2 - 1)", "sin((x - 1)*(x + 1))");
    check(
        factor,
        "sigmoid(x)*(1 - sigmoid(x))^2 - sigmoid(x)^2*(1 - sigmoid(x))",
        "sigmoid(x)*(sigmoid(x) - 1)*(2*sigmoid(x) - 1)",
    );
    check(factor, "x^4 + 1", "x^4 + 1");
}

#[test]
fn large_work_is_refused() {
    let mut s = Store::new();
    let e = parse(&mut s, "(x + y + z + t + 1)^60").unwrap();
    assert_eq!(expand(&mut s, e), Err(AlgebraError::TooLarge));
}

/// `Π fᵢ` for factors given as coefficient lists in x (from degree 0 up) and y's power.
fn product(fs: &[(Vec<i64>, u32)], budget: &mut Budget) -> Poly {
    let mut p = Poly::constant(2, Rat::ONE);
    for (cs, ky) in fs {
        let terms = cs
            .iter()
            .enumerate()
            .map(|(k, &c)| (vec![k as i32, 0], Rat::int(c)))
            .collect();
        let f = Poly::from_terms(2, terms).mul(&Poly::var(2, 1, *ky as i32), budget);
        let f = f.unwrap().add(&Poly::var(2, 1, 1));
        p = p.mul(&f, budget).unwrap();
    }
    p
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(64))]

    /// Factoring a random product gives back the product exactly, with at least as many
    /// factors of positive degree as were multiplied (each may split further).
    #[test]
    fn factors_multiply_back_to_the_polynomial(
        fs in proptest::collection::vec(
            (proptest::collection::vec(-4i64..=4, 1..4), 0u32..2),
            1..4,
        )
    ) {
        let mut b = Budget::new(WORK_BUDGET);
        let p = product(&fs, &mut b);
        let (c, factors) = factor::factor(&p, &mut b).expect("within the budget");
        let mut back = Poly::constant(2, c);
        for (f, k) in &factors {
            back = back.mul(&f.pow(*k, &mut b).unwrap(), &mut b).unwrap();
            // Each factor is primitive with a positive leading coefficient.
            proptest::prop_assert_eq!(f.primitive_rational().0, Rat::ONE);
        }
        proptest::prop_assert_eq!(&back, &p);
        let count: u32 = factors.iter().map(|(_, k)| k).sum();
        let given = fs.len() as u32;
        // A factor is y·(…) + y (degree ≥ 1 in y), so none is a number.
        proptest::prop_assert!(p.is_zero() || count >= given, "{count} < {given}");
    }

    /// gcd(a·g, b·g) is g up to a number, for random a, b, g.
    #[test]
    fn gcd_finds_the_common_factor(
        a in proptest::collection::vec(-3i64..=3, 1..4),
        b in proptest::collection::vec(-3i64..=3, 1..4),
        g in proptest::collection::vec(-3i64..=3, 2..4),
    ) {
        let mut bu = Budget::new(WORK_BUDGET);
        let pa = product(&[(a, 0), (g.clone(), 1)], &mut bu);
        let pb = product(&[(b, 1), (g.clone(), 1)], &mut bu);
        let pg = product(&[(g, 1)], &mut bu);
        proptest::prop_assume!(!pg.is_zero());
        let d = gcd::gcd(&pa, &pb, &mut bu).expect("within the budget");
        // g divides the gcd, and the gcd divides both.
        proptest::prop_assert!(d.exact_div(&pg.primitive_rational().1, &mut bu).is_some());
        proptest::prop_assert!(pa.exact_div(&d, &mut bu).is_some());
        proptest::prop_assert!(pb.exact_div(&d, &mut bu).is_some());
    }
}

#[test]
fn univariate_products_split_into_their_irreducible_factors() {
    // (x^2 + x + 1)(x^4 - x^2 + 1)(2x - 3)^2 (x^2 + 1)
    check(
        factor,
        "(x^2 + x + 1)*(x^4 - x^2 + 1)*(2*x - 3)^2*(x^2 + 1)",
        "(x^2 + 1)*(x^2 + x + 1)*(2*x - 3)^2*(x^4 - x^2 + 1)",
    );
    check(factor, "x^4 + 4", "(x^2 - 2*x + 2)*(x^2 + 2*x + 2)");
}
