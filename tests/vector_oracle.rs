//! A numeric oracle for the vector commands, as property tests on random smooth
//! expressions: gradients entry by entry against finite differences, Hessians for symmetry
//! and against second differences, and the differential's coefficients against the
//! partials, in the library and through the built binary.
//!
//! Numerical derivatives are central differences refined by Ridders' extrapolation, each
//! made from two starting steps that must agree. A point is skipped (never passed) when a
//! side cannot be evaluated, a value is huge, or the extrapolation has not converged; each
//! test counts the points it really checked and asserts that enough were.
//!
//! Tolerance: |symbolic − numeric| ≤ REL · max(1, |symbolic|, |numeric|), REL = 1e-6 for
//! first derivatives and 1e-5 for second.

use crate::common::numeric::*;
use crate::common::{deriv, json};
use deriv::calculus::partial;
use deriv::expr::{ExprId, Name, Store};
use deriv::parse::parse;
use deriv::print::{Style, render};

const VARS: [&str; 3] = ["x", "y", "z"];

// ---- random numbers and expressions ----------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn point(&mut self) -> Vec<f64> {
        VARS.iter().map(|_| 0.2 + 1.4 * self.unit()).collect()
    }
}

/// A random expression in x, y, z that is smooth everywhere on the sample box (every
/// denominator, log argument and square root is kept away from zero), so that most points
/// are really checked.
fn random_expr(r: &mut Rng, depth: u32) -> String {
    if depth == 0 || r.below(5) == 0 {
        return match r.below(6) {
            0..=3 => VARS[r.below(3) as usize].to_string(),
            4 => format!("{}", 1 + r.below(4)),
            _ => ["pi", "1/3", "e"][r.below(3) as usize].to_string(),
        };
    }
    let a = random_expr(r, depth - 1);
    match r.below(15) {
        0 | 1 => format!("({a} + {})", random_expr(r, depth - 1)),
        2 => format!("({a} - {})", random_expr(r, depth - 1)),
        3..=5 => format!("{a}*{}", random_expr(r, depth - 1)),
        6 => format!("{a}/(2 + sin({})^2)", random_expr(r, depth - 1)),
        7 => format!("({a})^{}", 2 + r.below(2)),
        8 => format!("sin({a})"),
        9 => format!("cos({a})"),
        10 => format!("exp(sin({a}))"),
        11 => format!("log(1 + ({a})^2)"),
        12 => format!("sqrt(1 + ({a})^2)"),
        13 => ["atan", "tanh", "sigmoid"][r.below(3) as usize].to_string() + &format!("({a})"),
        _ => format!("(1 + x^2)^({a}/4)"),
    }
}

/// Expressions that use at least two of the variables (so mixed partials mean something).
fn exprs(seed: u64, n: usize) -> Vec<String> {
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let e = random_expr(&mut r, 4);
        let mut s = Store::new();
        let f = parse(&mut s, &e).unwrap_or_else(|err| panic!("{e}: {}", err.message));
        if s.free_symbols(&[f]).len() >= 2 {
            out.push(e);
        }
    }
    out
}

// ---- numerical derivatives -------------------------------------------------------------

fn names(s: &mut Store) -> Vec<Name> {
    VARS.iter().map(|v| s.intern_name(v)).collect()
}

/// Tallies verdicts; failures are collected and reported together.
#[derive(Default)]
struct Tally {
    checked: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, v: Verdict, what: impl FnOnce() -> String) {
        match v {
            Verdict::Agree => self.checked += 1,
            Verdict::Skipped => self.skipped += 1,
            Verdict::Disagree(d) => self.failures.push(format!("{}: {d}", what())),
        }
    }

    fn assert(&self, min_checked: usize) {
        assert!(
            self.failures.is_empty(),
            "{} disagreements:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.checked >= min_checked,
            "only {} comparisons checked ({} skipped); want {min_checked}",
            self.checked,
            self.skipped
        );
    }
}

// ---- gradients -------------------------------------------------------------------------

/// The gradient as `deriv grad` builds it: the sorted free symbols, one partial each.
fn gradient(s: &mut Store, f: ExprId) -> (Vec<Name>, Vec<ExprId>) {
    let vs = s.free_symbols(&[f]);
    let g = vs.iter().map(|&v| partial(s, f, v)).collect();
    (vs, g)
}

