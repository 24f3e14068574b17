//! The functions machine-learning texts use (issue #14): relu, max, min, heaviside, sign,
//! abs, floor, ceil, log to a base, log2, log10, erf, atan2, asinh, acosh, atanh,
//! softplus and logsumexp. For each: parsing and its arity errors, exact folds, the
//! derivative, the three printers, values at a point (in the stable forms), and what
//! happens at a kink. CLI transcripts of the built binary, plus library tests of the kink
//! finder and the subgradients of `eval::gradient_at_with`.
//!
//! Derivatives and folds were checked with SymPy by hand; the derivative rules are checked
//! numerically by tests/oracle.rs and the corpus tests/cases/diff/ml_functions.txt.

use deriv::eval::{EvalError, Kinks, eval, gradient_at_with, kink_at};
use deriv::expr::{Name, Store};
use deriv::parse::parse;
use deriv::print::{Style, render};

use crate::common::*;

// ---- parsing ------------------------------------------------------------------------------

#[test]
fn the_new_names_are_built_in_functions_not_unknown_ones() {
    // Before: `relu'(x)` and `D[2](max)(0, x)`, silently.
    deriv(&["partial", "relu(x)", "x"]).prints("heaviside(x)");
    deriv(&["partial", "max(0, x)", "x"]).prints("heaviside(x)");
    deriv(&["partial", "softplus(x)", "x"]).prints("sigmoid(x)");
    deriv(&["partial", "log10(x)", "x"]).prints("1/(x*log(10))");
}

#[test]
fn a_wrong_number_of_arguments_says_how_many_the_function_takes() {
    for (text, message) in [
        ("relu(x, y)", "`relu` takes 1 argument, but 2 were given"),
        (
            "heaviside()",
            "`heaviside` takes 1 argument, but 0 were given",
        ),
        ("erf(x, 1)", "`erf` takes 1 argument, but 2 were given"),
        ("atan2(y)", "`atan2` takes 2 arguments, but 1 was given"),
        (
            "atan2(y, x, z)",
            "`atan2` takes 2 arguments, but 3 were given",
        ),
        ("max()", "`max` takes at least 1 argument, but 0 were given"),
        (
            "logsumexp()",
            "`logsumexp` takes at least 1 argument, but 0 were given",
        ),
        (
            "log(x, 2, 3)",
            "`log` takes 1 argument, or 2 for a base (log(x, b)), but 3 were given",
        ),
        ("ln(x, 2)", "`ln` takes 1 argument, but 2 were given"),
        ("log2(x, 3)", "`log2` takes 1 argument, but 2 were given"),
    ] {
        deriv(&["partial", text, "x"]).fails_with(1, message);
    }
}

#[test]
fn the_new_names_are_reserved() {
    deriv(&["partial", "relu*x", "x"]).fails_with(1, "`relu` is a function: write `relu(x)`");
    deriv(&["partial", "log10 + x", "x"]).fails_with(1, "`log10` is a function");
    deriv(&["partial", "max[1]", "x"]).fails_with(1, "`max` cannot be indexed");
    deriv(&["partial", "relu'(x)", "x"]).fails_with(1, "`relu` is a built-in function");
    deriv(&["partial", "x", "x", "--let", "relu(s) = s"])
        .fails_with(1, "`relu` is a built-in function and cannot be redefined");
}

#[test]
fn one_argument_of_an_n_ary_function_is_its_value() {
    deriv(&["simplify", "max(x)"]).prints("x");
    deriv(&["simplify", "min(x^2)"]).prints("x^2");
    deriv(&["simplify", "logsumexp(x)"]).prints("x");
}

// ---- typos ----------------------------------------------------------------------------------

