//! `--explain`, the derivation printed before the result, through the built binary. For
//! `partial`, each rule applied (outermost first) with the subexpression and its
//! derivative; for `total`, the chain-rule expansion df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx; for
//! `differential`, the partials. The result line stays what the command prints without
//! `--explain`.
//!
//! Besides transcripts, the steps are checked numerically: every step's result must be the
//! derivative of its subexpression (a central difference of `deriv eval` values), and the
//! terms of a total derivative must add up to the result. Expected values were worked out
//! by hand and checked with SymPy (not needed to run these tests).

use crate::common::*;

/// The lines `deriv ARGS` prints (exit 0 and an empty stderr expected).
fn lines(args: &[&str]) -> Vec<String> {
    let o = deriv(args).run();
    assert_eq!(o.code, 0, "{args:?}\n{o:#?}");
    assert_eq!(o.stderr, "", "{args:?}\n{o:#?}");
    o.stdout.lines().map(str::to_string).collect()
}

/// The same with `--explain`: the explanation lines and the result (the last line), which
/// must be what the command prints without `--explain`.
fn explained(args: &[&str]) -> (Vec<String>, String) {
    let plain = lines(args);
    let mut with = args.to_vec();
    with.push("--explain");
    let mut all = lines(&with);
    let result = all.pop().expect("a result line");
    assert_eq!(
        vec![result.clone()],
        plain,
        "{args:?}: the result stays last"
    );
    assert!(!all.is_empty(), "{args:?}: no explanation");
    (all, result)
}

