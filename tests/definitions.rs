//! Definitions and implicit relations: `--let`, `--defs FILE`, derivative rules that keep a
//! function symbolic, the errors they can raise, and `deriv total` with an implicit
//! relation `--given 'F = G'` (with `--dependent`). Transcripts of the built binary, and a
//! numeric oracle:
//!
//! - implicit derivatives against a numeric solution: y(x) is solved from the relation by
//!   Newton's method here in the test, and dy/dx is a central difference of that solution;
//! - definitions with derivative rules against central differences of the function written
//!   out by hand in Rust (so a wrong rule, or a wrong expansion, cannot agree with itself).
//!
//! Expected symbolic results were worked out by hand and checked with SymPy (not needed to
//! run these tests). Standard output is a pipe here, so the default format is `plain`.

// ---- running the binary ----------------------------------------------------------------

use crate::common::*;
use std::time::Duration;

/// The sigmoid with a = 2, with and without its derivative rule.
const PHI: &str = "phi(s) = 1/(1+exp(-a*s))";
const A: &str = "a = 2";
const RULE: &str = "phi'(s) = a*phi(s)*(1-phi(s))";

fn with_defs<'a>(args: &[&'a str], defs: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    for d in defs {
        v.push("--let");
        v.push(d);
    }
    v
}

/// The value `deriv ARGS --at POINT` prints (exit 0 expected).
fn value_at(args: &[&str], point: &str) -> f64 {
    let mut v = args.to_vec();
    v.push("--at");
    v.push(point);
    let o = deriv(&v).run();
    assert_eq!(o.code, 0, "deriv {v:?}\n{o:#?}");
    number(&o.stdout)
}

fn close(symbolic: f64, numeric: f64, tol: f64) -> bool {
    (symbolic - numeric).abs() <= tol * symbolic.abs().max(numeric.abs()).max(1.0)
}

