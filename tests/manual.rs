//! The manual pages through the built binary: `deriv man --dir` writes deriv.1 and a page
//! per command, every page is roff that groff reads without a warning (when groff is
//! installed), every page SEE ALSO names exists, every option of every command is in its
//! page and in deriv.1, and the examples come out verbatim.

use crate::common::*;
use std::collections::BTreeMap;
use std::process::Command;

/// Every command, `help` included.
fn commands() -> Vec<String> {
    let mut c = subcommands();
    c.push("help".into());
    c
}

/// The pages `deriv man --dir` writes, by file name.
fn pages() -> BTreeMap<String, String> {
    let dir = TempDir::new();
    let target = dir.path().join("man1");
    let o = deriv(&["man", "--dir", target.to_str().unwrap()]).run();
    assert_eq!((o.code, o.stdout.as_str(), o.stderr.as_str()), (0, "", ""));
    std::fs::read_dir(&target)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Roff source back to the characters it prints (the escapes the pages use).
fn unroff(line: &str) -> String {
    let line = line.strip_prefix("\\&").unwrap_or(line);
    line.replace("\\*(Aq", "'")
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\\\", "\\")
}

/// The long options `deriv COMMAND --help` lists.
fn long_options(command: &str) -> Vec<String> {
    let help = deriv(&[command, "--help"]).run().stdout;
    let mut found: Vec<String> = help
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '(')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .split('=')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

#[test]
fn a_page_for_every_command_and_deriv_1_on_stdout() {
    let pages = pages();
    assert!(pages.contains_key("deriv.1"));
    for c in commands() {
        assert!(
            pages.contains_key(&format!("deriv-{c}.1")),
            "no page for {c}: {:?}",
            pages.keys()
        );
    }
    assert_eq!(deriv(&["man"]).run().stdout, pages["deriv.1"]);
}

#[test]
fn every_page_see_also_names_exists() {
    let pages = pages();
    for (name, page) in &pages {
        let see = page
            .split(".SH \"SEE ALSO\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{name}: no SEE ALSO"));
        let refs: Vec<String> = see
            .split("\\fB")
            .skip(1)
            .filter_map(|r| r.split_once("\\fR(1)").map(|(n, _)| unroff(n)))
            .collect();
        assert!(refs.len() >= commands().len() - 1, "{name}: {refs:?}");
        for r in refs {
            assert!(
                pages.contains_key(&format!("{r}.1")),
                "{name} names {r}(1), which is not written"
            );
        }
    }
}

#[test]
fn every_option_of_every_command_is_in_its_page_and_in_deriv_1() {
    let pages = pages();
    let main = &pages["deriv.1"];
    for c in commands() {
        let page = &pages[&format!("deriv-{c}.1")];
        let options = long_options(&c);
        assert!(
            options.contains(&"--format".to_string()),
            "{c}: {options:?}"
        );
        for o in options {
            let roff = o.replace('-', "\\-");
            assert!(
                page.contains(&format!("\\fB{roff}\\fR")),
                "deriv-{c}.1 lacks {o}"
            );
            assert!(
                main.contains(&format!("\\fB{roff}\\fR")),
                "deriv.1 lacks {o} (of {c})"
            );
        }
    }
    for o in [
        "--given",
        "--at",
        "--wrt",
        "--substitute-first",
        "--at-file",
        "--dir",
    ] {
        assert!(
            main.contains(&format!("\\fB{}\\fR", o.replace('-', "\\-"))),
            "deriv.1 lacks {o}"
        );
    }
}

#[test]
fn examples_are_verbatim() {
    let pages = pages();
    let man = have("man");
    if !man {
        eprintln!("man is not installed: examples checked in the roff source only");
    }
    let main = pages["deriv.1"]
        .split(".SH EXAMPLES")
        .nth(1)
        .unwrap()
        .to_string();
    // Every command's page, and deriv.1's EXAMPLES against `deriv --help`.
    for c in commands().into_iter().map(Some).chain([None]) {
        let (args, page, full) = match &c {
            Some(c) => {
                let p = &pages[&format!("deriv-{c}.1")];
                (vec![c.as_str(), "--help"], p, p)
            }
            None => (vec!["--help"], &main, &pages["deriv.1"]),
        };
        let c = c.clone().unwrap_or_default();
        let help = deriv(&args).run().stdout;
        let want: Vec<&str> = help.split("Examples:\n").nth(1).unwrap().lines().collect();
        // In the source: the lines between .nf and .fi, unescaped, are the help's.
        let block = page
            .split("\n.nf\n")
            .nth(1)
            .and_then(|b| b.split("\n.fi\n").next());
        let got: Vec<String> = block
            .unwrap_or_else(|| panic!("{c}: no .nf block"))
            .lines()
            .map(unroff)
            .collect();
        assert_eq!(got, want, "deriv-{c}.1");
        // As man shows it: every line whole, its inner spacing kept.
        if man {
            let dir = TempDir::new();
            let file = dir.write("page.1", full);
            let shown = Command::new("man")
                .arg("-l")
                .arg(&file)
                .env("MANWIDTH", "200")
                .output()
                .unwrap();
            let shown = String::from_utf8_lossy(&shown.stdout);
            for line in want.iter().filter(|l| !l.trim().is_empty()) {
                assert!(
                    shown.lines().any(|s| s.trim_start() == line.trim_start()),
                    "deriv-{c}.1 as man shows it lacks the line {line:?}:\n{shown}"
                );
            }
        }
    }
}

#[test]
fn every_page_is_roff_that_groff_reads_without_a_warning() {
    if !have("groff") {
        eprintln!("groff is not installed: the pages' roff is not checked");
        return;
    }
    let dir = TempDir::new();
    for (name, page) in pages() {
        let file = dir.write(&name, &page);
        let o = Command::new("groff")
            .args(["-k", "-man", "-ww", "-z", "-Tutf8"])
            .arg(&file)
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() && warnings.is_empty(),
            "{name}:\n{warnings}"
        );
        assert!(
            page.lines().any(|l| l.starts_with(".TH ")),
            "{name}: no .TH"
        );
    }
}
