//! The numeric oracle: every symbolic derivative `deriv` computes is checked against a
//! numerical derivative of the same expression, evaluated in double precision.
//!
//! The numerical derivative is a central difference refined by Ridders' extrapolation
//! (a Richardson tableau with an error estimate). A point is *skipped*, never passed,
//! when either side cannot be evaluated there (domain errors, overflow), when a value is
//! huge (near a singularity) or when the extrapolation's own error estimate says the
//! numerical answer is unreliable. Each property test counts the points it really
//! checked and asserts that enough were, so it cannot pass vacuously.
//!
//! Tolerance: |symbolic − numeric| ≤ REL · max(1, |symbolic|, |numeric|), i.e. 1e-6
//! relative with an absolute floor of 1e-6 for first derivatives (1e-5 for second).

use deriv::calculus::{Constraint, Constraints, partial};
use deriv::eval::{Perturbation, eval_many};
use deriv::expr::{ExprId, Name, Store};
use deriv::parse::parse;
use deriv::print::{Style, render};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;

use crate::common::exprgen::{FUNCS, NARY, paren};
use crate::common::numeric::*;

// ---- tolerances ------------------------------------------------------------------------

/// An intermediate value of f beyond this makes the point ill-conditioned: `sin(2^74 + x)`
/// has lost every digit of x, and `csc(sinh(9x))` at x = 1.6 oscillates with a period of
/// 1e-7 in x, far below any difference step (both steps alias alike and "agree"), so the
/// numerical derivative is meaningless there.
const HUGE_INSIDE: f64 = 1e4;

// ---- evaluation ------------------------------------------------------------------------

/// A subexpression that changes by more than this times its size (at least 1) per unit
/// of a variable makes the point ill-conditioned too: `tan(81y^4)` a millionth from a
/// pole varies on a scale no difference step resolves, even where a tiny factor hides it
/// in f's value (`tan(81y^4)*7^(-17y)`).
const STEEP: f64 = 1e4;

/// The step of the probe that measures how fast each subexpression changes: far below
/// the difference quotients' steps, so it does not cross the features they would.
const PROBE: f64 = 1e-8;

/// Does every subexpression of `e` stay moderate at `p`, and change at a moderate rate
/// along each variable there (`HUGE_INSIDE`, `STEEP`)?
fn well_conditioned(s: &Store, e: ExprId, names: &[Name], p: &[f64]) -> bool {
    let sides: Vec<(Vec<f64>, Vec<f64>)> = (0..names.len())
        .filter(|&i| p[i].is_finite())
        .map(|i| {
            let (mut a, mut b) = (p.to_vec(), p.to_vec());
            a[i] += PROBE;
            b[i] -= PROBE;
            (a, b)
        })
        .collect();
    well_conditioned_along(s, e, names, p, &sides)
}

/// `well_conditioned`, with the rates taken between each pair of points in `sides`,
/// which lie PROBE on either side of `p` in some direction (x, and t and s following x).
fn well_conditioned_along(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    sides: &[(Vec<f64>, Vec<f64>)],
) -> bool {
    let nodes = s.postorder(&[e]);
    let values = |q: &[f64]| -> Option<Vec<f64>> {
        let env = |n: Name| names.iter().position(|&m| m == n).map(|i| q[i]);
        eval_many(s, &nodes, &env)
            .into_iter()
            .map(|v| v.ok())
            .collect()
    };
    let Some(here) = values(p) else {
        return false;
    };
    if here.iter().any(|v| v.abs() > HUGE_INSIDE) {
        return false;
    }
    sides.iter().all(|(a, b)| {
        let (Some(a), Some(b)) = (values(a), values(b)) else {
            return false;
        };
        (0..nodes.len())
            .all(|k| (a[k] - b[k]).abs() / (2.0 * PROBE) <= STEEP * here[k].abs().max(1.0))
    })
}

/// ∂e/∂names[i] at `p`, numerically; `None` where the point is ill-conditioned.
fn numeric_partial(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    i: usize,
) -> Option<(f64, f64)> {
    well_conditioned(s, e, names, p).then(|| numeric_first(s, e, names, p, i))?
}

/// ∂²e/∂names[i]∂names[j] at `p`, numerically; `None` where the point is ill-conditioned.
fn numeric_mixed(
    s: &Store,
    e: ExprId,
    names: &[Name],
    p: &[f64],
    i: usize,
    j: usize,
) -> Option<(f64, f64)> {
    well_conditioned(s, e, names, p).then(|| numeric_second(s, e, names, p, i, j))?
}

