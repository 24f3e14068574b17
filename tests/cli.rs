//! The command line's contract, as transcripts of the built binary, one test per behaviour:
//! ∂ versus d with `--given` (the warning, `--substitute-first`, chained constraints, the
//! errors that point at a constraint), the output formats and pipelines, parse and usage
//! errors (caret, wording, exit 1 or 2), colour and its environment variables, batch mode
//! on stdin (one answer per line, in order, line by line for a coprocess, JSON Lines, a
//! closed pipe), help and version, and every example in `--help`, which is run.
//!
//! Every run starts from a clean environment for the variables deriv reads (`NO_COLOR`,
//! `CLICOLOR_FORCE`, `CLICOLOR`), so the developer's shell does not leak into the results.
//! Standard output is always a pipe here, so the default format is `plain`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;

/// Finds the snippet line that starts with `snippet_start` (after the `|` gutter) and the
/// caret line under it; returns the snippet text, the caret's column in it (in characters)
/// and the underlined text (empty when the caret points just past the end).
fn caret(stderr: &str, snippet_start: &str) -> (String, usize, String) {
    let lines: Vec<&str> = stderr.lines().collect();
    let i = lines
        .iter()
        .position(|l| {
            l.split_once("| ")
                .is_some_and(|(_, rest)| rest.starts_with(snippet_start))
        })
        .unwrap_or_else(|| panic!("no snippet line starting {snippet_start:?} in\n{stderr}"));
    let snippet_line: Vec<char> = lines[i].chars().collect();
    let bar = snippet_line.iter().position(|&c| c == '|').unwrap();
    let text_start = bar + 2;
    let caret_line: Vec<char> = lines
        .get(i + 1)
        .unwrap_or_else(|| panic!("no caret line in\n{stderr}"))
        .chars()
        .collect();
    assert_eq!(
        caret_line.iter().position(|&c| c == '|'),
        Some(bar),
        "gutters align\n{stderr}"
    );
    let first = caret_line
        .iter()
        .position(|&c| c == '^')
        .unwrap_or_else(|| panic!("no caret in\n{stderr}"));
    let width = caret_line[first..]
        .iter()
        .take_while(|&&c| c == '^')
        .count();
    let col = first - text_start;
    let text: String = snippet_line[text_start..].iter().collect();
    let under: String = text.chars().skip(col).take(width).collect();
    (text, col, under)
}

fn has_escapes(s: &str) -> bool {
    s.contains('\u{1b}')
}

const F: &str = "4*pi/3*t*x*y";

// ---- the worked example: ∂ versus d ----------------------------------------------------

#[test]
fn partial_holds_other_variables_constant() {
    deriv(&["partial", F, "x"]).prints("4*pi*t*y/3");
}

#[test]
fn total_follows_the_constraint() {
    deriv(&["total", F, "x", "--given", "t=x"]).prints("8*pi*x*y/3");
}

