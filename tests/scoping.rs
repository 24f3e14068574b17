//! Bound variables: a definition's parameters and a sum's index are local to their body.
//! An outer value of the same name (`--let`, `--given`, `--at`, a `--defs` file) does not
//! reach them, an argument that mentions the name is not captured by them, and a constant
//! or a built-in function's name cannot be bound, differentiated by or given a value.
//!
//! Every expected value was worked out by hand (and checked with SymPy); each of these
//! cases printed a wrong answer, or a wrong reason, before bound variables were scoped.

use crate::common::*;

// ---- parameters --------------------------------------------------------------------------

#[test]
fn a_constant_does_not_replace_a_parameter_of_the_same_name() {
    deriv(&["simplify", "f(2)", "--let", "f(a)=a^2", "--let", "a=3"]).prints("4");
    deriv(&["partial", "f(x)", "x", "--let", "f(a)=a^2", "--let", "a=3"]).prints("2*x");
    // A body's free names are still the constants: only the parameter is local.
    deriv(&["simplify", "f(2)", "--let", "f(s)=a*s", "--let", "a=3"]).prints("6");
    // Through another function whose parameter has the same name.
    deriv(&[
        "simplify",
        "g(2)",
        "--let",
        "g(a)=f(a)+a",
        "--let",
        "f(a)=a^2",
        "--let",
        "a=3",
    ])
    .prints("6");
}

#[test]
fn a_derivative_rule_keeps_its_parameter() {
    // f'(s) = 2s, so d/dx f(x^2) = 2x^2·2x; s = 7 is another name.
    deriv(&[
        "partial",
        "f(x^2)",
        "x",
        "--let",
        "f'(s)=2*s",
        "--let",
        "s=7",
    ])
    .prints("4*x^3");
}

#[test]
fn a_constant_may_use_a_function_whose_parameter_shares_its_name() {
    // `a` in f's body is f's parameter, not the constant a: no cycle.
    deriv(&["simplify", "a", "--let", "f(a)=a^2", "--let", "a=f(2)"]).prints("4");
}

#[test]
fn parameters_in_a_defs_file_are_local_too() {
    let dir = TempDir::new();
    let f = dir.write(
        "d.defs",
        "a = 3\nf(a) = a^2 + a\nk = 10\ng(n) = sum(k = 1..n, k)\n",
    );
    let file = f.to_str().expect("utf-8 path");
    deriv(&["simplify", "f(2)", "--defs", file]).prints("6");
    deriv(&["simplify", "g(3)", "--defs", file]).prints("6");
}

// ---- sum indices -------------------------------------------------------------------------

#[test]
fn a_sum_index_shadows_a_constant() {
    deriv(&["simplify", "sum(i=1..3,i)", "--let", "i=10"]).prints("6");
    // In a constant's body, and in a --given right-hand side.
    deriv(&["simplify", "y", "--let", "y=sum(i=1..3,i)", "--let", "i=4"]).prints("6");
    deriv(&[
        "total",
        "t",
        "x",
        "--given",
        "t=sum(i=1..2,i*x)",
        "--let",
        "i=5",
    ])
    .prints("3");
}

#[test]
fn a_sum_index_shadows_a_parameter() {
    deriv(&["simplify", "f(3)", "--let", "f(k)=sum(k=1..2,k)"]).prints("3");
    deriv(&[
        "simplify",
        "f(3)",
        "--let",
        "f(n)=sum(i=1..n,i)",
        "--let",
        "i=10",
    ])
    .prints("6");
}

#[test]
fn an_argument_is_not_captured_by_an_index() {
    // f(i) = 1·i + 2·i: the argument's i is not the index.
    deriv(&["simplify", "f(i)", "--let", "f(k)=sum(i=1..2,k*i)"]).prints("3*i");
}

#[test]
fn a_sums_bounds_are_outside_its_scope() {
    // sum(i = 1..i, i) with i = 3 outside: the bound is the outer i.
    deriv(&["simplify", "sum(i=1..i,i)", "--let", "i=3"]).prints("6");
}

#[test]
fn an_inner_sums_bounds_may_use_the_outer_index() {
    // Σ_{i=1..2} Σ_{j=1..i} i·j = 1 + 2·(1 + 2).
    deriv(&["simplify", "sum(i=1..2, sum(j=1..i, i*j))"]).prints("7");
    deriv(&["simplify", "sum(i=1..3, sum(j=i..3, x[i]*x[j]))"])
        .prints("x[1]^2 + x[1]*x[2] + x[1]*x[3] + x[2]^2 + x[2]*x[3] + x[3]^2");
    // A bound that stays unknown is still an error.
    deriv(&["simplify", "sum(i=1..2, sum(j=1..n, x))"]).fails_with(
        1,
        "the bounds of sum(j = ...) must be known integers, but one is `n`",
    );
}