#[test]
fn gradient_entries_agree_with_finite_differences() {
    let mut tally = Tally::default();
    let mut rng = Rng::new(11);
    for text in exprs(1, 150) {
        let mut s = Store::new();
        let n = names(&mut s);
        let f = parse(&mut s, &text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        let (vs, g) = gradient(&mut s, f);
        for _ in 0..3 {
            let p = rng.point();
            for (&v, &d) in vs.iter().zip(&g) {
                let i = n.iter().position(|&m| m == v).unwrap();
                let verdict = compare(value(&s, d, &n, &p), numeric_first(&s, f, &n, &p, i), REL);
                tally.add(verdict, || {
                    format!(
                        "∂/∂{} {text} at {p:?} = {}",
                        VARS[i],
                        render(&s, d, Style::Plain)
                    )
                });
            }
        }
        // A variable the expression does not contain: its entry is exactly 0.
        let w = s.intern_name("w");
        assert_eq!(partial(&mut s, f, w), s.zero(), "∂/∂w {text}");
    }
    tally.assert(600);
}

#[test]
fn the_gradient_oracle_catches_a_wrong_entry() {
    // Swapped entries of ∇(x²y): the oracle must disagree, so a passing run means something.
    let mut s = Store::new();
    let n = names(&mut s);
    let f = parse(&mut s, "x^2*y").unwrap();
    let wrong = parse(&mut s, "x^2").unwrap();
    let p = [0.7, 1.3, 0.5];
    let v = compare(
        value(&s, wrong, &n, &p),
        numeric_first(&s, f, &n, &p, 0),
        REL,
    );
    assert!(matches!(v, Verdict::Disagree(_)), "{v:?}");
    let right = parse(&mut s, "2*x*y").unwrap();
    let v = compare(
        value(&s, right, &n, &p),
        numeric_first(&s, f, &n, &p, 0),
        REL,
    );
    assert_eq!(v, Verdict::Agree);
    // And for a second derivative.
    let wrong2 = parse(&mut s, "2*x").unwrap();
    let v = compare(
        value(&s, wrong2, &n, &p),
        numeric_second(&s, f, &n, &p, 0, 0),
        REL2,
    );
    assert!(matches!(v, Verdict::Disagree(_)), "{v:?}");
}

// ---- Hessians --------------------------------------------------------------------------

#[test]
fn hessians_are_symmetric_and_agree_with_second_differences() {
    let mut sym = Tally::default();
    let mut num = Tally::default();
    let mut structurally_equal = 0;
    let mut pairs = 0;
    let mut rng = Rng::new(23);
    for text in exprs(2, 80) {
        let mut s = Store::new();
        let n = names(&mut s);
        let f = parse(&mut s, &text).unwrap();
        let (vs, g) = gradient(&mut s, f);
        let h: Vec<Vec<ExprId>> = g
            .iter()
            .map(|&gi| vs.iter().map(|&v| partial(&mut s, gi, v)).collect())
            .collect();
        let idx: Vec<usize> = vs
            .iter()
            .map(|&v| n.iter().position(|&m| m == v).unwrap())
            .collect();
        let mixed: Vec<(ExprId, ExprId)> = (0..vs.len())
            .flat_map(|a| (a + 1..vs.len()).map(move |b| (a, b)))
            .map(|(a, b)| (h[a][b], h[b][a]))
            .collect();
        for (hab, hba) in mixed {
            pairs += 1;
            if s.tidy(hab) == s.tidy(hba) {
                structurally_equal += 1;
            }
        }
        for _ in 0..2 {
            let p = rng.point();
            for a in 0..vs.len() {
                for b in 0..vs.len() {
                    let hab = value(&s, h[a][b], &n, &p);
                    if b > a {
                        // Symmetry: both orders of differentiation give the same number.
                        let hba = value(&s, h[b][a], &n, &p);
                        let v = match (hab, hba) {
                            (Some(x), Some(y)) => compare(Some(x), Some((y, 0.0)), 1e-12),
                            _ => Verdict::Skipped,
                        };
                        sym.add(v, || {
                            format!(
                                "H[{}][{}] ≠ H[{}][{}] for {text} at {p:?}",
                                VARS[idx[a]], VARS[idx[b]], VARS[idx[b]], VARS[idx[a]]
                            )
                        });
                    }
                    let v = compare(hab, numeric_second(&s, f, &n, &p, idx[a], idx[b]), REL2);
                    num.add(v, || {
                        format!(
                            "∂²/∂{}∂{} {text} at {p:?} = {}",
                            VARS[idx[a]],
                            VARS[idx[b]],
                            render(&s, h[a][b], Style::Plain)
                        )
                    });
                }
            }
        }
    }
    sym.assert(150);
    num.assert(600);
    // Canonical form makes most mixed partials identical, not merely equal in value.
    assert!(
        structurally_equal * 2 >= pairs,
        "{structurally_equal} of {pairs} mixed pairs are structurally equal"
    );
}

// ---- the commands themselves, through the binary --------------------------------------

/// Runs `deriv ARGS` with `input` on stdin and returns its stdout lines (exit 0 required).
fn run_batch(args: &[&str], input: &str) -> Vec<String> {
    let o = deriv(args).stdin(input).run();
    assert_eq!(o.code, 0, "deriv {args:?}: {}", o.stderr);
    o.stdout.lines().map(String::from).collect()
}

/// `deriv differential`: each coefficient (with its sign) is the partial by its variable,
/// every variable with a nonzero partial has a term, and the variables come sorted.
#[test]
fn differential_coefficients_are_the_partials() {
    let texts = exprs(3, 60);
    let lines = run_batch(
        &["differential", "-", "--format", "json"],
        &(texts.join("\n") + "\n"),
    );
    assert_eq!(lines.len(), texts.len());
    let mut tally = Tally::default();
    let mut rng = Rng::new(31);
    for (text, line) in texts.iter().zip(&lines) {
        let v = json(line);
        let mut s = Store::new();
        let n = names(&mut s);
        let f = parse(&mut s, text).unwrap();
        let terms = v["result"].as_array().expect("terms");
        let got: Vec<&str> = terms
            .iter()
            .map(|t| t["variable"].as_str().unwrap())
            .collect();
        let mut sorted = got.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(got, sorted, "{text}: the variables are sorted, each once");
        for (i, var) in VARS.iter().enumerate() {
            let name = n[i];
            let d = partial(&mut s, f, name);
            let d = s.tidy(d);
            let term = terms.iter().find(|t| t["variable"] == *var);
            let Some(term) = term else {
                assert_eq!(d, s.zero(), "{text}: no d({var}) term, yet ∂/∂{var} ≠ 0");
                continue;
            };
            let plain = term["coefficient"]["plain"].as_str().unwrap();
            let c = parse(&mut s, plain).unwrap_or_else(|e| panic!("{plain}: {}", e.message));
            let c = if term["negative"] == true {
                s.neg(c)
            } else {
                c
            };
            // Equal as expressions once read back …
            let c = s.tidy(c);
            let same = c == d;
            // … or at least in value, and both against the finite difference.
            for _ in 0..2 {
                let p = rng.point();
                let (cv, dv) = (value(&s, c, &n, &p), value(&s, d, &n, &p));
                if !same {
                    let agree = compare(cv, dv.map(|x| (x, 0.0)), 1e-9);
                    assert_ne!(
                        std::mem::discriminant(&agree),
                        std::mem::discriminant(&Verdict::Disagree(String::new())),
                        "{text}: coefficient of d({var}) is {plain}, ∂/∂{var} is {}",
                        render(&s, d, Style::Plain)
                    );
                }
                tally.add(compare(cv, numeric_first(&s, f, &n, &p, i), REL), || {
                    format!("{text}: coefficient of d({var}) = {plain} at {p:?}")
                });
            }
        }
    }
    tally.assert(200);
}

/// With `--given t=…`, the coefficients are the partials of the substituted expression:
/// df = Σ ∂(f∘t)/∂v dv.
#[test]
fn differential_with_given_matches_the_substituted_partials() {
    let mut r = Rng::new(41);
    let texts: Vec<String> = (0..30)
        .map(|_| {
            format!(
                "t*{} + sin(t)*{}",
                random_expr(&mut r, 2),
                random_expr(&mut r, 2)
            )
        })
        .collect();
    let given = "t=x*y + z^2";
    let lines = run_batch(
        &["differential", "-", "--given", given, "--format", "json"],
        &(texts.join("\n") + "\n"),
    );
    let mut tally = Tally::default();
    let mut rng = Rng::new(43);
    for (text, line) in texts.iter().zip(&lines) {
        let v = json(line);
        let mut s = Store::new();
        let n = names(&mut s);
        let f0 = parse(&mut s, text).unwrap();
        let rhs = parse(&mut s, "x*y + z^2").unwrap();
        let t = s.intern_name("t");
        let map = [(t, rhs)].into_iter().collect();
        let f = s.substitute(f0, &map);
        for term in v["result"].as_array().unwrap() {
            let var = term["variable"].as_str().unwrap();
            let i = VARS
                .iter()
                .position(|v| *v == var)
                .unwrap_or_else(|| panic!("{text}: d({var}) is not an independent variable"));
            let plain = term["coefficient"]["plain"].as_str().unwrap();
            let c = parse(&mut s, plain).unwrap();
            let c = if term["negative"] == true {
                s.neg(c)
            } else {
                c
            };
            for _ in 0..2 {
                let p = rng.point();
                tally.add(
                    compare(value(&s, c, &n, &p), numeric_first(&s, f, &n, &p, i), REL),
                    || format!("{text} with {given}: coefficient of d({var}) = {plain}"),
                );
            }
        }
    }
    tally.assert(100);
}

fn entry(s: &mut Store, cell: &serde_json::Value) -> ExprId {
    let plain = cell["plain"].as_str().expect("a plain form");
    parse(s, plain).unwrap_or_else(|e| panic!("{plain}: {}", e.message))
}

/// `deriv grad` and `deriv hessian` (batch, JSON) against finite differences, with an
/// explicit `--wrt` that includes a variable some expressions lack.
#[test]
fn grad_and_hessian_commands_agree_with_finite_differences() {
    let texts = exprs(5, 40);
    let input = texts.join("\n") + "\n";
    let grads = run_batch(&["grad", "-", "--wrt", "z,x,y", "--format", "json"], &input);
    let hessians = run_batch(
        &["hessian", "-", "--wrt", "z,x,y", "--format", "json"],
        &input,
    );
    let order = [2usize, 0, 1];
    let mut first = Tally::default();
    let mut second = Tally::default();
    let mut rng = Rng::new(53);
    for ((text, gl), hl) in texts.iter().zip(&grads).zip(&hessians) {
        let (gv, hv) = (json(gl), json(hl));
        let mut s = Store::new();
        let n = names(&mut s);
        let f = parse(&mut s, text).unwrap();
        let g: Vec<ExprId> = (0..3).map(|a| entry(&mut s, &gv["result"][a])).collect();
        assert!(gv["result"][3].is_null(), "{text}: three entries");
        let h: Vec<Vec<ExprId>> = (0..3)
            .map(|a| (0..3).map(|b| entry(&mut s, &hv["result"][a][b])).collect())
            .collect();
        let free = s.free_symbols(&[f]);
        for a in 0..3 {
            if !free.contains(&n[order[a]]) {
                assert_eq!(g[a], s.zero(), "{text}: ∂/∂{} is 0", VARS[order[a]]);
            }
        }
        for _ in 0..2 {
            let p = rng.point();
            for a in 0..3 {
                let ia = order[a];
                first.add(
                    compare(
                        value(&s, g[a], &n, &p),
                        numeric_first(&s, f, &n, &p, ia),
                        REL,
                    ),
                    || format!("grad {text}: entry {a} at {p:?}"),
                );
                for b in 0..3 {
                    let ib = order[b];
                    // Symmetric in value (not always in form: nothing is expanded).
                    let (hab, hba) = (value(&s, h[a][b], &n, &p), value(&s, h[b][a], &n, &p));
                    if let (Some(x), Some(y)) = (hab, hba) {
                        assert!(
                            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
                            "hessian {text}: [{a}][{b}] = {x} but [{b}][{a}] = {y}"
                        );
                    }
                    second.add(
                        compare(
                            value(&s, h[a][b], &n, &p),
                            numeric_second(&s, f, &n, &p, ia, ib),
                            REL2,
                        ),
                        || format!("hessian {text}: entry [{a}][{b}] at {p:?}"),
                    );
                }
            }
        }
    }
    first.assert(180);
    second.assert(450);
}
