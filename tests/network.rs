//! Backpropagation: a perceptron with two hidden layers written with indexed names and
//! `sum(...)`, its error E = (f − y)²/2, and every ∂E/∂θ.
//!
//! - Library level: gradients of small networks (1-2-1, 2-3-1, 2-2-2) in reverse mode,
//!   with φ kept by its derivative rule and with φ expanded, against central differences
//!   of the same network written out by hand in Rust (so a wrong expansion of the sums or a
//!   wrong rule cannot agree with itself); the cheap-gradient bound on the 10-10-10
//!   network as an operation count; reverse mode against forward mode on random
//!   expressions.
//! - Through the binary: `deriv step` against hand-computed and finite-difference steps,
//!   its output format read back with `--at-file`, E falling in a shell-like training loop,
//!   its errors; `--at-file` and `--at` with indexed names and arrays; sums whose bounds
//!   are unknown; `--wrt` patterns.
//!
//! Standard output is a pipe here, so the default format is `plain`.

use deriv::calculus::partial;
use deriv::calculus::reverse::{gradient, op_count};
use deriv::defs::Defs;
use deriv::eval::{Rng, eval};
use deriv::expr::{ExprId, Name, Store};
use std::collections::HashMap;

use crate::common::*;

// ---- the network, by hand ---------------------------------------------------------------

/// The network with sizes I-J-K and slope `a`, evaluated directly in Rust.
#[derive(Clone, Copy)]
struct Shape {
    i: usize,
    j: usize,
    k: usize,
}

const NET: &str = "sum(k=1..K, v[k]*phi(sum(j=1..J, u[j,k]*phi(sum(i=1..I, w[i,j]*x[i])))))";

/// E = (f − y)²/2 as a user writes it on the command line.
fn error_text() -> String {
    format!("({NET} - y)^2/2")
}

fn defs_texts(sh: Shape, a: &str, rule: bool) -> Vec<String> {
    let mut v = vec![
        format!("I = {}", sh.i),
        format!("J = {}", sh.j),
        format!("K = {}", sh.k),
        format!("a = {a}"),
        "phi(s) = 1/(1+exp(-a*s))".to_string(),
    ];
    if rule {
        v.push("phi'(s) = a*phi(s)*(1-phi(s))".to_string());
    }
    v
}

/// The parameters in the order `--wrt 'w[*,*],u[*,*],v[*]'` gives them.
fn parameters(sh: Shape) -> Vec<String> {
    let mut p = Vec::new();
    for i in 1..=sh.i {
        for j in 1..=sh.j {
            p.push(format!("w[{i},{j}]"));
        }
    }
    for j in 1..=sh.j {
        for k in 1..=sh.k {
            p.push(format!("u[{j},{k}]"));
        }
    }
    for k in 1..=sh.k {
        p.push(format!("v[{k}]"));
    }
    p
}

fn inputs(sh: Shape) -> Vec<String> {
    let mut v: Vec<String> = (1..=sh.i).map(|i| format!("x[{i}]")).collect();
    v.push("y".into());
    v
}

/// E at a point given by name, computed without deriv.
fn error_by_hand(sh: Shape, a: f64, at: &HashMap<String, f64>) -> f64 {
    let g = |n: String| at[&n];
    let phi = |s: f64| 1.0 / (1.0 + (-a * s).exp());
    let mut f = 0.0;
    for k in 1..=sh.k {
        let mut outer = 0.0;
        for j in 1..=sh.j {
            let mut inner = 0.0;
            for i in 1..=sh.i {
                inner += g(format!("w[{i},{j}]")) * g(format!("x[{i}]"));
            }
            outer += g(format!("u[{j},{k}]")) * phi(inner);
        }
        f += g(format!("v[{k}]")) * phi(outer);
    }
    (f - g("y".into())).powi(2) / 2.0
}

