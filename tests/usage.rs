//! Using the command line: what the commands and options accept, and the message and exit
//! status for what they refuse (help, versions, mistyped commands, option values, points,
//! batch files with blank and comment lines, explanations in each format).

use crate::common::*;

#[test]
fn eval_of_a_constant_needs_no_point() {
    deriv(&["eval", "2+2"]).prints("4");
    deriv(&["eval", "2^10 + 1/3"]).prints("3073/3");
    deriv(&["eval", "1/0"]).fails_with(1, "division by zero");
    let o = deriv(&["eval", "x^2"]).fails_with(1, "no value for `x`");
    assert!(o.stderr.contains("--at x="), "{}", o.stderr);
}

#[test]
fn at_may_be_repeated() {
    deriv(&["eval", "x*y", "--at", "x=2", "--at", "y=3"]).prints("6");
    deriv(&["eval", "x*y", "--at", "x=2", "--at", "x=3"]).fails_with(1, "given two values");
}

#[test]
fn a_rate_that_is_not_a_number_is_a_usage_error() {
    let step = |rate: &str| deriv(&["step", "w^2", "--wrt", "w", "--at", "w=1", "--rate", rate]);
    let o = step("abc").fails_with(2, "--rate");
    assert!(
        !o.stderr.contains("^ here"),
        "points at the option, not the expression"
    );
    step("1e400").fails_with(2, "too large");
    assert_eq!(step("1/4").run().stdout, "w = 0.5\n");
    let o = step("-0.1").run();
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("negative"), "{}", o.stderr);
}

#[test]
fn an_expression_where_a_command_belongs_gets_a_suggestion() {
    let o = deriv(&["x^2", "x"]).fails_with(2, "`x^2` is not a command");
    assert!(o.stderr.contains("deriv partial 'x^2' x"), "{}", o.stderr);
    // A near miss of a command name keeps clap's own suggestion.
    deriv(&["parital", "x", "x"]).fails_with(2, "partial");
}

#[test]
fn help_and_version_work_everywhere() {
    let o = deriv(&["help", "--help"]).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("TOPIC"));
    let o = deriv(&["partial", "--version"]).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains(env!("CARGO_PKG_VERSION")));
    let o = deriv(&["help", "partial"]).run();
    assert!(o.stdout.contains("Usage: deriv partial"), "{}", o.stdout);
    deriv(&["help", "nonsense"]).fails_with(2, "neither a command nor a topic");
}

#[test]
fn the_guide_is_built_in() {
    let o = deriv(&["help", "topics"]).run();
    assert_eq!(o.code, 0);
    for topic in ["syntax", "meaning", "formats", "limits"] {
        assert!(o.stdout.contains(topic), "{}", o.stdout);
        let page = deriv(&["help", topic]).run();
        assert_eq!(page.code, 0);
        let file = std::fs::read_to_string(format!("docs/{topic}.md")).unwrap();
        assert_eq!(page.stdout, file, "deriv help {topic} is docs/{topic}.md");
    }
    // The help texts name where the guide is, not a folder an installed copy lacks.
    let o = deriv(&["--help"]).run();
    assert!(o.stdout.contains("deriv help topics") && !o.stdout.contains("docs/"));
    assert!(!deriv(&["syntax"]).run().stdout.contains("docs/"));
}

#[test]
fn giving_the_variable_of_differentiation_suggests_what_was_meant() {
    let o = deriv(&["partial", "4*pi/3*t*x*y", "t", "--given", "t=x"]).fails(1);
    assert!(o.stderr.contains("differentiate by x"), "{}", o.stderr);
    assert!(
        !o.stderr.contains("for example --given t=x"),
        "{}",
        o.stderr
    );
}

#[test]
fn batch_blank_and_comment_lines_keep_their_place() {
    let o = deriv(&["partial", "-", "x"])
        .stdin("# derivatives\nx^2\n\n   \n# another\nx^3\n")
        .prints("\n2*x\n\n\n\n3*x^2");
    assert_eq!(o.stdout.lines().count(), 6);
}

#[test]
fn value_files_refuse_broken_arrays() {
    let dir = TempDir::new();
    let file = |name: &str, text: &str| dir.write(name, text).to_string_lossy().into_owned();
    let open = file("open.txt", "w = [1, 2\n");
    deriv(&["eval", "w[1]", "--at-file", &open]).fails_with(1, "`[` is not closed");
    let ragged = file("ragged.txt", "w = [[1,2],[3]]\n");
    deriv(&["eval", "w[1,1]", "--at-file", &ragged]).fails_with(1, "differ in shape");
    let good = file("good.txt", "w = [[1,2],[3,4]]  # a 2×2 matrix\n");
    deriv(&["eval", "w[1,2] + w[2,1]", "--at-file", &good]).prints("5");
}

