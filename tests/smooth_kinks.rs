//! `--at` at a kink of abs, relu, max or min: refused where the first derivative does not
//! exist, answered where the function is continuous and its derivative extends
//! continuously (x·|x| at 0), the value checked against central differences.

use crate::common::*;
use deriv::eval::eval;
use deriv::expr::Store;

/// The central difference of `f` in x at 0, for steps shrinking to 1e-6.
fn slope_at_zero(f: &str) -> f64 {
    let mut s = Store::new();
    let e = deriv::parse::parse(&mut s, f).unwrap();
    let at = |x: f64| eval(&s, e, &|_| Some(x)).unwrap();
    let h = 1e-6;
    (at(h) - at(-h)) / (2.0 * h)
}

#[test]
fn a_derivative_that_exists_at_a_kink_is_answered() {
    for (f, want) in [
        ("x*abs(x)", "0"),
        ("abs(x^3)", "0"),
        ("abs(x)^3", "0"),
        ("x^2*sign(x)", "0"),
    ] {
        deriv(&["partial", f, "x", "--at", "x=0"]).prints(want);
        assert!(slope_at_zero(f).abs() < 1e-5, "{f}");
    }
    deriv(&["grad", "x*abs(x) + y*abs(y)", "--at", "x=0,y=0"]).prints("[0, 0]");
    // The product rule's x^2/abs(x) is tidied to abs(x): continuous where x = 0.
    deriv(&["partial", "x*abs(x)", "x"]).prints("2*abs(x)");
}

#[test]
fn a_derivative_that_does_not_exist_is_still_refused() {
    for f in ["abs(x)", "relu(x)", "abs(x) + x^2*sign(x)", "max(x, 0)"] {
        deriv(&["partial", f, "x", "--at", "x=0"]).fails_with(1, "does not exist at this point");
    }
    // abs(x)'' is 0 on both sides, but abs' jumps at 0: no second derivative there.
    deriv(&["partial", "abs(x)", "x", "x", "--at", "x=0"]).fails_with(1, "kink");
    deriv(&["partial", "x*abs(x)", "x", "x", "--at", "x=0"]).fails_with(1, "kink");
    // The jump of sign makes x^2*sign(x) + sign(x) discontinuous: no derivative at 0.
    deriv(&["partial", "x^2*sign(x) + sign(x)", "x", "--at", "x=0"]).fails(1);
}
