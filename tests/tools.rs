//! The tools around the computations, through the built binary: shell completions that
//! name every subcommand, a man page that is roff, a syntax card that fits one screen,
//! examples in every subcommand's help, the session driven through a pipe (its state, its
//! errors), and plots (the text plot against a reviewed snapshot, poles as gaps, a
//! well-formed SVG).

use crate::common::*;

/// `deriv repl` driven through a pipe, with a fresh state directory: a session that took
/// the pipe for a terminal would write its history there, not into the developer's.
fn session(script: &str) -> Output {
    let state = TempDir::new();
    deriv(&["repl"])
        .stdin(script)
        .env("XDG_STATE_HOME", state.path())
        .run()
}

#[test]
fn completions_mention_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let o = deriv(&["completions", shell]).run();
        assert_eq!(o.code, 0, "{shell}: {}", o.stderr);
        let script = o.stdout;
        assert!(script.len() > 500, "{shell}: a short script");
        for sub in subcommands() {
            assert!(script.contains(&sub), "{shell} script lacks {sub}");
        }
    }
    assert_eq!(deriv(&["completions", "tcsh"]).run().code, 2);
}

#[test]
fn the_man_page_is_roff() {
    let o = deriv(&["man"]).run();
    assert_eq!(o.code, 0);
    let page = o.stdout;
    // The header comes first: clap_mangen puts two string definitions (for quotes) before
    // `.TH`, and nothing else.
    let th = page.lines().position(|l| l.starts_with(".TH DERIV 1"));
    assert!(th.is_some_and(|i| i <= 3), "{page}");
    assert!(page.lines().take(3).all(|l| l.starts_with('.')));
    assert!(page.contains(".SH NAME") && page.contains("partial"));
}