/// Central difference of E by hand in the direction of `name`.
fn fd_by_hand(sh: Shape, a: f64, at: &HashMap<String, f64>, name: &str) -> f64 {
    let h = 1e-5;
    let mut p = at.clone();
    *p.get_mut(name).unwrap() += h;
    let up = error_by_hand(sh, a, &p);
    *p.get_mut(name).unwrap() -= 2.0 * h;
    let down = error_by_hand(sh, a, &p);
    (up - down) / (2.0 * h)
}

fn random_point(sh: Shape, rng: &mut Rng) -> HashMap<String, f64> {
    parameters(sh)
        .into_iter()
        .chain(inputs(sh))
        .map(|n| (n, rng.uniform(-1.5, 1.5)))
        .collect()
}

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * got.abs().max(want.abs()).max(1e-3)
}

// ---- the network, with deriv's library ----------------------------------------------------

/// E parsed, definitions applied (φ kept when `rule`) and sums expanded.
fn network(s: &mut Store, sh: Shape, a: &str, rule: bool) -> (Defs, ExprId) {
    let defs = Defs::new(s, &defs_texts(sh, a, rule)).expect("the definitions are valid");
    defs.install_rules(s);
    let e = deriv::parse::parse(s, &error_text()).expect("E parses");
    let e = defs.expand(s, e, false).expect("E expands");
    let e = s.expand_sums(e).expect("the bounds are known");
    (defs, e)
}

/// The value of `e` (φ expanded for numbers) at a point given by name.
fn value(s: &mut Store, defs: &Defs, e: ExprId, at: &HashMap<String, f64>) -> f64 {
    let full = defs.expand(s, e, true).expect("expands");
    let env: HashMap<Name, f64> = at.iter().map(|(n, &v)| (s.intern_name(n), v)).collect();
    eval(s, full, &|n| env.get(&n).copied()).expect("evaluates")
}

fn names(s: &mut Store, v: &[String]) -> Vec<Name> {
    v.iter().map(|n| s.intern_name(n)).collect()
}

fn check_network_gradient(sh: Shape, rule: bool) {
    let a = 1.5;
    let mut s = Store::new();
    let (defs, e) = network(&mut s, sh, "3/2", rule);
    let params = parameters(sh);
    // The expanded E has exactly the parameters and the inputs as variables.
    let mut free: Vec<String> = s
        .free_symbols(&[e])
        .iter()
        .map(|&n| s.name(n).to_string())
        .collect();
    let mut want: Vec<String> = params.iter().cloned().chain(inputs(sh)).collect();
    free.sort();
    want.sort();
    assert_eq!(free, want, "the variables of E");
    if rule {
        // φ stays a call; its rule is what the chain rule used.
        let shown = deriv::print::render(&s, e, deriv::print::Style::Plain);
        assert!(shown.contains("phi("), "E keeps phi: {shown}");
        assert!(!shown.contains("exp("), "E keeps phi: {shown}");
    }
    let ps = names(&mut s, &params);
    let grad = gradient(&mut s, e, &ps);
    assert_eq!(grad.len(), params.len());
    let mut rng = Rng::new(0xBAC0 + (sh.i * 100 + sh.j * 10 + sh.k) as u64);
    for _ in 0..4 {
        let at = random_point(sh, &mut rng);
        let e_deriv = value(&mut s, &defs, e, &at);
        let e_hand = error_by_hand(sh, a, &at);
        assert!(close(e_deriv, e_hand, 1e-12), "E: {e_deriv} vs {e_hand}");
        for (name, &g) in params.iter().zip(&grad) {
            let sym = value(&mut s, &defs, g, &at);
            let fd = fd_by_hand(sh, a, &at, name);
            assert!(
                close(sym, fd, 1e-6),
                "{}-{}-{} network (rule: {rule}): ∂E/∂{name} = {sym}, central difference {fd}",
                sh.i,
                sh.j,
                sh.k
            );
        }
    }
}

