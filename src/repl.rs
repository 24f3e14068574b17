//! The interactive session (`deriv repl`): each line is a command of the command line
//! (`partial x^2*y x`), run by `commands::run` exactly as the CLI runs it, plus state that
//! carries over between lines (`:given`, `:format`, `:at`, `ans`).

use crate::cli::{Cli, ColorChoice, Format, Global};
use crate::commands::{self, Terminal};
use crate::diagnostic::Diagnostic;
use clap::{Parser, ValueEnum};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::COMPUTING_COMMANDS as COMMANDS;

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
  options such as --given, --at, --cse, --check and --format work as on the command line
State:
  :given t = x             add --given t=x to every later command (:given alone lists)
  :let phi(s) = 1/(1+exp(-s))   a definition for every later command (:let alone lists)
  :format FORMAT           plain, unicode, latex or json (:format alone shows it)
  :at x=1,y=2              evaluate every later result there (:at alone forgets it)
  :clear                   forget the constraints, the point and ans
  ans                      the last single result, in parentheses: simplify ans^2
  :help   :quit            (Ctrl-D leaves too; Ctrl-C cancels the line)
";

/// What the session carries from line to line.
struct Session {
    given: Vec<String>,
    /// Definitions (`:let`), passed on as --let.
    lets: Vec<String>,
    format: Option<Format>,
    at: Option<String>,
    /// The last single result, in plain text.
    ans: Option<String>,
    /// Global options passed on to every command.
    color: ColorChoice,
    max_nodes: u64,
    /// Color for the session's own diagnostics.
    paint: bool,
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
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let mut s = Session {
        given: Vec::new(),
        lets: Vec::new(),
        format: global.format,
        at: None,
        ans: None,
        color: global.color,
        max_nodes: global.max_nodes,
        paint: match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !term.no_color && (term.clicolor_force || term.stderr_is_tty),
        },
    };
    if io::stdin().is_terminal() {
        return interactive(&mut s, term, out, err);
    }
    let mut failed = false;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if stdin.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&raw);
        match s.line(line.trim_end_matches(['\n', '\r']), term, out, err)? {
            Flow::Next(ok) => failed |= !ok,
            Flow::Quit => break,
        }
        out.flush()?;
    }
    Ok(i32::from(failed))
}

