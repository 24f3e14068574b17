//! A command line clap refused, or `--help` and `--version`: clap's message, or ours for
//! an expression typed where a command belongs, and an error when the text is lost.

/// Reports a command line clap refused (or `--help`, `--version`); returns the exit
/// status. An expression where a command belongs (`deriv 'x^2' x`) gets a suggestion.
/// `color_out`/`color_err`: colour on each stream (`Terminal::auto_color`; no `--color`
/// is known when clap refused the line); `stdout_open`: whether standard output was open
/// at start (closed, the help or version would be lost with exit 0).
pub fn report(e: &clap::Error, color_out: bool, color_err: bool, stdout_open: bool) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let code = if e.use_stderr() { 2 } else { 0 };
    let invalid = match e.get(ContextKind::InvalidSubcommand) {
        Some(ContextValue::String(s)) if e.kind() == ErrorKind::InvalidSubcommand => s.clone(),
        _ => String::new(),
    };
    let suggested = e.get(ContextKind::SuggestedSubcommand).is_some();
    if invalid.is_empty() || suggested {
        return print_clap(e, code, color_out, stdout_open);
    }
    let rest: Vec<String> = std::env::args().skip(2).map(|a| quote(&a)).collect();
    let d = deriv::diagnostic::Diagnostic::error(format!("`{invalid}` is not a command"))
        .with_note(format!(
            "to differentiate it, name the command first: deriv partial {} {}",
            quote(&invalid),
            if rest.is_empty() {
                "x".to_string()
            } else {
                rest.join(" ")
            }
        ))
        .with_note("deriv --help lists the commands");
    eprint!("{}", d.render(color_err));
    code
}

/// Prints clap's own message (help, version, or an error); a failed write (`deriv --help
/// > /dev/full`, or standard output closed) is an error too.
fn print_clap(e: &clap::Error, code: i32, color: bool, stdout_open: bool) -> i32 {
    use std::io::Write;
    if e.use_stderr() {
        let _ = e.print();
        return code;
    }
    let what = match e.kind() {
        clap::error::ErrorKind::DisplayVersion => "the version",
        _ => "the help",
    };
    if !stdout_open {
        eprintln!("error: cannot write {what}: standard output is closed");
        return 1;
    }
    let text = match color {
        true => e.render().ansi().to_string(),
        false => e.render().to_string(),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => code,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(err) => {
            eprintln!("error: cannot write {what}: {err}");
            1
        }
    }
}

/// A word as a shell user types it.
fn quote(w: &str) -> String {
    if w.chars()
        .all(|c| c.is_alphanumeric() || "_-.,=/".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}