// ---- generating expression text --------------------------------------------------------

/// Generated expression text. Debug-prints as the text alone, so a failing case shows
/// the expression.
#[derive(Clone)]
struct Gen {
    text: String,
}

impl std::fmt::Debug for Gen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl Gen {
    fn leaf(text: String) -> Gen {
        Gen { text }
    }
    /// A compound built from `_parts` (kept at the call sites for reading).
    fn join(text: String, _parts: &[&Gen]) -> Gen {
        Gen { text }
    }
}

/// Expression text over `vars`: every operator, every built-in function (those of several
/// arguments too), numbers in every
/// notation, implicit products; nesting depth up to 5. Operands are parenthesised at random,
/// so the parser's precedence is exercised too (the oracle checks whatever the text parses
/// to).
fn expr_text(vars: &'static [&'static str]) -> BoxedStrategy<Gen> {
    expr_at(vars, 5)
}

fn leaf(vars: &'static [&'static str]) -> BoxedStrategy<Gen> {
    prop_oneof![
        6 => select(vars).prop_map(str::to_string),
        2 => (1i32..10).prop_map(|n| n.to_string()),
        2 => select(&["1/2", "3/4", "0.25", "1.5", "1e-1", "2.5E+0", "pi", "e", "0", "(2/3)"][..])
            .prop_map(str::to_string),
        1 => (2u32..10, select(vars)).prop_map(|(n, v)| format!("{n}{v}")),
    ]
    .prop_map(Gen::leaf)
    .boxed()
}

fn expr_at(vars: &'static [&'static str], depth: u32) -> BoxedStrategy<Gen> {
    if depth == 0 {
        return leaf(vars);
    }
    let inner = expr_at(vars, depth - 1);
    let exponent = prop_oneof![
        select(
            &[
                "2", "3", "-1", "-2", "1/2", "(1/2)", "(1/3)", "(-1/2)", "(3/2)", "(2/3)", "0"
            ][..]
        )
        .prop_map(str::to_string),
        (1i32..5).prop_map(|n| n.to_string()),
    ];
    let ops = select(&["+", "-", " + ", " - ", "*", "/", " * "][..]);
    prop_oneof![
        2 => leaf(vars),
        5 => (inner.clone(), ops, inner.clone(), any::<(bool, bool)>()).prop_map(
            |(a, op, b, (pa, pb))| {
                let t = format!("{}{op}{}", paren(&a.text, pa), paren(&b.text, pb));
                Gen::join(t, &[&a, &b])
            }
        ),
        // a power with a constant exponent
        2 => (inner.clone(), select(&["^", "**"][..]), exponent)
            .prop_map(|(a, op, k)| Gen::join(format!("({}){op}{k}", a.text), &[&a])),
        // a constant base
        1 => (select(&["2", "e", "pi", "(1/2)", "3"][..]), inner.clone()).prop_map(|(b, a)| {
            Gen::join(format!("{b}^({})", a.text), &[&a])
        }),
        // the general u^v
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| {
            Gen::join(format!("({})^({})", a.text, b.text), &[&a, &b])
        }),
        1 => (inner.clone(), any::<bool>())
            .prop_map(|(a, p)| Gen::join(format!("-{}", paren(&a.text, p)), &[&a])),
        2 => (select(&NARY[..]), inner.clone(), inner.clone(), inner.clone()).prop_map(
            |((f, n), a, b, c)| {
                let args = [&a.text, &b.text, &c.text][..n]
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                Gen::join(format!("{f}({args})"), &[&a, &b, &c])
            }
        ),
        4 => (select(FUNCS.split_whitespace().collect::<Vec<_>>()), inner)
            .prop_map(|(f, a)| Gen::join(format!("{f}({})", a.text), &[&a])),
    ]
    .boxed()
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

/// Runs a property and panics with proptest's (shrunk) counterexample on failure.
fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

fn point(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.2f64..1.8, n)
}

struct Ctx {
    s: Store,
    names: Vec<Name>,
}

impl Ctx {
    fn new(vars: &[&str]) -> Ctx {
        let mut s = Store::new();
        let names = vars.iter().map(|v| s.intern_name(v)).collect();
        Ctx { s, names }
    }
    fn parse(&mut self, text: &str) -> ExprId {
        parse(&mut self.s, text).unwrap_or_else(|e| panic!("`{text}` does not parse: {e:?}"))
    }
    fn show(&self, e: ExprId) -> String {
        render(&self.s, e, Style::Plain)
    }
}

// ---- 1. random expressions, first partial derivatives -----------------------------------