#[test]
fn small_network_gradients_match_central_differences_with_phi_kept() {
    for (i, j, k) in [(1, 2, 1), (2, 3, 1), (2, 2, 2)] {
        check_network_gradient(Shape { i, j, k }, true);
    }
}

#[test]
fn small_network_gradients_match_central_differences_with_phi_expanded() {
    for (i, j, k) in [(1, 2, 1), (2, 3, 1), (2, 2, 2)] {
        check_network_gradient(Shape { i, j, k }, false);
    }
}

#[test]
fn the_kept_and_the_expanded_gradients_agree() {
    let sh = Shape { i: 2, j: 2, k: 2 };
    let mut s = Store::new();
    let (dk, ek) = network(&mut s, sh, "1", true);
    let mut s2 = Store::new();
    let (df, ef) = network(&mut s2, sh, "1", false);
    let params = parameters(sh);
    let (pk, pf) = (names(&mut s, &params), names(&mut s2, &params));
    let (gk, gf) = (gradient(&mut s, ek, &pk), gradient(&mut s2, ef, &pf));
    let mut rng = Rng::new(7);
    let at = random_point(sh, &mut rng);
    for ((name, &a), &b) in params.iter().zip(&gk).zip(&gf) {
        let (x, y) = (value(&mut s, &dk, a, &at), value(&mut s2, &df, b, &at));
        assert!(close(x, y, 1e-12), "∂E/∂{name}: kept {x}, expanded {y}");
    }
}

#[test]
fn cheap_gradient_bound_on_the_10_10_10_network() {
    let sh = Shape {
        i: 10,
        j: 10,
        k: 10,
    };
    let mut s = Store::new();
    let (defs, e) = network(&mut s, sh, "1", true);
    let params = parameters(sh);
    assert_eq!(params.len(), 210);
    let ps = names(&mut s, &params);
    let grad = gradient(&mut s, e, &ps);
    let (of_e, of_grad) = (op_count(&s, &[e]), op_count(&s, &grad));
    println!(
        "10-10-10 network: E has {of_e} operations, its gradient (210 entries, CSE form) \
         {of_grad} ({:.2}×)",
        of_grad as f64 / of_e as f64
    );
    assert!(of_e > 400, "E has {of_e} operations");
    assert!(
        of_grad <= 4 * of_e,
        "the cheap-gradient bound: {of_grad} > 4 × {of_e}"
    );
    // And the gradient is right: a few entries of each layer against differences.
    let mut rng = Rng::new(1010);
    let at = random_point(sh, &mut rng);
    for idx in [0, 57, 99, 100, 150, 199, 200, 209] {
        let sym = value(&mut s, &defs, grad[idx], &at);
        let fd = fd_by_hand(sh, 1.0, &at, &params[idx]);
        assert!(close(sym, fd, 1e-6), "∂E/∂{}: {sym} vs {fd}", params[idx]);
    }
}

#[test]
fn the_binary_reports_the_same_bound_with_stats() {
    let o = deriv(&net_args(10, 10, 10, &["grad", "--cse", "--stats"])).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let note = o
        .stderr
        .lines()
        .find(|l| l.starts_with("note: stats:"))
        .unwrap_or_else(|| panic!("no stats note: {o:#?}"));
    let counts: Vec<usize> = note
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    println!("{note}");
    // "the expression has A operations; the result ... has B (R× the expression)"
    let (a, b) = (counts[0], counts[1]);
    assert!(b <= 4 * a, "{note}");
    // Linear, not quadratic: the printed CSE form is small.
    assert!(o.stdout.len() < 40_000, "{} bytes", o.stdout.len());
    assert!(o.stdout.lines().count() > 20, "named intermediates");
}

// ---- reverse mode against forward mode ----------------------------------------------------

