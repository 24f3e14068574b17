//! `--strict`: every warning is an error, for scripts.
//!
//! Kind: CLI transcripts. Each warning deriv gives (a name that looks like a mistyped
//! built-in, the substitution warning of `partial --given`, a negative `--rate`) exits 1
//! with `--strict`, the warning said as an error and no result; the same command without
//! it exits 0. Notes (`--stats`, an implicit derivative) are not warnings. In a batch, only
//! the line with the warning fails; in a session, only the command.

use crate::common::*;

#[test]
fn a_mistyped_function_is_an_error() {
    let o = deriv(&["--strict", "partial", "sinn(x)", "x"]).fails_with(
        1,
        "error: `sinn` is not a built-in function; it is treated as an unknown function",
    );
    assert!(o.stderr.contains("did you mean `sin`?"), "{o:?}");
    assert!(
        o.stderr.contains("--strict makes every warning an error"),
        "{o:?}"
    );
    // Without --strict: the warning, the answer, exit 0.
    let o = deriv(&["partial", "sinn(x)", "x"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "sinn'(x)\n"), "{o:?}");
    assert!(o.stderr.starts_with("warning: `sinn`"), "{o:?}");
}

#[test]
fn the_option_is_global() {
    deriv(&["partial", "sinn(x)", "x", "--strict"]).fails_with(1, "`sinn`");
    deriv(&["grad", "sqr(x)*y", "--strict"]).fails_with(1, "`sqr`");
}

#[test]
fn the_substitution_warning_is_an_error() {
    let args = ["partial", "4*pi/3*t*x*y", "x", "--given", "t=x"];
    let o = deriv(&args).run();
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stderr.starts_with("warning: t depends on x"), "{o:?}");
    let mut strict = args.to_vec();
    strict.push("--strict");
    deriv(&strict).fails_with(1, "error: t depends on x (t = x)");
}

#[test]
fn a_negative_rate_is_an_error() {
    let args = [
        "step",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--rate",
        "-0.1",
        "--at",
        "w=0,x=1,y=2",
    ];
    let o = deriv(&args).run();
    assert_eq!(o.code, 0, "{o:?}");
    let mut strict = vec!["--strict"];
    strict.extend(args);
    deriv(&strict).fails_with(1, "error: --rate -0.1 is negative");
}

#[test]
fn notes_are_not_warnings() {
    let o = deriv(&["--strict", "grad", "x*y", "--stats"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "[y, x]\n"), "{o:?}");
    assert!(o.stderr.starts_with("note: stats"), "{o:?}");
    let o = deriv(&["--strict", "total", "y", "x", "--given", "x^2 + y^2 = 1"]).run();
    assert_eq!((o.code, o.stdout.as_str()), (0, "-x/y\n"), "{o:?}");
    deriv(&["--strict", "partial", "sin(x)", "x"]).prints("cos(x)");
}

#[test]
fn in_a_batch_only_the_line_with_a_warning_fails() {
    let o = deriv(&["--strict", "partial", "-", "x"])
        .stdin("x^2\nsinn(x)\nx^3\n")
        .run();
    assert_eq!(o.code, 1, "{o:?}");
    assert_eq!(o.stdout, "2*x\n\n3*x^2\n");
    assert!(o.stderr.contains("error: `sinn`"), "{o:?}");
    assert!(
        o.stderr.contains("2 | sinn(x)"),
        "the error shows its line: {o:?}"
    );
    let o = deriv(&["--strict", "partial", "-", "x", "--format", "json"])
        .stdin("sinn(x)\n")
        .run();
    assert_eq!(o.code, 1, "{o:?}");
    let v = json(o.stdout.trim());
    assert_eq!(v["line"], 1);
    assert!(v["error"].as_str().unwrap().contains("`sinn`"), "{v}");
}

#[test]
fn in_a_session_only_the_command_fails() {
    let o = deriv(&["--strict", "repl"])
        .stdin("partial sinn(x) x\npartial x^2 x\n")
        .run();
    assert_eq!(o.stdout, "2*x\n", "{o:?}");
    assert!(o.stderr.contains("error: `sinn`"), "{o:?}");
}