#[test]
fn random_first_partials_agree_with_finite_differences() {
    const VARS: &[&str] = &["x", "y", "z"];
    let checked = Cell::new(0usize);
    let attempted = Cell::new(0usize);
    run(
        3000,
        (expr_text(VARS), prop::collection::vec(point(3), 3)),
        |(g, points)| {
            let text = g.text;
            let mut c = Ctx::new(VARS);
            let f = c.parse(&text);
            if c.s.is_undefined(f) {
                return Ok(());
            }
            for (i, &v) in c.names.clone().iter().enumerate() {
                let d = partial(&mut c.s, f, v);
                let t = c.s.tidy(d);
                if !c.s.free_symbols(&[f]).contains(&v) {
                    prop_assert_eq!(d, c.s.zero(), "∂({})/∂{} should be 0", text, VARS[i]);
                }
                for p in &points {
                    attempted.set(attempted.get() + 1);
                    let num = numeric_partial(&c.s, f, &c.names, p, i);
                    let mut ok = true;
                    for (what, e) in [("partial", d), ("tidy(partial)", t)] {
                        match compare(value(&c.s, e, &c.names, p), num, REL) {
                            Verdict::Agree => {}
                            Verdict::Skipped => ok = false,
                            Verdict::Disagree(why) => prop_assert!(
                                false,
                                "f = {}\n  parsed: {}\n  {what} ∂/∂{} = {}\n  at {:?}: {}",
                                text,
                                c.show(f),
                                VARS[i],
                                c.show(e),
                                p,
                                why
                            ),
                        }
                    }
                    if ok {
                        checked.set(checked.get() + 1);
                    }
                }
            }
            Ok(())
        },
    );
    let (n, m) = (checked.get(), attempted.get());
    eprintln!("first partials: {n} of {m} (expression, variable, point) triples checked");
    assert!(n * 4 >= m, "only {n} of {m} points could be checked");
}

// ---- 2. one test per rule, at fixed points ---------------------------------------------

/// Points inside every domain the rule tests use (x ≠ y, x·y/4 in (-1, 1), …).
const FIXED: [[f64; 3]; 4] = [
    [0.3, 0.7, 1.1],
    [0.9, 1.3, 0.4],
    [1.6, 0.5, 1.7],
    [1.2, 1.75, 0.25],
];

/// ∂(text)/∂var is checked against the numeric oracle and against `expected` (a formula
/// written by hand) at every fixed point; no point may be skipped.
fn rule(name: &str, text: &str, var: &str, expected: &str) {
    let vars = ["x", "y", "z"];
    let mut c = Ctx::new(&vars);
    let f = c.parse(text);
    let want = c.parse(expected);
    let i = vars
        .iter()
        .position(|v| *v == var)
        .expect("a test variable");
    let d = partial(&mut c.s, f, c.names[i]);
    let t = c.s.tidy(d);
    for p in FIXED {
        let num = numeric_partial(&c.s, f, &c.names, &p, i);
        let w = value(&c.s, want, &c.names, &p);
        for (what, e) in [("partial", d), ("tidy(partial)", t)] {
            let sym = value(&c.s, e, &c.names, &p);
            let ctx = format!(
                "rule `{name}`: ∂({text})/∂{var} = {} ({what}) at {p:?}",
                c.show(e)
            );
            assert_eq!(compare(sym, num, REL), Verdict::Agree, "{ctx} vs numeric");
            let (a, b) = (sym.unwrap(), w.expect("expected formula evaluates"));
            assert!(
                (a - b).abs() <= 1e-9 * 1f64.max(a.abs()),
                "{ctx}: {a} but the hand-written `{expected}` gives {b}"
            );
        }
    }
}

#[test]
fn rule_constants_and_other_variables() {
    rule("number", "7/3", "x", "0");
    rule("pi and e", "pi*e", "x", "0");
    rule("other variable held constant", "y^2*sin(z)", "x", "0");
    rule("the variable", "x", "x", "1");
}

#[test]
fn rule_sum() {
    rule("sum", "x^2 + sin(x) + y - 3", "x", "2x + cos(x)");
}

#[test]
fn rule_unary_minus_and_difference() {
    rule("minus", "-(x^3) - x*y", "x", "-3x^2 - y");
}

#[test]
fn rule_product() {
    rule("product", "x^2*sin(x)*y", "x", "2x*sin(x)*y + x^2*cos(x)*y");
    rule("product of sums", "(x+y)*(x-2y)", "y", "(x-2y) - 2(x+y)");
}

