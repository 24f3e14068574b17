//! The vector and evaluation commands, `differential`, `grad`, `hessian`, `jacobian` and
//! `eval`, and the options every command takes, `--at`, `--check` and `--cse`: transcripts
//! of the built binary in every format and in batch mode, library tests of
//! `calculus::check` (it catches wrong derivatives, passes right ones, and gives no verdict
//! where doubles cannot judge), and `--cse` output read back to the plain result.
//!
//! Expected values were worked out by hand and checked with SymPy (not needed to run these
//! tests). Standard output is a pipe here, so the default format is `plain`.

use deriv::calculus::check::{CheckReport, Point, check_chain, check_step, random_points};
use deriv::calculus::partial;
use deriv::eval::eval;
use deriv::expr::{ExprId, Name, Store};
use deriv::parse::parse;
use deriv::print::{Style, cse, render_named};
use rustc_hash::FxHashMap;

use crate::common::*;

const F: &str = "4*pi/3*t*x*y";

// ---- differential ----------------------------------------------------------------------

#[test]
fn differential_plain_sums_partials_times_dv() {
    deriv(&["differential", F]).prints("4*pi*x*y/3*d(t) + 4*pi*t*y/3*d(x) + 4*pi*t*x/3*d(y)");
}

#[test]
fn differential_unicode_and_latex() {
    deriv(&["differential", F, "--format", "unicode"])
        .prints("4π·x·y/3·dt + 4π·t·y/3·dx + 4π·t·x/3·dy");
    deriv(&["differential", F, "--format", "latex"]).prints(
        r"\frac{4 \pi x y}{3} \, \mathrm{d}t + \frac{4 \pi t y}{3} \, \mathrm{d}x + \frac{4 \pi t x}{3} \, \mathrm{d}y",
    );
    deriv(&["differential", "theta*phi", "--format", "latex"])
        .prints(r"\theta \, \mathrm{d}\phi + \phi \, \mathrm{d}\theta");
}