/// A random expression over x, y, z, t with about `n` nodes (shared subterms included).
fn random_expr(rng: &mut Rng, n: usize) -> String {
    let pick = |rng: &mut Rng, k: usize| (rng.next_u64() % k as u64) as usize;
    if n <= 1 {
        return match pick(rng, 6) {
            0..=3 => ["x", "y", "z", "t"][pick(rng, 4)].to_string(),
            4 => format!("{}", 1 + pick(rng, 5)),
            _ => format!("{}/{}", 1 + pick(rng, 5), 2 + pick(rng, 3)),
        };
    }
    match pick(rng, 10) {
        0..=2 => {
            let f = [
                "sin", "cos", "exp", "tanh", "sigmoid", "atan", "sqrt", "log",
            ][pick(rng, 8)];
            match f {
                // keep the argument positive
                "sqrt" | "log" => format!("{f}(1 + ({})^2)", random_expr(rng, n - 1)),
                _ => format!("{f}({})", random_expr(rng, n - 1)),
            }
        }
        3 => format!("({})^{}", random_expr(rng, n - 1), 2 + pick(rng, 3)),
        4 => {
            // a shared subterm, used twice
            let u = random_expr(rng, n / 2);
            format!("({u})*sin({u})")
        }
        _ => {
            let k = 1 + pick(rng, n - 1);
            let op = ["+", "-", "*", "/"][pick(rng, 4)];
            let r = random_expr(rng, n - k);
            let r = if op == "/" {
                format!("(2 + ({r})^2)")
            } else {
                format!("({r})")
            };
            format!("({}) {op} {r}", random_expr(rng, k))
        }
    }
}

#[test]
fn reverse_mode_agrees_with_forward_mode() {
    let mut rng = Rng::new(2024);
    let mut compared = 0;
    for case in 0..300 {
        let text = random_expr(&mut rng, 4 + case % 30);
        let mut s = Store::new();
        let e = deriv::parse::parse(&mut s, &text).unwrap_or_else(|er| panic!("{text}: {er:?}"));
        let vars: Vec<Name> = ["x", "y", "z", "t"]
            .iter()
            .map(|v| s.intern_name(v))
            .collect();
        let rev = gradient(&mut s, e, &vars);
        let fwd: Vec<ExprId> = vars.iter().map(|&v| partial(&mut s, e, v)).collect();
        for _ in 0..3 {
            let pt: Vec<f64> = (0..4).map(|_| rng.uniform(-2.0, 2.0)).collect();
            let env = |n: Name| vars.iter().position(|&v| v == n).map(|i| pt[i]);
            for (i, (&r, &f)) in rev.iter().zip(&fwd).enumerate() {
                let (Ok(a), Ok(b)) = (eval(&s, r, &env), eval(&s, f, &env)) else {
                    continue;
                };
                compared += 1;
                assert!(
                    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
                    "∂/∂{} of {text} at {pt:?}: reverse {a}, forward {b}",
                    ["x", "y", "z", "t"][i]
                );
            }
        }
    }
    assert!(compared > 2000, "only {compared} comparisons");
}

// ---- the binary ---------------------------------------------------------------------------

/// `deriv CMD E --wrt 'w[*,*],u[*,*],v[*]' --let ...` for the I-J-K network (a = 1), then
/// `rest` after the command.
fn net_args(i: usize, j: usize, k: usize, cmd_rest: &[&str]) -> Vec<String> {
    let mut v = vec![cmd_rest[0].to_string(), error_text()];
    v.push("--wrt".into());
    v.push("w[*,*],u[*,*],v[*]".into());
    for d in defs_texts(Shape { i, j, k }, "1", true) {
        v.push("--let".into());
        v.push(d);
    }
    v.extend(cmd_rest[1..].iter().map(|s| s.to_string()));
    v
}