fn interactive(
    s: &mut Session,
    term: &Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    use rustyline::error::ReadlineError;
    let mut rl = rustyline::DefaultEditor::new().map_err(io::Error::other)?;
    let history = history_path();
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
                if let Flow::Quit = s.line(&line, term, out, err)? {
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
    fn line(
        &mut self,
        line: &str,
        term: &Terminal,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Flow> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Flow::Next(true));
        }
        if matches!(line, "quit" | "exit") {
            return Ok(Flow::Quit);
        }
        if let Some(meta) = line.strip_prefix(':') {
            return self.meta(meta, term, out, err);
        }
        let first = line.split_whitespace().next().unwrap_or("");
        let next = line[first.len()..].trim_start().chars().next();
        if !COMMANDS.contains(&first)
            && crate::parse::is_name(first)
            && next.is_some_and(|c| c.is_alphanumeric() || c == '\'' || c == '"')
        {
            // `parital x^2 x`: a misspelt command, not an expression.
            let d = Diagnostic::error(format!("`{first}` is not a command"))
                .with_note(format!("the commands are {}; :help", COMMANDS.join(", ")));
            return self.fail(err, d);
        }
        let words = if COMMANDS.contains(&first) {
            match split_words(line) {
                Ok(w) => w,
                Err(why) => return self.fail(err, Diagnostic::error(why)),
            }
        } else {
            // A bare expression: its canonical form (or its value at the :at point).
            vec!["simplify".to_string(), line.to_string()]
        };
        self.command(words, term, out, err).map(Flow::Next)
    }

    /// Runs one computing command; returns whether it succeeded.
    fn command(
        &mut self,
        mut words: Vec<String>,
        term: &Terminal,
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
        let op = words[0].clone();
        let (code, stdout, stderr) = self.run_words(&words, None, term)?;
        out.write_all(&stdout)?;
        err.write_all(&stderr)?;
        if code != 0 {
            return Ok(false);
        }
        if matches!(
            op.as_str(),
            "grad" | "hessian" | "jacobian" | "differential"
        ) {
            return Ok(true);
        }
        let plain = if self.effective_format(&words, term) == Format::Plain {
            stdout
        } else {
            self.run_words(&words, Some(Format::Plain), term)?.1
        };
        let text = String::from_utf8_lossy(&plain);
        let text = text.trim_end();
        // A single line: several lines are --cse bindings, which ans cannot hold.
        if !text.is_empty() && !text.contains('\n') {
            self.ans = Some(text.to_string());
        }
        Ok(true)
    }

    fn effective_format(&self, words: &[String], term: &Terminal) -> Format {
        let mut given = None;
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if w == "--format" {
                given = it.next().and_then(|f| Format::from_str(f, true).ok());
            } else if let Some(f) = w.strip_prefix("--format=") {
                given = Format::from_str(f, true).ok();
            }
        }
        given.or(self.format).unwrap_or(if term.stdout_is_tty {
            Format::Unicode
        } else {
            Format::Plain
        })
    }

    /// The full argument list for `words` with the session's state added, parsed by clap
    /// and run in memory. `format` overrides every format (for computing `ans`).
    fn run_words(
        &self,
        words: &[String],
        format: Option<Format>,
        term: &Terminal,
    ) -> io::Result<(i32, Vec<u8>, Vec<u8>)> {
        let mut args: Vec<String> = vec!["deriv".into()];
        let mut has_at = false;
        let mut has_format = false;
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let is_format = w == "--format";
            if format.is_some() && (is_format || w.starts_with("--format=")) {
                if is_format {
                    it.next();
                }
                continue;
            }
            has_at |= w == "--at" || w.starts_with("--at=");
            has_format |= is_format || w.starts_with("--format=");
            args.push(w.clone());
        }
        for g in &self.given {
            args.push("--given".into());
            args.push(g.clone());
        }
        for l in &self.lets {
            args.push("--let".into());
            args.push(l.clone());
        }
        if let (Some(at), false) = (&self.at, has_at) {
            args.push("--at".into());
            args.push(at.clone());
        }
        if let Some(f) = format.or(if has_format { None } else { self.format }) {
            args.push("--format".into());
            args.push(value_name(f));
        }
        let color = if format.is_some() {
            ColorChoice::Never
        } else {
            self.color
        };
        args.push("--color".into());
        args.push(value_name(color));
        args.push("--max-nodes".into());
        args.push(self.max_nodes.to_string());
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let cli = match Cli::try_parse_from(&args) {
            Ok(c) => c,
            Err(e) => {
                let text = if self.paint {
                    e.render().ansi().to_string()
                } else {
                    e.render().to_string()
                };
                if e.use_stderr() {
                    return Ok((2, stdout, text.into_bytes()));
                }
                return Ok((0, text.into_bytes(), stderr));
            }
        };
        let code = commands::run(cli, term, &mut io::empty(), &mut stdout, &mut stderr)?;
        Ok((code, stdout, stderr))
    }

    fn meta(
        &mut self,
        meta: &str,
        term: &Terminal,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Flow> {
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
                let mut all = self.given.clone();
                all.push(g);
                if !self.validate(&all, self.at.as_deref(), term, err)? {
                    return Ok(Flow::Next(false));
                }
                self.given = all;
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
                let mut all = self.lets.clone();
                all.push(rest.to_string());
                let probe = Session {
                    given: self.given.clone(),
                    lets: all.clone(),
                    format: Some(Format::Plain),
                    at: None,
                    ans: None,
                    ..*self
                };
                let (code, _, stderr) =
                    probe.run_words(&["simplify".into(), "0".into()], None, term)?;
                err.write_all(&stderr)?;
                if code != 0 {
                    return Ok(Flow::Next(false));
                }
                self.lets = all;
            }
            "at" if rest.is_empty() => self.at = None,
            "at" => {
                if !self.validate(&self.given, Some(rest), term, err)? {
                    return Ok(Flow::Next(false));
                }
                self.at = Some(rest.to_string());
            }
            "format" if rest.is_empty() => {
                writeln!(out, "{}", value_name(self.effective_format(&[], term)))?;
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

    /// Checks constraints and a point the way every command will (cycles, names, syntax).
    fn validate(
        &self,
        given: &[String],
        at: Option<&str>,
        term: &Terminal,
        err: &mut dyn Write,
    ) -> io::Result<bool> {
        let probe = Session {
            given: given.to_vec(),
            lets: self.lets.clone(),
            format: Some(Format::Plain),
            at: at.map(str::to_string),
            ans: None,
            ..*self
        };
        let (code, _, stderr) = probe.run_words(&["simplify".into(), "0".into()], None, term)?;
        err.write_all(&stderr)?;
        Ok(code == 0)
    }

    fn fail(&self, err: &mut dyn Write, d: Diagnostic) -> io::Result<Flow> {
        err.write_all(d.render(self.paint).as_bytes())?;
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