/// The values of `exprs` at `point` (`x=1,y=2`), through `deriv eval -`.
fn eval_all(exprs: &[String], point: &str) -> Vec<f64> {
    let input: String = exprs.iter().map(|e| format!("{e}\n")).collect();
    let o = deriv(&["eval", "-", "--at", point]).stdin(&input).run();
    assert_eq!(o.code, 0, "eval at {point} of {exprs:?}\n{o:#?}");
    let out: Vec<f64> = o.stdout.lines().map(number).collect();
    assert_eq!(out.len(), exprs.len());
    out
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// A partial step line `  RULE: ∂/∂V EXPR = RESULT`, split.
fn step(line: &str, var: &str) -> Option<(String, String, String)> {
    let body = line.strip_prefix("  ")?;
    let (rule, rest) = body.split_once(&format!(": ∂/∂{var} "))?;
    let (e, r) = rest.split_once(" = ")?;
    Some((rule.to_string(), e.to_string(), r.to_string()))
}

// ---- partial: the rules ------------------------------------------------------------------

#[test]
fn partial_explain_transcript() {
    let (steps, result) = explained(&["partial", "x^2*sin(y) + exp(x*y)/x", "x"]);
    assert_eq!(
        steps,
        [
            "∂/∂x of x^2*sin(y) + exp(x*y)/x:",
            "  sum rule: ∂/∂x (x^2*sin(y) + exp(x*y)/x) = 2*x*sin(y) + y*exp(x*y)/x - exp(x*y)/x^2",
            "  constant factor rule: ∂/∂x (x^2*sin(y)) = 2*x*sin(y)",
            "  power rule: ∂/∂x (x^2) = 2*x",
            "  quotient rule: ∂/∂x (exp(x*y)/x) = y*exp(x*y)/x - exp(x*y)/x^2",
            "  power rule: ∂/∂x (1/x) = -1/x^2",
            "  exponential rule and chain rule: ∂/∂x exp(x*y) = y*exp(x*y)",
            "  constant factor rule: ∂/∂x (x*y) = y",
        ]
    );
    assert_eq!(result, "2*x*sin(y) + y*exp(x*y)/x - exp(x*y)/x^2");
}

#[test]
fn each_rule_is_named_where_it_is_needed() {
    // (expression, the step line expected among the explanation's lines)
    let cases = [
        ("x + sin(x)", "  sum rule: ∂/∂x (x + sin(x)) = cos(x) + 1"),
        (
            "x*sin(x)",
            "  product rule: ∂/∂x (x*sin(x)) = x*cos(x) + sin(x)",
        ),
        (
            "sin(x)/x",
            "  quotient rule: ∂/∂x (sin(x)/x) = cos(x)/x - sin(x)/x^2",
        ),
        ("3*y*x^2", "  constant factor rule: ∂/∂x (3*x^2*y) = 6*x*y"),
        ("x^5", "  power rule: ∂/∂x (x^5) = 5*x^4"),
        (
            "(x^2 + 1)^3",
            "  power rule and chain rule: ∂/∂x ((x^2 + 1)^3) = 6*x*(x^2 + 1)^2",
        ),
        (
            "sqrt(x)",
            "  square root rule: ∂/∂x sqrt(x) = 1/(2*sqrt(x))",
        ),
        ("exp(x)", "  exponential rule: ∂/∂x exp(x) = exp(x)"),
        (
            "exp(x^2)",
            "  exponential rule and chain rule: ∂/∂x exp(x^2) = 2*x*exp(x^2)",
        ),
        (
            "2^x",
            "  exponential rule (a^u = e^(u·log a)): ∂/∂x (2^x) = 2^x*log(2)",
        ),
        (
            "x^x",
            "  general power rule (u^v = e^(v·log u)): ∂/∂x (x^x) = x^x*log(x) + x^x",
        ),
        ("sin(x)", "  derivative of sin: ∂/∂x sin(x) = cos(x)"),
        ("log(x)", "  derivative of log: ∂/∂x log(x) = 1/x"),
        (
            "cos(x^2)",
            "  chain rule with cos: ∂/∂x cos(x^2) = -2*x*sin(x^2)",
        ),
        (
            "f(x^2)",
            "  chain rule with the unknown function f: ∂/∂x f(x^2) = 2*x*f'(x^2)",
        ),
    ];
    for (expr, want) in cases {
        let (steps, _) = explained(&["partial", expr, "x"]);
        assert!(
            steps.iter().any(|l| l == want),
            "partial {expr} x --explain: no line {want:?} in\n{}",
            steps.join("\n")
        );
    }
    // A function with a rule from --let says so.
    let (steps, result) = explained(&[
        "partial",
        "phi(w*x)",
        "w",
        "--let",
        "phi(s) = 1/(1+exp(-a*s))",
        "--let",
        "a = 2",
        "--let",
        "phi'(s) = a*phi(s)*(1-phi(s))",
    ]);
    assert_eq!(
        steps,
        [
            "∂/∂w of phi(w*x):",
            "  chain rule with phi (its rule from the definitions): ∂/∂w phi(w*x) = 2*x*phi(w*x)*(1 - phi(w*x))",
            "  constant factor rule: ∂/∂w (w*x) = x",
        ]
    );
    assert_eq!(result, "2*x*phi(w*x)*(1 - phi(w*x))");
}

#[test]
fn outermost_first_and_the_first_step_is_the_whole_derivative() {
    for expr in ["sin(x^2)*exp(-x)", "log(1 + x^2)/sqrt(x)", "x^x + 2^x*y"] {
        let (steps, result) = explained(&["partial", expr, "x"]);
        assert!(steps[0].starts_with("∂/∂x of "), "{steps:?}");
        let (_, e, r) = step(&steps[1], "x").expect("a step line");
        assert_eq!(r, result, "{expr}: the first step is the whole derivative");
        assert_eq!(
            lines(&["simplify", &e]),
            lines(&["simplify", expr]),
            "{expr}: the first step is about the whole expression"
        );
    }
}

#[test]
fn higher_order_explains_each_derivative() {
    let (steps, result) = explained(&["partial", "x^2*y^3", "x", "y"]);
    assert_eq!(
        steps,
        [
            "∂/∂x of x^2*y^3:",
            "  constant factor rule: ∂/∂x (x^2*y^3) = 2*x*y^3",
            "  power rule: ∂/∂x (x^2) = 2*x",
            "∂/∂y of 2*x*y^3:",
            "  constant factor rule: ∂/∂y (2*x*y^3) = 6*x*y^2",
            "  power rule: ∂/∂y (y^3) = 3*y^2",
        ]
    );
    assert_eq!(result, "6*x*y^2");
}

/// Every step's result is the derivative of its subexpression, at several points.
#[test]
fn every_step_is_a_correct_derivative() {
    let exprs = [
        "x^2*sin(y) + exp(x*y)/x",
        "sin(x^2)*exp(-x)",
        "log(1 + x^2)/sqrt(x)",
        "x^x + 2^x*y",
        "atan(x*y)^2 - cos(x)/(1 + y*x^3)",
        "sqrt(x^2 + y^2)*tanh(x)",
    ];
    let points = [(0.7, 1.3), (1.9, -0.4)];
    let h = 1e-5;
    let mut checked = 0;
    for expr in exprs {
        let (steps, _) = explained(&["partial", expr, "x"]);
        let parsed: Vec<(String, String, String)> =
            steps.iter().filter_map(|l| step(l, "x")).collect();
        assert!(parsed.len() >= 2, "{expr}: {steps:?}");
        let subs: Vec<String> = parsed.iter().map(|(_, e, _)| e.clone()).collect();
        let results: Vec<String> = parsed.iter().map(|(_, _, r)| r.clone()).collect();
        for (x, y) in points {
            let at = |x: f64| format!("x={x},y={y}");
            let plus = eval_all(&subs, &at(x + h));
            let minus = eval_all(&subs, &at(x - h));
            let symbolic = eval_all(&results, &at(x));
            for i in 0..parsed.len() {
                let numeric = (plus[i] - minus[i]) / (2.0 * h);
                assert!(
                    close(symbolic[i], numeric, 1e-6),
                    "{expr}: step {:?} at ({x}, {y}): symbolic {}, numeric {numeric}",
                    parsed[i],
                    symbolic[i]
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} steps checked");
}

// ---- total: the chain-rule expansion -------------------------------------------------------

#[test]
fn total_explain_transcript() {
    let (steps, result) = explained(&["total", "4*pi/3*t*x*y", "x", "--given", "t=x"]);
    assert_eq!(
        steps,
        [
            "df/dx = ∂f/∂x + ∂f/∂t·dt/dx + ∂f/∂y·dy/dx",
            "  ∂f/∂x = 4*pi*t*y/3",
            "  ∂f/∂t·dt/dx = (4*pi*x*y/3)·(1) = 4*pi*x*y/3   (t = x)",
            "  ∂f/∂y·dy/dx = (4*pi*t*x/3)·(0) = 0   (y does not depend on x)",
            "df/dx = 4*pi*t*y/3 + 4*pi*x*y/3",
            "      = 8*pi*x*y/3   (substituting the constraints)",
        ]
    );
    assert_eq!(result, "8*pi*x*y/3");
}

#[test]
fn total_explain_unicode() {
    let (steps, result) = explained(&[
        "total",
        "4*pi/3*t*x*y",
        "x",
        "--given",
        "t=x",
        "--format",
        "unicode",
    ]);
    assert_eq!(steps[1], "  ∂f/∂x = 4π·t·y/3");
    assert_eq!(
        steps[2],
        "  ∂f/∂t·dt/dx = (4π·x·y/3)·(1) = 4π·x·y/3   (t = x)"
    );
    assert_eq!(result, "8π·x·y/3");
}

/// The terms ∂f/∂v·dv/dx: each is the product of its factors, they add up to the line
/// `df/dx = SUM`, and that is the result once the constraints give t, s their values.
#[test]
fn total_terms_sum_to_the_result() {
    // (expression, constraints, the constrained variables' values as functions of x)
    #[allow(clippy::type_complexity)]
    let cases: [(&str, &[&str], &dyn Fn(f64, f64) -> String); 3] = [
        ("4*pi/3*t*x*y", &["t=x"], &|x, _| format!("t={x}")),
        ("x*s", &["s=t+x", "t=x^2"], &|x, _| {
            format!("t={},s={}", x * x, x * x + x)
        }),
        ("sin(u)*y + u^2*x", &["u=x*y"], &|x, y| {
            format!("u={}", x * y)
        }),
    ];
    for (expr, given, deps) in cases {
        let mut args = vec!["total", expr, "x"];
        for g in given {
            args.push("--given");
            args.push(g);
        }
        let (steps, result) = explained(&args);
        assert!(steps[0].starts_with("df/dx = ∂f/∂x"), "{steps:?}");
        // Terms: "  LABEL = VALUE" (∂f/∂x) or "  LABEL = (A)·(B) = P   (why)".
        let mut factors = Vec::new();
        let mut products = Vec::new();
        for l in steps.iter().filter(|l| l.starts_with("  ∂f/∂")) {
            let (_, rest) = l.split_once(" = ").unwrap();
            let rest = rest.split("   (").next().unwrap();
            match rest.rsplit_once(" = ") {
                Some((ab, p)) => {
                    let (a, b) = ab
                        .strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .and_then(|r| r.split_once(")·("))
                        .unwrap_or_else(|| panic!("not (A)·(B): {l}"));
                    factors.push((a.to_string(), b.to_string(), products.len()));
                    products.push(p.to_string());
                }
                None => products.push(rest.to_string()),
            }
        }
        let sum_line = steps
            .iter()
            .rev()
            .find_map(|l| l.strip_prefix("df/dx = "))
            .expect("the sum line")
            .to_string();
        for (x, y) in [(0.6, 1.7), (-1.3, 0.4)] {
            let point = format!("x={x},y={y},{}", deps(x, y));
            let mut all: Vec<String> = products.clone();
            all.push(sum_line.clone());
            all.push(result.clone());
            for (a, b, _) in &factors {
                all.push(a.clone());
                all.push(b.clone());
            }
            let v = eval_all(&all, &point);
            let n = products.len();
            let total: f64 = v[..n].iter().sum();
            assert!(
                close(total, v[n], 1e-12),
                "{expr}: the terms add up to {}",
                v[n]
            );
            assert!(
                close(v[n], v[n + 1], 1e-12),
                "{expr}: the sum is the result"
            );
            for (k, (_, _, i)) in factors.iter().enumerate() {
                let (a, b) = (v[n + 2 + 2 * k], v[n + 3 + 2 * k]);
                assert!(close(a * b, v[*i], 1e-12), "{expr}: term {i} is A·B");
            }
        }
    }
}

#[test]
fn total_explain_by_numbers() {
    // df/dx of x·s with s = t + x, t = x²: f = x³ + x², df/dx = 3x² + 2x; at x = 2: 16.
    let (steps, result) = explained(&["total", "x*s", "x", "--given", "s=t+x", "--given", "t=x^2"]);
    assert_eq!(result, "3*x^2 + 2*x");
    assert!(
        steps.contains(&"  ∂f/∂s·ds/dx = (x)·(2*x + 1) = x*(2*x + 1)   (s = t + x)".to_string()),
        "{steps:?}"
    );
    let v = eval_all(&[result], "x=2");
    assert_eq!(v, [16.0]);
}

#[test]
fn total_explain_with_an_implicit_relation() {
    let o = deriv(&["total", "y", "x", "--given", "x^2 + y^2 = 1", "--explain"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(o.stdout.ends_with("-x/y\n"), "{o:#?}");
    assert!(
        !o.stdout.contains("does not depend on x"),
        "the explanation contradicts the result:\n{}",
        o.stdout
    );
    assert!(o.stdout.contains("-x/y"), "{o:#?}");
}

// ---- differential ------------------------------------------------------------------------

#[test]
fn differential_explain_lists_the_partials() {
    let (steps, result) = explained(&["differential", "x^2*y + sin(z)"]);
    assert_eq!(
        steps,
        [
            "df = ∂f/∂x·dx + ∂f/∂y·dy + ∂f/∂z·dz",
            "  ∂f/∂x = 2*x*y",
            "  ∂f/∂y = x^2",
            "  ∂f/∂z = cos(z)",
        ]
    );
    assert_eq!(result, "2*x*y*d(x) + x^2*d(y) + cos(z)*d(z)");
    // With a constraint, the partials of the substituted expression.
    let (steps, _) = explained(&["differential", "4*pi/3*t*x*y", "--given", "t=x"]);
    assert_eq!(steps[1], "  ∂f/∂x = 8*pi*x*y/3");
    assert_eq!(
        vec![steps[1].trim_start_matches("  ∂f/∂x = ").to_string()],
        lines(&["total", "4*pi/3*t*x*y", "x", "--given", "t=x"])
    );
}

// ---- JSON and errors ----------------------------------------------------------------------

#[test]
fn json_has_an_explanation_array() {
    let (steps, _) = explained(&["total", "4*pi/3*t*x*y", "x", "--given", "t=x"]);
    let out = lines(&[
        "total",
        "4*pi/3*t*x*y",
        "x",
        "--given",
        "t=x",
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(out.len(), 1, "one JSON object: {out:?}");
    let v: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
    assert_eq!(v["result"]["plain"], "8*pi*x*y/3");
    let ex: Vec<String> = v["explanation"]
        .as_array()
        .expect("an explanation array")
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ex, steps);
    // Without --explain, no explanation key.
    let out = lines(&["partial", "x^2", "x", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
    assert!(v.get("explanation").is_none(), "{v}");
}

#[test]
fn explain_is_a_usage_error_with_batch_or_other_commands() {
    let o = deriv(&["partial", "-", "x", "--explain"])
        .stdin("x^2\n")
        .run();
    assert_eq!((o.code, o.stdout.as_str()), (2, ""), "{o:#?}");
    assert!(
        o.stderr
            .contains("error: --explain writes several lines, so it takes one expression, not `-`"),
        "{o:#?}"
    );
    for args in [
        &["grad", "x^2*y", "--explain"][..],
        &["hessian", "x^2*y", "--explain"],
        &["jacobian", "x*y", "x+y", "--explain"],
        &["simplify", "x+x", "--explain"],
        &["eval", "x", "--at", "x=1", "--explain"],
    ] {
        let o = deriv(args).run();
        assert_eq!((o.code, o.stdout.as_str()), (2, ""), "{args:?}\n{o:#?}");
        assert!(
            o.stderr.contains(&format!(
                "error: --explain is for partial, total and differential, not `{}`",
                args[0]
            )),
            "{args:?}\n{o:#?}"
        );
    }
}