/// `name = value` lines (the `--at-file` format) as a map; values may be fractions.
/// A values file's `name = value` lines (comments dropped; a one-row array `w = [[a, b]]`
/// or a list `v = [a]` as its elements w[1,1], w[1,2] or v[1]).
fn read_values(text: &str) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for l in text.lines() {
        let l = l.split('#').next().unwrap().trim();
        if l.is_empty() {
            continue;
        }
        let (n, v) = l
            .split_once(" = ")
            .unwrap_or_else(|| panic!("not `name = value`: {l:?}"));
        let (prefix, items) = match v.strip_prefix("[[") {
            Some(r) => ("1,", r.trim_end_matches(']')),
            None => match v.strip_prefix('[') {
                Some(r) => ("", r.trim_end_matches(']')),
                None => {
                    out.insert(n.to_string(), number(v));
                    continue;
                }
            },
        };
        for (i, x) in items.split(", ").enumerate() {
            out.insert(format!("{n}[{prefix}{}]", i + 1), number(x));
        }
    }
    out
}

/// E as `deriv step` reports it on stderr.
fn loss(stderr: &str) -> f64 {
    let l = stderr
        .lines()
        .find_map(|l| l.strip_prefix("note: E = "))
        .unwrap_or_else(|| panic!("no loss in {stderr:?}"));
    number(l.split(' ').next().unwrap())
}