/// Central difference of `f` at `x`.
fn diff(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-5;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

// ---- definitions: constants, functions, rules -------------------------------------------

#[test]
fn a_rule_keeps_the_function_symbolic() {
    deriv(&with_defs(&["partial", "phi(w*x)", "w"], &[PHI, A, RULE]))
        .prints("2*x*phi(w*x)*(1 - phi(w*x))");
    // The order of the definitions does not matter.
    deriv(&with_defs(&["partial", "phi(w*x)", "w"], &[RULE, A, PHI]))
        .prints("2*x*phi(w*x)*(1 - phi(w*x))");
    // Unicode writes phi as φ, with the product dot.
    deriv(&with_defs(
        &["partial", "phi(w*x)", "w", "--format", "unicode"],
        &[PHI, A, RULE],
    ))
    .prints("2x·φ(w·x)·(1 - φ(w·x))");
}

#[test]
fn a_function_without_a_rule_is_expanded_where_called() {
    // d/dw 1/(1 + e^(−2wx)) = 2x·e^(−2wx)/(e^(−2wx) + 1)²
    deriv(&with_defs(&["partial", "phi(w*x)", "w"], &[PHI, A]))
        .prints("2*x*exp(-2*w*x)/(exp(-2*w*x) + 1)^2");
    deriv(&with_defs(&["simplify", "phi(x)"], &[PHI, A])).prints("1/(exp(-2*x) + 1)");
    // Two parameters, substituted by position.
    deriv(&["partial", "h(x*y, x)", "x", "--let", "h(u, v) = u^2*v"]).prints("3*x^2*y^2");
    deriv(&["partial", "h(x, y)", "y", "--let", "h(u,v) = u^2*v"]).prints("x^2");
}

#[test]
fn constants_are_substituted() {
    deriv(&["partial", "a*x^2", "x", "--let", "a = 3"]).prints("6*x");
    deriv(&["simplify", "a + b", "--let", "a = 2", "--let", "b = a/4"]).prints("5/2");
    // A constant may be any expression without variables, e.g. with pi.
    deriv(&["partial", "k*x", "x", "--let", "k = 2*pi"]).prints("2*pi");
}

#[test]
fn a_rule_alone_defines_the_derivative_of_an_unknown_function() {
    deriv(&["partial", "g(x^2)", "x", "--let", "g'(s) = cos(s)"]).prints("2*x*cos(x^2)");
    // Without the rule, g stays an unknown function.
    let o = deriv(&["partial", "g(x^2)", "x"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "2*x*g'(x^2)\n", "{o:#?}");
}

#[test]
fn at_expands_everything() {
    // 2x·φ(1−φ) at w = 1, x = 1/2: φ = 1/(1+e^(−1)), value 0.19661193324148185.
    let args = with_defs(&["partial", "phi(w*x)", "w"], &[PHI, A, RULE]);
    let v = value_at(&args, "w=1,x=1/2");
    let p = 1.0 / (1.0 + (-1.0f64).exp());
    assert!(close(v, p * (1.0 - p), 1e-12), "{v}");
    // eval expands too, and stays exact when it folds: φ(0) = 1/2.
    deriv(&with_defs(
        &["eval", "phi(x)", "--at", "x=0"],
        &[PHI, A, RULE],
    ))
    .prints("1/2");
}

#[test]
fn check_passes_with_a_correct_rule() {
    let o = deriv(&with_defs(
        &["partial", "phi(w*x)", "w", "--check"],
        &[PHI, A, RULE],
    ))
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "2*x*phi(w*x)*(1 - phi(w*x))\n", "{o:#?}");
    assert!(o.stderr.starts_with("check: ok"), "{o:#?}");
}

#[test]
fn check_fails_with_a_wrong_rule() {
    // φ' = φ is not the derivative of the sigmoid: --check expands φ and must notice.
    let o = deriv(&with_defs(
        &["partial", "phi(w*x)", "w", "--check"],
        &[PHI, A, "phi'(s) = phi(s)"],
    ))
    .fails_with(1, "check failed");
    assert!(o.stderr.contains("disagrees"), "{o:#?}");
    // The same at a given point.
    deriv(&with_defs(
        &["partial", "phi(x)", "x", "--check", "--at", "x=0.3"],
        &[PHI, A, "phi'(s) = a*phi(s)"],
    ))
    .fails_with(1, "check failed");
    // A rule off by a constant factor is caught too.
    deriv(&with_defs(
        &["partial", "phi(x)", "x", "--check"],
        &[PHI, A, "phi'(s) = phi(s)*(1-phi(s))"],
    ))
    .fails_with(1, "check failed");
}

#[test]
fn defs_file_with_comments_and_blank_lines() {
    let dir = TempDir::new();
    let file = dir.write(
        "sigmoid.defs",
        "# the logistic sigmoid\na = 2   # slope\n\nphi(s) = 1/(1+exp(-a*s))\n  \nphi'(s) = a*phi(s)*(1-phi(s))\n",
    );
    let f = file.to_str().unwrap();
    deriv(&["partial", "phi(w*x)", "w", "--defs", f]).prints("2*x*phi(w*x)*(1 - phi(w*x))");
    // --defs and --let together.
    deriv(&["partial", "b*phi(x)", "x", "--defs", f, "--let", "b = 3"])
        .prints("6*phi(x)*(1 - phi(x))");
    // An error in the file names the file and the line.
    let bad = dir.write("bad.defs", "a = 2\n# fine\nphi(s = 2\n");
    let o = deriv(&["partial", "x", "x", "--defs", bad.to_str().unwrap()])
        .fails_with(1, "is not a name or a call like f(x)");
    assert!(o.stderr.contains("bad.defs:3"), "{o:#?}");
}

// ---- definitions: errors ---------------------------------------------------------------

#[test]
fn a_definition_in_terms_of_itself_is_an_error() {
    let o = deriv(&["partial", "phi(x)", "x", "--let", "phi(s) = phi(s)+1"])
        .fails_with(1, "`phi` is defined in terms of itself");
    assert!(o.stderr.contains("--let phi(s) = phi(s)+1"), "{o:#?}");
    // Through another definition.
    deriv(&[
        "partial",
        "a*x",
        "x",
        "--let",
        "a = b",
        "--let",
        "b = a + 1",
    ])
    .fails_with(1, "is defined in terms of itself");
    deriv(&["partial", "x", "x", "--let", "c = c"])
        .fails_with(1, "`c` is defined in terms of itself");
}

#[test]
fn a_call_with_the_wrong_number_of_arguments_is_an_error() {
    deriv(&["partial", "phi(x, y)", "x", "--let", "phi(s) = s^2"])
        .fails_with(1, "`phi` takes 1 argument (definition 1), but 2 were given");
    deriv(&["partial", "h(x)", "x", "--let", "h(u, v) = u*v"])
        .fails_with(1, "`h` takes 2 arguments (definition 1), but 1 was given");
}

#[test]
fn redefining_a_builtin_is_an_error() {
    deriv(&["partial", "sin(x)", "x", "--let", "sin(x) = x"])
        .fails_with(1, "`sin` is a built-in function and cannot be redefined");
    deriv(&["partial", "x", "x", "--let", "exp(s) = s"])
        .fails_with(1, "`exp` is a built-in function and cannot be redefined");
    deriv(&["partial", "x", "x", "--let", "sqrt = 2"])
        .fails_with(1, "`sqrt` is a built-in function and cannot be redefined");
    deriv(&["partial", "x", "x", "--let", "cos'(s) = s"])
        .fails_with(1, "`cos` is a built-in function and cannot be redefined");
}

#[test]
fn a_constant_cannot_be_differentiated_by() {
    deriv(&["partial", "a*x", "a", "--let", "a = 2"])
        .fails_with(1, "`a` is a constant defined with --let");
    deriv(&["total", "a*x", "a", "--let", "a=2"])
        .fails_with(1, "`a` is a constant defined with --let");
}

#[test]
fn duplicate_definitions_are_errors() {
    deriv(&["partial", "a*x", "x", "--let", "a = 2", "--let", "a = 3"])
        .fails_with(1, "`a` is defined twice (first in definition 1)");
    deriv(&[
        "partial",
        "f(x)",
        "x",
        "--let",
        "f(s) = s",
        "--let",
        "f(t) = t^2",
    ])
    .fails_with(1, "`f` is defined twice");
}

#[test]
fn malformed_definitions_are_errors() {
    for (def, message) in [
        ("phi(s = 2", "`phi(s` is not a name or a call like f(x)"),
        ("= 3", "is not a name or a call like f(x)"),
        ("2 = x", "`2` is not a name or a call like f(x)"),
        ("a", "a definition needs the form NAME = EXPR"),
        ("a = ", "in the definition `a = `"),
        ("f(s, s) = s", "the parameter `s` appears twice"),
        ("f(2) = 1", "`2` is not a parameter name"),
        (
            "f'(u, v) = u",
            "a derivative rule f'(s) = ... is for a function of one argument",
        ),
    ] {
        let o = deriv(&["partial", "x", "x", "--let", def]).fails_with(1, message);
        assert!(o.stderr.contains(&format!("--let {def}")), "{def}: {o:#?}");
    }
}

#[test]
fn a_rule_for_a_function_of_two_arguments_is_an_error() {
    deriv(&[
        "partial",
        "h(x, y)",
        "x",
        "--let",
        "h(u, v) = u*v",
        "--let",
        "h'(s) = s",
    ])
    .fails_with(
        1,
        "`h'` is a rule for a function of one argument, but `h` takes 2",
    );
}

#[test]
fn an_unreadable_defs_file_is_an_error() {
    deriv(&["partial", "x", "x", "--defs", "/nonexistent/deriv/defs.txt"]).fails_with(
        1,
        "cannot read the definitions file /nonexistent/deriv/defs.txt",
    );
    // A directory is not a file of definitions either.
    deriv(&["partial", "x", "x", "--defs", "/"])
        .fails_with(1, "cannot read the definitions file /");
}

// ---- implicit relations ------------------------------------------------------------------

#[test]
fn implicit_circle() {
    let o = deriv(&["total", "y", "x", "--given", "x^2 + y^2 = 1"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "-x/y\n");
    assert!(o.stderr.starts_with("note: dy/dx = -x/y"), "{o:#?}");
    assert!(o.stderr.contains("−F_x/F_y"), "{o:#?}");
    assert!(
        o.stderr.contains("undefined where F_y = 2*y is 0"),
        "{o:#?}"
    );
    assert!(!o.stderr.contains("error"), "{o:#?}");
    // A function of x and y along the circle: d(x·y²)/dx = y² + 2xy·(−x/y) = y² − 2x².
    let o = deriv(&["total", "x*y^2", "x", "--given", "x^2 + y^2 = 1"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "y^2 - 2*x^2\n"), "{o:#?}");
    // At (0.6, 0.8): −3/4, exactly.
    let o = deriv(&[
        "total",
        "y",
        "x",
        "--given",
        "x^2 + y^2 = 1",
        "--at",
        "x=0.6,y=0.8",
    ])
    .run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "-3/4\n"), "{o:#?}");
}