#[test]
fn a_typo_of_a_function_name_is_a_warning_naming_it() {
    for (typo, meant) in [
        ("sinn", "sin"),
        ("sqr", "sqrt"),
        ("lg", "ln"),
        ("rleu", "relu"),
        ("softpuls", "softplus"),
        ("heavisde", "heaviside"),
        ("logsumxp", "logsumexp"),
        ("flor", "floor"),
    ] {
        let o = deriv(&["partial", &format!("{typo}(x)"), "x"]).run();
        assert_eq!(o.code, 0, "{o:#?}");
        assert_eq!(o.stdout, format!("{typo}'(x)\n"));
        assert!(
            o.stderr
                .contains(&format!("warning: `{typo}` is not a built-in function"))
                && o.stderr.contains(&format!("did you mean `{meant}`?")),
            "{typo}: {o:#?}"
        );
    }
}

// ---- exact folds ----------------------------------------------------------------------------

#[test]
fn numbers_fold_exactly_where_the_value_is_exact() {
    for (text, folded) in [
        ("floor(7/2)", "3"),
        ("floor(-7/2)", "-4"),
        ("ceil(7/2)", "4"),
        ("ceil(-7/2)", "-3"),
        ("floor(5)", "5"),
        ("sign(-2)", "-1"),
        ("sign(3/4)", "1"),
        ("sign(0)", "0"),
        ("sign(pi)", "1"),
        ("relu(-3)", "0"),
        ("relu(5/2)", "5/2"),
        ("relu(0)", "0"),
        ("heaviside(2)", "1"),
        ("heaviside(-1/3)", "0"),
        ("heaviside(exp(x))", "1"),
        ("max(1, 2, x)", "max(2, x)"),
        ("min(1, 2, x)", "min(1, x)"),
        ("max(3, 1/2)", "3"),
        ("min(3, 1/2, -4)", "-4"),
        ("max(x, x, y)", "max(x, y)"),
        ("max(x, max(y, z))", "max(x, y, z)"),
        ("max(0, x)", "relu(x)"),
        ("max(x, 0)", "relu(x)"),
        ("relu(relu(x))", "relu(x)"),
        ("log(8, 2)", "3"),
        ("log(1/8, 2)", "-3"),
        ("log(8, 4)", "3/2"),
        ("log(9/4, 3/2)", "2"),
        ("log(6, 2)", "log2(6)"),
        ("log(6, 3)", "log(6, 3)"),
        ("log10(1000)", "3"),
        ("log2(1024)", "10"),
        ("log(x, e)", "log(x)"),
        ("log(x, x)", "1"),
        ("log(1, b)", "0"),
        ("log(2^x, 2)", "x"),
        ("atan2(0, 1)", "0"),
        ("atan2(0, -1)", "pi"),
        ("atan2(2, 0)", "pi/2"),
        ("atan2(-2, 0)", "-pi/2"),
        ("erf(0)", "0"),
        ("erf(-x)", "-erf(x)"),
        ("asinh(-x)", "-asinh(x)"),
        ("atanh(-x)", "-atanh(x)"),
        ("acosh(1)", "0"),
        ("asinh(0)", "0"),
        ("softplus(0)", "log(2)"),
        ("logsumexp(0, x)", "softplus(x)"),
        ("logsumexp(x, logsumexp(y, z))", "logsumexp(x, y, z)"),
        ("logsumexp(y, x)", "logsumexp(x, y)"),
        ("sign(-x)", "-sign(x)"),
        ("sign(sign(x))", "sign(x)"),
        ("floor(ceil(x))", "ceil(x)"),
    ] {
        deriv(&["simplify", text]).prints(folded);
    }
}

#[test]
fn undefined_values_are_errors() {
    deriv(&["simplify", "log(0, 2)"]).fails_with(1, "log(0) is undefined");
    deriv(&["simplify", "log(x, 1)"]).fails_with(1, "division by zero");
    deriv(&["simplify", "atan2(0, 0)"]).fails_with(1, "atan2(0, 0) is undefined");
    // heaviside(0) is an error, not a convention: see docs/syntax.md.
    deriv(&["simplify", "heaviside(0)"]).fails_with(1, "heaviside(0) has no value");
    deriv(&["eval", "heaviside(x)", "--at", "x=0"]).fails_with(1, "heaviside(0) has no value");
}

// ---- derivatives ------------------------------------------------------------------------------

