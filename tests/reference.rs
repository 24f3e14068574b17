//! The reference pages cover the whole command line, as the built binary reports it:
//! docs/commands.md has a section for every subcommand and names every long option of
//! every subcommand's `--help` (so an option added without documentation fails here), and
//! docs/index.md names every command.

use crate::common::*;
use std::path::Path;

fn doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Every subcommand, `help` included.
fn commands() -> Vec<String> {
    let mut c = subcommands();
    c.push("help".into());
    c
}

/// The long options `deriv COMMAND --help` lists, as written there (`--at-file`).
fn long_options(command: &str) -> Vec<String> {
    let help = deriv(&[command, "--help"]).run().stdout;
    let mut found: Vec<String> = help
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix("-").map(|_| l))
        .flat_map(|l| l.split([' ', ',']).filter(|w| w.starts_with("--")))
        .map(|w| w.split(['=', '<', '[']).next().unwrap().to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Whether `text` names `option` as a whole word: `--at` in "`--at x=1`", not in `--at-file`.
fn names(text: &str, option: &str) -> bool {
    text.match_indices(option).any(|(i, _)| {
        let after = text[i + option.len()..].chars().next();
        !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

#[test]
fn the_option_reader_finds_whole_options() {
    assert!(names("use `--at-file FILE`", "--at-file"));
    assert!(!names("use `--at-file FILE`", "--at"));
    assert!(names("`--at x=1`", "--at"));
    let partial = long_options("partial");
    for o in [
        "--given",
        "--at",
        "--at-file",
        "--substitute-first",
        "--format",
        "--help",
    ] {
        assert!(partial.contains(&o.to_string()), "{o} not in {partial:?}");
    }
}

#[test]
fn commands_md_covers_every_command_and_option() {
    let text = doc("commands.md");
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    let mut missing = Vec::new();
    for c in commands() {
        let section = format!("`deriv {c}");
        if !headings.iter().any(|h| h.contains(&section)) {
            missing.push(format!("a `## ` heading with `deriv {c} ...`"));
        }
        for o in long_options(&c) {
            if !names(&text, &o) {
                missing.push(format!("{o} (of deriv {c})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/commands.md lacks:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_index_names_every_command() {
    let text = doc("index.md");
    for c in commands() {
        assert!(
            text.contains(&format!("`{c}`")),
            "docs/index.md does not name `{c}`"
        );
    }
}

#[test]
fn the_guide_on_large_batches_is_a_help_topic() {
    let topics = deriv(&["help", "topics"]).run().stdout;
    assert!(topics.contains("parallel"), "{topics}");
    let page = deriv(&["help", "parallel"]).run();
    assert_eq!(page.code, 0);
    assert_eq!(page.stdout, doc("parallel.md"));
    assert!(page.stdout.contains("parallel --pipe -k"));
    assert!(doc("index.md").contains("(parallel.md)"));
}

/// Indexed names and sums are part of the language: the syntax card and the syntax page
/// say so, and neither says `[` appears only in `D[...]`.
#[test]
fn the_syntax_card_and_page_cover_indexed_names_and_sums() {
    let card = deriv(&["syntax"]).run().stdout;
    let page = doc("syntax.md");
    for text in [&card, &page] {
        for needle in ["w[i,j]", "sum(i=1..n"] {
            assert!(text.contains(needle), "lacks {needle}:\n{text}");
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!flat.contains("(`[` appears only in `D[...]`.)"), "{text}");
    }
    assert!(
        card.lines().count() <= 32,
        "the card is longer than a screen"
    );
    assert!(card.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn formats_md_describes_the_json_of_step() {
    let text = doc("formats.md");
    let section = text.split("**`step`**").nth(1).expect("a step paragraph");
    for field in ["`loss`", "`rate`", "`values`", "`operation`"] {
        assert!(section.contains(field), "the step JSON lacks {field}");
    }
}