#[test]
fn implicit_relation_with_a_defined_constant() {
    let o = deriv(&[
        "total",
        "y",
        "x",
        "--given",
        "x*y + sin(y) = c",
        "--let",
        "c = 2",
    ])
    .run();
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "-y/(x + cos(y))\n"),
        "{o:#?}"
    );
}

#[test]
fn dependent_picks_the_variable() {
    // With z in the relation, y or z may be the dependent one: dy/dx = −2x/(2y), dz/dx = −2x.
    let r = "x^2 + y^2 + z = 1";
    deriv(&["total", "y", "x", "--given", r]).fails_with(
        1,
        "the relation x^2 + y^2 + z = 1 has 2 other variables (y, z): name the dependent one with --dependent",
    );
    let o = deriv(&["total", "y", "x", "--given", r, "--dependent", "y"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "-x/y\n"), "{o:#?}");
    let o = deriv(&["total", "z", "x", "--given", r, "--dependent", "z"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "-2*x\n"), "{o:#?}");
    deriv(&[
        "total",
        "y",
        "x",
        "--given",
        "x^2 + z = 1",
        "--dependent",
        "y",
    ])
    .fails_with(
        1,
        "--dependent y: `y` does not occur in the relation x^2 + z = 1",
    );
}

#[test]
fn implicit_relation_errors() {
    // F_y is identically 0 (sin² + cos² = 1 once differentiated).
    deriv(&[
        "total",
        "y",
        "x",
        "--given",
        "x + sin(y)^2 + cos(y)^2 = 1",
    ])
    .fails_with(
        1,
        "the relation x + sin(y)^2 + cos(y)^2 = 1 does not determine y as a function of x: ∂F/∂y = 0",
    );
    // No other variable.
    deriv(&["total", "y", "x", "--given", "x^2 = 1"])
        .fails_with(1, "the relation x^2 = 1 involves no variable other than x");
    // With partial: an error that points to total.
    deriv(&["partial", "y", "x", "--given", "x^2 + y^2 = 1"]).fails_with(
        1,
        "--given x^2 + y^2 = 1 is an implicit relation; `deriv total` differentiates with it",
    );
    // A higher derivative is not supported.
    deriv(&["total", "y", "x", "x", "--given", "x^2 + y^2 = 1"]).fails_with(
        1,
        "an implicit relation works with one variable of differentiation",
    );
}