#[test]
fn derivatives_print_the_way_people_write_them() {
    for (f, v, d) in [
        ("relu(x)", "x", "heaviside(x)"),
        ("abs(x)", "x", "sign(x)"),
        ("max(x, y)", "x", "heaviside(x - y)"),
        ("max(x, y)", "y", "heaviside(y - x)"),
        ("min(x, y)", "x", "heaviside(y - x)"),
        ("max(x, y, z)", "x", "heaviside(x - max(y, z))"),
        ("heaviside(x)", "x", "0"),
        ("sign(x)", "x", "0"),
        ("floor(x)", "x", "0"),
        ("ceil(x)", "x", "0"),
        ("erf(x)", "x", "2*exp(-x^2)/sqrt(pi)"),
        ("atan2(y, x)", "x", "-y/(x^2 + y^2)"),
        ("atan2(y, x)", "y", "x/(x^2 + y^2)"),
        ("asinh(x)", "x", "1/sqrt(x^2 + 1)"),
        ("acosh(x)", "x", "1/sqrt(x^2 - 1)"),
        ("atanh(x)", "x", "1/(1 - x^2)"),
        ("softplus(x)", "x", "sigmoid(x)"),
        ("logsumexp(x, y)", "x", "exp(x - logsumexp(x, y))"),
        ("log(x, b)", "x", "1/(x*log(b))"),
        ("log(x, b)", "b", "-log(x)/(b*log(b)^2)"),
        ("log2(x)", "x", "1/(x*log(2))"),
        ("log10(x)", "x", "1/(x*log(10))"),
    ] {
        deriv(&["partial", f, v]).prints(d);
    }
}

#[test]
fn softmax_cross_entropy_differentiates_to_p_minus_t() {
    deriv(&["partial", "logsumexp(z1, z2, z3) - z1", "z1"])
        .prints("exp(z1 - logsumexp(z1, z2, z3)) - 1");
    deriv(&["partial", "logsumexp(z1, z2, z3) - z1", "z2"])
        .prints("exp(z2 - logsumexp(z1, z2, z3))");
    let loss = "logsumexp(z1, z2, z3) - t1*z1 - t2*z2 - t3*z3";
    deriv(&["partial", loss, "z1"]).prints("exp(z1 - logsumexp(z1, z2, z3)) - t1");
    deriv(&["grad", loss, "--wrt", "z1,z2,z3"]).prints(
        "[exp(z1 - logsumexp(z1, z2, z3)) - t1, exp(z2 - logsumexp(z1, z2, z3)) - t2, \
         exp(z3 - logsumexp(z1, z2, z3)) - t3]",
    );
}

#[test]
fn softmax_cross_entropy_evaluates_above_a_logit_of_709() {
    let loss = "logsumexp(z1, z2, z3) - t1*z1 - t2*z2 - t3*z3";
    let at = "z1=1000,z2=999,z3=0,t1=1,t2=0,t3=0";
    // log(1 + e^-1 + e^-1000) and softmax(z)_1 - 1 = 1/(1 + e^-1) - 1.
    let o = deriv(&["eval", loss, "--at", at]).run();
    assert_value(&o, (1.0 + (-1f64).exp()).ln());
    let o = deriv(&["partial", loss, "z1", "--at", at]).run();
    assert_value(&o, 1.0 / (1.0 + (-1f64).exp()) - 1.0);
    let o = deriv(&["partial", loss, "z2", "--at", at]).run();
    assert_value(&o, (-1f64).exp() / (1.0 + (-1f64).exp()));
}

