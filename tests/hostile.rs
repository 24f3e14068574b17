//! Hostile input, as property tests: whatever text arrives, deriv answers or refuses with
//! a clear message; it never panics, never overflows its stack, and in batch mode gives one
//! output line per input line.
//!
//! Random byte strings and random well-formed-but-hostile expressions go through the
//! library (parse → ∂ → tidy → every printer, on a thread with the binary's stack) and
//! through the binary (as EXPR, as a `--given` value, and as stdin lines, batched so the
//! whole file runs a handful of processes). The fuzz target's saved findings in
//! tests/fuzz/regressions/ are replayed here too.

use deriv::calculus::partial;
use deriv::expr::Store;
use deriv::print::{Style, render};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use std::path::Path;

use crate::common::*;

// The fuzz target's body: parse → ∂/∂x → tidy → print, plain output parsed back.
#[path = "fuzz/check.rs"]
mod check;

// ---- helpers ---------------------------------------------------------------------------

/// Runs `f` on a thread with the stack the binary gives its worker.
fn on_big_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(f)
        .expect("spawn a big-stack thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

/// The whole library pipeline on one text: parse, differentiate by x and by y (and twice
/// by x), tidy, and render every result in every style. Panics are the only failure.
fn library_pipeline(text: &str) {
    let mut s = Store::new();
    // Small enough that a random blow-up stops quickly; the budget itself is tested in
    // tests/limits.rs.
    s.set_max_nodes(100_000);
    let Ok(f) = deriv::parse::parse(&mut s, text) else {
        return;
    };
    let x = s.intern_name("x");
    let y = s.intern_name("y");
    let dx = partial(&mut s, f, x);
    let dy = partial(&mut s, f, y);
    let dxx = partial(&mut s, dx, x);
    for e in [f, dx, dy, dxx] {
        let t = s.tidy(e);
        if s.is_undefined(t) {
            assert!(
                s.fault().is_some(),
                "undefined without a reason for {text:?}"
            );
            continue;
        }
        for style in [Style::Plain, Style::Unicode, Style::Latex] {
            let out = render(&s, t, style);
            assert!(!out.is_empty(), "empty {style:?} rendering for {text:?}");
        }
    }
}

fn runner(cases: u32) -> TestRunner {
    // A debug build is many times slower; keep `cargo test` quick there.
    let cases = if cfg!(debug_assertions) {
        cases / 5
    } else {
        cases
    };
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs a property over a strategy on the big stack (proptest shrinks on failure). The
/// strategy is built on that thread: proptest's recursive strategies are not `Send`.
fn check_property<S>(cases: u32, strategy: fn() -> S, prop: fn(&str))
where
    S: Strategy<Value = String> + 'static,
{
    on_big_stack(move || {
        let result = runner(cases).run(&strategy(), |text| {
            prop(&text);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    });
}

/// `n` values drawn from a strategy with a fixed seed (the binary tests run them batched).
pub(crate) fn sample<S: Strategy>(strategy: S, n: usize, seed: u8) -> Vec<S::Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[seed; 32]),
    );
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("value").current())
        .collect()
}

/// The promise for one process: exit 0 or 1, no panic, and an answer or a message.
fn assert_sane(out: &RawOutput, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{what}: exit status {:?}\nstderr: {}",
        out.status,
        excerpt(&stderr)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed"),
        "{what}: crashed\nstderr: {}",
        excerpt(&stderr)
    );
    assert!(
        !stderr.contains("internal failure"),
        "{what}: internal failure\nstderr: {}",
        excerpt(&stderr)
    );
    if code == Some(0) {
        assert!(!out.stdout.is_empty(), "{what}: exit 0 with no output");
    } else {
        assert!(
            stderr.contains("error"),
            "{what}: exit 1 with no message: {}",
            excerpt(&stderr)
        );
    }
}

fn excerpt(s: &str) -> String {
    if s.len() <= 2000 {
        return s.to_string();
    }
    let mut end = 2000;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

// ---- strategies ------------------------------------------------------------------------

/// Arbitrary bytes, read as text the way the fuzz target does.
fn random_bytes() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..300)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Arbitrary Unicode text.
fn random_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..100).prop_map(|v| v.into_iter().collect())
}