// ---- the numeric oracle: implicit derivatives --------------------------------------------

/// Solves F(x, y) = 0 for y by Newton's method from `y0`.
fn newton(f: impl Fn(f64, f64) -> f64, fy: impl Fn(f64, f64) -> f64, x: f64, y0: f64) -> f64 {
    let mut y = y0;
    for _ in 0..100 {
        let step = f(x, y) / fy(x, y);
        y -= step;
        if step.abs() < 1e-15 * y.abs().max(1.0) {
            break;
        }
    }
    assert!(f(x, y).abs() < 1e-12, "Newton did not converge at x = {x}");
    y
}

/// Compares `deriv total EXPR x --given RELATION` at (x, y(x)) with a central difference
/// of `g(x, y(x))`, y solved numerically; returns how many points were compared.
fn implicit_oracle(
    expr: &str,
    relation: &str,
    g: impl Fn(f64, f64) -> f64,
    f: impl Fn(f64, f64) -> f64 + Copy,
    fy: impl Fn(f64, f64) -> f64 + Copy,
    points: &[(f64, f64)],
) -> usize {
    let mut n = 0;
    for &(x, y0) in points {
        let y = newton(f, fy, x, y0);
        let solved = |t: f64| newton(f, fy, t, y);
        let numeric = diff(|t| g(t, solved(t)), x);
        let symbolic = value_at(
            &["total", expr, "x", "--given", relation],
            &format!("x={x:?},y={y:?}"),
        );
        assert!(
            close(symbolic, numeric, 1e-6),
            "{expr} with {relation} at x = {x}, y = {y}: symbolic {symbolic}, numeric {numeric}"
        );
        n += 1;
    }
    n
}

