//! `expand`, `factor` and `collect`: each result printed as a person writes it and equal to
//! its input at random points (the numeric oracle), in every format and in batch mode, and
//! bounded: a huge power is refused with the limit named, quickly.

use crate::common::numeric::value;
use crate::common::*;
use deriv::eval::Rng;
use deriv::expr::Store;

/// `input` and `output` are the same function: equal at random points where both are
/// defined (at least half of them).
fn same_function(input: &str, output: &str) {
    let mut s = Store::new();
    let a = deriv::parse::parse(&mut s, input).unwrap();
    let b = deriv::parse::parse(&mut s, output).unwrap();
    let names = s.free_symbols(&[a, b]);
    let mut rng = Rng::new(0xA16E);
    let mut checked = 0;
    for _ in 0..40 {
        let vals: Vec<f64> = names.iter().map(|_| rng.uniform(-3.0, 3.0)).collect();
        if let (Some(u), Some(v)) = (value(&s, a, &names, &vals), value(&s, b, &names, &vals)) {
            let tol = 1e-9 * u.abs().max(v.abs()).max(1.0);
            assert!(
                (u - v).abs() <= tol,
                "{input} → {output}: {u} vs {v} at {vals:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{input}: only {checked} points");
}

/// `deriv CMD INPUT [VAR]` prints `want`, the same function as `input`.
fn check(cmd: &str, input: &str, extra: &[&str], want: &str) {
    let mut args = vec![cmd, input];
    args.extend(extra);
    deriv(&args).prints(want);
    same_function(input, want);
}

#[test]
fn expand_multiplies_out_and_collects() {
    let e = |i, w| check("expand", i, &[], w);
    e(
        "(x+1)^3*(y-2)",
        "x^3*y - 2*x^3 + 3*x^2*y - 6*x^2 + 3*x*y - 6*x + y - 2",
    );
    e("(a-b)*(a+b)", "a^2 - b^2");
    e("(x+1)^2 - (x-1)^2", "4*x");
    e("sin((a+b)^2)", "sin(a^2 + 2*a*b + b^2)");
    e("(x+1)/x", "1/x + 1");
    e("(x+1)/(x-1)^2", "x/(x^2 - 2*x + 1) + 1/(x^2 - 2*x + 1)");
    e("(sqrt(x)+1)*(sqrt(x)-1)", "x - 1");
    e("(exp(x)+1)^2", "2*exp(x) + exp(2*x) + 1");
    // A monomial's power is one term: no budget spent on a million products (and values
    // too large for the oracle).
    deriv(&["expand", "x^2000000*(x+1)"]).prints("x^2000001 + x^2000000");
}

#[test]
fn factor_finds_common_and_irreducible_factors() {
    let f = |i, w| check("factor", i, &[], w);
    f("x^4-1", "(x - 1)*(x + 1)*(x^2 + 1)");
    f("x^2*y+x*y^2", "x*y*(x + y)");
    f("6*x^2*y - 4*x*y^2", "2*x*y*(3*x - 2*y)");
    f("2*x+2", "2*(x + 1)");
    f("1-x^2", "-(x - 1)*(x + 1)");
    f("x^2+2*x+1", "(x + 1)^2");
    f("x^4-y^4", "(x + y)*(x - y)*(x^2 + y^2)");
    // No rational root, but reducible: Kronecker's method splits them.
    f("x^4+4", "(x^2 - 2*x + 2)*(x^2 + 2*x + 2)");
    f("x^6-1", "(x - 1)*(x + 1)*(x^2 + x + 1)*(x^2 - x + 1)");
    f("x^4+1", "x^4 + 1");
    f("x^2+y^2", "x^2 + y^2");
    f("sin(x)^2-cos(x)^2", "-(cos(x) + sin(x))*(cos(x) - sin(x))");
    f("sin(x^2-1)", "sin((x - 1)*(x + 1))");
}

#[test]
fn factor_cancels_the_common_factors_of_a_fraction() {
    let f = |i, w| check("factor", i, &[], w);
    f("(x^2-1)/(x-1)", "x + 1");
    f("(x^2-1)/(x^2+2*x+1)", "(x - 1)/(x + 1)");
    f("1/x + 1/y", "(x + y)/(x*y)");
    f("(x^2-y^2)/(x*y-y^2)", "(x + y)/y");
}

#[test]
fn collect_groups_by_the_powers_of_the_variable() {
    let c = |i, v, w| check("collect", i, &[v], w);
    c("a*x^2+b*x+c*x^2+x", "x", "x^2*(a + c) + x*(b + 1)");
    c("(x+y)^2 + x*sin(y)", "x", "x^2 + x*(2*y + sin(y)) + y^2");
    c("(x+y)^2", "y", "x^2 + 2*x*y + y^2");
    c("a + b", "x", "a + b");
}

#[test]
fn every_format_and_definitions_and_batch() {
    deriv(&["factor", "x^2-1", "--format", "latex"])
        .prints("\\left(x - 1\\right) \\left(x + 1\\right)");
    deriv(&["factor", "x^2-1", "--format", "unicode"]).prints("(x - 1)·(x + 1)");
    let o = deriv(&["expand", "(x+1)^2", "--format", "json"]).run();
    let v = json(o.stdout.trim());
    assert_eq!(v["operation"], "expand");
    assert_eq!(v["result"]["plain"], "x^2 + 2*x + 1", "{v}");
    deriv(&["factor", "p(x)", "--let", "p(t) = t^2 - 4"]).prints("(x - 2)*(x + 2)");
    deriv(&["expand", "(x+k)^2", "--let", "k = 3"]).prints("x^2 + 6*x + 9");
    deriv(&["factor", "-"])
        .stdin("x^2-1\nx^3-x\n")
        .prints("(x - 1)*(x + 1)\nx*(x - 1)*(x + 1)");
    deriv(&["collect", "-", "x"])
        .stdin("a*x+x\n")
        .prints("x*(a + 1)");
    deriv(&["expand", "(x+1)^2", "--at", "x=2"]).prints("9");
}

#[test]
fn huge_work_is_refused_quickly_with_the_limit_named() {
    deriv(&["expand", "(x+y)^100000"]).fails_with(1, "passes 2000000 products of terms");
    deriv(&["factor", "(x+y+z+1)^40"]).fails_with(1, "passes 2000000 products of terms");
    deriv(&["factor", "x^20-1"]).fails_with(1, "only up to degree 10");
    // Coefficients listed densely in x would not fit: refused, not a hang.
    deriv(&["factor", "x^2000000000-1"]).fails_with(1, "passes 2000000 products");
    deriv(&["factor", "x^2147483647*y-y"]).fails_with(1, "passes 2000000 products");
    deriv(&["factor", "1/(x^2000000000-1) + 1/(x-1)"]).fails_with(1, "passes 2000000");
    deriv(&["collect", "x", "2x"]).fails_with(1, "not a variable name");
}