#[test]
fn the_syntax_card_covers_the_operators() {
    let o = deriv(&["syntax"]).run();
    assert_eq!(o.code, 0);
    let text = o.stdout;
    for needle in [
        "+", "-", "*", "/", "^", "**", "4pi", "pi", "e", "sigmoid", "f'(", "D[1](g)", "1e-3",
    ] {
        assert!(text.contains(needle), "syntax lacks {needle}");
    }
    // One screen.
    assert!(text.lines().count() <= 30);
    assert!(text.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn every_subcommand_help_has_examples() {
    let subs = subcommands();
    assert!(subs.len() >= 14, "{subs:?}");
    for sub in &subs {
        let o = deriv(&[sub.as_str(), "--help"]).run();
        assert_eq!(o.code, 0);
        let help = o.stdout;
        let examples = help.split("Examples:").nth(1).unwrap_or("");
        let n = examples
            .lines()
            .filter(|l| l.trim_start().starts_with("$ deriv"))
            .count();
        assert!(n >= 1, "`deriv {sub} --help` has no example");
    }
}

#[test]
fn the_session_keeps_definitions() {
    let script = "\
:let phi(s) = 1/(1+exp(-a*s))
:let a = 2
:let phi'(s) = a*phi(s)*(1-phi(s))
partial phi(w*x) w
:let
:let phi(s) = s
:clear
partial phi(w*x) w
";
    let o = session(script);
    assert_eq!(
        o.stdout,
        "2*x*phi(w*x)*(1 - phi(w*x))\n\
         --let phi(s) = 1/(1+exp(-a*s))\n--let a = 2\n--let phi'(s) = a*phi(s)*(1-phi(s))\n\
         x*phi'(w*x)\n"
    );
    // A second definition of phi is refused when given, and the session goes on.
    assert!(o.stderr.contains("defined twice"), "{}", o.stderr);
    assert_eq!(o.code, 1);
}

#[test]
fn the_session_runs_commands_and_keeps_state() {
    let script = "\
partial x^2*y x
:format latex
partial x^2*y x
:format plain
simplify ans*x
:given t = x
total 4*pi/3*t*x*y x
:at x=2,y=1
partial x^3*y x
:clear
partial 'x^2 + y' x
sin(x)^2 + 1
:quit
partial x x
";
    let o = session(script);
    assert_eq!(
        o.stdout,
        "2*x*y\n2 x y\n2*x^2*y\n8*pi*x*y/3\n12\n2*x\nsin(x)^2 + 1\n"
    );
    assert_eq!(o.stderr, "");
    assert_eq!(o.code, 0);
}

#[test]
fn session_errors_point_at_the_spot_and_the_session_goes_on() {
    let o = session("partial x+ x\nsimplify ans\n:bogus\nparital x x\npartial 2*x x\n");
    assert_eq!(o.stdout, "2\n");
    assert_eq!(
        o.stderr,
        "\
error: expected an operand after `+`
  |
1 | x+
  |   ^ here
error: `ans` has no value yet
  note: ans is the last single result of this session
error: `:bogus` is not a session command
  note: :help lists them
error: `parital` is not a command
  note: the commands are partial, total, differential, grad, hessian, jacobian, simplify, expand, factor, collect, eval, step, plot; :help
"
    );
    assert_eq!(o.code, 1);
}

#[test]
fn a_bad_constraint_is_refused_when_given() {
    let o = session(":given t = x\n:given x = t\ntotal t*x x\n");
    assert!(o.stderr.contains("error:"), "{}", o.stderr);
    // The cycle was refused, so t = x still holds alone.
    assert_eq!(o.stdout, "2*x\n");
}

#[test]
fn no_arguments_without_a_terminal_prints_help() {
    let o = deriv::<&str>(&[]).run();
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("Usage: deriv"));
    assert_eq!(o.stdout, "");
}

#[test]
fn the_text_plot_matches_its_reviewed_snapshot() {
    let o = deriv(&[
        "plot", "x^2", "x", "--from", "-2", "--to", "2", "--width", "24", "--height", "8", "--at",
        "1",
    ])
    .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    let want = include_str!("snapshots/plot_x2_at1.txt");
    assert_eq!(o.stdout, want);
    // No color into a pipe; --color always colors the series.
    assert!(!o.stdout.contains('\x1b'));
    let c = deriv(&["plot", "x^2", "x", "--color", "always"]).run();
    assert!(c.stdout.contains("\x1b[36m") && c.stdout.contains("\x1b[35m"));
}

/// The rows of a text plot's drawing (between the legend with the y axis's label and the
/// x axis), as characters after the y axis.
fn drawing(text: &str) -> Vec<Vec<char>> {
    text.lines()
        .skip(2)
        .take_while(|l| !l.contains('└'))
        .map(|l| {
            let after = l.split(['┤', '│']).nth(1).unwrap_or("");
            after.chars().collect()
        })
        .collect()
}

#[test]
fn a_pole_is_a_gap_not_a_vertical_stroke() {
    let o = deriv(&[
        "plot", "tan(x)", "x", "--from", "-3", "--to", "3", "--color", "always",
    ])
    .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Keep only the cells of f (cyan): f alone must not fill a column from top to bottom.
    let f_only: String = o
        .stdout
        .split('\x1b')
        .map(|piece| {
            if let Some(rest) = piece.strip_prefix("[36m") {
                rest.to_string()
            } else if let Some(rest) = piece.strip_prefix("[0m") {
                rest.to_string()
            } else if let Some(rest) = piece.strip_prefix("[35m") {
                " ".repeat(rest.chars().count())
            } else {
                piece.to_string()
            }
        })
        .collect();
    let rows = drawing(&f_only);
    assert_eq!(rows.len(), 16);
    let width = rows.iter().map(|r| r.len()).max().unwrap();
    for c in 0..width {
        let full = rows.iter().all(|r| {
            r.get(c)
                .is_some_and(|ch| ('\u{2801}'..='\u{28ff}').contains(ch))
        });
        assert!(!full, "column {c} is a vertical stroke:\n{f_only}");
    }
    // Both branches around each pole are drawn: tan is in the top and the bottom row.
    let has_dots = |r: &Vec<char>| r.iter().any(|ch| ('\u{2801}'..='\u{28ff}').contains(ch));
    assert!(has_dots(&rows[0]) && has_dots(&rows[15]));
}

/// A minimal well-formedness check: every tag closes in order, attributes are quoted.
fn check_xml(text: &str) -> Result<Vec<String>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let before = &rest[..i];
        if before.contains('>') || before.contains('<') {
            return Err(format!("stray `>` in text: {before}"));
        }
        let end = rest[i..].find('>').ok_or("an unclosed tag")? + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        names.push(name.clone());
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    Ok(names)
}

#[test]
fn the_svg_is_well_formed_with_axes_curves_and_a_legend() {
    let dir = TempDir::new();
    let path = dir.file("plot.svg");
    let p = path.to_str().unwrap();
    let o = deriv(&[
        "plot",
        "x^3 - 3*x",
        "x",
        "--from",
        "-2.5",
        "--to",
        "2.5",
        "--at",
        "1",
        "--svg",
        p,
    ])
    .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "");
    let svg = std::fs::read_to_string(&path).unwrap();
    let names = check_xml(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert_eq!(names[0], "svg");
    for (tag, at_least) in [
        ("path", 3),
        ("line", 4),
        ("text", 6),
        ("circle", 1),
        ("clipPath", 1),
    ] {
        let n = names.iter().filter(|n| *n == tag).count();
        assert!(n >= at_least, "{n} <{tag}> elements");
    }
    assert!(
        svg.contains("f(x) = x³ - 3x") || svg.contains("f(x) = "),
        "{svg}"
    );
    assert!(svg.contains("f′(x) = "));
    assert!(svg.contains("tangent at x = 1, slope 0"));
    assert!(check_xml("<a><b></a></b>").is_err());
}

#[test]
fn plot_errors_are_clear() {
    let o = deriv(&["plot", "x*y", "x"]).run();
    assert_eq!(o.code, 1);
    assert!(o.stderr.starts_with("error: `y` has no value"));
    let o = deriv(&["plot", "x", "x", "--from", "2", "--to", "1"]).run();
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("must be less than"));
}