/// The loss at logits near 1000 is a difference of numbers near 1000: it keeps about 13
/// digits.
fn assert_value(o: &Output, want: f64) {
    assert_eq!(o.code, 0, "{o:#?}");
    let got = number(&o.stdout);
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

/// A printed value: a double, or an exact rational `p/q`.
fn number(text: &str) -> f64 {
    let t = text.trim();
    match t.split_once('/') {
        Some((p, q)) => p.parse::<f64>().expect("p") / q.parse::<f64>().expect("q"),
        None => t.parse().unwrap_or_else(|_| panic!("not a number: {t:?}")),
    }
}

// ---- printing ------------------------------------------------------------------------------

#[test]
fn each_function_prints_in_plain_unicode_and_latex() {
    for (text, plain, unicode, latex) in [
        (
            "relu(x)",
            "relu(x)",
            "relu(x)",
            "\\operatorname{relu}\\left(x\\right)",
        ),
        (
            "heaviside(x)",
            "heaviside(x)",
            "heaviside(x)",
            "\\operatorname{heaviside}\\left(x\\right)",
        ),
        (
            "sign(x)",
            "sign(x)",
            "sign(x)",
            "\\operatorname{sgn}\\left(x\\right)",
        ),
        (
            "floor(x)",
            "floor(x)",
            "⌊x⌋",
            "\\left\\lfloor x\\right\\rfloor ",
        ),
        (
            "ceil(x)",
            "ceil(x)",
            "⌈x⌉",
            "\\left\\lceil x\\right\\rceil ",
        ),
        ("abs(x)", "abs(x)", "|x|", "\\left|x\\right|"),
        (
            "erf(x)",
            "erf(x)",
            "erf(x)",
            "\\operatorname{erf}\\left(x\\right)",
        ),
        (
            "asinh(x)",
            "asinh(x)",
            "asinh(x)",
            "\\operatorname{arsinh}\\left(x\\right)",
        ),
        (
            "acosh(x)",
            "acosh(x)",
            "acosh(x)",
            "\\operatorname{arcosh}\\left(x\\right)",
        ),
        (
            "atanh(x)",
            "atanh(x)",
            "atanh(x)",
            "\\operatorname{artanh}\\left(x\\right)",
        ),
        (
            "softplus(x)",
            "softplus(x)",
            "softplus(x)",
            "\\operatorname{softplus}\\left(x\\right)",
        ),
        (
            "atan2(y, x)",
            "atan2(y, x)",
            "atan2(y, x)",
            "\\operatorname{atan2}\\left(y, x\\right)",
        ),
        (
            "max(x, y)",
            "max(x, y)",
            "max(x, y)",
            "\\max\\left(x, y\\right)",
        ),
        (
            "min(x, y)",
            "min(x, y)",
            "min(x, y)",
            "\\min\\left(x, y\\right)",
        ),
        (
            "logsumexp(x, y)",
            "logsumexp(x, y)",
            "logsumexp(x, y)",
            "\\operatorname{logsumexp}\\left(x, y\\right)",
        ),
        (
            "log(x, b)",
            "log(x, b)",
            "log(x, b)",
            "\\log_{b}\\left(x\\right)",
        ),
        (
            "log(x, 3)",
            "log(x, 3)",
            "log(x, 3)",
            "\\log_{3}\\left(x\\right)",
        ),
        ("log2(x)", "log2(x)", "log2(x)", "\\log_{2}\\left(x\\right)"),
        (
            "log10(x)",
            "log10(x)",
            "log10(x)",
            "\\log_{10}\\left(x\\right)",
        ),
        (
            "floor(x)^2",
            "floor(x)^2",
            "⌊x⌋²",
            "\\left\\lfloor x\\right\\rfloor ^{2}",
        ),
        (
            "erf(x)^2",
            "erf(x)^2",
            "erf(x)²",
            "\\operatorname{erf}^{2}\\left(x\\right)",
        ),
    ] {
        deriv(&["simplify", text, "--format", "plain"]).prints(plain);
        deriv(&["simplify", text, "--format", "unicode"]).prints(unicode);
        deriv(&["simplify", text, "--format", "latex"]).prints(latex);
        // The plain form reads back to itself.
        deriv(&["simplify", plain]).prints(plain);
    }
}

// ---- values at a point -------------------------------------------------------------------

#[test]
fn each_function_evaluates_at_a_point() {
    let e = std::f64::consts::E;
    for (text, at, want) in [
        ("relu(x)", "x=-0.5", 0.0),
        ("relu(x)", "x=1.5", 1.5),
        ("heaviside(x)", "x=0.25", 1.0),
        ("sign(x)", "x=-0.25", -1.0),
        ("floor(x)", "x=-0.25", -1.0),
        ("ceil(x)", "x=0.25", 1.0),
        ("max(x, y, 1)", "x=0.5,y=2.5", 2.5),
        ("min(x, y, 1)", "x=0.5,y=2.5", 0.5),
        ("erf(x)", "x=0.5", 0.520_499_877_813_046_5),
        ("atan2(y, x)", "x=-1,y=1", 3.0 * std::f64::consts::FRAC_PI_4),
        ("asinh(x)", "x=0.5", 0.5f64.asinh()),
        ("acosh(x)", "x=2", 2f64.acosh()),
        ("atanh(x)", "x=0.5", 0.5f64.atanh()),
        ("softplus(x)", "x=0.5", (1.0 + 0.5f64.exp()).ln()),
        ("logsumexp(x, y)", "x=1,y=2", (e + e * e).ln()),
        ("log(x, b)", "x=5,b=3", 5f64.ln() / 3f64.ln()),
        ("log2(x)", "x=5", 5f64.log2()),
        ("log10(x)", "x=5", 5f64.log10()),
    ] {
        let o = deriv(&["eval", text, "--at", at]).run();
        assert_eq!(o.code, 0, "{text} at {at}: {o:#?}");
        let got = number(&o.stdout);
        assert!(
            (got - want).abs() <= 1e-15 * want.abs().max(1.0),
            "{text} at {at}: got {got}, want {want}"
        );
    }
}

#[test]
fn values_that_fold_are_exact_at_a_point() {
    deriv(&[
        "eval",
        "floor(x) + relu(y) + max(x, y)",
        "--at",
        "x=7/2,y=-1",
    ])
    .prints("13/2");
    deriv(&["eval", "log(x, 2) + sign(y)", "--at", "x=8,y=-3"]).prints("2");
    deriv(&["partial", "relu(x)*x", "x", "--at", "x=3"]).prints("6");
}

#[test]
fn stable_forms_do_not_overflow() {
    for (text, at, want) in [
        ("log(sigmoid(x))", "x=-800", -800.0),
        ("log(1 - sigmoid(x))", "x=800", -800.0),
        ("log(exp(x) + 1)", "x=1000", 1000.0),
        ("softplus(x)", "x=1000", 1000.0),
        ("1/(1 + exp(x))", "x=700", 1.0 / (1.0 + 700f64.exp())),
        ("sigmoid(x)", "x=-700", 1.0 / (1.0 + 700f64.exp())),
        ("1/(1 + exp(x)) * exp(x)", "x=710", 1.0),
        ("logsumexp(x, y)", "x=1000,y=1000", 1000.0 + 2f64.ln()),
        ("exp(x - logsumexp(x, y))", "x=1000,y=0", 1.0),
    ] {
        let o = deriv(&["eval", text, "--at", at]).run();
        assert_eq!(o.code, 0, "{text} at {at}: {o:#?}");
        let got = number(&o.stdout);
        assert!(
            (got - want).abs() <= 1e-14 * want.abs().max(1.0),
            "{text} at {at}: got {got}, want {want}"
        );
    }
    // A value below the doubles is not printed as 0: an error says how small it is.
    for (text, at) in [("softplus(x)", "x=-1000"), ("sigmoid(x)", "x=-800")] {
        deriv(&["eval", text, "--at", at]).fails_with(1, "too small for a double at this point");
    }
}

#[test]
fn an_overflow_the_result_keeps_is_still_an_error_naming_it() {
    deriv(&["eval", "exp(x)", "--at", "x=800"])
        .fails_with(1, "exp(800) is too large for a double at this point");
    deriv(&["eval", "exp(x)*sin(x)", "--at", "x=800"])
        .fails_with(1, "exp(800)*sin(800) is too large for a double");
}

#[test]
fn values_outside_the_domain_are_errors() {
    deriv(&["eval", "acosh(x)", "--at", "x=0.5"]).fails_with(1, "acosh(1/2) is undefined");
    deriv(&["eval", "atanh(x)", "--at", "x=1"]).fails_with(1, "atanh(1) is undefined");
    deriv(&["eval", "log(x, b)", "--at", "x=2,b=-2"]).fails_with(1, "is undefined");
}

// ---- kinks ---------------------------------------------------------------------------------

#[test]
fn a_derivative_at_a_kink_does_not_exist_and_the_convention_is_named() {
    let o = deriv(&["partial", "relu(x)", "x", "--at", "x=0"]).fails(1);
    assert!(
        o.stderr.contains("relu(x) has a kink where x = 0"),
        "{o:#?}"
    );
    assert!(
        o.stderr.contains("PyTorch and JAX take relu'(0) = 0"),
        "{o:#?}"
    );
    let o = deriv(&["partial", "max(x, y)", "x", "--at", "x=1,y=1"]).fails(1);
    assert!(o.stderr.contains("does not exist at this point"), "{o:#?}");
    assert!(
        o.stderr
            .contains("JAX gives each tied argument of max or min 1/2"),
        "{o:#?}"
    );
    deriv(&["partial", "min(x, 2*y)", "y", "--at", "x=2,y=1"]).fails(1);
    deriv(&["grad", "relu(w*x + b)", "--at", "w=1,x=1,b=-1"]).fails(1);
    // abs' is sign, which is 0 at 0: a number there would be silent, so it is refused too.
    deriv(&["partial", "abs(x)", "x", "--at", "x=0"]).fails_with(1, "abs(x) has a kink");
    deriv(&["partial", "floor(x)", "x", "--at", "x=2"]).fails(1);
    // Only kinks in the variable differentiated by.
    deriv(&["partial", "abs(x)*y", "y", "--at", "x=0,y=1"]).prints("0");
    // Gradient descent takes the subgradient and goes on.
    let o = deriv(&["step", "relu(w*x)^2 + w^2", "--wrt", "w", "--at", "w=1,x=0"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(o.stdout.starts_with("w = 0.8"), "{o:#?}");
}

#[test]
fn near_a_kink_the_derivative_has_its_value() {
    deriv(&["partial", "relu(x)", "x", "--at", "x=1e-9"]).prints("1");
    deriv(&["partial", "relu(x)", "x", "--at", "x=-1e-9"]).prints("0");
    deriv(&["partial", "max(x, y)", "x", "--at", "x=1,y=0.999"]).prints("1");
    deriv(&["partial", "abs(x)", "x", "--at", "x=-2"]).prints("-1");
}

fn setup(text: &str, vars: &[&str]) -> (Store, deriv::expr::ExprId, Vec<Name>) {
    let mut s = Store::new();
    let f = parse(&mut s, text).expect("parses");
    let names = vars.iter().map(|v| s.intern_name(v)).collect();
    (s, f, names)
}

fn env(names: &[Name], vals: &[f64]) -> impl Fn(Name) -> Option<f64> {
    let pairs: Vec<(Name, f64)> = names.iter().copied().zip(vals.iter().copied()).collect();
    move |n| pairs.iter().find(|p| p.0 == n).map(|p| p.1)
}

/// Every function with a kink, at its kink, through the library's kink finder: the
/// derivatives of abs, sign, heaviside, floor and ceil have no `heaviside` in them, so
/// their formulas alone give a number there (sign(0) = 0, floor' = 0).
#[test]
fn the_kink_finder_names_the_kinked_call() {
    for (text, vals, kinked, words) in [
        (
            "relu(x) + x",
            [0.0, 5.0],
            "relu(x)",
            "has a kink where x = 0",
        ),
        (
            "abs(x - y)",
            [2.0, 2.0],
            "abs(x - y)",
            "has a kink where x - y = 0",
        ),
        ("sign(x)", [0.0, 1.0], "sign(x)", "has a jump where x = 0"),
        (
            "floor(x)*y",
            [3.0, 1.0],
            "floor(x)",
            "jumps where x is an integer",
        ),
        (
            "ceil(2*x)",
            [0.5, 1.0],
            "ceil(2*x)",
            "jumps where 2*x is an integer",
        ),
        (
            "max(x, y, 0)",
            [1.0, 1.0],
            "max(0, x, y)",
            "has a kink where its arguments tie",
        ),
        (
            "min(x, y)",
            [1.0, 1.0],
            "min(x, y)",
            "has a kink where its arguments tie",
        ),
    ] {
        let (s, f, names) = setup(text, &["x", "y"]);
        let at = kink_at(&s, f, &names[..1], &env(&names, &vals))
            .unwrap_or_else(|| panic!("{text}: no kink found at {vals:?}"));
        assert_eq!(render(&s, at, Style::Plain), kinked, "{text}");
        // The command line words it, with the convention a framework would use.
        let point = format!("x={},y={}", vals[0], vals[1]);
        let o = deriv(&["partial", text, "x", "--at", &point]).fails(1);
        assert!(
            o.stderr.contains(kinked) && o.stderr.contains(words),
            "{text}: {}",
            o.stderr
        );
        assert!(
            o.stderr.contains("frameworks take a subgradient there: "),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn the_kink_finder_finds_nothing_away_from_kinks_or_for_other_variables() {
    for (text, vals) in [
        ("relu(x) + abs(x)", [0.5, 0.0]),
        ("floor(x)", [2.5, 0.0]),
        ("max(x, y)", [1.0, 2.0]),
        // relu(y) is at its kink, but nothing there depends on x.
        ("relu(y)*x", [1.0, 0.0]),
        ("sin(x)", [0.0, 0.0]),
    ] {
        let (s, f, names) = setup(text, &["x", "y"]);
        assert_eq!(
            kink_at(&s, f, &names[..1], &env(&names, &vals)),
            None,
            "{text}"
        );
    }
}

/// Gradient descent must go on through an input of exactly 0 (XOR's (0, 0) without a
/// bias): with `Kinks::Subgradient` the frameworks' values are taken, with `Kinks::Error`
/// the kink is reported.
#[test]
fn subgradients_for_training_errors_for_questions() {
    for (text, vals, want) in [
        ("relu(w*x)", [2.0, 0.0], [0.0, 0.0]),
        ("abs(w*x)", [2.0, 0.0], [0.0, 0.0]),
        ("max(w, x)", [1.0, 1.0], [0.5, 0.5]),
        ("min(w, x, 1)", [1.0, 1.0], [1.0 / 3.0, 1.0 / 3.0]),
        ("floor(w) + x", [1.0, 3.0], [0.0, 1.0]),
    ] {
        let (s, f, names) = setup(text, &["w", "x"]);
        let e = env(&names, &vals);
        let (_, g) = gradient_at_with(&s, f, &names, &e, Kinks::Subgradient)
            .unwrap_or_else(|err| panic!("{text}: {err:?}"));
        assert_eq!(g, want, "{text}");
        let err = gradient_at_with(&s, f, &names, &e, Kinks::Error).unwrap_err();
        assert!(matches!(err, EvalError::Kink(_)), "{text}: {err:?}");
    }
    // Away from kinks both agree with the derivative.
    let (s, f, names) = setup("relu(w*x) + max(w, x)", &["w", "x"]);
    let e = env(&names, &[2.0, 0.5]);
    let (v, g) = gradient_at_with(&s, f, &names, &e, Kinks::Error).unwrap();
    assert_eq!((v, g), (3.0, vec![1.5, 2.0]));
}

#[test]
fn heaviside_at_zero_is_a_kink_error_in_doubles_too() {
    let (s, f, names) = setup("heaviside(x - y)", &["x", "y"]);
    let err = eval(&s, f, &env(&names, &[0.5, 0.5])).unwrap_err();
    assert_eq!(err, EvalError::Kink(f));
    // On the command line the point is exact, so heaviside(0) folds to undefined first.
    let o = deriv(&["eval", "heaviside(x - y)", "--at", "x=0.5,y=0.5"]).fails(1);
    assert!(
        o.stderr.contains("heaviside(0) has no value"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("relu'(0) = 0"), "{}", o.stderr);
}
