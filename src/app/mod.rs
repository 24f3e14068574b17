//! The application around the engine, one way through:
//! argv → `cli` → `settings` → `request` → `inputs` → `ops` (an outcome) → `render`.
//! `batch`, the session (`repl`), `plot` and `train` are clients of that same pipeline;
//! `tools` and `man` hold the commands that compute nothing (completions, man pages,
//! syntax card).

pub mod batch;
pub mod cli;
mod data;
mod inputs;
mod json;
mod man;
mod ops;
mod plot;
pub mod refused;
mod render;
mod repl;
mod request;
pub mod settings;
mod tools;
mod train;
mod values;

use cli::{Cli, Command};
use deriv::diagnostic::Diagnostic;
use inputs::Inputs;
use render::Context;
use request::{Exprs, Request};
use settings::{Settings, Terminal};
use std::io::{self, Write};

/// Why a request has no answer, and so the exit status.
#[derive(Debug)]
pub enum Failure {
    /// A misuse of the command line (exit 2).
    Usage(Diagnostic),
    /// An input was rejected (exit 1).
    Input(Vec<Diagnostic>),
}

impl Failure {
    pub fn code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Input(_) => 1,
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Failure::Usage(d) => std::slice::from_ref(d),
            Failure::Input(ds) => ds,
        }
    }

    /// Writes the diagnostics; returns the exit status.
    pub fn report(&self, err: &mut dyn Write, color: bool) -> io::Result<i32> {
        for d in self.diagnostics() {
            err.write_all(d.render(color).as_bytes())?;
        }
        Ok(self.code())
    }
}

/// Runs a parsed command line; returns the exit status.
pub fn run(
    cli: Cli,
    name: String,
    term: &Terminal,
    stdin: &mut dyn batch::Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let st = Settings::new(&cli.global, term);
    // `colored` would otherwise apply its own terminal checks on top of this decision.
    colored::control::set_override(st.color_err);
    match cli.command {
        Command::Completions(a) => tools::completions(a.shell, out),
        Command::Man(a) => man::run(a.dir.as_deref(), out, err, st.color_err),
        Command::Syntax => tools::syntax(out),
        Command::Help(a) => tools::help(a.topic.as_deref(), out, err, st.color_err),
        Command::Repl => repl::run(&cli.global, term, stdin, out, err),
        Command::Plot(a) => plot::run(&a, &st, out, err),
        Command::Train(a) => train::run(&a, &st, term, stdin, out, err),
        Command::Compute(c) => {
            match Request::from_command(c, name).and_then(|req| read_stdin_option(req, stdin)) {
                Ok(req) => compute(&req, &st, stdin, out, err),
                Err(f) => f.report(err, st.color_err),
            }
        }
    }
}

/// Reads standard input for the option that names `-` (`--at-file -`, `--data -`).
pub fn read_stdin_option(
    mut req: Request,
    stdin: &mut dyn batch::Input,
) -> Result<Request, Failure> {
    let option = request::Samples::stdin_option(req.at_file.as_ref(), req.samples.data.as_ref())
        .map_err(Failure::Usage)?;
    let Some(option) = option else {
        return Ok(req);
    };
    if req.batch() {
        return Err(Failure::Usage(Diagnostic::error(format!(
            "{option} - and the expression `-` cannot both read standard input"
        ))));
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text).map_err(|e| {
        Failure::Input(vec![Diagnostic::error(format!(
            "cannot read {option} from standard input: {e}"
        ))])
    })?;
    req.samples.stdin = Some(text);
    Ok(req)
}

/// Runs a computing command: parses its inputs once, then answers its expression(s).
pub fn compute(
    req: &Request,
    st: &Settings,
    stdin: &mut dyn batch::Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let inp = match prepare(req, st) {
        Ok(inp) => inp,
        Err(f) => return f.report(err, st.color_err),
    };
    let cx = Context { req, inp: &inp, st };
    let texts = match &req.exprs {
        Exprs::Stdin => return batch::run(&cx, stdin, out, err),
        Exprs::Args(texts) => texts,
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    match ops::answer(&inp, req, st, &refs, "1") {
        Ok(o) => write_answer(&cx, &o, out, err).map(|_| 0),
        Err(ds) => Failure::Input(ds).report(err, st.color_err),
    }
}

/// Writes one answer: its warnings, the result, then the check's verdict.
fn write_answer(
    cx: &Context,
    o: &ops::Outcome,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    for w in &o.warnings {
        err.write_all(w.render(cx.st.color_err).as_bytes())?;
    }
    out.write_all(render::answer(cx, o).as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    if let Some(c) = &o.check {
        err.write_all(c.as_bytes())?;
    }
    Ok(())
}

/// The request's inputs, parsed and checked against the request.
fn prepare(req: &Request, st: &Settings) -> Result<Inputs, Failure> {
    let inp = Inputs::prepare(req, st.max_nodes)?;
    req.check_usage(inp.point.is_some())
        .map_err(Failure::Usage)?;
    Ok(inp)
}