#[test]
fn step_on_a_hand_computed_example() {
    // E = (w x − y)²/2, ∂E/∂w = (w x − y) x = −2 at w = 0, x = 1, y = 2: w ← 0 − 0.1·(−2).
    let o = deriv(&[
        "step",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--rate",
        "0.1",
        "--at",
        "w=0,x=1,y=2",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "w = 0.2\nx = 1\ny = 2\n");
    assert_eq!(o.stderr, "note: E = 2 before the step (rate 0.1)\n");
    // The default rate is 0.1 as well; a rate may be an expression.
    let o = deriv(&["step", "(w*x - y)^2/2", "--wrt", "w", "--at", "w=0,x=1,y=2"]).run();
    assert_eq!(o.stdout, "w = 0.2\nx = 1\ny = 2\n");
    let o = deriv(&[
        "step",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--rate",
        "1/4",
        "--at",
        "w=0,x=1,y=2",
    ])
    .run();
    assert_eq!(o.stdout, "w = 0.5\nx = 1\ny = 2\n", "{o:#?}");
}

const TINY: Shape = Shape { i: 1, j: 2, k: 1 };

fn tiny_params_file() -> String {
    "# a 1-2-1 network and one data point\n\
     w = [[0.5, -0.25]]      # w[1,1], w[1,2]\n\
     u[1,1] = 0.75\n\
     u[2,1] = -1/2\n\
     v = [1.25]\n\
     x[1] = 1\n\
     y = 1/2\n"
        .to_string()
}

#[test]
fn one_step_on_a_tiny_network_is_theta_minus_rate_times_the_gradient() {
    let dir = TempDir::new();
    let file = dir.write("tiny-step.txt", tiny_params_file());
    let o = deriv(&net_args(
        1,
        2,
        1,
        &["step", "--rate", "0.5", "--at-file", file.to_str().unwrap()],
    ))
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    let before: HashMap<String, f64> = [
        ("w[1,1]", 0.5),
        ("w[1,2]", -0.25),
        ("u[1,1]", 0.75),
        ("u[2,1]", -0.5),
        ("v[1]", 1.25),
        ("x[1]", 1.0),
        ("y", 0.5),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect();
    // The file comes back as written, its comments and arrays kept, the parameters
    // rewritten; the inputs unchanged and exact.
    let names: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split(" = ").next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "# a 1-2-1 network and one data point",
            "w",
            "u[1,1]",
            "u[2,1]",
            "v",
            "x[1]",
            "y"
        ]
    );
    assert!(
        o.stdout
            .lines()
            .nth(1)
            .unwrap()
            .ends_with("# w[1,1], w[1,2]"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("\nx[1] = 1\ny = 1/2\n"), "{}", o.stdout);
    let after = read_values(&o.stdout);
    for p in parameters(TINY) {
        let want = before[&p] - 0.5 * fd_by_hand(TINY, 1.0, &before, &p);
        assert!(
            close(after[&p], want, 1e-7),
            "{p}: {} vs θ − η·g = {want}",
            after[&p]
        );
    }
    let e = loss(&o.stderr);
    assert!(
        close(e, error_by_hand(TINY, 1.0, &before), 1e-12),
        "E = {e}"
    );
}

#[test]
fn training_in_a_loop_makes_the_error_fall() {
    // for i in $(seq 6); do deriv step ... --at-file p.txt > p2.txt && mv p2.txt p.txt; done
    let dir = TempDir::new();
    let file = dir.write("train.txt", tiny_params_file());
    let mut losses = Vec::new();
    for _ in 0..6 {
        let o = deriv(&net_args(
            1,
            2,
            1,
            &["step", "--rate", "1", "--at-file", file.to_str().unwrap()],
        ))
        .run();
        assert_eq!(o.code, 0, "{o:#?}");
        losses.push(loss(&o.stderr));
        std::fs::write(&file, &o.stdout).unwrap();
    }
    // The file read back each time; E after the last step, by eval.
    let o = deriv(&[
        "eval".to_string(),
        error_text(),
        "--let".into(),
        "I=1".into(),
        "--let".into(),
        "J=2".into(),
        "--let".into(),
        "K=1".into(),
        "--let".into(),
        "phi(s)=1/(1+exp(-s))".into(),
        "--at-file".into(),
        file.to_str().unwrap().into(),
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    losses.push(number(&o.stdout));
    println!("E over the steps: {losses:?}");
    assert!(
        losses.windows(2).all(|w| w[1] < w[0]),
        "E must fall: {losses:?}"
    );
    assert!(losses[6] < losses[0] / 2.0, "{losses:?}");
}

#[test]
fn step_errors() {
    // No values at all: a usage error.
    let o = deriv(&["step", "(w*x - y)^2/2", "--wrt", "w"]).run();
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(o.stderr.contains("--at-file"), "{o:#?}");
    assert_eq!(o.stdout, "");
    // --wrt is required.
    let o = deriv(&["step", "(w*x - y)^2/2", "--at", "w=0,x=1,y=2"]).run();
    assert_eq!(o.code, 2, "{o:#?}");
    // A parameter without a value.
    let o = deriv(&["step", "(w*x - y)^2/2", "--wrt", "w", "--at", "x=1,y=2"]).run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("no value for `w`"), "{o:#?}");
    assert_eq!(o.stdout, "");
    // A parameter E does not depend on, without a value: nothing to update.
    let o = deriv(&["step", "w^2", "--wrt", "w,z", "--at", "w=1"]).run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("`z` has no value"), "{o:#?}");
    // Bad rates.
    for rate in ["abc", "z", "1/0", "0.1.2"] {
        let o = deriv(&[
            "step",
            "(w*x - y)^2/2",
            "--wrt",
            "w",
            "--rate",
            rate,
            "--at",
            "w=0,x=1,y=2",
        ])
        .run();
        // An option's value is checked with the command line: a usage error.
        assert_eq!(o.code, 2, "--rate {rate}: {o:#?}");
        assert!(o.stderr.contains("--rate"), "--rate {rate}: {o:#?}");
        assert_eq!(o.stdout, "", "--rate {rate}");
    }
    // A values file that does not exist.
    let o = deriv(&[
        "step",
        "w^2",
        "--wrt",
        "w",
        "--at-file",
        "/nonexistent/deriv-params.txt",
    ])
    .run();
    assert_ne!(o.code, 0, "{o:#?}");
    assert!(o.stderr.contains("cannot read the values file"), "{o:#?}");
}

#[test]
fn a_wrt_pattern_that_matches_nothing_is_an_error() {
    // `W[*,*]` for `w[*,*]`, or `u[*]` for a two-index u: a typo must not train nothing.
    let o = deriv(&["step", "w[1]^2", "--wrt", "W[*]", "--at", "w=[1]"]).run();
    assert_ne!(o.code, 0, "{o:#?}");
    let o = deriv(&["grad", "u[1,2]^2", "--wrt", "u[*]"]).run();
    assert_ne!(o.code, 0, "{o:#?}");
}

// ---- values: --at-file and --at with indexed names and arrays ------------------------------

#[test]
fn values_files_take_indexed_names_arrays_and_comments() {
    let dir = TempDir::new();
    let file = dir.write(
        "values.txt",
        "# weights\n\
         w[1,1] = 0.5   # one entry\n\
         w[1, 2]=-0.25\n\
         \n\
         x = [1, 2]\n\
         b = [[1, 2], [3, 4]]\n\
         y = 1/3\n",
    );
    let f = file.to_str().unwrap();
    let o = deriv(&["eval", "w[1,1]*x[1] + w[1,2]*x[2] - y", "--at-file", f]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "-1/3\n"), "{o:#?}");
    let o = deriv(&["eval", "b[1,2]*10 + b[2,1]", "--at-file", f]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "23\n"), "{o:#?}");
    // With --at as well: both count; a name given twice is an error.
    let o = deriv(&["eval", "x[1] + z", "--at-file", f, "--at", "z=10"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "11\n"), "{o:#?}");
    let o = deriv(&["eval", "x[1]", "--at-file", f, "--at", "x=[5]"]).run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("two values"), "{o:#?}");
    // The gradient at the file's point.
    let o = deriv(&[
        "grad",
        "(w[1,1]*x[1] + w[1,2]*x[2] - y)^2/2",
        "--wrt",
        "w[*,*]",
        "--at-file",
        f,
    ])
    .run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "[-1/3, -2/3]\n"), "{o:#?}");
}