/// Token soup: pieces of the grammar (and of what it refuses) in random order, so most
/// inputs get deep into the parser before they fail, and some parse.
pub(crate) fn token_soup() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "x",
        "y",
        "t",
        "θ",
        "π",
        "pi",
        "e",
        "theta_1",
        "_",
        "0",
        "1",
        "2",
        "10",
        "0.5",
        ".5",
        "1.",
        "1e3",
        "1e-3",
        "2.5E+7",
        "1e99999",
        "1e100001",
        "99999999999999999999999",
        "+",
        "-",
        "*",
        "/",
        "^",
        "**",
        "(",
        ")",
        ",",
        "'",
        "''",
        "=",
        " ",
        "\t",
        "\r",
        "\n",
        "\0",
        "\u{1b}",
        "\u{200b}",
        "\u{feff}",
        "é",
        "∂",
        "[",
        "]",
        "{",
        "}",
        "sin(",
        "cos(",
        "tan(",
        "sec(",
        "csc(",
        "cot(",
        "asin(",
        "acos(",
        "atan(",
        "sinh(",
        "cosh(",
        "tanh(",
        "exp(",
        "log(",
        "ln(",
        "sqrt(",
        "abs(",
        "sigmoid(",
        "f(",
        "g(",
        "f'(",
        "f''(",
        "sin'(",
        "pi(",
        "e(",
        "x(",
        "2x",
        "3(",
        "4pi",
        ")^",
        "^-",
        "^(1/2)",
        "/0",
        "log(0)",
        "0^",
        "^0",
        "10^10^10",
        "2^99999999",
        "x^x^x",
    ];
    proptest::collection::vec(proptest::sample::select(TOKENS), 0..40).prop_map(|v| v.concat())
}

/// Well-formed expressions built to be hostile: undefined operations, huge and tiny
/// numbers, power towers, unknown functions, every built-in, deep-ish nesting.
pub(crate) fn hostile_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("t".to_string()),
        Just("pi".to_string()),
        Just("e".to_string()),
        Just("θ_1".to_string()),
        Just("0".to_string()),
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("2".to_string()),
        Just("0.25".to_string()),
        Just("1e-30".to_string()),
        Just("1e300".to_string()),
        Just("123456789012345678901234567890".to_string()),
        Just("(10^10^10)".to_string()),
        Just("(2^99999999)".to_string()),
        Just("(2^(2^64))".to_string()),
        Just("(1/3)".to_string()),
        (0u64..1000).prop_map(|n| n.to_string()),
    ];
    const FUNCS: &[&str] = &[
        "sin", "cos", "tan", "sec", "csc", "cot", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "exp", "log", "ln", "sqrt", "abs", "sigmoid", "f", "f'", "f''", "g",
    ];
    const MORE: &str = "relu heaviside sign floor ceil erf asinh acosh atanh softplus log2 log10";
    let funcs: Vec<&str> = FUNCS.iter().copied().chain(MORE.split(' ')).collect();
    leaf.prop_recursive(6, 64, 3, move |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}+{b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}-({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})*({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})/({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})^({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})**-({b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.clone().prop_map(|a| format!("({a})/0")),
            inner.clone().prop_map(|a| format!("0^({a})")),
            inner.clone().prop_map(|a| format!("({a})^0")),
            inner.clone().prop_map(|a| format!("({a})-({a})")),
            inner.clone().prop_map(|a| format!("log(({a})-({a}))")),
            inner.clone().prop_map(|a| format!("({a})^(1/2)")),
            inner.clone().prop_map(|a| format!("2({a})")),
            (proptest::sample::select(funcs.clone()), inner.clone())
                .prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("g({a}, {b})")),
            (
                proptest::sample::select(&["max", "min", "logsumexp", "atan2", "log"][..]),
                inner.clone(),
                inner
            )
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
        ]
    })
}

// ---- the library -----------------------------------------------------------------------

#[test]
fn library_survives_random_bytes() {
    check_property(1000, random_bytes, library_pipeline);
}

