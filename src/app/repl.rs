//! The interactive session (`deriv repl`): each line is a command of the command line
//! (`partial x^2*y x`), parsed by clap into a request, with the session's state added to
//! it as typed values (`:given`, `:let`, `:at`, `:format`), and answered by the same
//! pipeline as the command line; `ans` is the last single result.

use super::batch::Input;
use super::cli::{self, Command, Compute, Format, Global};
use super::inputs::Inputs;
use super::ops::{self, Answer};
use super::render::{self, Context};
use super::request::{DefSource, Exprs, Op, Request};
use super::settings::{Settings, Terminal};
use super::{Failure, plot, tools};
use clap::{Subcommand, ValueEnum};
use deriv::diagnostic::Diagnostic;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

const HELP: &str = "\
Commands (as on the command line, without `deriv`; quote words with spaces):
  partial EXPR VAR...      ∂f/∂x (repeat a VAR for higher orders)
  total EXPR VAR           df/dx, following the :given constraints
  differential EXPR        df = Σ ∂f/∂v dv
  grad EXPR   hessian EXPR   jacobian EXPR... --wrt x,y
  simplify EXPR            the canonical form (a line that is only an expression
                           does this too)
  eval EXPR                the value at the :at point (or --at x=1)
  step EXPR --wrt w        one gradient-descent step at the :at point
  plot EXPR VAR            f and its derivative, with the :given constraints
  options such as --given, --at, --cse, --check and --format work as on the command line
State:
  :given t = x             add --given t=x to every later command (:given alone lists)
  :let phi(s) = 1/(1+exp(-s))   a definition for every later command (:let alone lists)
  :format FORMAT           plain, unicode, latex or json (:format alone shows it)
  :at x=1,y=2              evaluate every later result there (:at alone forgets it)
  :clear                   forget the constraints, the point and ans
  ans                      the last single result, in parentheses: simplify ans^2
  :help   :quit            (Ctrl-D leaves too; Ctrl-C cancels the line, or stops
                           the computation in progress)
";

/// What the session carries from line to line.
struct Session {
    given: Vec<String>,
    /// Definitions (`:let`).
    lets: Vec<String>,
    format: Option<Format>,
    at: Option<String>,
    /// The last single result, in plain text.
    ans: Option<String>,
    /// The session's own global options (each line may override them).
    global: Global,
    term: Terminal,
    /// The commands a line may start with.
    commands: Vec<String>,
}

enum Flow {
    /// The line was handled; `false` if it failed.
    Next(bool),
    Quit,
}

/// Runs the session: interactive with line editing when standard input is a terminal,
/// otherwise one session line per input line, without a prompt. In that case the exit
/// status is 1 if any line failed.
pub fn run(
    global: &Global,
    term: &Terminal,
    stdin: &mut dyn Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let mut commands: Vec<String> = Compute::augment_subcommands(clap::Command::new("deriv"))
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    commands.push("plot".into());
    let mut s = Session {
        given: Vec::new(),
        lets: Vec::new(),
        format: global.format,
        at: None,
        ans: None,
        global: global.clone(),
        term: term.clone(),
        commands,
    };
    INTERACTIVE.store(term.stdin_is_tty, Ordering::Relaxed);
    // Fails only if a handler is already set, and a session is the process's only one.
    let _ = ctrlc::set_handler(on_ctrl_c);
    if term.stdin_is_tty {
        return interactive(&mut s, out, err);
    }
    let mut failed = false;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if stdin.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&raw);
        match s.line(line.trim_end_matches(['\n', '\r']), out, err)? {
            Flow::Next(ok) => failed |= !ok,
            Flow::Quit => break,
        }
        out.flush()?;
    }
    Ok(i32::from(failed))
}