#[test]
fn partial_with_a_dependent_given_warns_and_gives_the_total() {
    let o = deriv(&["partial", F, "x", "--given", "t=x"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "4*pi*x*y/3\n");
    let e = &o.stderr;
    assert!(e.starts_with("warning:"), "{e}");
    assert!(e.contains("t = x"), "names the constraint: {e}");
    assert!(e.contains("∂f/∂t·dt/dx"), "names the dropped term: {e}");
    assert!(
        e.contains("4*pi*x*y/3"),
        "gives the dropped term's value: {e}"
    );
    assert!(
        e.contains("df/dx = 8*pi*x*y/3"),
        "gives the total derivative: {e}"
    );
    assert!(!has_escapes(e), "piped stderr is plain: {e}");
}

#[test]
fn partial_with_an_independent_given_does_not_warn() {
    deriv(&["partial", F, "x", "--given", "y=z"]).prints("4*pi*t*z/3");
}

#[test]
fn substitute_first_gives_the_total_without_a_warning() {
    deriv(&["partial", F, "x", "--given", "t=x", "--substitute-first"]).prints("8*pi*x*y/3");
}

#[test]
fn repeated_variables_give_higher_mixed_partials() {
    deriv(&["partial", "x^3*y^2", "x", "x", "y"]).prints("12*x*y");
}

#[test]
fn constraints_chain_transitively() {
    deriv(&["total", "x*s", "x", "--given", "s=t+x", "--given", "t=x^2"]).prints("3*x^2 + 2*x");
}

// ---- constraint errors point at the offending --given ----------------------------------

#[test]
fn a_cycle_is_an_error_pointing_at_a_constraint() {
    let o = deriv(&["total", "x*t", "x", "--given", "t=s", "--given", "s=t"]).fails(1);
    assert!(o.stderr.starts_with("error:"), "{}", o.stderr);
    assert!(o.stderr.contains("cycle"), "{}", o.stderr);
    let (text, col, under) = caret(&o.stderr, "--given ");
    assert_eq!(text, "--given t=s");
    assert_eq!((col, under.as_str()), (8, "t=s"), "{}", o.stderr);
}

#[test]
fn a_constraint_on_the_differentiation_variable_is_an_error() {
    let o = deriv(&["total", "x*t", "x", "--given", "x=t"]).fails(1);
    assert!(
        o.stderr.contains("`x` is the variable of differentiation"),
        "{}",
        o.stderr
    );
    let (text, col, under) = caret(&o.stderr, "--given ");
    assert_eq!(text, "--given x=t");
    assert_eq!((col, under.as_str()), (8, "x=t"), "{}", o.stderr);
}

#[test]
fn a_partial_with_a_constraint_on_its_variable_is_an_error() {
    let o = deriv(&["partial", "x*t", "x", "--given", "x=t"]).fails(1);
    let (_, col, under) = caret(&o.stderr, "--given x=t");
    assert_eq!((col, under.as_str()), (8, "x=t"), "{}", o.stderr);
}

/// `(given, message substring, caret column in "--given VALUE", underlined text)`
const MALFORMED: &[(&str, &str, usize, &str)] = &[
    ("t", "has no `=`", 9, ""),
    ("=x", "needs a variable name before `=`", 8, "="),
    ("t=", "needs an expression after `=`", 10, ""),
    ("2=x", "`2` is not a variable name", 8, "2"),
    ("pi=x", "`pi` is not a variable name", 8, "pi"),
    ("t=x+", "expected an operand after `+`", 12, ""),
    ("t=(x", "unclosed `(`", 10, "("),
];

#[test]
fn malformed_givens_are_errors_with_a_caret() {
    for &(given, message, want_col, want_under) in MALFORMED {
        let o = deriv(&["total", "x*t", "x", "--given", given]).fails(1);
        assert!(o.stderr.starts_with("error:"), "{given}: {}", o.stderr);
        assert!(
            o.stderr.contains(message),
            "--given {given}: want {message:?} in\n{}",
            o.stderr
        );
        let (text, col, under) = caret(&o.stderr, "--given");
        assert_eq!(text, format!("--given {given}"));
        assert_eq!(
            (col, under.as_str()),
            (want_col, want_under),
            "--given {given}: caret\n{}",
            o.stderr
        );
    }
}

#[test]
fn a_variable_given_twice_is_an_error_at_the_second() {
    let o = deriv(&["total", "x*t", "x", "--given", "t=x", "--given", "t=y"]).fails(1);
    assert!(o.stderr.contains("`t` is given twice"), "{}", o.stderr);
    assert!(o.stderr.contains("t=x"), "mentions the first: {}", o.stderr);
    let (text, col, under) = caret(&o.stderr, "--given");
    assert_eq!(text, "--given t=y");
    assert_eq!((col, under.as_str()), (8, "t=y"));
}

// ---- output formats and pipelines ------------------------------------------------------

#[test]
fn plain_output_reads_back_in_a_pipeline() {
    let first = deriv(&["partial", "x^3*y^2", "x"]).prints("3*x^2*y^2");
    let again = first.stdout.trim_end();
    deriv(&["partial", again, "y"]).prints("6*x^2*y");
}

#[test]
fn format_plain_is_the_default_when_piped() {
    deriv(&["partial", F, "x", "--format", "plain"]).prints("4*pi*t*y/3");
}

#[test]
fn format_unicode_uses_symbols_a_person_writes() {
    deriv(&["partial", F, "x", "--format", "unicode"]).prints("4π·t·y/3");
    deriv(&["partial", "x^3*y^2", "x", "--format", "unicode"]).prints("3x²·y²");
    deriv(&["partial", "x^10*y", "x", "--format", "unicode"]).prints("10x⁹·y");
    deriv(&["partial", "sqrt(x^2 + 1)", "x", "--format", "unicode"]).prints("x/√(x² + 1)");
}

#[test]
fn format_latex() {
    deriv(&["partial", F, "x", "--format", "latex"]).prints(r"\frac{4 \pi t y}{3}");
    deriv(&["partial", "sqrt(x)", "x", "--format", "latex"]).prints(r"\frac{1}{2 \sqrt{x}}");
}

#[test]
fn format_json_holds_every_form() {
    let o = deriv(&["partial", F, "x", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout.lines().count(), 1, "one line: {}", o.stdout);
    let v = json(&o.stdout);
    assert_eq!(v["input"], F);
    assert_eq!(v["operation"], "partial");
    assert_eq!(v["variables"], serde_json::json!(["x"]));
    assert_eq!(v["constraints"], serde_json::json!([]));
    assert_eq!(v["result"]["plain"], "4*pi*t*y/3");
    assert_eq!(v["result"]["unicode"], "4π·t·y/3");
    assert_eq!(v["result"]["latex"], r"\frac{4 \pi t y}{3}");
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn format_json_carries_the_warning() {
    let o = deriv(&["partial", F, "x", "--given", "t=x", "--format", "json"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let v = json(&o.stdout);
    assert_eq!(v["result"]["plain"], "4*pi*x*y/3");
    let c = &v["constraints"][0];
    assert_eq!((&c["variable"], &c["expr"]), (&"t".into(), &"x".into()));
    let warnings = v["warnings"].as_array().expect("warnings is an array");
    assert_eq!(warnings.len(), 1, "{v}");
    let w = &warnings[0];
    assert_eq!(w["total"]["plain"], "8*pi*x*y/3", "{w}");
    assert_eq!(w["dropped"][0]["variable"], "t", "{w}");
    assert_eq!(w["dropped"][0]["term"]["plain"], "4*pi*x*y/3", "{w}");
}

#[test]
fn format_json_total_has_no_warnings() {
    let o = deriv(&["total", F, "x", "--given", "t=x", "--format", "json"]).run();
    assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{o:#?}");
    let v = json(&o.stdout);
    assert_eq!(v["operation"], "total");
    assert_eq!(v["result"]["plain"], "8*pi*x*y/3");
    assert_eq!(v["warnings"], serde_json::json!([]));
}

// ---- parse errors and usage errors -----------------------------------------------------

#[test]
fn a_parse_error_shows_the_input_and_a_caret_in_words() {
    let o = deriv(&["partial", "4*pi/3*(t*", "x"]).fails(1);
    assert_eq!(
        o.stderr,
        "error: expected an operand after `*`\n  |\n1 | 4*pi/3*(t*\n  |           ^ here\n"
    );
}

#[test]
fn an_unclosed_paren_points_at_the_paren() {
    let o = deriv(&["partial", "3*(x+1", "x"]).fails(1);
    assert!(o.stderr.starts_with("error: unclosed `(`"), "{}", o.stderr);
    let (text, col, under) = caret(&o.stderr, "3*(");
    assert_eq!((text.as_str(), col, under.as_str()), ("3*(x+1", 2, "("));
}

#[test]
fn parse_errors_never_show_grammar_rule_names() {
    for input in ["x+", "(", ")", "x y", "x = 1", "f(x,)", "[x]", "2**", "sin"] {
        let o = deriv(&["partial", input, "x"]).fails(1);
        let pest_words = [
            "expected sum",
            "expected product",
            "expected factor",
            "expected atom",
            "EOI",
            "SOI",
            "Rule",
            "_op",
            "implicit_rhs",
            "ident_start",
            "positives",
        ];
        for rule in pest_words {
            assert!(
                !o.stderr.contains(rule),
                "{input:?}: rule name {rule} in\n{}",
                o.stderr
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["partial", "x", "x", "--bogus"][..],
        &["partial", "x"],
        &["partial", "x", "x", "--format", "yaml"],
        &["total", "x"],
        &["frobnicate", "x"],
        &["--color", "sometimes", "partial", "x", "x"],
        &[],
    ] {
        let o = deriv(args).fails(2);
        assert!(o.stderr.contains("--help"), "{args:?}: {}", o.stderr);
    }
}

#[test]
fn a_bad_variable_name_is_rejected() {
    deriv(&["partial", "x", "2x"]).fails(1);
    deriv(&["partial", "x", "pi"]).fails(1);
}

// ---- color -----------------------------------------------------------------------------

fn error_run() -> Deriv {
    deriv(&["partial", "x*(", "x"])
}

#[test]
fn color_always_colors_the_error() {
    let o = deriv(&["partial", "x*(", "x", "--color", "always"]).fails(1);
    assert!(has_escapes(&o.stderr), "{}", o.stderr);
}

#[test]
fn color_never_and_piped_auto_are_plain() {
    let o = deriv(&["partial", "x*(", "x", "--color", "never"]).fails(1);
    assert!(!has_escapes(&o.stderr), "{}", o.stderr);
    let o = deriv(&["partial", "x*(", "x", "--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .fails(1);
    assert!(
        !has_escapes(&o.stderr),
        "never beats CLICOLOR_FORCE: {}",
        o.stderr
    );
    let o = error_run().fails(1);
    assert!(!has_escapes(&o.stderr), "{}", o.stderr);
}

#[test]
fn no_color_turns_auto_off() {
    let o = error_run().env("NO_COLOR", "1").fails(1);
    assert!(!has_escapes(&o.stderr), "{}", o.stderr);
}

#[test]
fn clicolor_force_turns_auto_on() {
    let o = error_run().env("CLICOLOR_FORCE", "1").fails(1);
    assert!(has_escapes(&o.stderr), "{}", o.stderr);
    // The words survive the coloring.
    assert!(
        o.stderr.contains("expected an expression after"),
        "{}",
        o.stderr
    );
}

#[test]
fn clicolor_force_zero_does_not_force() {
    let o = error_run().env("CLICOLOR_FORCE", "0").fails(1);
    assert!(!has_escapes(&o.stderr), "{}", o.stderr);
}

#[test]
fn stdout_never_has_escapes() {
    let o = deriv(&["partial", F, "x", "--given", "t=x", "--color", "always"])
        .env("CLICOLOR_FORCE", "1")
        .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(
        has_escapes(&o.stderr),
        "the warning is colored: {}",
        o.stderr
    );
    assert_eq!(o.stdout, "4*pi*x*y/3\n");
    for format in ["plain", "unicode", "latex", "json"] {
        let o = deriv(&["partial", F, "x", "--color", "always", "--format", format])
            .env("CLICOLOR_FORCE", "1")
            .run();
        assert!(!has_escapes(&o.stdout), "{format}: {}", o.stdout);
    }
}

// ---- batch mode: EXPR is `-` -----------------------------------------------------------

#[test]
fn batch_answers_every_line_in_order() {
    let o = deriv(&["partial", "-", "x"]).stdin("x^2\n(\ny^2\n").run();
    assert_eq!(o.stdout, "2*x\n\n0\n", "{o:#?}");
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.starts_with("error:"), "{}", o.stderr);
    let (text, col, _) = caret(&o.stderr, "(");
    assert_eq!((text.as_str(), col), ("(", 1));
    assert!(
        o.stderr.lines().any(|l| l.starts_with("2 | (")),
        "names line 2: {}",
        o.stderr
    );
}

/// A coprocess writes a line and waits for its answer before writing the next: each
/// answer must be flushed as soon as no more input is waiting. (The timeout only detects
/// a hang; it is not a speed requirement.)
#[test]
fn batch_answers_a_coprocess_line_by_line() {
    use std::io::Write;
    use std::sync::mpsc;
    use std::time::Duration;
    let mut child = deriv(&["partial", "-", "x"])
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("deriv runs");
    let mut to = child.stdin.take().expect("stdin");
    let from = BufReader::new(child.stdout.take().expect("stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in from.lines() {
            if tx.send(line.expect("utf-8")).is_err() {
                break;
            }
        }
    });
    for (question, answer) in [("x^2", "2*x"), ("sin(x)", "cos(x)"), ("x*y", "y")] {
        writeln!(to, "{question}").expect("write");
        to.flush().expect("flush");
        let got = rx.recv_timeout(Duration::from_secs(60));
        assert_eq!(
            got.as_deref(),
            Ok(answer),
            "no answer to `{question}` while stdin is open"
        );
    }
    drop(to);
    assert!(child.wait().expect("exit").success());
}

/// Lines that arrive together are answered on several threads; output and diagnostics
/// still come in input order, one output line per input line.
#[test]
fn batch_keeps_order_across_many_lines() {
    let n = 3000;
    let mut input = String::new();
    let mut expected = String::new();
    let mut bad = Vec::new();
    for k in 1..=n {
        if k % 7 == 0 {
            input.push_str("x^^2\n");
            expected.push('\n');
            bad.push(k);
        } else {
            input.push_str(&format!("{k}*x^2 + sin(y)\n"));
            expected.push_str(&format!("{}*x\n", 2 * k));
        }
    }
    let o = deriv(&["partial", "-", "x"]).stdin(&input).run();
    assert_eq!(o.code, 1);
    assert!(o.stdout == expected, "answers out of order or missing");
    let named: Vec<usize> = o
        .stderr
        .lines()
        .filter_map(|l| l.split_once(" | x^^2"))
        .map(|(k, _)| k.trim().parse().expect("a line number"))
        .collect();
    assert_eq!(named, bad, "errors name their lines, in order");

    // JSON Lines and warnings too: each object and each warning belongs to its line.
    let o = deriv(&["partial", "-", "x", "--format", "json", "--given", "t=x"])
        .stdin(input.replace("sin(y)", "t"))
        .run();
    let objects: Vec<serde_json::Value> = o.stdout.lines().map(json).collect();
    assert_eq!(objects.len(), n);
    for (k, v) in objects.iter().enumerate() {
        let line = k + 1;
        if line % 7 == 0 {
            assert_eq!(v["line"], line, "{v}");
        } else {
            assert_eq!(v["input"], format!("{line}*x^2 + t"), "{v}");
            assert_eq!(v["result"]["plain"], format!("{}*x", 2 * line), "{v}");
        }
    }
    let warned: Vec<usize> = o
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: line "))
        .map(|l| {
            l.split(':')
                .next()
                .unwrap_or("")
                .parse()
                .expect("a line number")
        })
        .collect();
    let expected: Vec<usize> = (1..=n).filter(|k| k % 7 != 0).collect();
    assert_eq!(warned, expected, "one warning per good line, in order");
}

#[test]
fn batch_with_no_errors_exits_0() {
    deriv(&["partial", "-", "x"])
        .stdin("x^2\nx*y\nsin(x)\n")
        .prints("2*x\ny\ncos(x)");
}

#[test]
fn batch_json_is_json_lines() {
    let o = deriv(&["partial", "-", "x", "--format", "json"])
        .stdin("x^2\n(\nx^3*y\n")
        .run();
    assert_eq!(o.code, 1, "{o:#?}");
    let lines: Vec<serde_json::Value> = o.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 3, "{}", o.stdout);
    assert_eq!(lines[0]["result"]["plain"], "2*x");
    assert_eq!(lines[0]["input"], "x^2");
    assert!(lines[1]["error"].is_string(), "{}", lines[1]);
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["input"], "(");
    assert_eq!(lines[2]["result"]["plain"], "3*x^2*y");
}

#[test]
fn batch_accepts_crlf() {
    deriv(&["partial", "-", "x"])
        .stdin("x^2\r\nx^3\r\n")
        .prints("2*x\n3*x^2");
}

#[test]
fn batch_answers_a_final_line_without_newline() {
    deriv(&["partial", "-", "x"])
        .stdin("x^2\nx^3")
        .prints("2*x\n3*x^2");
}

#[test]
fn batch_empty_line_keeps_its_place_without_an_error() {
    deriv(&["partial", "-", "x"])
        .stdin("x^2\n\nx^3\n")
        .prints("2*x\n\n3*x^2");
}

#[test]
fn batch_empty_input_prints_nothing() {
    let o = deriv(&["partial", "-", "x"]).stdin("").run();
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (0, "", ""));
}

#[test]
fn batch_total_with_given() {
    deriv(&["total", "-", "x", "--given", "t=x"])
        .stdin("t*x\nt^2\ny\n")
        .prints("2*x\n2*x\n0");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = TempDir::new();
    // About 1.5 MB of answers: far more than a pipe buffer holds.
    let path = dir.write("input.txt", "x^2*y\n".repeat(200_000));
    let mut child = deriv(&["partial", "-", "x"])
        .command()
        .stdin(std::fs::File::open(&path).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
    } // the read end of the pipe is closed here
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(first, "2*x*y\n");
    assert_eq!(o.status.code(), Some(0), "status {:?}: {stderr}", o.status);
    assert_eq!(stderr, "", "no panic, no message");
}

// ---- help and version ------------------------------------------------------------------

#[test]
fn version_and_help() {
    let o = deriv(&["--version"]).run();
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("deriv "), "{}", o.stdout);
    for args in [
        &["--help"][..],
        &["partial", "--help"],
        &["total", "--help"],
    ] {
        let o = deriv(args).run();
        assert_eq!(o.code, 0, "{args:?}: {o:#?}");
        assert!(o.stdout.contains("Examples:"), "{args:?}: {}", o.stdout);
        assert!(o.stdout.contains("4*pi/3*t*x*y"), "{args:?}: {}", o.stdout);
    }
}

/// Every example in a command's `--help` is run, and its output must be what the help
/// shows (the help cannot lie, like the docs).
#[test]
fn help_examples_are_true() {
    let mut checked = 0;
    for cmd in computing_commands() {
        let help = deriv(&[&cmd, "--help"]).run();
        let lines: Vec<&str> = help.stdout.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(command) = line.trim_start().strip_prefix("$ ") else {
                continue;
            };
            if command.contains("for i in") {
                continue; // a shell loop, shown for the idea
            }
            // `deriv ...      (a remark)`: the remark is for the reader.
            let command = match command.find("  (") {
                Some(k) => command[..k].trim_end(),
                None => command,
            };
            let expected: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with("$ "))
                .map(|l| l.trim())
                .collect();
            let out = shell(command)
                .stdin(Stdio::null())
                .output()
                .expect("sh runs");
            let got = String::from_utf8_lossy(&out.stdout);
            let got: Vec<&str> = got.lines().map(|l| l.trim()).collect();
            assert_eq!(got, expected, "deriv {cmd} --help: `{command}`");
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} help examples found");
}