#[test]
fn library_survives_random_text() {
    check_property(300, random_text, library_pipeline);
}

#[test]
fn library_survives_token_soup() {
    check_property(4000, token_soup, library_pipeline);
}

#[test]
fn library_survives_hostile_expressions() {
    check_property(1500, hostile_expr, library_pipeline);
}

/// The fuzz target's checks (including "plain output parses back") on the hostile
/// expressions.
#[test]
fn library_fuzz_checks_on_hostile_expressions() {
    check_property(1000, hostile_expr, check::run);
}

// ---- the fuzz regressions --------------------------------------------------------------

/// Every input saved in tests/fuzz/regressions/ (a minimized fuzz finding, fixed) must pass
/// the fuzz target's checks and the library pipeline.
#[test]
fn replay_fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut cases: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/fuzz/regressions exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&p).expect("read regression");
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "tests/fuzz/regressions/ is empty");
    on_big_stack(move || {
        for (name, text) in cases {
            let r = std::panic::catch_unwind(|| {
                check::run(&text);
                library_pipeline(&text);
            });
            if r.is_err() {
                panic!("fuzz regression {name} ({text:?}) fails again");
            }
        }
    });
}

// ---- the binary ------------------------------------------------------------------------

/// Many random lines through one `deriv partial - x`: one output line per input line, in
/// order; every failed line named on stderr by its number.
/// Returns how many lines were answered and how many refused.
fn batch_case(lines: &[String], args: &[&str]) -> (usize, usize) {
    let lines: Vec<String> = lines.iter().map(|l| l.replace(['\n', '\r'], " ")).collect();
    let mut input = lines.join("\n").into_bytes();
    input.push(b'\n');
    let mut all = vec!["partial", "-", "x", "--max-nodes", "100000"];
    all.extend_from_slice(args);
    let out = deriv(&all).stdin(&input).run_raw();
    let what = format!("batch of {} lines with {args:?}", lines.len());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what}: {:?}\n{}",
        out.status,
        excerpt(&stderr)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal failure"),
        "{what}:\n{}",
        excerpt(&stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let got: Vec<&str> = stdout.split_terminator('\n').collect();
    assert_eq!(
        got.len(),
        lines.len(),
        "{what}: line count\nstderr: {}",
        excerpt(&stderr)
    );
    let json = args.contains(&"json");
    let mut failed = 0;
    for (i, (line, text)) in got.iter().zip(&lines).enumerate() {
        let n = i + 1;
        if text.trim().is_empty() || text.trim_start().starts_with('#') {
            // A blank or comment line keeps its place: an empty answer, no error.
            assert!(
                line.is_empty(),
                "{what}: line {n} ({text:?}) answered {line:?}"
            );
            continue;
        }
        let is_error = if json {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{what}: line {n} is not JSON ({e}): {line}"));
            assert_eq!(v["version"], 1, "{what}: line {n}");
            if v.get("error").is_some() {
                assert_eq!(
                    v["line"], n,
                    "{what}: line {n} has the wrong number: {line}"
                );
                true
            } else {
                false
            }
        } else {
            line.is_empty()
        };
        if is_error {
            failed += 1;
            // The diagnostic's snippet is labelled with the line number.
            assert!(
                stderr.contains(&format!("\n{n} | ")) || stderr.contains(&format!("line {n} ")),
                "{what}: no diagnostic names line {n} ({text:?})"
            );
        } else {
            assert!(
                !line.is_empty(),
                "{what}: line {n} ({text:?}) has an empty answer"
            );
        }
    }
    assert_eq!(
        out.status.code() == Some(1),
        failed > 0,
        "{what}: exit status vs failures"
    );
    eprintln!(
        "{what}: {} answered, {failed} refused",
        lines.len() - failed
    );
    (lines.len() - failed, failed)
}

#[test]
fn binary_batch_survives_random_lines() {
    let mut lines = sample(token_soup(), 400, 1);
    lines.extend(sample(random_bytes(), 100, 2));
    lines.extend(sample(random_text(), 100, 3));
    let hostile = sample(hostile_expr(), 300, 4);
    lines.extend(hostile.iter().cloned());
    batch_case(&lines, &[]);
    // The generators are worth something only if they reach both outcomes.
    let (ok, failed) = batch_case(&hostile, &[]);
    assert!(
        ok > 60 && failed > 30,
        "hostile expressions: {ok} answered, {failed} refused"
    );
}