fn interactive(s: &mut Session, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    use rustyline::error::ReadlineError;
    let mut rl = rustyline::DefaultEditor::new().map_err(io::Error::other)?;
    // Only a regular file of sensible size is history: a FIFO would block the start, and a
    // link to /dev/zero would grow without end.
    let history = history_path().filter(|p| match std::fs::metadata(p) {
        Ok(m) => m.is_file() && m.len() <= MAX_HISTORY_BYTES,
        Err(_) => true,
    });
    if let Some(p) = &history {
        let _ = rl.load_history(p);
    }
    writeln!(
        out,
        "deriv {}: :help lists the commands, Ctrl-D leaves",
        env!("CARGO_PKG_VERSION")
    )?;
    loop {
        out.flush()?;
        err.flush()?;
        match rl.readline("deriv> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                }
                if let Flow::Quit = s.line(&line, out, err)? {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(io::Error::other(e)),
        }
    }
    if let Some(p) = &history {
        // Best effort: a read-only home loses the history, not the session.
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(p);
    }
    out.flush()?;
    Ok(0)
}

/// Whether a line is being answered (Ctrl-C then stops it; see `on_ctrl_c`).
static COMPUTING: AtomicBool = AtomicBool::new(false);
/// Whether the session reads a terminal through the line editor.
static INTERACTIVE: AtomicBool = AtomicBool::new(false);

/// Ctrl-C (SIGINT): during a computation it stops that computation, and the session goes
/// on with its constraints, definitions and `ans`. At the prompt the line editor reads
/// Ctrl-C as a key, so a signal there falls between lines and is ignored; a session
/// reading a script or a pipe ends, as any command does.
fn on_ctrl_c() {
    if COMPUTING.load(Ordering::Relaxed) {
        deriv::expr::interrupt();
    } else if !INTERACTIVE.load(Ordering::Relaxed) {
        std::process::exit(130);
    }
}

/// Marks one line's work as interruptible, from a fresh start, until dropped.
struct Computing;

impl Computing {
    fn start() -> Computing {
        deriv::expr::clear_interrupt();
        COMPUTING.store(true, Ordering::Relaxed);
        Computing
    }
}

impl Drop for Computing {
    fn drop(&mut self) {
        COMPUTING.store(false, Ordering::Relaxed);
        deriv::expr::clear_interrupt();
    }
}

/// A history file larger than this is not read (nor written).
const MAX_HISTORY_BYTES: u64 = 16 << 20;

/// `$XDG_STATE_HOME/deriv/history`, else `~/.local/state/deriv/history`.
fn history_path() -> Option<PathBuf> {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let base = match nonempty("XDG_STATE_HOME") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(nonempty("HOME")?).join(".local/state"),
    };
    Some(base.join("deriv").join("history"))
}