#[test]
fn oracle_implicit_circle() {
    let f = |x: f64, y: f64| x * x + y * y - 1.0;
    let fy = |_: f64, y: f64| 2.0 * y;
    // Both branches of the circle, away from y = 0 where F_y vanishes.
    let points = [
        (-0.9, 0.5),
        (-0.3, 1.0),
        (0.2, 1.0),
        (0.7, 0.8),
        (0.5, -1.0),
        (-0.6, -0.7),
    ];
    let n = implicit_oracle("y", "x^2 + y^2 = 1", |_, y| y, f, fy, &points);
    assert_eq!(n, points.len());
    let n = implicit_oracle(
        "x*y^2 + exp(y)",
        "x^2 + y^2 = 1",
        |x, y| x * y * y + y.exp(),
        f,
        fy,
        &points,
    );
    assert_eq!(n, points.len());
}

#[test]
fn oracle_implicit_asymmetric_relation() {
    // x·y + sin(y) = 2: y is not an explicit function of x.
    let f = |x: f64, y: f64| x * y + y.sin() - 2.0;
    let fy = |x: f64, y: f64| x + y.cos();
    let points = [(1.0, 1.0), (1.5, 1.0), (2.5, 0.6), (3.7, 0.4), (0.4, 2.0)];
    let n = implicit_oracle("y", "x*y + sin(y) = 2", |_, y| y, f, fy, &points);
    assert_eq!(n, points.len());
    let n = implicit_oracle(
        "y^3 - x*cos(y)",
        "x*y + sin(y) = 2",
        |x, y| y.powi(3) - x * y.cos(),
        f,
        fy,
        &points,
    );
    assert_eq!(n, points.len());
    // The same relation written the other way round, with a constant from --let.
    let x = 1.5;
    let y = newton(f, fy, x, 1.0);
    let numeric = diff(|t| newton(f, fy, t, y), x);
    let symbolic = value_at(
        &[
            "total",
            "y",
            "x",
            "--given",
            "c - sin(y) = x*y",
            "--let",
            "c = 2",
        ],
        &format!("x={x:?},y={y:?}"),
    );
    assert!(close(symbolic, numeric, 1e-6), "{symbolic} vs {numeric}");
}

// ---- the numeric oracle: definitions with rules ------------------------------------------

fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-2.0 * s).exp())
}

