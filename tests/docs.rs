//! The docs cannot lie: every console example in README.md and docs/*.md is run.
//!
//! An example is a fenced code block whose info string is `console`. In it, a line
//! starting with `$ ` is a command, run with `sh -c` (no stdin) with the built `deriv`
//! first on PATH, in a fresh directory per document: the files one example writes, the
//! next reads, and nothing is left behind. A command line ending in `\` continues on the
//! next line. The lines after a command, up to the next `$ ` line or the end of the block,
//! are its expected output: stdout and stderr as one stream, in the order written (what a
//! terminal shows), compared exactly except for trailing whitespace on each line and
//! trailing empty lines. A command may exit non-zero only if
//! its expected output contains `error:`. A failure names the file and line of the `$ `.
//! A block that needs another program says so in its info string, `console
//! requires=parallel` (several: `requires=parallel,groff`): where one is not installed,
//! its examples are skipped with a message, not failed.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::common::*;

#[derive(Debug, PartialEq, Eq)]
struct Example {
    /// 1-based line of the `$ ` in the file.
    line: usize,
    command: String,
    expected: Vec<String>,
    /// The programs the example's block needs (`requires=` in its info string).
    requires: Vec<String>,
}

/// The programs an info string requires: `console requires=parallel,groff`.
fn requirements(info: &str) -> Vec<String> {
    info.split_whitespace()
        .filter_map(|w| w.strip_prefix("requires="))
        .flat_map(|list| list.split(','))
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The console examples of one Markdown text.
fn examples(markdown: &str) -> Vec<Example> {
    let mut found = Vec::new();
    // The fence that opened the current block (its character and length), whether the
    // block is a console example, and the programs it requires.
    let mut fence: Option<(char, usize, bool)> = None;
    let mut requires: Vec<String> = Vec::new();
    let mut current: Option<Example> = None;
    let mut continued = false;
    for (i, raw) in markdown.lines().enumerate() {
        let trimmed = raw.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|&c| c == m).count());
        match fence {
            None => {
                if let Some(m) = marker
                    && run >= 3
                {
                    let info = trimmed[run * m.len_utf8()..].trim();
                    let lang = info.split([' ', ',', '{']).next().unwrap_or("");
                    fence = Some((m, run, lang == "console"));
                    requires = requirements(info);
                }
            }
            Some((m, len, console)) => {
                let closes = marker == Some(m)
                    && run >= len
                    && trimmed[run * m.len_utf8()..].trim().is_empty();
                if closes {
                    found.extend(current.take());
                    fence = None;
                    continued = false;
                    continue;
                }
                if !console {
                    continue;
                }
                if continued {
                    let ex = current.as_mut().expect("a command is being continued");
                    ex.command.push('\n');
                    ex.command.push_str(raw);
                    continued = raw.ends_with('\\');
                } else if let Some(cmd) = raw.strip_prefix("$ ") {
                    found.extend(current.take());
                    current = Some(Example {
                        line: i + 1,
                        command: cmd.to_string(),
                        expected: Vec::new(),
                        requires: requires.clone(),
                    });
                    continued = cmd.ends_with('\\');
                } else if let Some(ex) = current.as_mut() {
                    ex.expected.push(raw.to_string());
                }
            }
        }
    }
    // An unclosed block runs to the end of the file, as in CommonMark.
    found.extend(current);
    found
}

/// Trailing whitespace per line and trailing empty lines do not count.
fn normalize<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = lines
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    if let Ok(dir) = std::fs::read_dir(root.join("docs")) {
        let mut md: Vec<PathBuf> = dir
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        md.sort();
        docs.extend(md);
    }
    docs.into_iter().filter(|p| p.exists()).collect()
}