impl Session {
    fn line(&mut self, line: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Flow> {
        let _computing = Computing::start();
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Flow::Next(true));
        }
        if matches!(line, "quit" | "exit") {
            return Ok(Flow::Quit);
        }
        if let Some(meta) = line.strip_prefix(':') {
            return self.meta(meta, out, err);
        }
        let first = line.split_whitespace().next().unwrap_or("");
        let next = line[first.len()..].trim_start().chars().next();
        let is_command = self.commands.iter().any(|c| c == first);
        if !is_command
            && deriv::parse::is_name(first)
            && next.is_some_and(|c| c.is_alphanumeric() || c == '\'' || c == '"')
        {
            // `parital x^2 x`: a misspelt command, not an expression.
            let d = Diagnostic::error(format!("`{first}` is not a command")).with_note(format!(
                "the commands are {}; :help",
                self.commands.join(", ")
            ));
            return self.fail(err, d);
        }
        let words = if is_command {
            match split_words(line) {
                Ok(w) => w,
                Err(why) => return self.fail(err, Diagnostic::error(why)),
            }
        } else {
            // A bare expression: its canonical form (or its value at the :at point).
            vec!["simplify".to_string(), line.to_string()]
        };
        self.command(words, out, err).map(Flow::Next)
    }

    /// Runs one command line; returns whether it succeeded.
    fn command(
        &mut self,
        mut words: Vec<String>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<bool> {
        for w in words.iter_mut().skip(1) {
            if w.starts_with("--") || !mentions_ans(w) {
                continue;
            }
            match &self.ans {
                Some(a) => *w = replace_ans(w, a),
                None => {
                    let d = Diagnostic::error("`ans` has no value yet")
                        .with_note("ans is the last single result of this session");
                    self.fail(err, d)?;
                    return Ok(false);
                }
            }
        }
        let args = std::iter::once("deriv".to_string()).chain(words);
        let (cli, name) = match cli::parse(args) {
            Ok(parsed) => parsed,
            Err(e) => {
                let text = if self.settings(&self.global).color_err {
                    e.render().ansi().to_string()
                } else {
                    e.render().to_string()
                };
                let (stream, ok): (&mut dyn Write, bool) = if e.use_stderr() {
                    (err, false)
                } else {
                    (out, true)
                };
                stream.write_all(text.as_bytes())?;
                return Ok(ok);
            }
        };
        let mut global = cli.global.clone();
        global.format = global.format.or(self.format);
        global.strict |= self.global.strict;
        let st = self.settings(&global);
        match cli.command {
            Command::Compute(c) => match Request::from_command(c, name) {
                Ok(req) => self.compute(self.with_state(req), &st, out, err),
                Err(f) => self.report(f, &st, err),
            },
            Command::Plot(mut a) => {
                a.setup
                    .given
                    .splice(0..0, self.given.iter().map(Into::into));
                a.setup.lets.splice(0..0, self.lets.iter().cloned());
                Ok(plot::run(&a, &st, out, err)? == 0)
            }
            Command::Syntax => Ok(tools::syntax(out)? == 0),
            Command::Help(a) => Ok(tools::help(a.topic.as_deref(), out, err, st.color_err)? == 0),
            Command::Repl | Command::Man(_) | Command::Completions(_) | Command::Train(_) => {
                let d = Diagnostic::error(format!("`{name}` does not run inside a session"))
                    .with_note("run it from the shell");
                self.fail(err, d).map(|_| false)
            }
        }
    }

    fn settings(&self, global: &Global) -> Settings {
        Settings::new(global, &self.term)
    }

    /// The request with the session's constraints, definitions and point added.
    fn with_state(&self, mut req: Request) -> Request {
        req.given.splice(0..0, self.given.iter().cloned());
        req.defs
            .splice(0..0, self.lets.iter().cloned().map(DefSource::Let));
        if req.at.is_empty() {
            req.at.extend(self.at.clone());
        }
        req
    }

    /// Answers a request, writes the answer, and keeps a single result as `ans`.
    fn compute(
        &mut self,
        req: Request,
        st: &Settings,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<bool> {
        let inp = match super::prepare(&req, st) {
            Ok(inp) => inp,
            Err(f) => return self.report(f, st, err),
        };
        let Exprs::Args(texts) = &req.exprs else {
            let d =
                Diagnostic::error("`-` reads standard input; in a session, type each expression");
            return self.fail(err, d).map(|_| false);
        };
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let o = match ops::answer(&inp, &req, st, &refs, "1") {
            Ok(o) => o,
            Err(ds) => return self.report(Failure::Input(ds), st, err),
        };
        let cx = Context {
            req: &req,
            inp: &inp,
            st,
        };
        // Written aside first: printing a huge result stops at Ctrl-C, and what it had
        // written is then dropped, not shown cut short.
        let mut text = Vec::new();
        super::write_answer(&cx, &o, &mut text, err)?;
        if deriv::expr::interrupted() {
            let d = Diagnostic::error(deriv::expr::Fault::Interrupted.to_string());
            return self.fail(err, d).map(|_| false);
        }
        out.write_all(&text)?;
        if !matches!(
            req.op,
            Op::Grad | Op::Hessian | Op::Jacobian | Op::Differential
        ) {
            let plain = Settings {
                format: Format::Plain,
                ..*st
            };
            let cx = Context { st: &plain, ..cx };
            let text = render::answer(&cx, &o);
            // A single line: several lines are --cse bindings, which ans cannot hold.
            if !text.is_empty() && !text.contains('\n') && !matches!(o.answer, Answer::Step { .. })
            {
                self.ans = Some(text);
            }
        }
        Ok(true)
    }

    fn report(&self, f: Failure, st: &Settings, err: &mut dyn Write) -> io::Result<bool> {
        f.report(err, st.color_err)?;
        Ok(false)
    }

    fn meta(&mut self, meta: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Flow> {
        let (cmd, rest) = match meta.split_once(char::is_whitespace) {
            Some((c, r)) => (c, r.trim()),
            None => (meta, ""),
        };
        match cmd {
            "q" | "quit" | "exit" => return Ok(Flow::Quit),
            "h" | "help" => out.write_all(HELP.as_bytes())?,
            "clear" => {
                self.given.clear();
                self.lets.clear();
                self.at = None;
                self.ans = None;
            }
            "given" if rest.is_empty() => {
                if self.given.is_empty() {
                    writeln!(out, "no constraints")?;
                }
                for g in &self.given {
                    writeln!(out, "--given {g}")?;
                }
            }
            "given" => {
                let g = match rest.split_once('=') {
                    Some((v, e)) => format!("{}={}", v.trim(), e.trim()),
                    None => rest.to_string(),
                };
                let mut given = self.given.clone();
                given.push(g);
                return self.adopt(given, self.lets.clone(), self.at.clone(), err);
            }
            "let" if rest.is_empty() => {
                if self.lets.is_empty() {
                    writeln!(out, "no definitions")?;
                }
                for l in &self.lets {
                    writeln!(out, "--let {l}")?;
                }
            }
            "let" => {
                let mut lets = self.lets.clone();
                lets.push(rest.to_string());
                return self.adopt(self.given.clone(), lets, self.at.clone(), err);
            }
            "at" if rest.is_empty() => self.at = None,
            "at" => {
                return self.adopt(
                    self.given.clone(),
                    self.lets.clone(),
                    Some(rest.into()),
                    err,
                );
            }
            "format" if rest.is_empty() => {
                let f = self
                    .settings(&Global {
                        format: self.format,
                        ..self.global.clone()
                    })
                    .format;
                writeln!(out, "{}", value_name(f))?;
            }
            "format" => match Format::from_str(rest, true) {
                Ok(f) => self.format = Some(f),
                Err(_) => {
                    let d = Diagnostic::error(format!("`{rest}` is not a format"))
                        .with_note("the formats are plain, unicode, latex and json");
                    return self.fail(err, d);
                }
            },
            _ => {
                let d = Diagnostic::error(format!("`:{cmd}` is not a session command"))
                    .with_note(":help lists them");
                return self.fail(err, d);
            }
        }
        Ok(Flow::Next(true))
    }

    /// Takes new constraints, definitions and point if they parse together (cycles, names,
    /// syntax are checked as every command checks them).
    fn adopt(
        &mut self,
        given: Vec<String>,
        lets: Vec<String>,
        at: Option<String>,
        err: &mut dyn Write,
    ) -> io::Result<Flow> {
        let probe = Request {
            command: "simplify".into(),
            op: Op::Simplify,
            exprs: Exprs::Args(Vec::new()),
            vars: Vec::new(),
            wrt: None,
            given,
            defs: lets.iter().cloned().map(DefSource::Let).collect(),
            at: at.into_iter().collect(),
            at_file: None,
            cse: false,
            check: false,
            explain: false,
            stats: false,
            rate: 0.0,
            dependent: None,
            samples: Default::default(),
            emit: None,
        };
        let st = self.settings(&self.global);
        if let Err(f) = Inputs::prepare(&probe, st.max_nodes) {
            f.report(err, st.color_err)?;
            return Ok(Flow::Next(false));
        }
        (self.given, self.lets, self.at) = (probe.given, lets, probe.at.into_iter().next());
        Ok(Flow::Next(true))
    }

    fn fail(&self, err: &mut dyn Write, d: Diagnostic) -> io::Result<Flow> {
        err.write_all(d.render(self.settings(&self.global).color_err).as_bytes())?;
        Ok(Flow::Next(false))
    }
}

fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Does `w` use the name `ans` (as a whole name, not inside `answer`)?
fn mentions_ans(w: &str) -> bool {
    replace_ans(w, "") != w
}

/// `w` with each whole-name `ans` replaced by `(value)`.
fn replace_ans(w: &str, value: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut rest = w;
    let mut prev: Option<char> = None;
    while !rest.is_empty() {
        let after = rest.get(3..).and_then(|r| r.chars().next());
        let whole = rest.starts_with("ans")
            && !prev.is_some_and(is_name_char)
            && !after.is_some_and(|c| is_name_char(c) || c == '(' || c == '\'');
        if whole {
            out.push('(');
            out.push_str(value);
            out.push(')');
            rest = &rest[3..];
            prev = Some(')');
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
            prev = Some(c);
        }
    }
    out
}

/// Splits a line into words like a shell: whitespace separates, '...' is literal,
/// "..." allows \" and \\, and a backslash outside quotes escapes the next character.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a quote ' is not closed".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("a quote \" is not closed".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a quote \" is not closed".into()),
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(String::new);
                if let Some(c) = chars.next() {
                    w.push(c);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"partial 'x^2 * y' x --given "t = \"x\"""#).unwrap(),
            ["partial", "x^2 * y", "x", "--given", "t = \"x\""]
        );
        assert!(split_words("partial 'x").is_err());
    }

    #[test]
    fn ans_is_replaced_as_a_whole_name() {
        assert_eq!(replace_ans("ans*answer+ans", "2*x"), "(2*x)*answer+(2*x)");
        assert_eq!(replace_ans("ans(x)+sans", "1"), "ans(x)+sans");
        assert!(!mentions_ans("answer"));
    }
}