#[test]
fn differential_with_given_expresses_the_dependent_differential() {
    // t = x: df = (∂f/∂x + ∂f/∂t) dx + ∂f/∂y dy, collected.
    deriv(&["differential", F, "--given", "t=x"]).prints("8*pi*x*y/3*d(x) + 4*pi*x^2/3*d(y)");
    // Chained: t = s^2, s = x + y  ⇒  f = x*t = x*(x+y)^2.
    // df = ((x+y)^2 + 2x(x+y)) dx + 2x(x+y) dy.
    let o = deriv(&[
        "differential",
        "x*t",
        "--given",
        "t=s^2",
        "--given",
        "s=x+y",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(
        !o.stdout.contains("d(t)") && !o.stdout.contains("d(s)"),
        "{o:#?}"
    );
    assert!(
        o.stdout.contains("d(x)") && o.stdout.contains("d(y)"),
        "{o:#?}"
    );
    // The coefficients at x=1, y=2: dx: 9 + 6 = 15, dy: 6.
    let o = deriv(&[
        "differential",
        "x*t",
        "--given",
        "t=s^2",
        "--given",
        "s=x+y",
        "--at",
        "x=1,y=2",
        "--format",
        "json",
    ])
    .run();
    let v = json(&o.stdout);
    assert_eq!(v["result"][0]["variable"], "x");
    assert_eq!(v["result"][0]["coefficient"]["exact"], "15");
    assert_eq!(v["result"][1]["variable"], "y");
    assert_eq!(v["result"][1]["coefficient"]["exact"], "6");
    // A dependence that cancels leaves nothing.
    deriv(&["differential", "x - t", "--given", "t=x"]).prints("0");
}

#[test]
fn differential_signs_units_and_sums() {
    deriv(&["differential", "x - y"]).prints("d(x) - d(y)");
    deriv(&["differential", "x + y"]).prints("d(x) + d(y)");
    deriv(&["differential", "-x^2"]).prints("-2*x*d(x)");
    deriv(&["differential", "x^2 - x*y"]).prints("(2*x - y)*d(x) - x*d(y)");
    deriv(&["differential", "x*y*z - 3*z"]).prints("y*z*d(x) + x*z*d(y) + (x*y - 3)*d(z)");
    deriv(&["differential", "x^2*y - y", "--format", "unicode"]).prints("2x·y·dx + (x² - 1)·dy");
    deriv(&["differential", "x^2*y - y", "--format", "latex"])
        .prints(r"2 x y \, \mathrm{d}x + \left(x^{2} - 1\right) \, \mathrm{d}y");
    deriv(&["differential", "5"]).prints("0");
}

/// The plain differential reads back: it is an expression in the unknown function d.
#[test]
fn differential_plain_reads_back() {
    let o = deriv(&["differential", "x^2 - x*y"]).prints("(2*x - y)*d(x) - x*d(y)");
    let back = deriv(&["simplify", o.stdout.trim_end()]).run();
    assert_eq!(back.code, 0, "{back:#?}");
    // The same expression written by hand in another order, and a fixed point.
    deriv(&["simplify", "-x*d(y) + d(x)*(2*x - y)"]).prints(back.stdout.trim_end());
    deriv(&["simplify", back.stdout.trim_end()]).prints(back.stdout.trim_end());
}

#[test]
fn differential_json_lists_the_terms() {
    let o = deriv(&["differential", "x^2 - x*y", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    assert_eq!(v["operation"], "differential");
    let terms = v["result"].as_array().expect("an array of terms");
    assert_eq!(terms.len(), 2, "{v}");
    assert_eq!(terms[0]["variable"], "x");
    assert_eq!(terms[0]["negative"], false);
    assert_eq!(terms[0]["coefficient"]["plain"], "2*x - y");
    assert_eq!(terms[1]["variable"], "y");
    assert_eq!(terms[1]["negative"], true);
    assert_eq!(terms[1]["coefficient"]["plain"], "x");
    assert_eq!(terms[1]["coefficient"]["unicode"], "x");
    assert_eq!(terms[1]["coefficient"]["latex"], "x");
}

#[test]
fn differential_batch() {
    deriv(&["differential", "-"])
        .stdin(format!("{F}\nx+y\n"))
        .prints("4*pi*x*y/3*d(t) + 4*pi*t*y/3*d(x) + 4*pi*t*x/3*d(y)\nd(x) + d(y)");
    deriv(&["differential", "-", "--given", "t=x"])
        .stdin(format!("{F}\nt*y\n"))
        .prints("8*pi*x*y/3*d(x) + 4*pi*x^2/3*d(y)\ny*d(x) + x*d(y)");
}

/// A coefficient that is negative at the point is written with a minus sign, and a plain
/// number needs neither parentheses nor a factor 1.
#[test]
fn differential_at_a_point_writes_numbers_cleanly() {
    deriv(&["differential", "x*y", "--at", "x=-3,y=2"]).prints("2*d(x) - 3*d(y)");
    deriv(&["differential", "x^2*y - y", "--at", "x=2,y=1"]).prints("4*d(x) + 3*d(y)");
    deriv(&["differential", "x*t", "--given", "t=y", "--at", "x=1,y=2"]).prints("2*d(x) + d(y)");
    deriv(&[
        "differential",
        "x*t",
        "--given",
        "t=s^2",
        "--given",
        "s=x+y",
        "--at",
        "x=1,y=2",
    ])
    .prints("15*d(x) + 6*d(y)");
}

// ---- grad, hessian, jacobian -----------------------------------------------------------

#[test]
fn grad_defaults_to_the_sorted_variables() {
    deriv(&["grad", "x^2*y"]).prints("[2*x*y, x^2]");
    deriv(&["grad", "y*sin(x) + z"]).prints("[y*cos(x), sin(x), 1]");
    deriv(&["grad", "b*a"]).prints("[b, a]");
    deriv(&["grad", "5"]).prints("[]");
}

#[test]
fn grad_wrt_orders_and_may_name_an_absent_variable() {
    deriv(&["grad", "x^2*y", "--wrt", "y,x"]).prints("[x^2, 2*x*y]");
    deriv(&["grad", "x^2*y", "--wrt", "x,z"]).prints("[2*x*y, 0]");
    deriv(&["grad", "x^2*y", "--wrt", "z"]).prints("[0]");
    deriv(&["grad", "x^2", "--wrt", "x,x"]).prints("[2*x, 2*x]");
}

#[test]
fn grad_wrt_must_name_variables() {
    deriv(&["grad", "x^2", "--wrt", "2x"]).fails_with(1, "not a variable name");
    deriv(&["grad", "x^2", "--wrt", "pi"]).fails_with(1, "constant");
}

#[test]
fn grad_formats() {
    deriv(&["grad", "x^2*y", "--format", "unicode"]).prints("[2x·y, x²]");
    deriv(&["grad", "x^2*y", "--format", "latex"])
        .prints(r"\begin{pmatrix} 2 x y \\ x^{2} \end{pmatrix}");
    let o = deriv(&["grad", "x^2*y", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    assert_eq!(v["operation"], "grad");
    assert_eq!(
        v["result"],
        serde_json::json!([
            {"plain": "2*x*y", "unicode": "2x·y", "latex": "2 x y"},
            {"plain": "x^2", "unicode": "x²", "latex": "x^{2}"},
        ])
    );
}

#[test]
fn grad_with_given_differentiates_the_substituted_expression() {
    // x*t with t = x is x^2: the only variable left is x.
    deriv(&["grad", "x*t", "--given", "t=x"]).prints("[2*x]");
    deriv(&["grad", "x*t*y", "--given", "t=x^2"]).prints("[3*x^2*y, x^3]");
}

#[test]
fn hessian_plain_latex_json() {
    deriv(&["hessian", "x^2*y"]).prints("[[2*y, 2*x], [2*x, 0]]");
    deriv(&["hessian", "x^3*y^2", "--wrt", "y,x"]).prints("[[2*x^3, 6*x^2*y], [6*x^2*y, 6*x*y^2]]");
    deriv(&["hessian", "x^2*y", "--wrt", "x,z"]).prints("[[2*y, 0], [0, 0]]");
    deriv(&["hessian", "sin(x)"]).prints("[[-sin(x)]]");
    deriv(&["hessian", "x^2*y", "--format", "latex"])
        .prints(r"\begin{pmatrix} 2 y & 2 x \\ 2 x & 0 \end{pmatrix}");
    deriv(&["hessian", "x^2*y", "--format", "unicode"]).prints("[[2y, 2x], [2x, 0]]");
    let o = deriv(&["hessian", "x^2*y", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    let m = v["result"].as_array().expect("rows");
    assert_eq!(m.len(), 2);
    let plain: Vec<Vec<&str>> = m
        .iter()
        .map(|r| {
            r.as_array()
                .expect("a row")
                .iter()
                .map(|c| c["plain"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(plain, vec![vec!["2*y", "2*x"], vec!["2*x", "0"]]);
    assert_eq!(m[0][0]["latex"], "2 y");
    assert_eq!(m[1][1]["unicode"], "0");
}

#[test]
fn hessian_is_symmetric() {
    let o = deriv(&["hessian", "exp(x*y)*sin(y*z) + x^3*z", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    for i in 0..3 {
        for j in 0..3 {
            assert_eq!(
                v["result"][i][j]["plain"], v["result"][j][i]["plain"],
                "H[{i}][{j}] vs H[{j}][{i}]: {v}"
            );
        }
    }
}

#[test]
fn jacobian_rows_per_expression() {
    deriv(&["jacobian", "x*y", "x+y", "--wrt", "x,y"]).prints("[[y, x], [1, 1]]");
    deriv(&["jacobian", "x*y", "x+y"]).prints("[[y, x], [1, 1]]");
    // The default columns are the variables of all the expressions.
    deriv(&["jacobian", "x*y", "x+z"]).prints("[[y, x, 0], [1, 0, 1]]");
    deriv(&["jacobian", "x", "y", "--wrt", "z"]).prints("[[0], [0]]");
    deriv(&["jacobian", "r*cos(t)", "r*sin(t)", "--wrt", "r,t"])
        .prints("[[cos(t), -r*sin(t)], [sin(t), r*cos(t)]]");
    deriv(&["jacobian", "x*y", "--format", "latex"]).prints(r"\begin{pmatrix} y & x \end{pmatrix}");
    deriv(&["jacobian", "x*y", "x+y", "--format", "latex"])
        .prints(r"\begin{pmatrix} y & x \\ 1 & 1 \end{pmatrix}");
    let o = deriv(&["jacobian", "x*y", "x+y", "--format", "json"]).run();
    let v = json(&o.stdout);
    assert_eq!(v["input"], serde_json::json!(["x*y", "x+y"]));
    assert_eq!(v["result"][0][1]["plain"], "x");
    assert_eq!(v["result"][1][0]["latex"], "1");
}

#[test]
fn jacobian_needs_expressions() {
    let o = deriv(&["jacobian"]).run();
    assert_eq!(o.code, 2, "{o:#?}");
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("Usage"), "{o:#?}");
    deriv(&["jacobian", "x", "-"]).fails_with(2, "standard input");
}

#[test]
fn grad_and_hessian_batch() {
    deriv(&["grad", "-"])
        .stdin("x^2*y\nsin(x)\n")
        .prints("[2*x*y, x^2]\n[cos(x)]");
    deriv(&["hessian", "-", "--wrt", "x,y"])
        .stdin("x^2*y\nsin(x)*y\n")
        .prints("[[2*y, 2*x], [2*x, 0]]\n[[-y*sin(x), cos(x)], [cos(x), 0]]");
    deriv(&["jacobian", "-"]).stdin("x*y\n").prints("[[y, x]]");
    let o = deriv(&["grad", "-"]).stdin("x^2*y\n(\nsin(x)\n").run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert_eq!(o.stdout, "[2*x*y, x^2]\n\n[cos(x)]\n");
    assert!(o.stderr.lines().any(|l| l.starts_with("2 | (")), "{o:#?}");
    let o = deriv(&["grad", "-", "--format", "json"])
        .stdin("x^2*y\nsin(x)*sin(x)\n")
        .run();
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["result"][0]["plain"], "2*cos(x)*sin(x)");
}

// ---- eval and --at ---------------------------------------------------------------------

#[test]
fn eval_is_exact_when_it_folds() {
    deriv(&["eval", "x^2 + 1/3", "--at", "x=1/2"]).prints("7/12");
    deriv(&["eval", "x^2", "--at", "x=sqrt(2)"]).prints("2");
    deriv(&["eval", "sin(x)", "--at", "x=pi/2"]).prints("1");
    deriv(&["eval", "x", "--at", "x=-1/3"]).prints("-1/3");
    deriv(&["eval", "x", "--at", "x=0.25"]).prints("1/4");
    deriv(&["eval", "x*y", "--at", "x = 2, y = 3"]).prints("6");
    deriv(&["eval", "e^x", "--at", "x=0"]).prints("1");
    deriv(&["eval", "x^2", "--at", "x=1/2", "--format", "latex"]).prints(r"\frac{1}{4}");
}

#[test]
fn eval_is_a_double_otherwise() {
    deriv(&["eval", "sin(x)", "--at", "x=1"]).prints("0.8414709848078965");
    deriv(&["eval", "e^x", "--at", "x=1"]).prints("2.718281828459045");
    let o = deriv(&["eval", "x*y", "--at", "x=1/3,y=pi"]).run();
    let v: f64 = o.stdout.trim().parse().expect("a number");
    assert!((v - std::f64::consts::PI / 3.0).abs() < 1e-15, "{o:#?}");
}

#[test]
fn eval_json_has_exact_and_value() {
    let o = deriv(&["eval", "x^2", "--at", "x=1/2", "--format", "json"]).run();
    let v = json(&o.stdout);
    assert_eq!(v["operation"], "eval");
    assert_eq!(v["at"], "x=1/2");
    assert_eq!(
        v["result"],
        serde_json::json!({"exact": "1/4", "value": 0.25})
    );
    let o = deriv(&["eval", "sin(x)", "--at", "x=1", "--format", "json"]).run();
    let v = json(&o.stdout);
    assert_eq!(v["result"]["exact"], serde_json::Value::Null);
    assert_eq!(v["result"]["value"], 0.8414709848078965);
    // An exact number too large for... nothing: 2^200 is still a finite double.
    let o = deriv(&["eval", "2^200*x", "--at", "x=1", "--format", "json"]).run();
    let v = json(&o.stdout);
    assert_eq!(
        v["result"]["exact"],
        "1606938044258990275541962092341162602522202993782792835301376"
    );
    assert!((v["result"]["value"].as_f64().unwrap() - 2f64.powi(200)).abs() < 1e45);
}

#[test]
fn at_works_on_every_command() {
    deriv(&["partial", "x^2*sin(y)", "x", "--at", "x=2,y=pi/2"]).prints("4");
    // 8π/3·x·y at x=3/2, y=1 is 4π: not a rational, so a double.
    let o = deriv(&["total", F, "x", "--given", "t=x", "--at", "x=3/2,y=1"]).run();
    let v: f64 = o.stdout.trim().parse().expect("a double");
    assert!((v - 4.0 * std::f64::consts::PI).abs() < 1e-12, "{o:#?}");
    let o = deriv(&["total", F, "x", "--given", "t=x", "--at", "x=1,y=1"]).run();
    let v: f64 = o.stdout.trim().parse().expect("a double");
    assert!(
        (v - 8.0 * std::f64::consts::PI / 3.0).abs() < 1e-12,
        "{o:#?}"
    );
    deriv(&["simplify", "x^2", "--at", "x=3"]).prints("9");
    deriv(&["grad", "x^2*y", "--at", "x=1,y=2"]).prints("[4, 1]");
    deriv(&["hessian", "x^2*y", "--at", "x=1,y=2"]).prints("[[4, 2], [2, 0]]");
    deriv(&["hessian", "x^2*y", "--at", "x=1,y=2", "--format", "latex"])
        .prints(r"\begin{pmatrix} 4 & 2 \\ 2 & 0 \end{pmatrix}");
    deriv(&["jacobian", "x*y", "x+y", "--at", "x=2,y=3"]).prints("[[3, 2], [1, 1]]");
    deriv(&["differential", "x^2*y", "--at", "x=2,y=3"]).prints("12*d(x) + 4*d(y)");
    deriv(&["grad", "x*y", "--at", "x=1/3,y=pi"]).prints("[3.141592653589793, 1/3]");
    let o = deriv(&["grad", "x^2*y", "--at", "x=1,y=2", "--format", "json"]).run();
    let v = json(&o.stdout);
    assert_eq!(
        v["result"],
        serde_json::json!([{"exact": "4", "value": 4.0}, {"exact": "1", "value": 1.0}])
    );
}

#[test]
fn at_extra_variables_are_ignored() {
    deriv(&["eval", "x", "--at", "x=1,y=2"]).prints("1");
}

#[test]
fn at_missing_variable_is_named() {
    let o = deriv(&["eval", "x*y", "--at", "x=1"]).fails_with(1, "no value for `y`");
    assert!(o.stderr.starts_with("error:"), "{o:#?}");
    deriv(&["partial", "x^2*y", "x", "--at", "x=1"]).fails_with(1, "`y`");
    deriv(&["grad", "x^2*y", "--at", "y=1"]).fails_with(1, "`x`");
    // Without --at, a constant has a value and a variable has none.
    deriv(&["eval", "x"]).fails_with(1, "--at x=");
}

#[test]
fn at_malformed_is_rejected() {
    deriv(&["eval", "x^2", "--at", "x"]).fails_with(1, "has no `=`");
    deriv(&["eval", "x^2", "--at", "x="]).fails_with(1, "--at x=");
    deriv(&["eval", "x^2", "--at", "=1"]).fails_with(1, "not a variable name");
    deriv(&["eval", "x^2", "--at", "x=1,x=2"]).fails_with(1, "`x` is given two values");
    deriv(&["eval", "x^2", "--at", "x=y"]).fails_with(1, "must be a number");
    deriv(&["eval", "x^2", "--at", "x=1,"]).fails_with(1, "has no `=`");
    deriv(&["eval", "x^2", "--at", "pi=1"]).fails_with(1, "not a variable name");
    deriv(&["eval", "x^2", "--at", "x=(("]).fails_with(1, "in --at x=");
    // The --at syntax is checked before any input is read, on every command.
    deriv(&["grad", "x^2", "--at", "x"]).fails_with(1, "has no `=`");
    deriv(&["grad", "-", "--at", "x"])
        .stdin("x^2\n")
        .fails_with(1, "has no `=`");
}

#[test]
fn at_outside_the_domain_is_an_error() {
    deriv(&["eval", "log(x)", "--at", "x=0"]).fails_with(1, "log(0)");
    deriv(&["eval", "1/x", "--at", "x=0"]).fails_with(1, "division by zero");
    deriv(&["eval", "1/(x-y)", "--at", "x=1,y=1"]).fails_with(1, "division by zero");
    deriv(&["eval", "sqrt(x)", "--at", "x=-1"]).fails_with(1, "undefined");
    deriv(&["eval", "asin(x)", "--at", "x=2"]).fails_with(1, "undefined");
    deriv(&["eval", "f(x)", "--at", "x=2"]).fails_with(1, "unknown function");
    // The derivative of log(x) is 1/x: undefined at 0 although log is the input.
    deriv(&["partial", "log(x)", "x", "--at", "x=0"]).fails_with(1, "division by zero");
    deriv(&["grad", "log(x*y)", "--at", "x=0,y=1"]).fails_with(1, "undefined");
    deriv(&["hessian", "sqrt(x)", "--at", "x=0"]).fails_with(1, "undefined");
}

#[test]
fn eval_batch() {
    deriv(&["eval", "-", "--at", "x=1/2"])
        .stdin("x^2\nlog(x)\nx+1/3\n")
        .prints("1/4\n-0.6931471805599453\n5/6");
    let o = deriv(&["eval", "-", "--at", "x=0"])
        .stdin("x^2\nlog(x)\nx+1/3\n")
        .run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert_eq!(o.stdout, "0\n\n1/3\n");
    assert!(o.stderr.contains("log(0)"), "{o:#?}");
    let o = deriv(&["eval", "-", "--at", "x=2", "--format", "json"])
        .stdin("x^2\nx*y\n")
        .run();
    assert_eq!(o.code, 1, "{o:#?}");
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(json).collect();
    assert_eq!(lines[0]["result"]["exact"], "4");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"].as_str().unwrap().contains("`y`"),
        "{}",
        lines[1]
    );
}

/// A bad line in a batch gets its error on stderr, with its line number.
#[test]
fn eval_batch_errors_name_the_line() {
    let o = deriv(&["eval", "-", "--at", "x=0"])
        .stdin("x^2\nlog(x)\n")
        .run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(
        o.stderr.contains("line 2") || o.stderr.lines().any(|l| l.starts_with("2 |")),
        "the error names line 2:\n{}",
        o.stderr
    );
}

// ---- --check -----------------------------------------------------------------------------

/// Expects `check: ok (max rel. error E; K derivatives at P points)` with E ≤ 1e-6;
/// returns K × P, the number of comparisons.
fn check_ok(stderr: &str) -> usize {
    let line = stderr
        .lines()
        .find(|l| l.contains("check:"))
        .unwrap_or_else(|| panic!("no check line in {stderr:?}"));
    let rest = line
        .split("check: ok (max rel. error ")
        .nth(1)
        .unwrap_or_else(|| panic!("not `check: ok`: {line:?}"));
    let (err, rest) = rest
        .split_once("; ")
        .expect("`; K derivatives at P points`");
    let err: f64 = err.parse().unwrap_or_else(|_| panic!("error {err:?}"));
    assert!((0.0..=1e-6).contains(&err), "{line}");
    let (k, p) = rest
        .split_once(" at ")
        .expect("`K derivatives at P points`");
    let count = |t: &str, unit: &str| -> usize {
        let n = t
            .trim_end_matches(')')
            .trim_end_matches('s')
            .trim_end_matches(unit)
            .trim();
        n.parse()
            .unwrap_or_else(|_| panic!("count {n:?} in {line:?}"))
    };
    count(k, "derivative") * count(p, "point")
}

#[test]
fn check_passes_on_every_derivative_command() {
    // (args, stdout, steps × 3 random points)
    let cases: &[(&[&str], &str, usize)] = &[
        (&["partial", "sin(x)*y", "x"], "y*cos(x)", 3),
        (&["partial", "sin(x)*y", "x", "y"], "cos(x)", 6),
        (&["total", "x*t", "x", "--given", "t=x^2"], "3*x^2", 3),
        (&["grad", "x^2*y"], "[2*x*y, x^2]", 6),
        (&["hessian", "x^2*y"], "[[2*y, 2*x], [2*x, 0]]", 18),
        (&["jacobian", "x*y", "sin(x)"], "[[y, x], [cos(x), 0]]", 12),
    ];
    for (args, stdout, points) in cases {
        let mut a = args.to_vec();
        a.push("--check");
        let o = deriv(&a).run();
        assert_eq!(o.code, 0, "{a:?}: {o:#?}");
        assert_eq!(o.stdout, format!("{stdout}\n"), "{a:?}");
        assert_eq!(check_ok(&o.stderr), *points, "{a:?}: {o:#?}");
    }
    // At the --at point: one point.
    let o = deriv(&["partial", "x^2", "x", "--check", "--at", "x=3"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "6\n"), "{o:#?}");
    assert_eq!(check_ok(&o.stderr), 1);
}

#[test]
fn check_in_batch_names_each_line() {
    let o = deriv(&["grad", "-", "--check"])
        .stdin("x^2*y\nsin(x)\n")
        .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "[2*x*y, x^2]\n[cos(x)]\n");
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{o:#?}");
    assert!(lines[0].starts_with("line 1: check: ok"), "{o:#?}");
    assert!(lines[1].starts_with("line 2: check: ok"), "{o:#?}");
    assert_eq!(check_ok(lines[1]), 3);
}

#[test]
fn check_refuses_commands_without_derivatives() {
    deriv(&["simplify", "x", "--check"]).fails_with(2, "--check");
    deriv(&["eval", "x", "--at", "x=1", "--check"]).fails_with(2, "--check");
}

// ---- --check, the library --------------------------------------------------------------

struct Lib {
    s: Store,
}

impl Lib {
    fn new() -> Lib {
        Lib { s: Store::new() }
    }
    fn e(&mut self, text: &str) -> ExprId {
        parse(&mut self.s, text).unwrap_or_else(|e| panic!("{text}: {}", e.message))
    }
    fn n(&mut self, v: &str) -> Name {
        self.s.intern_name(v)
    }
    fn step(&mut self, f: &str, v: &str, claimed: &str, seed: u64) -> CheckReport {
        let g = self.e(f);
        let d = self.e(claimed);
        let x = self.n(v);
        let names = self.s.free_symbols(&[g, d]);
        let points = random_points(&names, 5, seed);
        check_step(&self.s, g, x, d, &points)
    }
}

#[test]
fn check_step_catches_wrong_derivatives() {
    let wrong: &[(&str, &str, &str)] = &[
        // A sign error.
        ("sin(x)", "x", "-cos(x)"),
        // A product rule with one term off by a factor of 2.
        ("x^2*sin(x)", "x", "2*x*sin(x) + 2*x^2*cos(x)"),
        // A product rule with a term missing.
        ("x^2*sin(x)", "x", "2*x*sin(x)"),
        // The chain rule forgotten.
        ("sin(x^2)", "x", "cos(x^2)"),
        // Differentiated by the wrong variable.
        ("x^2*y", "x", "x^2"),
        // A quotient rule with the wrong sign.
        ("sin(x)/x", "x", "(x*cos(x) + sin(x))/x^2"),
        // Off by only 0.1 %: still well above the tolerance.
        ("x^3", "x", "3*x^2*(1 + 1/1000)"),
    ];
    for (seed, &(f, v, claim)) in wrong.iter().enumerate() {
        let r = Lib::new().step(f, v, claim, seed as u64 + 1);
        assert_eq!(
            r.points, 5,
            "d{f}/d{v} = {claim}: every point evaluates: {r:?}"
        );
        assert!(!r.ok(), "d({f})/d{v} = {claim} must be caught: {r:?}");
        assert!(r.max_rel_error > 1e-4, "{f}: {r:?}");
        assert!(!r.worst_at.is_empty(), "{r:?}");
        assert!((r.symbolic - r.numeric).abs() > 1e-4, "{r:?}");
    }
}

#[test]
fn check_step_passes_correct_derivatives() {
    let right: &[(&str, &str, &str)] = &[
        ("sin(x)", "x", "cos(x)"),
        ("x^2*sin(x)", "x", "2*x*sin(x) + x^2*cos(x)"),
        ("sin(x^2)", "x", "2*x*cos(x^2)"),
        ("x^2*y", "y", "x^2"),
        ("sin(x)/x", "x", "(x*cos(x) - sin(x))/x^2"),
        ("exp(x*y)", "y", "x*exp(x*y)"),
        ("log(x)", "x", "1/x"),
    ];
    for (seed, &(f, v, claim)) in right.iter().enumerate() {
        let r = Lib::new().step(f, v, claim, seed as u64 + 100);
        assert_eq!(r.points, 5, "{r:?}");
        assert!(r.ok(), "d({f})/d{v} = {claim} is right: {r:?}");
        assert!(r.max_rel_error < 1e-8, "{r:?}");
    }
    // And what deriv itself computes passes.
    for f in [
        "sin(x)*exp(x)*cos(x)",
        "atan(x/y)",
        "sqrt(x^2 + y^2)",
        "x^y",
    ] {
        let mut l = Lib::new();
        let g = l.e(f);
        for v in ["x", "y"] {
            let x = l.n(v);
            let d = partial(&mut l.s, g, x);
            let names = l.s.free_symbols(&[g]);
            let r = check_step(&l.s, g, x, d, &random_points(&names, 4, 7));
            assert!(r.ok(), "∂({f})/∂{v}: {r:?}");
        }
    }
}

#[test]
fn check_chain_catches_one_wrong_step_among_right_ones() {
    let mut l = Lib::new();
    let f = l.e("x^3*y^2");
    let fx = l.e("3*x^2*y^2");
    let fxy_right = l.e("6*x^2*y");
    let fxy_wrong = l.e("6*x*y");
    let (x, y) = (l.n("x"), l.n("y"));
    let points = random_points(&[x, y], 4, 42);
    let ok = check_chain(&l.s, &[(f, x, fx), (fx, y, fxy_right)], &points);
    assert!(ok.ok(), "{ok:?}");
    assert_eq!(ok.points, 8);
    let bad = check_chain(&l.s, &[(f, x, fx), (fx, y, fxy_wrong)], &points);
    assert!(!bad.ok(), "{bad:?}");
    assert_eq!(bad.points, 8);
}

#[test]
fn check_skips_points_it_cannot_evaluate() {
    let mut l = Lib::new();
    let f = l.e("log(x)");
    let d = l.e("1/x");
    let x = l.n("x");
    let outside: Vec<Point> = vec![vec![(x, -1.0)], vec![(x, -2.0)]];
    let r = check_step(&l.s, f, x, d, &outside);
    assert_eq!(r.points, 0, "{r:?}");
    assert!(!r.ok(), "no evaluated point is not a pass");
    let mut mixed = outside.clone();
    mixed.push(vec![(x, 0.5)]);
    let r = check_step(&l.s, f, x, d, &mixed);
    assert_eq!(r.points, 1, "{r:?}");
    assert!(r.ok(), "{r:?}");
}

/// Where a difference quotient cannot be trusted the check gives no verdict, instead of
/// calling a right derivative a bug: a function of numbers too large for doubles, and one
/// that oscillates faster than the difference steps resolve. (Both derivatives are right:
/// -1, and what the product and chain rules give, confirmed by SymPy.)
#[test]
fn check_gives_no_verdict_where_doubles_cannot_judge() {
    for (f, at) in [
        ("exp(81)*tan(z) - x", "x=1,z=1"),
        ("cos(1/(x - 1 + 1/10^7))", "x=1"),
    ] {
        let o = deriv(&["partial", f, "x", "--check", "--at", at]).run();
        assert_eq!(o.code, 0, "{f}: {o:#?}");
        assert!(
            o.stderr
                .starts_with("check: skipped (a difference quotient was not precise"),
            "{f}: {}",
            o.stderr
        );
    }
    // Without --at, other points are tried until 3 give a verdict.
    let o = deriv(&["partial", "tan(90*x)", "x", "--check"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(o.stderr.contains("at 3 points"), "{}", o.stderr);
}

#[test]
fn a_check_that_can_judge_still_catches_a_wrong_rule() {
    let o = deriv(&[
        "partial",
        "phi(x)",
        "x",
        "--let",
        "phi(s) = s^3",
        "--let",
        "phi'(s) = 3*s",
        "--check",
    ])
    .run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("check failed"), "{}", o.stderr);
}

#[test]
fn random_points_are_deterministic_and_away_from_zero() {
    let mut s = Store::new();
    let names = [s.intern_name("x"), s.intern_name("y")];
    let a = random_points(&names, 50, 9);
    assert_eq!(a, random_points(&names, 50, 9));
    assert_ne!(a, random_points(&names, 50, 10));
    assert_eq!(a.len(), 50);
    for p in &a {
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].0, p[1].0), (names[0], names[1]));
        assert!(p.iter().all(|&(_, v)| (0.1..1.9).contains(&v)), "{p:?}");
    }
}

// ---- --cse -------------------------------------------------------------------------------

/// Splits `[a, [b, c]]` at its top-level commas into entries (brackets removed); a scalar
/// is one entry.
fn entries(text: &str) -> Vec<String> {
    let t = text.trim();
    let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return vec![t.to_string()];
    };
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.extend(entries(&inner[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    if !inner.trim().is_empty() {
        out.extend(entries(&inner[start..]));
    }
    out
}

/// Reads `--cse` output (bindings then the result, split by `sep`) back in: each binding
/// is parsed with the earlier ones substituted, then the result's entries.
fn read_back_cse(s: &mut Store, text: &str, sep: &str) -> (Vec<ExprId>, usize) {
    let parts: Vec<&str> = text.trim_end_matches('\n').split(sep).collect();
    let (result, bindings) = parts.split_last().expect("a result");
    let mut map: FxHashMap<Name, ExprId> = FxHashMap::default();
    for b in bindings {
        let (name, rhs) = b
            .split_once(" = ")
            .unwrap_or_else(|| panic!("binding `NAME = EXPR`: {b:?}"));
        let name = name.trim();
        assert!(deriv::parse::is_name(name), "{name:?}");
        let e = parse(s, rhs).unwrap_or_else(|e| panic!("{rhs}: {}", e.message));
        let e = s.substitute(e, &map);
        let n = s.intern_name(name);
        assert!(map.insert(n, e).is_none(), "{name} bound twice");
    }
    let es = entries(&result.replace("d(", "dd("))
        .iter()
        .map(|t| {
            let e = parse(s, t).unwrap_or_else(|e| panic!("{t}: {}", e.message));
            s.substitute(e, &map)
        })
        .collect();
    (es, bindings.len())
}

fn parse_entries(s: &mut Store, text: &str) -> Vec<ExprId> {
    entries(&text.trim_end().replace("d(", "dd("))
        .iter()
        .map(|t| parse(s, t).unwrap_or_else(|e| panic!("{t}: {}", e.message)))
        .collect()
}

/// Numerically equal at several points (d(v) is renamed dd(v), an unknown function, so
/// it is replaced by a concrete value first).
fn same_value(s: &mut Store, a: ExprId, b: ExprId) -> bool {
    if a == b {
        return true;
    }
    let names = s.free_symbols(&[a, b]);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..5 {
        let vals: Vec<f64> = names
            .iter()
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                0.2 + 1.6 * ((seed >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect();
        let env = |n: Name| names.iter().position(|&m| m == n).map(|i| vals[i]);
        let (Ok(x), Ok(y)) = (eval(s, a, &env), eval(s, b, &env)) else {
            return false;
        };
        if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
            return false;
        }
    }
    true
}

fn assert_cse_reads_back(args: &[&str], min_bindings: usize) {
    let plain = deriv(args).run();
    assert_eq!(plain.code, 0, "{args:?}: {plain:#?}");
    let mut with = args.to_vec();
    with.push("--cse");
    let o = deriv(&with).run();
    assert_eq!(o.code, 0, "{with:?}: {o:#?}");
    let mut s = Store::new();
    let (back, n) = read_back_cse(&mut s, &o.stdout, "\n");
    assert!(n >= min_bindings, "{with:?}: {n} bindings\n{}", o.stdout);
    let want = parse_entries(&mut s, &plain.stdout);
    assert_eq!(
        back.len(),
        want.len(),
        "{with:?}\n{}\n{}",
        o.stdout,
        plain.stdout
    );
    for (i, (&a, &b)) in back.iter().zip(&want).enumerate() {
        let (ta, tb) = (s.tidy(a), s.tidy(b));
        assert!(
            ta == tb || same_value(&mut s, a, b),
            "{with:?} entry {i}: --cse reads back as {} but the plain result is {}\n{}",
            deriv::print::render(&s, a, Style::Plain),
            deriv::print::render(&s, b, Style::Plain),
            o.stdout
        );
    }
}

#[test]
fn cse_output_reads_back_to_the_plain_result() {
    assert_cse_reads_back(&["partial", "sin(x)*exp(x)*cos(x)", "x"], 3);
    assert_cse_reads_back(&["partial", "exp(sin(x*y))^2 + sin(x*y)", "x", "y"], 2);
    assert_cse_reads_back(&["grad", "sin(x*y)^2"], 3);
    assert_cse_reads_back(&["hessian", "exp(x*y)*sin(x + y)"], 2);
    assert_cse_reads_back(&["jacobian", "sin(x*y)", "cos(x*y)*x"], 2);
    assert_cse_reads_back(&["total", "sin(t)*cos(t)*x", "x", "--given", "t=x^2"], 2);
    assert_cse_reads_back(&["differential", "sin(x*y)^2*z"], 2);
    // Variables named like the bindings push the bindings to another prefix.
    assert_cse_reads_back(&["grad", "c1*sin(x)^2*cos(x) + cos(x)*sin(x)^3"], 2);
    let o = deriv(&["grad", "c1*sin(x)^2 + sin(x)^3", "--cse"]).run();
    assert!(!o.stdout.contains("c1 ="), "{o:#?}");
    // Nothing repeated: no bindings.
    deriv(&["partial", "x^2", "x", "--cse"]).prints("2*x");
}

#[test]
fn cse_exact_transcript() {
    deriv(&["grad", "sin(x*y)^2", "--cse"])
        .prints("c1 = x*y\nc2 = cos(c1)\nc3 = sin(c1)\n[2*y*c2*c3, 2*x*c2*c3]");
    deriv(&["grad", "sin(x*y)^2", "--cse", "--format", "unicode"])
        .prints("c1 = x·y\nc2 = cos(c1)\nc3 = sin(c1)\n[2y·c2·c3, 2x·c2·c3]");
}

/// The same bindings read back through deriv itself: `simplify RESULT --given c1=...`.
#[test]
fn cse_reads_back_through_simplify_given() {
    let o = deriv(&["partial", "sin(x)*exp(x)*cos(x)", "x", "--cse"]).run();
    let lines: Vec<&str> = o.stdout.lines().collect();
    let (result, bindings) = lines.split_last().unwrap();
    let mut args = vec!["simplify".to_string(), result.to_string()];
    for b in bindings {
        args.push("--given".into());
        args.push(b.replace(" = ", "="));
    }
    let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    let back = deriv(&args).run();
    assert_eq!(back.code, 0, "{back:#?}");
    let plain = deriv(&["partial", "sin(x)*exp(x)*cos(x)", "x"]).run();
    let again = deriv(&["simplify", plain.stdout.trim_end()]).run();
    assert_eq!(back.stdout, again.stdout, "{o:#?}");
}

#[test]
fn cse_in_batch_is_one_line_joined_by_semicolons() {
    let o = deriv(&["grad", "-", "--cse"])
        .stdin("sin(x*y)^2\nx^2*y\n")
        .prints("c1 = x*y; c2 = cos(c1); c3 = sin(c1); [2*y*c2*c3, 2*x*c2*c3]\n[2*x*y, x^2]");
    let first = o.stdout.lines().next().unwrap();
    let mut s = Store::new();
    let (back, n) = read_back_cse(&mut s, first, "; ");
    assert_eq!(n, 3);
    let want = parse_entries(&mut s, "[2*y*cos(x*y)*sin(x*y), 2*x*cos(x*y)*sin(x*y)]");
    assert_eq!(back, want);
    deriv(&["partial", "-", "x", "--cse"])
        .stdin("sin(x)*exp(x)*cos(x)\n")
        .prints("c1 = exp(x); c2 = sin(x); c3 = cos(x); c3^2*c1 - c1*c2^2 + c3*c1*c2");
}

#[test]
fn cse_json_has_bindings() {
    let o = deriv(&["grad", "sin(x*y)^2", "--cse", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    let b = v["bindings"].as_array().expect("a bindings list");
    let pairs: Vec<(&str, &str)> = b
        .iter()
        .map(|x| (x["name"].as_str().unwrap(), x["plain"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        vec![("c1", "x*y"), ("c2", "cos(c1)"), ("c3", "sin(c1)")]
    );
    assert_eq!(b[0]["unicode"], "x·y");
    assert_eq!(b[1]["latex"], r"\cos\left(\mathit{c1}\right)");
    assert_eq!(v["result"][0]["plain"], "2*y*c2*c3");
    // Batch JSON: one object per line, each with its own bindings list.
    let o = deriv(&["grad", "-", "--cse", "--format", "json"])
        .stdin("sin(x*y)^2\nx^2*y\n")
        .run();
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["bindings"].as_array().unwrap().len(), 3);
    assert_eq!(lines[1]["bindings"], serde_json::json!([]));
}

#[test]
fn cse_latex_is_an_aligned_block() {
    deriv(&["grad", "sin(x*y)^2", "--cse", "--format", "latex"]).prints(
        r"\begin{aligned} \mathit{c1} &= x y \\ \mathit{c2} &= \cos\left(\mathit{c1}\right) \\ \mathit{c3} &= \sin\left(\mathit{c1}\right) \\ \text{result} &= \begin{pmatrix} 2 y \mathit{c2} \mathit{c3} \\ 2 x \mathit{c2} \mathit{c3} \end{pmatrix} \end{aligned}",
    );
}

/// Runs `f` on a thread with the stack the binary uses (deep expressions recurse).
fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn nested_sin(depth: usize) -> String {
    format!("{}x{}", "sin(".repeat(depth), ")".repeat(depth))
}

/// Without --cse the derivative of sin(sin(…(x))) 10,000 deep prints as ~250 MB; with it,
/// each level is named once.
#[test]
fn cse_keeps_a_10000_deep_derivative_small() {
    let e = nested_sin(10_000);
    let o = deriv(&["partial", &e, "x", "--cse"]).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    assert!(o.stdout.len() < 1_000_000, "{} bytes", o.stdout.len());
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines[0], "c1 = sin(x)");
    assert_eq!(lines[1], "c2 = sin(c1)");
    assert!(lines.len() > 9_000, "{} lines", lines.len());
    // Read it back and compare with the library's own derivative, structurally and at a
    // point.
    let text = o.stdout.clone();
    let (same, a, b) = big_stack(move || {
        let mut s = Store::new();
        let (back, _) = read_back_cse(&mut s, &text, "\n");
        let f = parse(&mut s, &e).expect("parses");
        let x = s.intern_name("x");
        let d = partial(&mut s, f, x);
        let d = s.tidy(d);
        let env = |n: Name| (n == x).then_some(0.7);
        let a = eval(&s, back[0], &env).expect("evaluates");
        let b = eval(&s, d, &env).expect("evaluates");
        (back[0] == d, a, b)
    });
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    assert!(same, "the read-back is structurally the derivative");
    // The same in batch mode (one line) and for grad.
    let o = deriv(&["partial", "-", "x", "--cse"])
        .stdin(format!("{}\n", nested_sin(10_000)))
        .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.lines().count(), 1);
    assert!(o.stdout.len() < 1_000_000);
    let o = deriv(&["grad", &nested_sin(10_000), "--cse", "--check"]).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.len() < 1_000_000);
    check_ok(&o.stderr);
}

/// The library: `cse::plan` plus `render_named`, read back with `Store::substitute`.
#[test]
fn cse_plan_renders_text_that_reads_back() {
    for f in [
        "sin(x)*exp(x)*cos(x)",
        "exp(x*y)/(1 + exp(x*y))",
        "sqrt(x^2 + y^2)*atan(y/x) + (x^2 + y^2)^3",
        "sigmoid(w1*x + w2*y)*(1 - sigmoid(w1*x + w2*y))",
    ] {
        let mut s = Store::new();
        let g = parse(&mut s, f).unwrap();
        let vars = s.free_symbols(&[g]);
        let roots: Vec<ExprId> = vars
            .iter()
            .map(|&v| {
                let d = partial(&mut s, g, v);
                s.tidy(d)
            })
            .collect();
        let taken: Vec<String> = vars.iter().map(|&n| s.name(n).to_string()).collect();
        let taken: Vec<&str> = taken.iter().map(|t| t.as_str()).collect();
        let plan = cse::plan(&s, &roots, &taken);
        assert!(!plan.bindings.is_empty(), "{f}: something repeats");
        let mut text: Vec<String> = plan
            .bindings
            .iter()
            .map(|(n, e)| format!("{n} = {}", render_named(&s, *e, Style::Plain, &plan.names)))
            .collect();
        let cells: Vec<String> = roots
            .iter()
            .map(|r| match plan.names.get(r) {
                Some(n) => n.clone(),
                None => render_named(&s, *r, Style::Plain, &plan.names),
            })
            .collect();
        text.push(format!("[{}]", cells.join(", ")));
        let (back, _) = read_back_cse(&mut s, &text.join("\n"), "\n");
        for (&a, &b) in back.iter().zip(&roots) {
            let a2 = s.tidy(a);
            assert!(
                a2 == b || same_value(&mut s, a, b),
                "{f}: {}\nreads back as {}",
                text.join("\n"),
                deriv::print::render(&s, a, Style::Plain)
            );
        }
    }
}