#[test]
fn binary_batch_survives_random_lines_in_every_format() {
    let mut lines = sample(token_soup(), 100, 5);
    lines.extend(sample(hostile_expr(), 100, 6));
    for format in ["unicode", "latex", "json"] {
        batch_case(&lines, &["--format", format]);
    }
}

#[test]
fn binary_batch_with_given_survives_random_lines() {
    let mut lines = sample(token_soup(), 100, 7);
    lines.extend(sample(hostile_expr(), 100, 8));
    batch_case(&lines, &["--given", "t=x^2", "--given", "y=sin(t)"]);
}

/// Raw random bytes (any byte, newlines included) on stdin: the line count the binary
/// sees is the number of `\n`-separated pieces.
#[test]
fn binary_batch_survives_raw_bytes() {
    let chunks = sample(proptest::collection::vec(any::<u8>(), 0..200), 50, 9);
    let mut input: Vec<u8> = chunks.concat();
    input.push(b'\n');
    let expected = input.iter().filter(|&&b| b == b'\n').count();
    let out = deriv(&["partial", "-", "x"]).stdin(&input).run_raw();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}\n{}",
        out.status,
        excerpt(&stderr)
    );
    assert!(!stderr.contains("panicked"), "{}", excerpt(&stderr));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), expected);
}

/// Cases small and free of NUL (argv cannot carry NUL), one process each: keep it few.
fn argument_cases() -> Vec<String> {
    let mut v = sample(token_soup(), 25, 10);
    v.extend(sample(hostile_expr(), 25, 11));
    v.extend(sample(random_text(), 10, 12));
    v.into_iter().map(|s| s.replace('\0', "")).collect()
}

#[test]
fn binary_survives_random_expression_arguments() {
    for text in argument_cases() {
        let out = deriv(&["partial", "--max-nodes", "100000", "--", text.as_str(), "x"]).run_raw();
        // `--` keeps a leading `-` from looking like an option; clap then gives 2 only
        // for genuine usage errors, which a single EXPR cannot be.
        assert_sane(&out, &format!("partial {text:?} x"));
    }
}

#[test]
fn binary_survives_random_given_values() {
    for text in argument_cases().into_iter().take(30) {
        let given = format!("t={text}");
        let out = deriv(&[
            "total",
            "x*t + sin(t)",
            "x",
            "--max-nodes",
            "100000",
            "--given",
            given.as_str(),
        ])
        .run_raw();
        assert_sane(&out, &format!("total … --given {given:?}"));
        // The whole value, `=` or not, as the constraint.
        let out = deriv(&[
            "partial",
            "x*t",
            "x",
            "--max-nodes",
            "100000",
            "--given",
            text.as_str(),
        ])
        .run_raw();
        assert_sane(&out, &format!("partial … --given {text:?}"));
    }
}

/// Invalid UTF-8 in an argument is refused with a message, not a panic.
#[cfg(unix)]
#[test]
fn binary_refuses_invalid_utf8_arguments() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let os = |bytes: &[u8]| OsStr::from_bytes(bytes).to_owned();
    let out = deriv(&[os(b"partial"), os(b"x*\xff\xfe"), os(b"x")]).run_raw();
    assert_sane(&out, "partial <invalid UTF-8> x");
    assert_eq!(out.status.code(), Some(1));
    let out = deriv(&[
        os(b"total"),
        os(b"x*t"),
        os(b"x"),
        os(b"--given"),
        os(b"t=\xc3\x28"),
    ])
    .run_raw();
    assert_sane(&out, "--given <invalid UTF-8>");
    assert_eq!(out.status.code(), Some(1));
    // As a variable: clap refuses it (a usage error) or deriv does (input rejected).
    let out = deriv(&[os(b"partial"), os(b"x"), os(b"\xff")]).run_raw();
    assert!(matches!(out.status.code(), Some(1 | 2)), "{:?}", out.status);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