#[test]
fn oracle_rules_against_the_expanded_function() {
    let defs = [PHI, A, RULE, "g(s) = s^3 + s", "g'(s) = 3*s^2 + 1"];
    // (expression, the same written in Rust as a function of (x, y), variable index)
    #[allow(clippy::type_complexity)]
    let cases: [(&str, &dyn Fn(f64, f64) -> f64, usize); 6] = [
        ("phi(x*y)", &|x, y| sigmoid(x * y), 0),
        ("phi(x*y)", &|x, y| sigmoid(x * y), 1),
        ("phi(phi(x) + y)", &|x, y| sigmoid(sigmoid(x) + y), 0),
        (
            "g(x*y)*phi(x)",
            &|x, y| ((x * y).powi(3) + x * y) * sigmoid(x),
            0,
        ),
        ("log(g(x) + 3)", &|x, _| (x.powi(3) + x + 3.0).ln(), 0),
        ("a*phi(x)^2 - y", &|x, y| 2.0 * sigmoid(x).powi(2) - y, 0),
    ];
    let points = [(0.3, -1.2), (-0.8, 0.5), (1.1, 0.9)];
    let mut checked = 0;
    for (expr, f, i) in cases {
        let var = ["x", "y"][i];
        let args = with_defs(&["partial", expr, var], &defs);
        // The symbolic result keeps the rule functions.
        let o = deriv(&args).run();
        assert_eq!(o.code, 0, "{o:#?}");
        assert!(
            !o.stdout.contains("exp("),
            "{expr}: phi should stay symbolic: {o:#?}"
        );
        for (x, y) in points {
            let numeric = if i == 0 {
                diff(|t| f(t, y), x)
            } else {
                diff(|t| f(x, t), y)
            };
            let symbolic = value_at(&args, &format!("x={x},y={y}"));
            assert!(
                close(symbolic, numeric, 1e-6),
                "∂/∂{var} {expr} at ({x}, {y}): symbolic {symbolic}, numeric {numeric}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}

#[test]
fn oracle_second_derivative_through_a_rule() {
    // ∂²/∂w² φ(w·x): the rule is applied twice.
    let args = with_defs(&["partial", "phi(w*x)", "w", "w"], &[PHI, A, RULE]);
    for (w, x) in [(0.4, 1.3), (-0.7, 0.6)] {
        let h = 1e-4;
        let f = |t: f64| sigmoid(t * x);
        let numeric = (f(w + h) - 2.0 * f(w) + f(w - h)) / (h * h);
        let symbolic = value_at(&args, &format!("w={w},x={x}"));
        assert!(
            close(symbolic, numeric, 1e-5),
            "at ({w}, {x}): symbolic {symbolic}, numeric {numeric}"
        );
    }
}

/// `h0(s) = s^2 + 1` and `h_k(s) = h_{k-1}(h_{k-1}(s))` up to `h_last`: a few bytes a
/// line, and h_k is 2^k levels of squares deep.
pub(crate) fn doubling_defs(last: usize) -> String {
    let mut text = String::from("h0(s) = s^2 + 1\n");
    for k in 1..=last {
        text += &format!("h{k}(s) = h{}(h{}(s))\n", k - 1, k - 1);
    }
    text
}

/// Issue #17: `h_k(s) = h_{k-1}(h_{k-1}(s))` in 25 lines of a defs file defines h24, 2^24
/// levels deep. It filled memory for minutes before the node budget stopped it. Now a
/// use of a definition whose unfolding could pass the budget is refused before anything
/// is unfolded, naming the first such definition it goes through, and a smaller budget
/// moves the line. A definition nobody uses costs nothing: `h1(x)` from the same file is
/// answered (the whole file was refused for its unused h22).
#[test]
fn an_exponentially_unfolding_definition_is_refused_before_it_is_expanded() {
    let dir = TempDir::new();
    let defs = dir.write("h.txt", doubling_defs(24));
    let defs = defs.to_str().unwrap();
    deriv(&["simplify", "h1(x)", "--defs", defs]).prints("(x^2 + 1)^2 + 1");
    deriv(&["simplify", "h23(x)", "--defs", defs])
        .within(Duration::from_secs(60))
        .fails_with(
            1,
            "definition 23 (`h22(s) = h21(h21(s))`) would unfold to up to 33554429 nodes",
        );
    deriv(&["simplify", "h8(x)", "--defs", defs, "--max-nodes", "1000"])
        .within(Duration::from_secs(60))
        .fails_with(
            1,
            "definition 8 (`h7(s) = h6(h6(s))`) would unfold to up to 1021 nodes, more than \
             the budget of 1000",
        );
    let h6 = deriv(&["simplify", "h6(x)", "--defs", defs, "--max-nodes", "1000"]).run();
    assert_eq!(h6.code, 0, "{h6:#?}");
}

/// A value the double cannot hold is quoted by its size, and the expression it belongs
/// to by its size too: `h15(x)` at 1 is a number of 23,189 digits inside 32,768 levels
/// of squares, and the message was half a megabyte. (h16 nests past the nesting limit.)
#[test]
fn a_message_quotes_a_huge_value_by_its_size() {
    let dir = TempDir::new();
    let defs = dir.write("h.txt", doubling_defs(15));
    let out = deriv(&[
        "eval",
        "h15(x)",
        "--defs",
        defs.to_str().unwrap(),
        "--at",
        "x=1",
    ])
    .fails_with(1, "(a number of 23189 digits) is too large for a double");
    assert!(out.stderr.contains("subexpressions (too long to quote)"));
    assert!(out.stderr.len() < 1000, "{} bytes", out.stderr.len());
}