#[test]
fn rule_quotient() {
    rule(
        "quotient",
        "sin(x)/(x^2 + y)",
        "x",
        "(cos(x)*(x^2 + y) - sin(x)*2x)/(x^2 + y)^2",
    );
    rule("reciprocal", "1/(x*y)", "y", "-x/(x*y)^2");
}

#[test]
fn rule_power_with_constant_exponent() {
    rule("integer power", "(x^2 + y)^3", "x", "3(x^2 + y)^2*2x");
    rule("negative power", "(x + y)^-2", "x", "-2(x + y)^-3");
    rule(
        "rational power",
        "(x + y)^(2/3)",
        "x",
        "(2/3)*(x + y)^(-1/3)",
    );
    rule("square root", "sqrt(x*y)", "x", "y/(2*sqrt(x*y))");
    rule("** spelling", "x**4", "x", "4*x^3");
}

#[test]
fn rule_constant_base() {
    rule("constant base", "2^(x*y)", "x", "2^(x*y)*ln(2)*y");
    rule("pi base", "pi^(x^2)", "x", "pi^(x^2)*ln(pi)*2x");
    rule("exp", "exp(x*y)", "x", "y*exp(x*y)");
    rule("e base", "e^(sin(x))", "x", "cos(x)*e^(sin(x))");
}

#[test]
fn rule_general_power() {
    rule("x^x", "x^x", "x", "x^x*(ln(x) + 1)");
    rule(
        "u^v",
        "(x + 1)^sin(x*y)",
        "x",
        "(x + 1)^sin(x*y)*(y*cos(x*y)*ln(x + 1) + sin(x*y)/(x + 1))",
    );
    rule("u^v in the exponent's variable", "x^y", "y", "x^y*ln(x)");
}

#[test]
fn rule_trigonometric() {
    rule("sin", "sin(x*y)", "x", "y*cos(x*y)");
    rule("cos", "cos(x*y)", "x", "-y*sin(x*y)");
    rule("tan", "tan(x*y)", "x", "y/cos(x*y)^2");
    rule("sec", "sec(x*y)", "x", "y*sin(x*y)/cos(x*y)^2");
    rule("csc", "csc(x*y)", "x", "-y*cos(x*y)/sin(x*y)^2");
    rule("cot", "cot(x*y)", "x", "-y/sin(x*y)^2");
}

#[test]
fn rule_inverse_trigonometric() {
    rule("asin", "asin(x*y/4)", "x", "(y/4)/sqrt(1 - (x*y/4)^2)");
    rule("acos", "acos(x*y/4)", "x", "-(y/4)/sqrt(1 - (x*y/4)^2)");
    rule("atan", "atan(x*y)", "x", "y/(1 + (x*y)^2)");
}

#[test]
fn rule_hyperbolic() {
    rule("sinh", "sinh(x*y)", "x", "y*cosh(x*y)");
    rule("cosh", "cosh(x*y)", "x", "y*sinh(x*y)");
    rule("tanh", "tanh(x*y)", "x", "y/cosh(x*y)^2");
}

#[test]
fn rule_logarithm() {
    rule("log", "log(x*y + 1)", "x", "y/(x*y + 1)");
    rule("ln", "ln(x^2)", "x", "2/x");
}

#[test]
fn rule_abs() {
    // FIXED never has x = y, so x - y stays away from the kink.
    rule("abs", "abs(x - y)", "x", "(x - y)/abs(x - y)");
    rule("abs of negative", "abs(y - x)", "x", "(x - y)/abs(x - y)");
}

#[test]
fn rule_sigmoid() {
    rule(
        "sigmoid",
        "sigmoid(x*y)",
        "x",
        "y*exp(-x*y)/(1 + exp(-x*y))^2",
    );
}

// The functions of issue #14. FIXED keeps x, y, z apart and 3y off the integers, so no
// point is at a kink.

#[test]
fn rule_inverse_hyperbolic_and_erf() {
    rule("asinh", "asinh(x*y)", "x", "y/sqrt((x*y)^2 + 1)");
    rule(
        "acosh",
        "acosh(x + y + 1)",
        "x",
        "1/sqrt((x + y + 1)^2 - 1)",
    );
    rule("atanh", "atanh(x*y/4)", "x", "(y/4)/(1 - (x*y/4)^2)");
    rule("erf", "erf(x*y)", "x", "2*y*exp(-(x*y)^2)/sqrt(pi)");
}