#[test]
fn at_takes_arrays() {
    let o = deriv(&["eval", "x[1] + 10*x[2]", "--at", "x=[1,2]"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "21\n"), "{o:#?}");
    let o = deriv(&["eval", "w[2,1]", "--at", "w=[[1,2],[3,4]],y=0"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "3\n"), "{o:#?}");
    let o = deriv(&[
        "grad",
        "sum(i=1..3, w[i]*x[i])",
        "--wrt",
        "w[*]",
        "--at",
        "x=[1,2,3]",
    ])
    .run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "[1, 2, 3]\n"), "{o:#?}");
}

#[test]
fn numeric_gradient_of_the_network_with_a_values_file() {
    let sh = Shape { i: 2, j: 3, k: 1 };
    let mut rng = Rng::new(99);
    let at = random_point(sh, &mut rng);
    let mut text = String::from("# every parameter and input\n");
    let mut keys: Vec<&String> = at.keys().collect();
    keys.sort();
    for k in keys {
        text.push_str(&format!("{k} = {}\n", at[k]));
    }
    let dir = TempDir::new();
    let file = dir.write("net-point.txt", text);
    let o = deriv(&net_args(
        2,
        3,
        1,
        &["grad", "--at-file", file.to_str().unwrap(), "--check"],
    ))
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(o.stderr.starts_with("check: ok"), "{o:#?}");
    let row: Vec<f64> = o
        .stdout
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(", ")
        .map(number)
        .collect();
    let params = parameters(sh);
    assert_eq!(row.len(), params.len());
    for (p, g) in params.iter().zip(&row) {
        let fd = fd_by_hand(sh, 1.0, &at, p);
        assert!(close(*g, fd, 1e-6), "∂E/∂{p}: {g} vs {fd}");
    }
}

// ---- sums and --wrt patterns ----------------------------------------------------------------