#[test]
fn explanations_keep_their_parentheses_and_follow_the_format() {
    let o = deriv(&[
        "partial",
        "y - sigmoid(w*x + b)",
        "w",
        "--explain",
        "--format",
        "unicode",
    ])
    .run();
    assert!(
        o.stdout.contains("sum rule: ∂/∂w (y - sigmoid(w·x + b)) ="),
        "{}",
        o.stdout
    );
    let o = deriv(&[
        "total",
        "t*x",
        "x",
        "--given",
        "t=x",
        "--explain",
        "--format",
        "latex",
    ])
    .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Every line is LaTeX: no Unicode ∂ or middle dots.
    assert!(
        !o.stdout.contains('∂') && !o.stdout.contains('·'),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("\\frac{\\partial f}{\\partial t}"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("2 x\n"), "{}", o.stdout);
}

#[test]
fn a_check_under_a_warned_partial_says_what_it_checked() {
    let o = deriv(&["partial", "4*pi/3*t*x*y", "x", "--given", "t=x", "--check"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let check = o.stderr.lines().last().unwrap_or_default();
    assert!(check.starts_with("check: ok"), "{}", o.stderr);
    assert!(check.contains("not the total derivative"), "{check}");
    // Without constraints there is nothing to qualify.
    let o = deriv(&["partial", "x^2", "x", "--check"]).run();
    assert!(!o.stderr.contains("held constant"), "{}", o.stderr);
}

#[test]
fn a_result_nobody_receives_is_an_error() {
    let run = |cmd: &str| shell(cmd).output().expect("sh runs");
    // Standard output closed: the answer is lost, so the exit status must say so.
    let o = run("deriv partial 'x^2' x >&-");
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("standard output is closed"));
    // A full device, for the help and the version too.
    if std::path::Path::new("/dev/full").exists() {
        for args in ["--help", "-h", "--version", "help", "partial x x"] {
            let o = run(&format!("deriv {args} > /dev/full"));
            assert_eq!(o.status.code(), Some(1), "deriv {args}: {o:?}");
        }
    }
    // /dev/null is a receiver like any other, and a closed pipe ends quietly.
    assert_eq!(
        run("deriv partial 'x^2' x > /dev/null").status.code(),
        Some(0)
    );
    assert_eq!(
        run("deriv --help | head -1 > /dev/null").status.code(),
        Some(0)
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_line() {
    deriv(&["partial", "-", "x"])
        .stdin("\u{FEFF}x^2\nx^3\n")
        .prints("2*x\n3*x^2");
    let dir = TempDir::new();
    let defs = dir.write("d.defs", "\u{FEFF}a = 3\n");
    deriv(&["simplify", "a*x", "--defs", &defs.to_string_lossy()]).prints("3*x");
}

#[test]
fn an_implicit_derivative_is_evaluated_on_its_curve_only() {
    let total = |at: &str| deriv(&["total", "y", "x", "--given", "x^2+y^2=1", "--at", at]).run();
    let o = total("x=2,y=2");
    assert_eq!(o.code, 1, "{o:#?}");
    assert!(o.stderr.contains("not on the curve"), "{}", o.stderr);
    assert_eq!(total("x=3/5,y=4/5").stdout, "-3/4\n");
    // Off by rounding only: a double on the curve.
    let o = deriv(&[
        "total",
        "y",
        "x",
        "--given",
        "x*y + sin(y) = 2",
        "--at",
        "x=1,y=1.1060601577062719",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
}

/// The interactive session reads its history only from a regular file: a FIFO would block
/// its start. (Needs `script` and `mkfifo` to give deriv a terminal; skipped without them.)
#[test]
fn a_history_that_is_not_a_file_does_not_block_the_session() {
    let have = |p: &str| {
        shell(&format!("command -v {p}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("script") && have("mkfifo") && have("timeout")) {
        eprintln!("skipped: needs script, mkfifo and timeout");
        return;
    }
    let dir = TempDir::new();
    let state = dir.path().to_string_lossy().into_owned();
    let cmd = format!(
        "mkdir -p '{state}/deriv' && mkfifo '{state}/deriv/history' && \
         echo :quit | XDG_STATE_HOME='{state}' timeout 10 script -qec 'deriv repl' /dev/null"
    );
    let o = shell(&cmd).output().expect("sh runs");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("deriv> "),
        "{o:?}"
    );
}

#[test]
fn two_relations_for_one_dependent_variable_are_refused() {
    // Repeated, the two derivatives were added (-2); contradictory, they cancelled (0).
    for second in ["x+y=1", "x-y=0"] {
        let o = deriv(&["total", "y", "x", "--given", "x+y=1", "--given", second]).fails(1);
        assert!(o.stderr.contains("both make y depend on x"), "{}", o.stderr);
    }
    // One relation per dependent variable is fine.
    let o = deriv(&["total", "y+z", "x", "--given", "x+y=1", "--given", "x+z=2"]).run();
    assert_eq!(o.stdout, "-2\n", "{o:#?}");
}