#[test]
fn rule_softplus_and_logsumexp() {
    rule("softplus", "softplus(x*y - 1)", "x", "y/(1 + exp(1 - x*y))");
    rule(
        "logsumexp",
        "logsumexp(x, 2*y, z)",
        "y",
        "2*exp(2*y)/(exp(x) + exp(2*y) + exp(z))",
    );
    rule(
        "softmax cross-entropy",
        "logsumexp(x, y, z) - x",
        "x",
        "exp(x)/(exp(x) + exp(y) + exp(z)) - 1",
    );
}

#[test]
fn rule_atan2_and_logarithms_to_a_base() {
    rule(
        "atan2 by y",
        "atan2(y, x - 1)",
        "y",
        "(x - 1)/((x - 1)^2 + y^2)",
    );
    rule("atan2 by x", "atan2(y, x - 1)", "x", "-y/((x - 1)^2 + y^2)");
    rule("log base by u", "log(x*y, z + 1)", "x", "1/(x*log(z + 1))");
    rule(
        "log base by b",
        "log(x, y + 1)",
        "y",
        "-log(x)/((y + 1)*log(y + 1)^2)",
    );
    rule("log2", "log2(x + y)", "x", "1/((x + y)*log(2))");
    rule("log10", "log10(x*y)", "x", "1/(x*log(10))");
}

#[test]
fn rule_kinks_away_from_the_kink() {
    rule("relu", "relu(x - y)*z", "x", "heaviside(x - y)*z");
    rule(
        "relu of a square",
        "relu(x^2 - y)",
        "x",
        "2*x*heaviside(x^2 - y)",
    );
    rule("abs", "abs(x - y)^3", "x", "3*(x - y)*abs(x - y)");
    rule(
        "max",
        "max(x, y, z)*x",
        "x",
        "max(x, y, z) + x*heaviside(x - max(y, z))",
    );
    rule("min", "min(x, 2*y)", "y", "2*heaviside(x - 2*y)");
    rule(
        "heaviside",
        "heaviside(x - y)*x^2",
        "x",
        "2*x*heaviside(x - y)",
    );
    rule("sign", "sign(x - y)*x", "x", "sign(x - y)");
    rule("floor", "floor(3*y)*x + y", "y", "1");
    rule("ceil", "ceil(3*y)*x", "x", "ceil(3*y)");
}

#[test]
fn rule_chain() {
    rule("chain", "sin(cos(x^2))", "x", "-cos(cos(x^2))*sin(x^2)*2x");
}

#[test]
fn the_oracle_catches_a_wrong_derivative() {
    // The oracle itself must be able to fail: a deliberately wrong "derivative".
    let mut c = Ctx::new(&["x", "y", "z"]);
    let f = c.parse("sin(x*y)");
    let wrong = c.parse("x*cos(x*y)");
    let p = [0.7, 1.1, 0.3];
    let num = numeric_partial(&c.s, f, &c.names, &p, 0);
    let sym = value(&c.s, wrong, &c.names, &p);
    assert!(matches!(compare(sym, num, REL), Verdict::Disagree(_)));
    let right = c.parse("y*cos(x*y)");
    let sym = value(&c.s, right, &c.names, &p);
    assert_eq!(compare(sym, num, REL), Verdict::Agree);
}

// ---- 3. higher order --------------------------------------------------------------------

/// Checks ∂²f/∂x∂y (both orders, and tidied) and ∂²f/∂x² at the points; returns
/// (checked, attempted), or a description of the first disagreement.
fn second_order_checks(
    c: &mut Ctx,
    text: &str,
    f: ExprId,
    points: &[Vec<f64>],
) -> Result<(usize, usize), String> {
    let (mut checked, mut attempted) = (0, 0);
    let (x, y) = (c.names[0], c.names[1]);
    let fx = partial(&mut c.s, f, x);
    let fy = partial(&mut c.s, f, y);
    let fxy = partial(&mut c.s, fx, y);
    let fyx = partial(&mut c.s, fy, x);
    let fxx = partial(&mut c.s, fx, x);
    let fxy_t = c.s.tidy(fxy);
    let cases = [
        ("∂²/∂x∂y", fxy, 0, 1),
        ("∂²/∂y∂x", fyx, 1, 0),
        ("tidy ∂²/∂x∂y", fxy_t, 0, 1),
        ("∂²/∂x²", fxx, 0, 0),
    ];
    for p in points {
        for &(what, e, i, j) in &cases {
            attempted += 1;
            let num = numeric_mixed(&c.s, f, &c.names, p, i, j);
            match compare(value(&c.s, e, &c.names, p), num, REL2) {
                Verdict::Agree => checked += 1,
                Verdict::Skipped => {}
                Verdict::Disagree(why) => {
                    return Err(format!(
                        "f = {text}\n  parsed: {}\n  {what} = {}\n  at {p:?}: {why}",
                        c.show(f),
                        c.show(e)
                    ));
                }
            }
        }
        // Mixed partials commute (up to rounding: the two forms may be differences of
        // large terms).
        let a = value_and_rounding(&c.s, fxy, &c.names, p);
        let b = value_and_rounding(&c.s, fyx, &c.names, p);
        if let (Some((a, ra)), Some((b, rb))) = (a, b)
            && (a - b).abs() > 1e-8 * 1f64.max(a.abs()) + ra + rb
        {
            return Err(format!(
                "f = {text}: ∂²/∂x∂y = {} ({a}) but ∂²/∂y∂x = {} ({b}) at {p:?}",
                c.show(fxy),
                c.show(fyx)
            ));
        }
    }
    Ok((checked, attempted))
}