#[test]
fn sums_need_known_integer_bounds() {
    let o = deriv(&["grad", "sum(i=1..n, x[i]^2)"]).run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.starts_with("error: "), "{o:#?}");
    assert!(
        o.stderr.contains("`n`"),
        "the error names the bound: {o:#?}"
    );
    let o = deriv(&["simplify", "sum(i=1..N, x[i])", "--let", "N=5/2"]).run();
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("5/2"), "{o:#?}");
    // Known bounds: literal or from --let; an empty range is 0.
    let o = deriv(&["simplify", "sum(i=1..3, w[i]*x[i])"]).run();
    assert_eq!(o.stdout, "w[1]*x[1] + w[2]*x[2] + w[3]*x[3]\n", "{o:#?}");
    let o = deriv(&["simplify", "sum(i=1..N, x[i])", "--let", "N=2"]).run();
    assert_eq!(o.stdout, "x[1] + x[2]\n", "{o:#?}");
    let o = deriv(&["simplify", "sum(i=1..0, x[i])"]).run();
    assert_eq!(o.stdout, "0\n", "{o:#?}");
}

#[test]
fn wrt_patterns_pick_indexed_variables_in_natural_order() {
    let e = "w[1,1]*w[1,2] + w[2,10] + w[2,9] + v[1] + w[3]";
    let o = deriv(&["grad", e, "--wrt", "w[*,*]", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(
        o.stdout
            .contains(r#""wrt":["w[1,1]","w[1,2]","w[2,9]","w[2,10]"]"#),
        "{}",
        o.stdout
    );
    // The number of indices must fit: w[*] is w[3] only.
    let o = deriv(&["grad", e, "--wrt", "w[*],v[*]"]).run();
    assert_eq!(o.stdout, "[1, 1]\n", "{o:#?}");
    // Patterns and names mix, in the order given; an index may be written with spaces.
    let o = deriv(&["grad", e, "--wrt", "v[1],w[1, 2],w[*,*]"]).run();
    assert_eq!(o.stdout, "[1, w[1,1], w[1,2], 1, 1]\n", "{o:#?}");
    // The network's three layers, in the order asked for.
    let o = deriv(&net_args(1, 1, 1, &["grad", "--format", "json"])).run();
    assert!(
        o.stdout.contains(r#""wrt":["w[1,1]","u[1,1]","v[1]"]"#),
        "{}",
        o.stdout
    );
}

/// `grad --cse` names the deltas (`delta1 = ...`): read back, binding by binding, the
/// printed gradient is the gradient, at random points.
#[test]
fn the_named_deltas_read_back_to_the_gradient() {
    let sh = Shape { i: 2, j: 3, k: 2 };
    let o = deriv(&net_args(2, 3, 2, &["grad", "--cse"])).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("delta1 = ")),
        "the deltas are named: {}",
        o.stdout
    );
    let mut s = Store::new();
    let (defs, e) = network(&mut s, sh, "1", true);
    // Read the bindings in order, each with the earlier ones put in.
    let mut map: rustc_hash::FxHashMap<Name, ExprId> = rustc_hash::FxHashMap::default();
    let (result, bindings) = lines.split_last().expect("a result line");
    for b in bindings {
        let (name, rhs) = b.split_once(" = ").expect("NAME = EXPR");
        let v = deriv::parse::parse(&mut s, rhs).expect("a binding parses");
        let v = s.expand_sums(v).expect("no sums");
        let v = s.substitute(v, &map);
        let n = s.intern_name(name);
        map.insert(n, v);
    }
    let inner = result.trim_start_matches('[').trim_end_matches(']');
    let printed: Vec<ExprId> = deriv::parse::split_top(inner, ',')
        .into_iter()
        .map(|t| {
            let v = deriv::parse::parse(&mut s, t).expect("an entry parses");
            s.substitute(v, &map)
        })
        .collect();
    let params = parameters(sh);
    let vars = names(&mut s, &params);
    let direct = gradient(&mut s, e, &vars);
    assert_eq!(printed.len(), direct.len());
    let mut rng = Rng::new(0xDE17A);
    for _ in 0..3 {
        let at = random_point(sh, &mut rng);
        for (&p, &d) in printed.iter().zip(&direct) {
            let (a, b) = (value(&mut s, &defs, p, &at), value(&mut s, &defs, d, &at));
            assert!(close(a, b, 1e-12), "printed {a} vs direct {b}");
        }
    }
}