/// Runs one example in `dir`; `Err` says how it went wrong.
fn check(ex: &Example, dir: &Path) -> Result<(), String> {
    // Both streams into one pipe, so their lines keep the order they were written in.
    let out = shell(&format!("exec 2>&1\n{}", ex.command))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run sh: {e}"))?;
    let got = normalize(String::from_utf8_lossy(&out.stdout).lines());
    let want = normalize(ex.expected.iter().map(String::as_str));
    let mut problems = Vec::new();
    if got != want {
        problems.push(format!(
            "expected:\n{}\ngot (stdout and stderr as written):\n{}",
            indent(&want),
            indent(&got)
        ));
    }
    let allowed_to_fail = ex.expected.iter().any(|l| l.contains("error:"));
    if !out.status.success() && !allowed_to_fail {
        problems.push(format!(
            "exited with {} but the expected output shows no `error:`",
            out.status
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn indent(lines: &[String]) -> String {
    if lines.is_empty() {
        return "    (nothing)".into();
    }
    lines
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The programs of `requires` that are not installed (not found by `command -v`).
fn missing(requires: &[String]) -> Vec<String> {
    requires
        .iter()
        .filter(|p| {
            let found = shell(&format!("command -v '{p}' >/dev/null"))
                .status()
                .is_ok_and(|s| s.success());
            !found
        })
        .cloned()
        .collect()
}

/// What running one document's examples came to.
#[derive(Debug, Default)]
struct Report {
    ran: usize,
    failures: Vec<String>,
    /// One message per example skipped for a missing program.
    skipped: Vec<String>,
}

/// Runs every example of `markdown` (shown as `shown` in messages) in one fresh directory.
fn run_document(markdown: &str, shown: &str) -> Report {
    let dir = TempDir::new();
    let mut report = Report::default();
    for ex in examples(markdown) {
        let absent = missing(&ex.requires);
        if !absent.is_empty() {
            report.skipped.push(format!(
                "{shown}:{}: skipped, {} not installed: $ {}",
                ex.line,
                absent.join(", "),
                ex.command
            ));
            continue;
        }
        report.ran += 1;
        if let Err(why) = check(&ex, dir.path()) {
            report
                .failures
                .push(format!("{shown}:{}: $ {}\n{why}", ex.line, ex.command));
        }
    }
    report
}

#[test]
fn console_examples_in_the_docs_are_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut count = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let shown = doc.strip_prefix(root).unwrap_or(&doc).display().to_string();
        let report = run_document(&text, &shown);
        for s in &report.skipped {
            eprintln!("{s}");
        }
        count += report.ran;
        failures.extend(report.failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {count} console examples failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_readme_has_console_examples() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md exists");
    // Until the placeholder README is replaced, there is nothing to hold it to.
    if text.contains("(Full README in progress.)") {
        eprintln!("README.md is still a placeholder: its console examples are not required yet");
        return;
    }
    assert!(
        !examples(&text).is_empty(),
        "README.md has no ```console example for tests/docs.rs to run"
    );
}

// ---- the runner's own reading of Markdown ------------------------------------------------

#[test]
fn reads_commands_and_their_output() {
    let md = "\
Intro.

```console
$ deriv partial 'x^2' x
2*x
$ deriv partial '(' x
error: expected an expression after `(`
  |
1 | (
  |  ^ here
```

```sh
$ not an example
```

````console
$ echo a \\
  b
a b
```
still inside
````
";
    let got = examples(md);
    assert_eq!(
        got,
        vec![
            Example {
                line: 4,
                command: "deriv partial 'x^2' x".into(),
                expected: vec!["2*x".into()],
                requires: vec![],
            },
            Example {
                line: 6,
                command: "deriv partial '(' x".into(),
                expected: vec![
                    "error: expected an expression after `(`".into(),
                    "  |".into(),
                    "1 | (".into(),
                    "  |  ^ here".into(),
                ],
                requires: vec![],
            },
            Example {
                line: 18,
                command: "echo a \\\n  b".into(),
                expected: vec!["a b".into(), "```".into(), "still inside".into()],
                requires: vec![],
            },
        ]
    );
}

#[test]
fn a_true_example_passes_and_a_false_one_fails() {
    let dir = TempDir::new();
    let check = |command: &str, expected: &[&str]| {
        let ex = Example {
            line: 1,
            command: command.into(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
            requires: vec![],
        };
        check(&ex, dir.path())
    };
    assert_eq!(check("deriv partial 'x^3*y^2' x x y", &["12*x*y"]), Ok(()));
    assert_eq!(
        check(
            "deriv partial \"$(deriv partial 'x^3*y^2' x)\" y",
            &["6*x^2*y", ""]
        ),
        Ok(())
    );
    assert!(check("deriv partial 'x^2' x", &["3*x"]).is_err());
    // A failing command needs an `error:` in its expected output.
    assert!(check("echo oops; exit 3", &["oops"]).is_err());
    assert_eq!(check("echo 'error: x' >&2; exit 1", &["error: x"]), Ok(()));
    // The two streams in the order they were written.
    assert_eq!(check("echo err >&2; echo out", &["err", "out"]), Ok(()));
    assert!(check("echo err >&2; echo out", &["out", "err"]).is_err());
}

/// The examples of one document share a directory (a file one writes, the next reads);
/// another document, or another run of the tests, starts from an empty one.
#[test]
fn each_document_has_its_own_directory() {
    let ex = |command: &str, expected: &[&str]| Example {
        line: 1,
        command: command.into(),
        expected: expected.iter().map(|s| s.to_string()).collect(),
        requires: vec![],
    };
    let (one, other) = (TempDir::new(), TempDir::new());
    assert_eq!(check(&ex("echo a > f.txt", &[]), one.path()), Ok(()));
    assert_eq!(check(&ex("cat f.txt", &["a"]), one.path()), Ok(()));
    assert_eq!(check(&ex("ls", &[]), other.path()), Ok(()));
}

/// A block marked `requires=PROGRAM` runs where the program is installed and is skipped,
/// with a message naming it, where it is not; a false example in a skipped block does not
/// fail, and the same example in a block whose program is there does.
#[test]
fn a_block_that_requires_a_missing_program_is_skipped_with_a_message() {
    assert_eq!(
        requirements("console requires=parallel,groff"),
        vec!["parallel".to_string(), "groff".to_string()]
    );
    assert!(requirements("console").is_empty());
    let absent = "deriv-test-no-such-program";
    assert_eq!(
        missing(&[absent.to_string(), "sh".to_string()]),
        vec![absent.to_string()]
    );
    let md = format!(
        "```console requires={absent}\n$ echo yes\nno\n```\n\n\
         ```console requires=sh\n$ echo yes\nyes\n$ echo yes\nno\n```\n"
    );
    let ex = examples(&md);
    assert_eq!(ex[0].requires, vec![absent.to_string()]);
    let report = run_document(&md, "test.md");
    assert_eq!(report.ran, 2);
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(report.skipped[0].contains(absent) && report.skipped[0].starts_with("test.md:2:"));
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(report.failures[0].starts_with("test.md:9:"), "{report:?}");
}