#[test]
fn second_partials_of_fixed_expressions() {
    let texts = [
        "x^3*y^2",
        "sin(x*y)",
        "exp(x)*cos(y)",
        "x^y",
        "log(x + y^2)*atan(x/y)",
        "sigmoid(x - y)*tanh(x*y)",
        "sqrt(x^2 + y^2)",
        "(x + y)^(x*y)",
        "asin(x*y/4) + acos(x/2 - y/4)",
        "sec(x/2)*csc(y + 1) + cot(x + y) + tan(x - y)",
        "sinh(x)*cosh(y)/abs(x - 2y)",
        "softplus(x*y) + logsumexp(x, y^2)",
        "atan2(y, x)*erf(x - y)",
        "asinh(x*y) + atanh(x*y/4) + acosh(x + y + 1)",
        "log(x + 1, y + 1) + log10(x*y)",
        "max(x, y)^2 + relu(x - y)*y + min(x, y)*x",
    ];
    let points: Vec<Vec<f64>> = FIXED.iter().map(|p| p.to_vec()).collect();
    for text in texts {
        let mut c = Ctx::new(&["x", "y"]);
        let f = c.parse(text);
        let (checked, attempted) =
            second_order_checks(&mut c, text, f, &points).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked, attempted, "`{text}`: some points were skipped");
    }
}

#[test]
fn random_second_partials_agree_with_finite_differences() {
    const VARS: &[&str] = &["x", "y"];
    let checked = Cell::new(0usize);
    let attempted = Cell::new(0usize);
    run(
        800,
        (expr_text(VARS), prop::collection::vec(point(2), 2)),
        |(g, points)| {
            let text = g.text;
            let mut c = Ctx::new(VARS);
            let f = c.parse(&text);
            if c.s.is_undefined(f) {
                return Ok(());
            }
            let (k, n) =
                second_order_checks(&mut c, &text, f, &points).map_err(TestCaseError::fail)?;
            checked.set(checked.get() + k);
            attempted.set(attempted.get() + n);
            Ok(())
        },
    );
    let (n, m) = (checked.get(), attempted.get());
    eprintln!("second partials: {n} of {m} checked");
    assert!(n * 5 >= m, "only {n} of {m} points could be checked");
}

// ---- 4. total derivatives ----------------------------------------------------------------

/// Builds the constraints `t = g1(x, y)` and (when given) `s = g2(x, y, t)`.
fn constraints(c: &mut Ctx, g1: &str, g2: Option<&str>) -> Constraints {
    let t = c.s.intern_name("t");
    let mut items = vec![Constraint {
        name: t,
        rhs: c.parse(g1),
        index: 0,
    }];
    if let Some(g2) = g2 {
        let sname = c.s.intern_name("s");
        items.push(Constraint {
            name: sname,
            rhs: c.parse(g2),
            index: 1,
        });
    }
    Constraints::new(&mut c.s, items).expect("valid constraints")
}

