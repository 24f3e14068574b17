//! Corpora by stage and outcome, run through the built binary.
//!
//! - `tests/cases/diff/*.txt`: `EXPR | VAR [VAR...] | EXPECTED`. `deriv partial EXPR VAR...`
//!   must print exactly EXPECTED, with nothing on stderr. Every EXPECTED was checked
//!   against SymPy with `tests/cases/check_sympy.py`; rerun it after changing one.
//! - `tests/cases/errors/parse/*.txt`: `INPUT | message substring | caret column`.
//!   `deriv partial INPUT x` must exit 1 with nothing on stdout, an error whose message
//!   contains the substring, and the caret's first `^` under the given column (counted in
//!   characters from 1 under the echoed input).
//!
//! Lines are trimmed; empty lines and lines starting with `#` are skipped. Fields are split
//! at the last two `|`, so an input may itself contain `|`. Every failing case is reported
//! with its file and line, all at once.

use std::path::{Path, PathBuf};

use crate::common::*;

struct Case {
    at: String,
    fields: [String; 3],
}

fn corpus(dir: &str) -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&file)
            .display()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{shown}:{}", i + 1);
            let mut parts: Vec<String> = line.rsplitn(3, '|').map(|s| s.trim().into()).collect();
            assert_eq!(parts.len(), 3, "{at}: want `A | B | C`, got {line:?}");
            parts.reverse();
            let [a, b, c] = <[String; 3]>::try_from(parts).unwrap();
            cases.push(Case {
                at,
                fields: [a, b, c],
            });
        }
    }
    assert!(!cases.is_empty(), "no cases under {dir}");
    cases
}

fn report(what: &str, total: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} of {total} {what} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn diff_cases() {
    let cases = corpus("tests/cases/diff");
    let mut failures = Vec::new();
    for Case { at, fields } in &cases {
        let [expr, vars, expected] = fields;
        let mut args = vec!["partial", "--format", "plain", expr.as_str()];
        args.extend(vars.split_whitespace());
        let o = deriv(&args).run();
        let got = o.stdout.strip_suffix('\n').unwrap_or(&o.stdout);
        if o.code != 0 || got != expected || !o.stderr.is_empty() {
            failures.push(format!(
                "{at}: ∂/∂({vars}) {expr}\n  expected: {expected}\n  got:      {got}\n  \
                 status {}, stderr: {}",
                o.code, o.stderr
            ));
        }
    }
    report("diff", cases.len(), failures);
}

/// Plain output is text deriv reads back: every expected answer is already canonical.
#[test]
fn diff_answers_read_back_unchanged() {
    let cases = corpus("tests/cases/diff");
    let mut failures = Vec::new();
    let mut total = 0;
    for Case { at, fields } in &cases {
        let expected = &fields[2];
        total += 1;
        let o = deriv(&["simplify", "--format", "plain", expected]).run();
        let got = o.stdout.strip_suffix('\n').unwrap_or(&o.stdout);
        if o.code != 0 || got != expected {
            failures.push(format!(
                "{at}: simplify {expected}\n  got: {got}\n  status {}, stderr: {}",
                o.code, o.stderr
            ));
        }
    }
    report("read-back", total, failures);
}

#[test]
fn derivative_notation_reads_back() {
    let o = deriv(&["partial", "g(x, y)", "x"]).run();
    assert_eq!(o.stdout, "D[1](g)(x, y)\n");
    let o = deriv(&["partial", "D[1](g)(x, y)", "y"]).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "D[1,2](g)(x, y)\n");
}

/// The caret line under `echo` (the line `1 | INPUT`): the first `^`'s column, from 1.
fn caret_column(stderr: &str, input: &str) -> Option<usize> {
    let lines: Vec<&str> = stderr.lines().collect();
    let i = lines.iter().position(|l| {
        l.strip_prefix("1 | ")
            .is_some_and(|rest| rest.trim_end() == input.trim_end())
    })?;
    let prefix = "1 | ".len();
    let caret = lines.get(i + 1)?.chars().position(|c| c == '^')?;
    caret.checked_sub(prefix).map(|c| c + 1)
}

#[test]
fn parse_error_cases() {
    let cases = corpus("tests/cases/errors/parse");
    let mut failures = Vec::new();
    for Case { at, fields } in &cases {
        let [input, message, column] = fields;
        let want: usize = column
            .parse()
            .unwrap_or_else(|_| panic!("{at}: the column {column:?} is not a number"));
        let o = deriv(&["partial", input.as_str(), "x"]).run();
        let col = caret_column(&o.stderr, input);
        let first = o.stderr.lines().next().unwrap_or("");
        let ok = o.code == 1
            && o.stdout.is_empty()
            && first.starts_with("error: ")
            && first.contains(message.as_str())
            && col == Some(want);
        if !ok {
            failures.push(format!(
                "{at}: {input}\n  expected: error containing {message:?}, caret at column \
                 {want}, status 1, empty stdout\n  got: status {}, caret at {col:?}, \
                 stdout {:?}, stderr:\n{}",
                o.code, o.stdout, o.stderr
            ));
        }
    }
    report("parse-error", cases.len(), failures);
}