#[test]
fn a_sum_in_a_function_is_expanded_before_it_is_differentiated() {
    // f(x) = x + x^2 + x^3: f'(2) = 1 + 4 + 12.
    deriv(&["simplify", "f'(2)", "--let", "f(x)=sum(i=1..3,x^i)"]).prints("17");
}

#[test]
fn a_derivative_through_bound_names_agrees_with_finite_differences() {
    // f(a) = Σ_{k=1..4} a^k/k with a = 3 and k = 2 given outside: f'(x) = 1 + x + x^2 + x^3.
    let f = |x: f64| (1..=4).map(|k| x.powi(k) / k as f64).sum::<f64>();
    for x in [-1.3, -0.4, 0.25, 0.9, 1.7] {
        let at = format!("x={x}");
        let o = deriv(&[
            "partial",
            "f(x)",
            "x",
            "--let",
            "f(a)=sum(k=1..4, a^k/k)",
            "--let",
            "a=3",
            "--let",
            "k=2",
            "--at",
            &at,
        ])
        .run();
        assert_eq!(o.code, 0, "{o:#?}");
        let h = 1e-5;
        let fd = (f(x + h) - f(x - h)) / (2.0 * h);
        let got = number(&o.stdout);
        assert!(
            (got - fd).abs() < 1e-6 * fd.abs().max(1.0),
            "x={x}: {got} vs {fd}"
        );
    }
}

// ---- names that cannot be bound or given ---------------------------------------------------

#[test]
fn a_constant_cannot_be_a_sum_index() {
    let o = deriv(&["simplify", "sum(pi=1..3, pi)"])
        .fails_with(1, "`pi` is a constant, so it cannot be the index of a sum");
    assert!(
        o.stderr.contains("sum(pi=1..3, pi)\n  |     ^^ here"),
        "{}",
        o.stderr
    );
    deriv(&["partial", "sum(e=1..3, x^e)", "x"])
        .fails_with(1, "`e` is a constant, so it cannot be the index of a sum");
}

#[test]
fn a_function_name_cannot_be_a_sum_index() {
    deriv(&["simplify", "sum(sin=1..2, x)"]).fails_with(
        1,
        "`sin` is a built-in function, so it cannot be the index of a sum",
    );
}

#[test]
fn a_function_name_cannot_be_differentiated_by() {
    deriv(&["partial", "x", "sin"]).fails_with(
        1,
        "`sin` is a built-in function; it cannot be differentiated by",
    );
    deriv(&["grad", "x*y", "--wrt", "exp"]).fails_with(
        1,
        "`exp` is a built-in function; it cannot be differentiated by",
    );
}

#[test]
fn a_function_name_or_a_constant_cannot_be_given_a_value() {
    deriv(&["total", "x", "y", "--given", "sin=y"]).fails_with(
        1,
        "`sin` is a built-in function, so it cannot be given a value",
    );
    deriv(&["total", "x", "y", "--given", "e=y"])
        .fails_with(1, "`e` is a constant, so it cannot be given a value");
    deriv(&["eval", "x", "--at", "cos=2,x=1"]).fails_with(
        1,
        "`cos` is a built-in function, so it cannot be given a value",
    );
    deriv(&["eval", "x", "--at", "e=2,x=1"])
        .fails_with(1, "`e` is a constant, so it cannot be given a value");
    deriv(&["simplify", "x", "--let", "e=3"])
        .fails_with(1, "`e` is a constant and cannot be redefined");
}

#[test]
fn a_function_name_or_a_constant_cannot_be_a_parameter() {
    deriv(&["simplify", "x", "--let", "f(sin)=sin"]).fails_with(
        1,
        "`sin` is a built-in function, so it cannot be a parameter",
    );
    deriv(&["simplify", "x", "--let", "f(e)=e"])
        .fails_with(1, "`e` is a constant, so it cannot be a parameter");
}

#[test]
fn the_dependent_variable_must_be_a_variable() {
    let rel = ["total", "y", "x", "--given", "x^2+y^2=1", "--dependent"];
    let with = |d: &'static str| [&rel[..], &[d]].concat();
    deriv(&with("sin")).fails_with(1, "--dependent sin: `sin` is a built-in function");
    deriv(&with("pi")).fails_with(1, "--dependent pi: `pi` is a constant");
    deriv(&with("2x")).fails_with(1, "--dependent 2x: `2x` is not a variable name");
}