/// Checks df/dx (x = names[0]) under t = g1(x, y), s = g2(x, y, t) at the points; returns
/// (checked, attempted). The numeric side differentiates x ↦ f(x, y, g1, g2(x, y, g1)).
fn total_checks(
    f_text: &str,
    g1: &str,
    g2: Option<&str>,
    points: &[Vec<f64>],
) -> Result<(usize, usize), String> {
    let mut c = Ctx::new(&["x", "y", "t", "s"]);
    let f = c.parse(f_text);
    let g1e = c.parse(g1);
    let g2e = g2.map(|g| c.parse(g));
    let cons = constraints(&mut c, g1, g2);
    let x = c.names[0];
    let total = cons.total(&mut c.s, f, &[x]);
    let outcome = cons.partial_then_substitute(&mut c.s, f, &[x]);
    let dropped_sum = {
        let terms: Vec<ExprId> = outcome.dropped.iter().map(|d| d.term).collect();
        c.s.add(terms)
    };
    let repaired = c.s.add2(outcome.result, dropped_sum);
    let free = c.s.free_symbols(&[total, outcome.total, repaired]);
    let leftover: Vec<&str> = free
        .iter()
        .map(|&n| c.s.name(n))
        .filter(|n| *n == "t" || (*n == "s" && g2.is_some()))
        .collect();
    if !leftover.is_empty() {
        return Err(format!(
            "f = {f_text}, t = {g1}, s = {g2:?}: constrained variables {leftover:?} left in \
             the total derivative {}",
            c.show(total)
        ));
    }
    let names = c.names.clone();
    // The full point (x, y, t, s) with the constraints applied.
    // Without a second constraint, s is an independent variable (its value is p[2]).
    let full =
        |c: &Ctx, x: f64, y: f64, free_s: f64, m: Option<Perturbation>| -> Option<Vec<f64>> {
            let t = value_perturbed(&c.s, g1e, &names, &[x, y, f64::NAN, f64::NAN], m)?;
            let s = match g2e {
                Some(g) => value_perturbed(&c.s, g, &names, &[x, y, t, f64::NAN], m)?,
                None => free_s,
            };
            Some(vec![x, y, t, s])
        };
    // f with the constraints applied, as a function of x (and y and the free s).
    let composite = |c: &Ctx, p: &[f64], x: f64, m: Option<Perturbation>| {
        value_perturbed(&c.s, f, &names, &full(c, x, p[1], p[2], m)?, m)
    };
    // What varies with x: t, s when it is constrained, and f with them.
    let varying: Vec<Name> = match g2e {
        Some(_) => vec![names[0], names[2], names[3]],
        None => vec![names[0], names[2]],
    };
    let (mut checked, mut attempted) = (0, 0);
    let ctx = |c: &Ctx, p: &[f64]| {
        format!(
            "f = {f_text}, t = {g1}, s = {g2:?}, at (x, y, s) = {p:?}\n  total df/dx = {}\n  \
             partial then substitute = {}\n  dropped = [{}]",
            c.show(total),
            c.show(outcome.result),
            outcome
                .dropped
                .iter()
                .map(|d| c.show(d.term))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    for p in points {
        attempted += 1;
        // Each expression is checked along every variable, and along x with t and s
        // following it (1/t^4 is steep along x where t = sin(-4000x) is near 0).
        let along_x = |dx: f64| full(&c, p[0] + dx, p[1], p[2], None);
        let conditioned = match (
            full(&c, p[0], p[1], p[2], None),
            along_x(PROBE),
            along_x(-PROBE),
        ) {
            (Some(q), Some(a), Some(b)) => {
                let sides = [(a, b)];
                [Some(f), Some(g1e), g2e].into_iter().flatten().all(|e| {
                    well_conditioned(&c.s, e, &names, &q)
                        && well_conditioned_along(&c.s, e, &names, &q, &sides)
                })
            }
            _ => false,
        };
        let num = rounding(|m| composite(&c, p, p[0], m), &varying)
            .and_then(|r| {
                robust(
                    |h| {
                        let (a, b) = (p[0] + h, p[0] - h);
                        Some((composite(&c, p, a, None)? - composite(&c, p, b, None)?) / (2.0 * h))
                    },
                    |h| r / h,
                )
            })
            .filter(|_| conditioned);
        let free_s = if g2.is_some() { f64::NAN } else { p[2] };
        let here = [p[0], p[1], f64::NAN, free_s];
        let sym = value(&c.s, total, &names, &here);
        match compare(sym, num, REL) {
            Verdict::Agree => checked += 1,
            Verdict::Skipped => continue,
            Verdict::Disagree(why) => return Err(format!("{}: {why}", ctx(&c, p))),
        }
        // The tidied total of `partial --given` and the repaired result agree with it.
        for (what, e) in [
            ("outcome.total", outcome.total),
            ("result + dropped", repaired),
        ] {
            if let (Some(a), Some(b)) = (sym, value(&c.s, e, &names, &here))
                && (a - b).abs() > 1e-8 * 1f64.max(a.abs())
            {
                return Err(format!(
                    "{}\n  {what} = {b} but the total is {a}",
                    ctx(&c, p)
                ));
            }
        }
    }
    Ok((checked, attempted))
}

fn fixed_total(f: &str, g1: &str, g2: Option<&str>, pts: &[Vec<f64>]) -> (usize, usize) {
    total_checks(f, g1, g2, pts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn total_derivatives_of_fixed_expressions() {
    let pts: Vec<Vec<f64>> = FIXED.iter().map(|p| p.to_vec()).collect();
    let (k, n) = fixed_total("4*pi/3*t*x*y", "x", None, &pts);
    assert_eq!(k, n);
    let (k, n) = fixed_total("sin(t)*x + t^2*y", "x^2*y", None, &pts);
    assert_eq!(k, n);
    // Chained: s depends on x directly and through t.
    let (k, n) = fixed_total("s*t + exp(s)*x", "x^2", Some("t + sin(x)*y"), &pts);
    assert_eq!(k, n);
    // A constraint independent of x: nothing is dropped.
    let (k, n) = fixed_total("t*x", "y^2", None, &pts);
    assert_eq!(k, n);
}

#[test]
fn dropped_terms_are_reported() {
    let mut c = Ctx::new(&["x", "y", "t"]);
    let f = c.parse("4*pi/3*t*x*y");
    let cons = constraints(&mut c, "x", None);
    let x = c.names[0];
    let out = cons.partial_then_substitute(&mut c.s, f, &[x]);
    assert_eq!(out.dropped.len(), 1, "one term is dropped");
    let want_result = c.parse("4*pi*x*y/3");
    let want_total = c.parse("8*pi*x*y/3");
    assert_eq!(c.show(out.result), c.show(want_result));
    assert_eq!(c.show(out.total), c.show(want_total));
    assert_eq!(out.dropped[0].term, c.s.tidy(want_result));
}

#[test]
fn random_total_derivatives_agree_with_finite_differences() {
    const F_VARS: &[&str] = &["x", "y", "t", "s"];
    const G1_VARS: &[&str] = &["x", "y"];
    const G2_VARS: &[&str] = &["x", "y", "t"];
    let checked = Cell::new(0usize);
    let attempted = Cell::new(0usize);
    run(
        1000,
        (
            expr_text(F_VARS),
            expr_text(G1_VARS),
            prop::option::of(expr_text(G2_VARS)),
            prop::collection::vec(point(3), 3),
        ),
        |(f, g1, g2, points)| {
            let (f, g1, g2) = (f.text, g1.text, g2.map(|g| g.text));
            // Skip inputs whose parsed forms are undefined (e.g. containing 1/0).
            let mut probe = Store::new();
            for t in [Some(&f), Some(&g1), g2.as_ref()].into_iter().flatten() {
                let e =
                    parse(&mut probe, t).map_err(|e| TestCaseError::fail(format!("{t}: {e:?}")))?;
                if probe.is_undefined(e) {
                    return Ok(());
                }
            }
            let (k, n) =
                total_checks(&f, &g1, g2.as_deref(), &points).map_err(TestCaseError::fail)?;
            checked.set(checked.get() + k);
            attempted.set(attempted.get() + n);
            Ok(())
        },
    );
    let (n, m) = (checked.get(), attempted.get());
    eprintln!("total derivatives: {n} of {m} checked");
    assert!(n * 5 >= m, "only {n} of {m} points could be checked");
}

// ---- huge exponents -------------------------------------------------------------------

/// `3^(2^62)` stays symbolic, and so must an integer exponent beyond i64 (it once sent the
/// canonical `pow` of a number into endless recursion, overflowing the stack).
#[test]
fn huge_integer_exponent_stays_symbolic() {
    let mut s = Store::new();
    let e = parse(&mut s, "3^(2^63)").expect("parses");
    assert_eq!(render(&s, e, Style::Plain), "3^9223372036854775808");
    let x = s.intern_name("x");
    assert_eq!(partial(&mut s, e, x), s.zero());
}

/// A rational exponent whose integer part is too large to fold stays symbolic. (`pow_num`
/// once split 2^(200001/2) into 2^100000 · 2^(1/2), which `mul` merged back, forever; the
/// generators above no longer need to avoid such exponents.)
#[test]
fn huge_rational_exponent_stays_symbolic() {
    for text in ["2^(200001/2)", "7^(99999/2)", "2^((2^63+1)/2)"] {
        let mut s = Store::new();
        let e = parse(&mut s, text).expect("parses");
        let x = s.intern_name("x");
        assert_eq!(partial(&mut s, e, x), s.zero(), "{text}");
        let plain = render(&s, e, Style::Plain);
        assert_eq!(parse(&mut s, &plain), Ok(e), "{text} prints as {plain}");
    }
}
