//! Running a request: parse each expression, apply the constraints, differentiate, and
//! print in the chosen format; one answer per expression, diagnostics to stderr.

use crate::calculus::check::{self, CheckReport, Point};
use crate::calculus::{Constraint, ConstraintError, Constraints, partial};
use crate::cli::{Cli, ColorChoice, Command, Common, Format};
use crate::defs::Defs;
use crate::diagnostic::{Diagnostic, Kind};
use crate::eval::{EvalError, eval, numerically_equal};
use crate::expr::{ExprId, Func, Name, Node, Store};
use crate::parse::{self, ParseError};
use crate::print::{Style, cse, json, render, render_name, render_named};
use rustc_hash::FxHashMap;
use serde_json::{Value, json};
use std::ffi::OsString;
use std::io::{self, BufRead, Write};

/// What the process knows about its surroundings.
#[derive(Clone, Debug, Default)]
pub struct Terminal {
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    /// NO_COLOR is set and not empty.
    pub no_color: bool,
    /// CLICOLOR_FORCE is set and not `0`.
    pub clicolor_force: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Op {
    Partial { substitute_first: bool },
    Total,
    Differential,
    Grad,
    Hessian,
    Jacobian,
    Simplify,
    Eval,
    Step,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Partial { .. } => "partial",
            Op::Total => "total",
            Op::Differential => "differential",
            Op::Grad => "grad",
            Op::Hessian => "hessian",
            Op::Jacobian => "jacobian",
            Op::Simplify => "simplify",
            Op::Eval => "eval",
            Op::Step => "step",
        }
    }
}

/// Up to this many entries, `--at` gives exact values where they fold; beyond it, numbers
/// (a gradient by reverse-mode AD, without building the symbolic gradient).
const EXACT_ENTRIES: usize = 16;

/// A result that unfolds to more nodes than this is refused without `--cse` (its text would
/// run past a gigabyte): see docs/limits.md.
pub const MAX_PRINTED_NODES: u64 = 200_000_000;

/// A validated request: the same work for every expression.
struct Job {
    op: Op,
    vars: Vec<String>,
    wrt: Option<Vec<String>>,
    given: Vec<String>,
    /// Definitions, each with where it came from (`--let` or `FILE:LINE`).
    defs: Vec<(String, String)>,
    at: Option<String>,
    /// Lines of `--at-file`, with `FILE:LINE`.
    at_file: Vec<(String, String)>,
    cse: bool,
    check: bool,
    explain: bool,
    stats: bool,
    /// `step --rate`
    rate: String,
    /// `total --dependent`: the variable an implicit relation makes depend on VAR.
    dependent: Option<String>,
    format: Format,
    color: bool,
    max_nodes: u64,
    /// Reading expressions from stdin: answers must fit on one line.
    batch: bool,
}

/// A result: one expression, a row of them (gradient), rows (Hessian, Jacobian), or the
/// coefficients of a differential, Σ cᵥ·dv.
enum Shape {
    Scalar(ExprId),
    Vector(Vec<ExprId>),
    Matrix(Vec<Vec<ExprId>>),
    Differential(Vec<DTerm>),
}

/// One term cᵥ·dv of a differential; `coef` is written without its sign.
#[derive(Clone)]
struct DTerm {
    var: String,
    coef: ExprId,
    negative: bool,
    /// The coefficient is a sum, so it is written in parentheses.
    sum: bool,
    /// The coefficient is 1: only dv is written.
    unit: bool,
}

impl Shape {
    fn entries(&self) -> Vec<ExprId> {
        match self {
            Shape::Scalar(e) => vec![*e],
            Shape::Vector(v) => v.clone(),
            Shape::Matrix(m) => m.concat(),
            Shape::Differential(d) => d.iter().map(|t| t.coef).collect(),
        }
    }

    fn map(&self, f: &mut dyn FnMut(ExprId) -> ExprId) -> Shape {
        match self {
            Shape::Scalar(e) => Shape::Scalar(f(*e)),
            Shape::Vector(v) => Shape::Vector(v.iter().map(|&e| f(e)).collect()),
            Shape::Matrix(m) => Shape::Matrix(
                m.iter()
                    .map(|r| r.iter().map(|&e| f(e)).collect())
                    .collect(),
            ),
            Shape::Differential(d) => Shape::Differential(
                d.iter()
                    .map(|t| DTerm {
                        coef: f(t.coef),
                        ..t.clone()
                    })
                    .collect(),
            ),
        }
    }

    /// Σ cᵥ·dv: `c*d(x)` in plain text, `c·dx` in Unicode, `c \\,\\mathrm{d}x` in LaTeX.
    fn differential(
        terms: &[DTerm],
        style: Style,
        cell: &mut dyn FnMut(ExprId) -> String,
    ) -> String {
        let mut out = String::new();
        for (i, t) in terms.iter().enumerate() {
            let dv = match style {
                Style::Plain => format!("d({})", t.var),
                Style::Unicode => format!("d{}", render_name(&t.var, style)),
                Style::Latex => format!("\\mathrm{{d}}{}", render_name(&t.var, style)),
            };
            out.push_str(match (i, t.negative) {
                (0, true) => "-",
                (_, true) => " - ",
                (0, false) => "",
                (_, false) => " + ",
            });
            if !t.unit {
                let c = cell(t.coef);
                let (open, close) = match (t.sum, style) {
                    (false, _) => ("", ""),
                    (true, Style::Latex) => ("\\left(", "\\right)"),
                    (true, _) => ("(", ")"),
                };
                out.push_str(&format!("{open}{c}{close}"));
                out.push_str(match style {
                    Style::Plain => "*",
                    Style::Unicode => "·",
                    Style::Latex => " \\, ",
                });
            }
            out.push_str(&dv);
        }
        if out.is_empty() {
            out.push('0');
        }
        out
    }

    /// Writes each entry with `cell` and joins them as `[a, b]` or `[[a, b], [c, d]]`.
    fn layout(&self, cell: &mut dyn FnMut(ExprId) -> String, style: Style) -> String {
        let tex = style == Style::Latex;
        let row = |v: &[ExprId], cell: &mut dyn FnMut(ExprId) -> String, sep: &str| {
            v.iter().map(|&e| cell(e)).collect::<Vec<_>>().join(sep)
        };
        match (self, tex) {
            (Shape::Scalar(e), _) => cell(*e),
            (Shape::Differential(d), _) => Shape::differential(d, style, cell),
            (Shape::Vector(v), false) => format!("[{}]", row(v, cell, ", ")),
            (Shape::Vector(v), true) => {
                format!(
                    "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
                    row(v, cell, " \\\\ ")
                )
            }
            (Shape::Matrix(m), false) => format!(
                "[{}]",
                m.iter()
                    .map(|r| format!("[{}]", row(r, cell, ", ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Shape::Matrix(m), true) => format!(
                "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
                m.iter()
                    .map(|r| row(r, cell, " & "))
                    .collect::<Vec<_>>()
                    .join(" \\\\ ")
            ),
        }
    }

    fn json(&self, cell: &mut dyn FnMut(ExprId) -> Value) -> Value {
        match self {
            Shape::Scalar(e) => cell(*e),
            Shape::Differential(d) => Value::Array(
                d.iter()
                    .map(|t| {
                        json!({"variable": t.var, "negative": t.negative, "coefficient": cell(t.coef)})
                    })
                    .collect(),
            ),
            Shape::Vector(v) => Value::Array(v.iter().map(|&e| cell(e)).collect()),
            Shape::Matrix(m) => {
                Value::Array(m.iter().map(|r| Value::Array(r.iter().map(|&e| cell(e)).collect())).collect())
            }
        }
    }
}

/// The fields of a JSON answer besides its result: the input (an array of expressions for
/// `jacobian`), the structured warning, the other diagnostics, and extra fields (`wrt`,
/// `explanation`).
struct Envelope<'a> {
    input: Value,
    warning: Option<Value>,
    others: &'a [Diagnostic],
    extras: Vec<(&'static str, Value)>,
}

/// One expression's answer: the output line(s) and what goes to stderr.
struct Answer {
    text: String,
    warnings: Vec<Diagnostic>,
    /// `check: ok ...` for --check
    check_line: Option<String>,
}

/// Standard input as batch mode reads it: lines, and whether more input has already
/// arrived, known without waiting for it.
pub trait Input: BufRead {
    /// Input is waiting in the buffer (so an answer need not be flushed yet).
    fn has_buffered(&self) -> bool;
}

impl<R: io::Read> Input for io::BufReader<R> {
    fn has_buffered(&self) -> bool {
        !self.buffer().is_empty()
    }
}

impl Input for io::Empty {
    fn has_buffered(&self) -> bool {
        false
    }
}

/// At most this many lines that have already arrived are answered together, and no more
/// than about this many bytes of them (long lines are answered one at a time).
const BATCH_CHUNK: usize = 1024;
const BATCH_BYTES: usize = 1 << 20;

/// `f(k, item)` for every item, on up to `threads` threads (each with the deep stack the
/// main thread has), in order. Few items, or one thread, run here.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    if threads < 2 || items.len() < 8 {
        return items.iter().enumerate().map(|(k, t)| f(k, t)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(t) = items.get(k) else {
                return done;
            };
            done.push((k, f(k, t)));
        }
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(items.len()))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(crate::STACK_SIZE)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|&(k, _)| k);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Runs the command; returns the exit status (0 ok, 1 some input rejected).
pub fn run(
    cli: Cli,
    term: &Terminal,
    stdin: &mut dyn Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let color = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !term.no_color && (term.clicolor_force || term.stderr_is_tty),
    };
    // `colored` would otherwise apply its own terminal checks on top of this decision.
    colored::control::set_override(color);
    let format = cli.global.format.unwrap_or(if term.stdout_is_tty {
        Format::Unicode
    } else {
        Format::Plain
    });
    let mut dependent = None;
    let mut rate = String::new();
    // Commands that are not computations (completions, man page, session, plots).
    if let Some(code) = crate::tools::run_tool(&cli, term, stdin, out, err) {
        return code;
    }
    let (op, exprs, vars, wrt, common): (
        Op,
        Vec<OsString>,
        Vec<String>,
        Option<Vec<String>>,
        Common,
    ) = match cli.command {
        Command::Partial(a) => (
            Op::Partial {
                substitute_first: a.substitute_first,
            },
            vec![a.expr.expr],
            a.vars,
            None,
            a.common,
        ),
        Command::Total(a) => {
            dependent = a.dependent;
            (Op::Total, vec![a.expr.expr], a.vars, None, a.common)
        }
        Command::Differential(a) => (
            Op::Differential,
            vec![a.expr.expr],
            Vec::new(),
            None,
            a.common,
        ),
        Command::Grad(a) => (
            Op::Grad,
            vec![a.expr.expr],
            Vec::new(),
            split_list(a.wrt),
            a.common,
        ),
        Command::Hessian(a) => (
            Op::Hessian,
            vec![a.expr.expr],
            Vec::new(),
            split_list(a.wrt),
            a.common,
        ),
        Command::Jacobian(a) => (
            Op::Jacobian,
            a.exprs,
            Vec::new(),
            split_list(a.wrt),
            a.common,
        ),
        Command::Simplify(a) => (Op::Simplify, vec![a.expr.expr], Vec::new(), None, a.common),
        Command::Eval(a) => (Op::Eval, vec![a.expr.expr], Vec::new(), None, a.common),
        Command::Step(a) => {
            rate = a.rate;
            (
                Op::Step,
                vec![a.expr.expr],
                Vec::new(),
                split_list(Some(a.wrt)),
                a.common,
            )
        }
        #[allow(unreachable_patterns)]
        _ => unreachable!("handled by tools::run_tool"),
    };
    let batch = exprs.len() == 1 && exprs[0] == "-";
    let mut job = Job {
        op,
        vars,
        wrt,
        given: Vec::new(),
        defs: Vec::new(),
        at: common.at.clone(),
        at_file: Vec::new(),
        cse: common.cse,
        check: common.check,
        explain: common.explain,
        stats: common.stats,
        rate,
        dependent,
        format,
        color,
        max_nodes: cli.global.max_nodes,
        batch,
    };
    if let Err(e) = job.read_definitions(&common.lets, &common.defs, common.at_file.as_deref()) {
        err.write_all(e.render(color).as_bytes())?;
        return Ok(1);
    }
    if let Err(e) = job.check_arguments(common.given) {
        let (d, code) = *e;
        err.write_all(d.render(color).as_bytes())?;
        return Ok(code);
    }
    if batch {
        return job.batch(stdin, out, err);
    }
    let mut texts = Vec::new();
    for e in exprs {
        match e.into_string() {
            Ok(t) if t == "-" => {
                let d = Diagnostic::error("`-` (standard input) works only as the only expression");
                err.write_all(d.render(color).as_bytes())?;
                return Ok(2);
            }
            Ok(t) => texts.push(t),
            Err(raw) => {
                let d = Diagnostic::error(format!(
                    "the expression is not valid UTF-8: {}",
                    raw.to_string_lossy()
                ));
                err.write_all(d.render(color).as_bytes())?;
                return Ok(1);
            }
        }
    }
    let refs: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
    match job.answer(&refs, "1") {
        Ok(a) => {
            for w in &a.warnings {
                err.write_all(w.render(color).as_bytes())?;
            }
            out.write_all(a.text.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
            if let Some(c) = &a.check_line {
                err.write_all(c.as_bytes())?;
            }
            Ok(0)
        }
        Err(ds) => {
            for d in ds {
                err.write_all(d.render(color).as_bytes())?;
            }
            Ok(1)
        }
    }
}

impl Job {
    /// Collects `--let` and `--defs FILE` definitions (a file: one per line, `#` comments)
    /// and the lines of `--at-file`.
    fn read_definitions(
        &mut self,
        lets: &[String],
        files: &[std::path::PathBuf],
        at_file: Option<&std::path::Path>,
    ) -> Result<(), Diagnostic> {
        if let Some(f) = at_file {
            self.at_file = file_lines(f, "values")?;
        }
        for l in lets {
            self.defs.push(("--let".into(), l.clone()));
        }
        for f in files {
            self.defs.extend(file_lines(f, "definitions")?);
        }
        Ok(())
    }

    /// The definitions in a store, with their derivative rules installed.
    fn definitions(&self, s: &mut Store) -> Result<Defs, Diagnostic> {
        let texts: Vec<String> = self.defs.iter().map(|(_, t)| t.clone()).collect();
        let defs =
            Defs::new(s, &texts).map_err(|e| {
                let (origin, text) = &self.defs[e.index];
                let (label, shown, off) = if origin == "--let" {
                    (String::new(), format!("--let {text}"), "--let ".len())
                } else {
                    (origin.clone(), text.clone(), 0)
                };
                Diagnostic::error(format!("in the definition `{text}`: {}", e.message))
                    .with_snippet(label, &shown, e.span.start + off..e.span.end + off)
            })?;
        defs.install_rules(s);
        Ok(defs)
    }

    /// Fails with the diagnostic and the exit status: 2 for a misuse of the command line,
    /// 1 for a rejected input.
    fn check_arguments(&mut self, given: Vec<OsString>) -> Result<(), Box<(Diagnostic, i32)>> {
        self.check_inputs(given).map_err(|d| Box::new((d, 1)))?;
        if self.op == Op::Step && self.at.is_none() && self.at_file.is_empty() {
            return Err(Box::new((
                Diagnostic::error("step needs the parameters' values: --at-file FILE or --at ..."),
                2,
            )));
        }
        if self.op == Op::Eval && self.at.is_none() && self.at_file.is_empty() {
            return Err(Box::new((
                Diagnostic::error("eval needs a point: --at x=1,y=2"),
                2,
            )));
        }
        if self.explain && !matches!(self.op, Op::Partial { .. } | Op::Total | Op::Differential) {
            return Err(Box::new((
                Diagnostic::error(format!(
                    "--explain is for partial, total and differential, not `{}`",
                    self.op.name()
                )),
                2,
            )));
        }
        if self.explain && self.batch {
            return Err(Box::new((
                Diagnostic::error(
                    "--explain writes several lines, so it takes one expression, not `-`",
                ),
                2,
            )));
        }
        if self.check && matches!(self.op, Op::Simplify | Op::Eval) {
            return Err(Box::new((
                Diagnostic::error(format!(
                    "--check verifies derivatives; `{}` computes none",
                    self.op.name()
                )),
                2,
            )));
        }
        Ok(())
    }

    fn check_inputs(&mut self, given: Vec<OsString>) -> Result<(), Diagnostic> {
        // Canonical spelling of indexed names: `w[1, 2]` is `w[1,2]`.
        for v in self.vars.iter_mut().chain(self.wrt.iter_mut().flatten()) {
            if let Some(c) = parse::var_name(v) {
                *v = c;
            }
        }
        let all_vars: Vec<String> = self
            .vars
            .iter()
            .chain(self.wrt.iter().flatten())
            .cloned()
            .collect();
        for v in &all_vars {
            if v.contains('*') && self.wrt.as_ref().is_some_and(|w| w.contains(v)) {
                continue; // a pattern, matched against each expression's variables
            }
            if matches!(v.as_str(), "pi" | "π" | "e") {
                return Err(Diagnostic::error(format!(
                    "`{v}` is a constant; it cannot be differentiated by"
                )));
            }
            if parse::var_name(v).is_none() {
                return Err(Diagnostic::error(format!("`{v}` is not a variable name"))
                    .with_snippet("", v, 0..v.len())
                    .with_note("a variable is a name such as x, theta_1 or θ"));
            }
            if matches!(v.as_str(), "pi" | "π" | "e") {
                return Err(Diagnostic::error(format!(
                    "`{v}` is a constant; it cannot be differentiated by"
                )));
            }
        }
        for g in given {
            match g.into_string() {
                Ok(s) => self.given.push(s),
                Err(raw) => {
                    return Err(Diagnostic::error(format!(
                        "--given {} is not valid UTF-8",
                        raw.to_string_lossy()
                    )));
                }
            }
        }
        let mut s = Store::new();
        let defs = self.definitions(&mut s)?;
        let rels = self.constraints(&mut s, &defs)?;
        if let (Some(d), true) = (&self.dependent, rels.implicit.is_empty()) {
            return Err(Diagnostic::error(format!(
                "--dependent {d} needs an implicit relation, such as --given 'x^2 + {d}^2 = 1'"
            )));
        }
        if let Some(&(i, _)) = rels.implicit.first()
            && self.op != Op::Total
        {
            return Err(Diagnostic::error(format!(
                "--given {} is an implicit relation; `deriv total` differentiates with it",
                self.given[i]
            )));
        }
        for v in &all_vars {
            let n = s.intern_name(v);
            if defs.is_constant(n) {
                return Err(Diagnostic::error(format!(
                    "`{v}` is a constant defined with --let, so it cannot be differentiated by"
                )));
            }
        }
        for v in &all_vars {
            let n = s.intern_name(v);
            rels.check_var(n).map_err(|e| self.constraint_diag(e))?;
        }
        if let Some(p) = self.point(&mut s)? {
            // A constrained variable takes its value from its constraint.
            for (n, _) in p {
                if let Some(c) = rels.items.iter().find(|c| c.name == n) {
                    return Err(Diagnostic::error(format!(
                        "`{}` has a value from --given {}, so --at cannot give it another",
                        s.name(n),
                        self.given[c.index]
                    ))
                    .with_note("give values to the independent variables only"));
                }
            }
        }
        Ok(())
    }

    fn style(&self) -> Style {
        match self.format {
            Format::Plain | Format::Json => Style::Plain,
            Format::Unicode | Format::Latex => Style::Unicode,
        }
    }

    /// Reads one expression per line and writes one line per input line, in order.
    fn batch(
        &self,
        stdin: &mut dyn Input,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<i32> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let mut status = 0;
        let mut n = 0usize;
        loop {
            // A line, and the lines that have already arrived after it (up to a chunk):
            // those are answered together, on every core, and written in order.
            let mut lines: Vec<Vec<u8>> = Vec::new();
            let mut bytes = 0;
            loop {
                let mut line = Vec::new();
                if stdin.read_until(b'\n', &mut line)? == 0 {
                    break;
                }
                bytes += line.len();
                lines.push(line);
                if lines.len() == BATCH_CHUNK || bytes >= BATCH_BYTES || !stdin.has_buffered() {
                    break;
                }
            }
            if lines.is_empty() {
                break;
            }
            let first = n + 1;
            n += lines.len();
            let results =
                parallel_map(&lines, threads, |k, line| self.answer_line(first + k, line));
            for (k, result) in results.into_iter().enumerate() {
                let n = first + k;
                match result {
                    Ok(a) => {
                        for mut w in a.warnings {
                            w.message = format!("line {n}: {}", w.message);
                            err.write_all(w.render(self.color).as_bytes())?;
                        }
                        if let Some(c) = &a.check_line {
                            err.write_all(format!("line {n}: {c}").as_bytes())?;
                        }
                        out.write_all(a.text.as_bytes())?;
                    }
                    Err((ds, text)) => {
                        status = 1;
                        for d in &ds {
                            err.write_all(d.render(self.color).as_bytes())?;
                        }
                        if self.format == Format::Json {
                            let msg = ds.first().map(|d| d.message.clone()).unwrap_or_default();
                            let v = json!({"version": 1, "line": n, "input": text, "error": msg});
                            out.write_all(v.to_string().as_bytes())?;
                        }
                    }
                }
                out.write_all(b"\n")?;
            }
            // A coprocess sees each answer at once; a bulk run is not flushed per line.
            if !stdin.has_buffered() {
                out.flush()?;
            }
        }
        out.flush()?;
        Ok(status)
    }

    /// The answer to line `n` of a batch (its bytes, with the line ending).
    fn answer_line(&self, n: usize, line: &[u8]) -> Result<Answer, (Vec<Diagnostic>, String)> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let label = n.to_string();
        match std::str::from_utf8(line) {
            Ok(text) => self
                .answer(&[text], &label)
                .map_err(|ds| (ds, text.to_string())),
            Err(e) => {
                let text = String::from_utf8_lossy(line).into_owned();
                let at = e.valid_up_to();
                let d = Diagnostic::error(format!(
                    "line {n} is not valid UTF-8 (byte 0x{:02X})",
                    line[at]
                ))
                .with_snippet(&label, &text, at..at + 1);
                Err((vec![d], text))
            }
        }
    }

    /// The variables a vector command differentiates by.
    fn wrt_names(&self, s: &mut Store, fs: &[ExprId]) -> Result<Vec<Name>, Diagnostic> {
        let Some(w) = &self.wrt else {
            return Ok(s.free_symbols(fs));
        };
        let present = s.free_symbols(fs);
        let mut out = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        for item in w {
            let mut matched = false;
            match item.split_once('[') {
                // w[*,*]: every variable w[i,j] of the expressions, in natural order
                Some((base, rest)) if item.contains('*') => {
                    let k = rest.trim_end_matches(']').split(',').count();
                    for &n in &present {
                        let name = s.name(n);
                        let fits = name.split_once('[').is_some_and(|(b, r)| {
                            b == base.trim() && r.trim_end_matches(']').split(',').count() == k
                        });
                        if fits && !out.contains(&n) {
                            out.push(n);
                            matched = true;
                        }
                    }
                    if !matched {
                        unmatched.push(item.clone());
                    }
                }
                _ if item == "*" => {
                    for &n in &present {
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                }
                // A name given explicitly is a column even when repeated (--wrt x,x).
                _ => out.push(s.intern_name(item)),
            }
        }
        if unmatched.is_empty() {
            Ok(out)
        } else {
            Err(Diagnostic::error(format!(
                "--wrt {}: no variable of the expression matches",
                unmatched.join(", ")
            ))
            .with_note("a pattern w[*,*] matches the variables w[i,j] the expression uses"))
        }
    }

    /// The answer for one expression (several for `jacobian`), or the diagnostics that
    /// explain why there is none.
    fn answer(&self, texts: &[&str], label: &str) -> Result<Answer, Vec<Diagnostic>> {
        let mut store = Store::new();
        store.set_max_nodes(self.max_nodes);
        let s = &mut store;
        let defs = self.definitions(s).map_err(|d| vec![d])?;
        let mut fs = Vec::new();
        for text in texts {
            let f = parse::parse(s, text).map_err(|e| vec![parse_diag(e, label, text)])?;
            let f = defs.expand(s, f, false).map_err(|e| {
                vec![Diagnostic::error(e.message).with_snippet(label, text, 0..text.len())]
            })?;
            let f = s
                .expand_sums(f)
                .map_err(|m| vec![Diagnostic::error(m).with_snippet(label, text, 0..text.len())])?;
            fs.push(f);
        }
        let text = texts.join(", ");
        let f = fs[0];
        let mut warnings = self.unknown_function_hints(s, &fs);
        let cons = self.constraints(s, &defs).map_err(|d| vec![d])?;
        let vars: Vec<Name> = self.vars.iter().map(|v| s.intern_name(v)).collect();
        let undefined = |s: &Store, what: &str| {
            let why = s
                .fault
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_else(|| "undefined".into());
            let msg = match s.fault {
                Some(
                    crate::expr::Fault::TooLarge { .. } | crate::expr::Fault::NumberTooLarge { .. },
                ) => why,
                _ => format!("{what} is undefined: {why}"),
            };
            vec![Diagnostic::error(msg).with_snippet(label, &text, 0..text.len())]
        };
        // The expression must make sense with the constraints substituted.
        let subs: Vec<ExprId> = fs.iter().map(|&f| cons.substitute(s, f)).collect();
        if subs.iter().any(|&e| s.is_undefined(e)) {
            let what = if cons.is_empty() {
                "the expression"
            } else {
                "the expression, with the constraints substituted,"
            };
            return Err(undefined(s, what));
        }
        // Derivative steps (g, v, ∂g/∂v) for --check.
        let mut steps: Vec<(ExprId, Name, ExprId)> = Vec::new();
        let chain =
            |s: &mut Store, g0: ExprId, vs: &[Name], steps: &mut Vec<(ExprId, Name, ExprId)>| {
                let mut g = g0;
                for &v in vs {
                    let d = partial(s, g, v);
                    steps.push((g, v, d));
                    g = d;
                }
                g
            };
        let mut warning = None;
        // Named deltas of a --cse gradient: (name, definition).
        let mut deltas: Vec<(Name, ExprId)> = Vec::new();
        // The columns of a gradient, Hessian, Jacobian or step, and the --at point.
        let columns = if matches!(self.op, Op::Step | Op::Grad | Op::Hessian | Op::Jacobian) {
            self.wrt_names(s, &subs).map_err(|d| vec![d])?
        } else {
            Vec::new()
        };
        let point = self.point(s).map_err(|d| vec![d])?;
        let shape = match self.op {
            Op::Simplify | Op::Eval => Shape::Scalar(subs[0]),
            Op::Step => {
                // The step itself is numeric (format_step); the symbolic gradient is built
                // only for --check to compare.
                let names = &columns;
                if self.check {
                    let entries = crate::calculus::reverse::gradient(s, subs[0], names);
                    for (&v, &d) in names.iter().zip(&entries) {
                        steps.push((subs[0], v, d));
                    }
                }
                Shape::Vector(Vec::new())
            }
            Op::Total if !cons.implicit.is_empty() => {
                let (r, notes) = self
                    .implicit_total(s, &cons, subs[0], &vars)
                    .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?;
                warnings.extend(notes);
                Shape::Scalar(r)
            }
            Op::Total
            | Op::Partial {
                substitute_first: true,
            } => Shape::Scalar(chain(s, subs[0], &vars, &mut steps)),
            Op::Partial { .. } if cons.is_empty() => Shape::Scalar(chain(s, f, &vars, &mut steps)),
            Op::Partial { .. } => {
                chain(s, f, &vars, &mut steps);
                let o = cons.partial_then_substitute(s, f, &vars);
                let differs = o.result != o.total
                    && !s.is_undefined(o.total)
                    && numerically_equal(s, o.result, o.total) != Some(true);
                if differs {
                    warning = Some(self.substitution_warning(s, &cons, f, &vars, &o));
                }
                Shape::Scalar(o.result)
            }
            Op::Differential => {
                let g = subs[0];
                let names = s.free_symbols(&[g]);
                let mut terms = Vec::new();
                for v in names {
                    let c = chain(s, g, &[v], &mut steps);
                    let c = s.tidy(c);
                    if c == s.zero() {
                        continue;
                    }
                    let negative = s.is_negated(c);
                    let c = if negative {
                        let n = s.neg(c);
                        s.tidy(n)
                    } else {
                        c
                    };
                    terms.push(DTerm {
                        var: s.name(v).to_string(),
                        coef: c,
                        negative,
                        sum: matches!(s.node(c), Node::Add(_)),
                        unit: c == s.one(),
                    });
                }
                Shape::Differential(terms)
            }
            Op::Grad if !self.check && point.is_some() && columns.len() > EXACT_ENTRIES => {
                // Many entries at a point: numbers by reverse-mode AD, no symbolic gradient.
                let names = &columns;
                let p = point.as_deref().unwrap_or_default();
                let (_, values) = self
                    .numeric_gradient(s, &defs, subs[0], names, p)
                    .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?;
                let cells: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
                let text_out = match self.format {
                    Format::Latex => format!(
                        "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
                        cells.join(" \\\\ ")
                    ),
                    Format::Json => {
                        let result: Vec<Value> = values
                            .iter()
                            .map(|v| json!({"exact": Value::Null, "value": v}))
                            .collect();
                        let env = Envelope {
                            input: json!(text),
                            warning: None,
                            others: &warnings,
                            extras: vec![(
                                "wrt",
                                json!(names.iter().map(|&n| s.name(n)).collect::<Vec<_>>()),
                            )],
                        };
                        self.json_object(env, json!(result)).to_string()
                    }
                    _ => format!("[{}]", cells.join(", ")),
                };
                return Ok(Answer {
                    text: text_out,
                    warnings,
                    check_line: None,
                });
            }
            Op::Grad if self.cse && !self.check && point.is_none() => {
                // Printed with --cse: the backpropagation deltas are named too.
                let names = &columns;
                let used: Vec<String> = s
                    .free_symbols(&subs)
                    .iter()
                    .map(|&n| s.name(n).to_string())
                    .collect();
                let used: Vec<&str> = used.iter().map(String::as_str).collect();
                let prefix = cse::free_prefix(&["delta", "delta_", "d_"], "d_", &used);
                let (entries, named) =
                    crate::calculus::reverse::gradient_with_deltas(s, subs[0], names, prefix);
                deltas = named.into_iter().map(|(n, e)| (n, s.tidy(e))).collect();
                Shape::Vector(entries)
            }
            Op::Grad => {
                // Reverse mode: one sweep for every variable, sharing the adjoints.
                let names = &columns;
                let entries = crate::calculus::reverse::gradient(s, subs[0], names);
                for (&v, &d) in names.iter().zip(&entries) {
                    steps.push((subs[0], v, d));
                }
                Shape::Vector(entries)
            }
            Op::Hessian => {
                let names = &columns;
                let grad: Vec<ExprId> = names
                    .iter()
                    .map(|&v| chain(s, subs[0], &[v], &mut steps))
                    .collect();
                Shape::Matrix(
                    grad.iter()
                        .map(|&g| {
                            names
                                .iter()
                                .map(|&v| chain(s, g, &[v], &mut steps))
                                .collect()
                        })
                        .collect(),
                )
            }
            Op::Jacobian => {
                let names = &columns;
                Shape::Matrix(
                    subs.iter()
                        .map(|&g| {
                            names
                                .iter()
                                .map(|&v| chain(s, g, &[v], &mut steps))
                                .collect()
                        })
                        .collect(),
                )
            }
        };
        let shape = shape.map(&mut |e| s.tidy(e));
        let explanation = if self.explain {
            self.explain(s, &cons, f, subs[0], &vars)
        } else {
            Vec::new()
        };
        if shape.entries().iter().any(|&e| s.is_undefined(e)) {
            return Err(undefined(s, "the result"));
        }
        if !self.cse && point.is_none() {
            let size = s.tree_size(&shape.entries());
            if size > MAX_PRINTED_NODES {
                return Err(vec![Diagnostic::error(format!(
                    "the result is too large to print in full: it unfolds to {size} subexpressions \
                     (the limit is {MAX_PRINTED_NODES})"
                ))
                .with_snippet(label, &text, 0..text.len())
                .with_note("--cse prints each repeated subexpression once, so its size stays small")]);
            }
        }
        let check_line = if self.check {
            Some(
                self.run_check(s, &defs, &steps, point.as_ref())
                    .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?,
            )
        } else {
            None
        };
        if let Some((w, _)) = &warning {
            warnings.push(w.clone());
        }
        let warning_data = warning.map(|(_, data)| data);
        if self.stats {
            let entries = shape.entries();
            let mut roots = entries.clone();
            roots.extend(deltas.iter().map(|&(_, e)| e));
            let (a, b) = (
                crate::calculus::reverse::op_count(s, &fs),
                crate::calculus::reverse::op_count(s, &roots),
            );
            let ratio = if a == 0 { 0.0 } else { b as f64 / a as f64 };
            warnings.push(
                Diagnostic::note(format!(
                    "stats: the expression has {a} operations; the result, each shared \
                 subexpression counted once (the --cse form), has {b} ({ratio:.2}× the expression)"
                ))
                .with_kind(Kind::Stats),
            );
        }
        if self.op == Op::Step {
            let p = point.as_ref().expect("checked: step has a point");
            let (text_out, summary) = self
                .format_step(s, &defs, subs[0], &columns, p)
                .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?;
            // The loss goes to stderr: the output is the next parameter file.
            warnings.push(Diagnostic::note(summary));
            return Ok(Answer {
                text: text_out,
                warnings,
                check_line,
            });
        }
        // JSON names the columns of a gradient, Hessian or Jacobian, lists a Jacobian's
        // expressions one by one, and carries the explanation as data.
        let mut extras = Vec::new();
        if matches!(self.op, Op::Grad | Op::Hessian | Op::Jacobian) {
            extras.push((
                "wrt",
                json!(columns.iter().map(|&n| s.name(n)).collect::<Vec<_>>()),
            ));
        }
        if !explanation.is_empty() {
            extras.push((
                "explanation",
                json!(explanation.iter().map(|(t, _)| t).collect::<Vec<_>>()),
            ));
        }
        let env = Envelope {
            input: if self.op == Op::Jacobian {
                json!(texts)
            } else {
                json!(text)
            },
            warning: warning_data,
            others: &warnings,
            extras,
        };
        let text_out = match &point {
            Some(p) => self
                .format_at(s, &defs, &shape, p, env)
                .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?,
            None => self.format_result(s, &shape, env, &deltas),
        };
        let text_out = match (explanation.is_empty(), self.format) {
            (true, _) | (false, Format::Json) => text_out,
            (false, _) => {
                let lines: Vec<&str> = explanation.iter().map(|(_, l)| l.as_str()).collect();
                format!("{}\n{text_out}", lines.join("\n"))
            }
        };
        Ok(Answer {
            text: text_out,
            warnings,
            check_line,
        })
    }

    /// df/dx with implicit relations F(x, v, ...) = 0: dv/dx = −F_x/F_v for the dependent
    /// variable v of each, then df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx.
    fn implicit_total(
        &self,
        s: &mut Store,
        cons: &Constraints,
        g: ExprId,
        vars: &[Name],
    ) -> Result<(ExprId, Vec<Diagnostic>), Diagnostic> {
        let [x] = vars else {
            return Err(Diagnostic::error(
                "an implicit relation works with one variable of differentiation",
            ));
        };
        let mut result = partial(s, g, *x);
        let mut notes = Vec::new();
        for (v, dv, note) in self.implicit_derivatives(s, cons, *x)? {
            let dg = partial(s, g, v);
            let term = s.mul2(dg, dv);
            result = s.add2(result, term);
            notes.push(note);
        }
        Ok((result, notes))
    }

    /// For each implicit relation F = 0: its dependent variable v, dv/dx = −F_x/F_v, and
    /// the note that says so.
    fn implicit_derivatives(
        &self,
        s: &mut Store,
        cons: &Constraints,
        x: Name,
    ) -> Result<Vec<(Name, ExprId, Diagnostic)>, Diagnostic> {
        let mut out = Vec::new();
        for &(index, rel) in &cons.implicit {
            let rel = cons.substitute(s, rel);
            let shown = &self.given[index];
            let others: Vec<Name> = s
                .free_symbols(&[rel])
                .into_iter()
                .filter(|&n| n != x)
                .collect();
            let v = match &self.dependent {
                Some(d) => {
                    let n = s.intern_name(d);
                    if !others.contains(&n) {
                        return Err(Diagnostic::error(format!(
                            "--dependent {d}: `{d}` does not occur in the relation {shown}"
                        )));
                    }
                    n
                }
                None if others.len() == 1 => others[0],
                None if others.is_empty() => {
                    return Err(Diagnostic::error(format!(
                        "the relation {shown} involves no variable other than {} (after the other \
                         constraints are put in), so it makes nothing depend on it",
                        s.name(x)
                    )));
                }
                None => {
                    let names: Vec<&str> = others.iter().map(|&n| s.name(n)).collect();
                    return Err(Diagnostic::error(format!(
                        "the relation {shown} has {} other variables ({}): name the dependent one with --dependent",
                        names.len(),
                        names.join(", ")
                    )));
                }
            };
            let fx = partial(s, rel, x);
            let fv = partial(s, rel, v);
            let fv = s.tidy(fv);
            let (xs, vs) = (s.name(x).to_string(), s.name(v).to_string());
            if fv == s.zero() {
                return Err(Diagnostic::error(format!(
                    "the relation {shown} does not determine {vs} as a function of {xs}: ∂F/∂{vs} = 0"
                )));
            }
            let q = s.div(fx, fv);
            let dv = s.neg(q);
            let dv = s.tidy(dv);
            let st = self.style();
            let mut note = Diagnostic::note(format!(
                "d{vs}/d{xs} = {} from {shown}, by implicit differentiation: d{vs}/d{xs} = −F_{xs}/F_{vs}",
                render(s, dv, st)
            ))
            .with_kind(Kind::ImplicitDerivative);
            if s.as_num(fv).is_none() {
                note = note.with_note(format!(
                    "undefined where F_{vs} = {} is 0",
                    render(s, fv, st)
                ));
            }
            out.push((v, dv, note));
        }
        Ok(out)
    }

    /// E and ∂E/∂θ at the point, as numbers (reverse-mode AD over the expanded expression).
    fn numeric_gradient(
        &self,
        s: &mut Store,
        defs: &Defs,
        e: ExprId,
        names: &[Name],
        p: &[(Name, ExprId)],
    ) -> Result<(f64, Vec<f64>), Diagnostic> {
        let env = doubles(s, p);
        let full = defs
            .expand(s, e, true)
            .map_err(|c| Diagnostic::error(c.message))?;
        crate::eval::gradient_at(s, full, names, &|n| env.get(&n).copied()).map_err(|err| match err
        {
            EvalError::Unbound(n) => Diagnostic::error(format!("no value for `{}`", s.name(n)))
                .with_note("give every variable a value in --at-file or --at"),
            EvalError::UnknownFunction(n) => Diagnostic::error(format!(
                "`{}` is an unknown function, so it has no value",
                s.name(n)
            )),
            EvalError::Domain(sub) | EvalError::Overflow(sub) => Diagnostic::error(format!(
                "{} (or its derivative) has no finite value at this point",
                render(s, sub, Style::Plain)
            )),
            EvalError::Kink(sub) => {
                let (message, note) = crate::eval::describe_kink(s, sub);
                Diagnostic::error(message).with_note(note)
            }
        })
    }

    /// `step`: θ − η·∂E/∂θ for each parameter, every value of the point written back in the
    /// `--at-file` format (`name = value` lines), and E at the point reported on stderr.
    fn format_step(
        &self,
        s: &mut Store,
        defs: &Defs,
        e: ExprId,
        names: &[Name],
        p: &[(Name, ExprId)],
    ) -> Result<(String, String), Diagnostic> {
        let eta_e = parse::parse(s, &self.rate)
            .map_err(|e| Diagnostic::error(format!("--rate {}: {}", self.rate, e.message)))?;
        let eta = eval(s, eta_e, &|_| None)
            .map_err(|_| Diagnostic::error(format!("--rate {} must be a number", self.rate)))?;
        let (loss, grad) = self.numeric_gradient(s, defs, e, names, p)?;
        let mut updated: FxHashMap<Name, f64> = FxHashMap::default();
        for (&n, g) in names.iter().zip(grad) {
            let Some(&(_, v)) = p.iter().find(|(m, _)| *m == n) else {
                return Err(Diagnostic::error(format!(
                    "the parameter `{}` has no value to update",
                    s.name(n)
                ))
                .with_note("give it one in --at-file or --at"));
            };
            let theta = eval(s, v, &|_| None).unwrap_or(f64::NAN);
            updated.insert(n, theta - eta * g);
        }
        let lines: Vec<(String, String)> = p
            .iter()
            .map(|&(n, v)| {
                let val = match updated.get(&n) {
                    Some(x) => format!("{x}"),
                    None => render(s, v, Style::Plain),
                };
                (s.name(n).to_string(), val)
            })
            .collect();
        let summary = format!("E = {loss} before the step (rate {eta})");
        Ok((match self.format {
            Format::Json => json!({
                "version": 1,
                "operation": "step",
                "rate": eta,
                "loss": loss,
                "values": lines.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
            })
            .to_string(),
            _ => {
                let body: Vec<String> = lines.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                body.join("\n")
            }
        }, summary))
    }

    /// The derivation, as (plain text for JSON, the line in the output's style).
    fn explain(
        &self,
        s: &mut Store,
        cons: &Constraints,
        f: ExprId,
        g: ExprId,
        vars: &[Name],
    ) -> Vec<(String, String)> {
        use crate::calculus::explain::{partial_steps, total_terms};
        let style = match self.format {
            Format::Plain | Format::Json => Style::Plain,
            _ => Style::Unicode,
        };
        let mut out: Vec<(String, String)> = Vec::new();
        let mut line = |_: &Store, parts: &dyn Fn(Style) -> String| {
            out.push((parts(Style::Plain), parts(style)));
        };
        let nm = |s: &Store, n: Name| render_name(s.name(n), Style::Unicode);
        match self.op {
            Op::Total if vars.len() == 1 => {
                let x = vars[0];
                let xs = nm(s, x);
                let known: Vec<(Name, ExprId)> = self
                    .implicit_derivatives(s, cons, x)
                    .map(|v| v.into_iter().map(|(n, d, _)| (n, d)).collect())
                    .unwrap_or_default();
                let terms = total_terms(s, cons, f, x, &known);
                let labels: Vec<String> = terms
                    .iter()
                    .map(|t| {
                        let v = nm(s, t.var);
                        if t.var == x {
                            format!("∂f/∂{v}")
                        } else {
                            format!("∂f/∂{v}·d{v}/d{xs}")
                        }
                    })
                    .collect();
                let head = format!("df/d{xs} = {}", labels.join(" + "));
                line(s, &|_| head.clone());
                for (t, label) in terms.iter().zip(&labels) {
                    let why = if t.var == x {
                        String::new()
                    } else if known.iter().any(|(n, _)| *n == t.var) {
                        format!("   (d{}/d{xs} from the implicit relation)", nm(s, t.var))
                    } else if cons.resolved(t.var).is_none() {
                        format!("   ({} does not depend on {xs})", nm(s, t.var))
                    } else {
                        let c = cons
                            .items
                            .iter()
                            .find(|c| c.name == t.var)
                            .map(|c| c.rhs)
                            .unwrap_or(t.dv_dx);
                        format!("   ({} = {})", nm(s, t.var), render(s, c, style))
                    };
                    let (a, b, p) = (t.df_dv, t.dv_dx, t.product);
                    line(s, &|st| {
                        if t.var == x {
                            format!("  {label} = {}", render(s, a, st))
                        } else {
                            format!(
                                "  {label} = ({})·({}) = {}{why}",
                                render(s, a, st),
                                render(s, b, st),
                                render(s, p, st)
                            )
                        }
                    });
                }
                let parts: Vec<ExprId> = terms.iter().map(|t| t.product).collect();
                let sum = s.add(parts);
                let sum = s.tidy(sum);
                let total = if known.is_empty() {
                    cons.total(s, f, vars)
                } else {
                    sum
                };
                let total = s.tidy(total);
                line(s, &|st| format!("df/d{xs} = {}", render(s, sum, st)));
                if sum != total {
                    line(s, &|st| {
                        format!(
                            "      = {}   (substituting the constraints)",
                            render(s, total, st)
                        )
                    });
                }
            }
            Op::Differential => {
                let names = s.free_symbols(&[g]);
                let dvs: Vec<String> = names
                    .iter()
                    .map(|&v| format!("∂f/∂{}·d{}", nm(s, v), nm(s, v)))
                    .collect();
                let head = format!("df = {}", dvs.join(" + "));
                line(s, &|_| head.clone());
                for v in names {
                    let d = partial(s, g, v);
                    let d = s.tidy(d);
                    let label = format!("∂f/∂{}", nm(s, v));
                    line(s, &|st| format!("  {label} = {}", render(s, d, st)));
                }
            }
            _ => {
                // Partial derivatives (and total ones by several variables): each step's rules.
                let mut cur = if matches!(
                    self.op,
                    Op::Partial {
                        substitute_first: false
                    }
                ) {
                    f
                } else {
                    g
                };
                for &v in vars {
                    let vs = nm(s, v);
                    line(s, &|st| format!("∂/∂{vs} of {}:", render(s, cur, st)));
                    let (steps, omitted) = partial_steps(s, cur, v, 40);
                    for step in &steps {
                        let (e, r) = (step.expr, step.result);
                        let rule = step.rule.clone();
                        line(s, &|st| {
                            format!(
                                "  {rule}: ∂/∂{vs} {} = {}",
                                render(s, e, st),
                                render(s, r, st)
                            )
                        });
                    }
                    if omitted > 0 {
                        line(s, &|_| format!("  … and {omitted} more steps"));
                    }
                    let d = partial(s, cur, v);
                    cur = s.tidy(d);
                }
            }
        }
        out
    }

    /// The `--at` point: each variable's value as an expression (`x=pi/2` stays exact).
    fn point(&self, s: &mut Store) -> Result<Option<Vec<(Name, ExprId)>>, Diagnostic> {
        if self.at.is_none() && self.at_file.is_empty() {
            return Ok(None);
        }
        // (label, the text shown, the item, its offset in the text shown)
        let mut items: Vec<(String, String, String, usize)> = Vec::new();
        for (label, line) in &self.at_file {
            items.push((label.clone(), line.clone(), line.clone(), 0));
        }
        if let Some(at) = &self.at {
            let shown = format!("--at {at}");
            let mut offset = 5;
            for part in parse::split_top(at, ',') {
                items.push((String::new(), shown.clone(), part.to_string(), offset));
                offset += part.len() + 1;
            }
        }
        let mut out: Vec<(Name, ExprId)> = Vec::new();
        for (label, shown, part, start) in items {
            let diag = |msg: String, span: std::ops::Range<usize>| {
                Diagnostic::error(msg).with_snippet(
                    label.clone(),
                    &shown,
                    span.start + start..span.end + start,
                )
            };
            let Some(eq) = part.find('=') else {
                return Err(diag(
                    format!("a value needs VAR=VALUE, but `{part}` has no `=`"),
                    0..part.len().max(1),
                )
                .with_note("for example --at x=1,y=2, or w=[0.5,1] for w[1] and w[2]"));
            };
            let name_text = part[..eq].trim();
            let Some(name) = parse::var_name(name_text) else {
                return Err(diag(
                    format!("`{name_text}` is not a variable name"),
                    0..eq.max(1),
                ));
            };
            // `w=[[1,2],[3,4]]` gives w[1,1] = 1, w[1,2] = 2, ...
            let mut values: Vec<(String, &str)> = Vec::new();
            flatten_array(&name, part[eq + 1..].trim(), &mut Vec::new(), &mut values);
            for (n, text) in values {
                let v = parse::parse(s, text).map_err(|e| {
                    let place = if label.is_empty() {
                        "--at"
                    } else {
                        label.as_str()
                    };
                    diag(
                        format!("in {place} {n}=…: {}", e.message),
                        eq + 1..part.len(),
                    )
                })?;
                if !s.free_symbols(&[v]).is_empty() {
                    return Err(diag(
                        format!("the value of `{n}` must be a number"),
                        eq + 1..part.len(),
                    ));
                }
                let id = s.intern_name(&n);
                if out.iter().any(|(m, _)| *m == id) {
                    return Err(diag(format!("`{n}` is given two values"), 0..part.len()));
                }
                out.push((id, v));
            }
        }
        Ok(Some(out))
    }

    /// `--check`: every derivative step against a difference quotient.
    fn run_check(
        &self,
        s: &mut Store,
        defs: &Defs,
        steps: &[(ExprId, Name, ExprId)],
        point: Option<&Vec<(Name, ExprId)>>,
    ) -> Result<String, Diagnostic> {
        // Numbers need every definition expanded, rule functions included: one walk over
        // all the steps, which share most of their DAG.
        let roots: Vec<ExprId> = steps.iter().flat_map(|&(g, _, d)| [g, d]).collect();
        let expanded = defs
            .expand_all(s, &roots, true)
            .map_err(|e| Diagnostic::error(e.message))?;
        let full: Vec<(ExprId, Name, ExprId)> = steps
            .iter()
            .zip(expanded.chunks(2))
            .map(|(&(_, v, _), gd)| (gd[0], v, gd[1]))
            .collect();
        let steps = &full[..];
        let s: &Store = s;
        let names = s.free_symbols(
            &steps
                .iter()
                .flat_map(|&(g, _, d)| [g, d])
                .collect::<Vec<_>>(),
        );
        let (report, used): (CheckReport, usize) = match point {
            Some(p) => {
                let mut q: Point = Vec::new();
                for &(n, v) in p {
                    let x = eval(s, v, &|_| None).map_err(|_| {
                        Diagnostic::error("--check: a value in --at cannot be evaluated")
                    })?;
                    q.push((n, x));
                }
                let r = check::check_chain(s, steps, &[q]);
                let used = usize::from(r.points > 0);
                (r, used)
            }
            None => check::check_random(s, steps, &names, 3, 0xC0FFEE),
        };
        if report.points == 0 {
            let why = if steps.is_empty() {
                "nothing here is a derivative step it can compare (an implicit relation's \
                 derivative is not checked)"
            } else if report.inconclusive > 0 {
                "a difference quotient was not precise enough to judge by at any point tried: \
                 the function varies too fast there, or is computed from numbers too large \
                 for doubles"
            } else {
                "the derivative or a difference quotient could not be evaluated at any \
                 point: unknown functions, or outside the domain or too near its edge"
            };
            return Ok(format!("check: skipped ({why})\n"));
        }
        if report.ok() {
            let err = if report.max_rel_error == 0.0 {
                "0".to_string()
            } else {
                format!("{:.0e}", report.max_rel_error)
            };
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            return Ok(format!(
                "check: ok (max rel. error {err}; {} at {})\n",
                plural(steps.len(), "derivative"),
                plural(used, "point"),
            ));
        }
        Err(Diagnostic::error(format!(
            "check failed: the symbolic derivative disagrees with a difference quotient (rel. error {:.1e})",
            report.max_rel_error
        ))
        .with_note(format!(
            "at {}: symbolic {} but numeric {}",
            report.worst_at, report.symbolic, report.numeric
        ))
        .with_note(if self.defs.iter().any(|(_, t)| t.contains("'")) {
            "a derivative rule from the definitions may be wrong (it is checked against the \
             function's own definition); otherwise this is a bug in deriv: please report it"
        } else {
            "this is a bug in deriv; please report it with the command"
        }))
    }

    /// The result with the `--at` values put in: exact when it folds to a number, else a
    /// double.
    #[allow(clippy::too_many_arguments)]
    fn format_at(
        &self,
        s: &mut Store,
        defs: &Defs,
        shape: &Shape,
        p: &[(Name, ExprId)],
        env: Envelope,
    ) -> Result<String, Diagnostic> {
        let map: FxHashMap<Name, ExprId> = p.iter().copied().collect();
        let mut values: FxHashMap<ExprId, (Option<ExprId>, f64)> = FxHashMap::default();
        let entries = shape.entries();
        let fulls = defs
            .expand_all(s, &entries, true)
            .map_err(|ce| Diagnostic::error(ce.message))?;
        // Doubles for every entry in one walk over the shared DAG (a gradient's entries
        // share most of it); exact values by substitution only for a few entries.
        let point = doubles(s, p);
        let floats = crate::eval::eval_many(s, &fulls, &|n| point.get(&n).copied());
        let exact_wanted = entries.len() <= EXACT_ENTRIES;
        for ((&e, &full), x) in entries.iter().zip(&fulls).zip(floats) {
            let mut substituted = None;
            let exact = if exact_wanted {
                let v = s.substitute(full, &map);
                substituted = Some(v);
                if s.is_undefined(v) {
                    let why = s.fault.as_ref().map(|f| f.to_string()).unwrap_or_default();
                    return Err(Diagnostic::error(format!(
                        "the result is undefined at this point: {why}"
                    ))
                    .with_note(format!("the result is {}", render(s, e, Style::Plain))));
                }
                s.as_num(v).is_some().then_some(v)
            } else {
                None
            };
            // With the point put in, an error names the subexpression with its values.
            let x = match (x, substituted) {
                (Err(_), Some(v)) => eval(s, v, &|_| None),
                (x, _) => x,
            };
            let x = x.map_err(|err| match err {
                EvalError::Unbound(n) => Diagnostic::error(format!("no value for `{}`", s.name(n)))
                    .with_note(format!("give it with --at {}=...", s.name(n))),
                EvalError::Domain(sub) => Diagnostic::error(format!(
                    "{} is undefined at this point",
                    render(s, sub, Style::Plain)
                ))
                .with_note(format!("the result is {}", render(s, e, Style::Plain))),
                EvalError::Overflow(sub) => Diagnostic::error(format!(
                    "{} is too large for a double at this point",
                    render(s, sub, Style::Plain)
                ))
                .with_note(format!("the result is {}", render(s, e, Style::Plain))),
                EvalError::UnknownFunction(n) => Diagnostic::error(format!(
                    "`{}` is an unknown function, so it has no value",
                    s.name(n)
                )),
                EvalError::Kink(sub) => {
                    let (message, note) = crate::eval::describe_kink(s, sub);
                    Diagnostic::error(message).with_note(note)
                }
            });
            let x = match x {
                Ok(x) => x,
                // An exact number needs no evaluation (it may be too large for a double).
                Err(_) if exact.is_some() => f64::NAN,
                Err(d) => return Err(d),
            };
            values.insert(e, (exact, x));
        }
        // A differential's terms take their sign and their "1" from the values.
        let shape = match shape {
            Shape::Differential(ts) => {
                let mut out = Vec::new();
                for t in ts {
                    let (exact, x) = values[&t.coef];
                    let signed = if t.negative { -x } else { x };
                    let (value, negative) = match exact {
                        Some(v) => {
                            let v = if t.negative { s.neg(v) } else { v };
                            let neg = s.is_negated(v);
                            (if neg { s.neg(v) } else { v }, neg)
                        }
                        None => (t.coef, signed < 0.0),
                    };
                    match exact {
                        None => values.insert(t.coef, (None, signed.abs())),
                        Some(_) => values.insert(value, (Some(value), signed.abs())),
                    };
                    if s.as_num(value).is_some_and(|r| r.is_zero()) {
                        continue;
                    }
                    out.push(DTerm {
                        var: t.var.clone(),
                        coef: value,
                        negative,
                        sum: false,
                        unit: value == s.one(),
                    });
                }
                Shape::Differential(out)
            }
            Shape::Scalar(e) => Shape::Scalar(*e),
            Shape::Vector(v) => Shape::Vector(v.clone()),
            Shape::Matrix(m) => Shape::Matrix(m.clone()),
        };
        let cell = |s: &Store, e: ExprId, style: Style| match values[&e] {
            (Some(v), _) => render(s, v, style),
            (None, x) => format!("{x}"),
        };
        Ok(match self.format {
            Format::Plain => shape.layout(&mut |e| cell(s, e, Style::Plain), Style::Plain),
            Format::Unicode => shape.layout(&mut |e| cell(s, e, Style::Unicode), Style::Unicode),
            Format::Latex => shape.layout(&mut |e| cell(s, e, Style::Latex), Style::Latex),
            Format::Json => {
                let result = shape.json(&mut |e| {
                    let (exact, x) = values[&e];
                    json!({
                        "exact": exact.map(|v| render(s, v, Style::Plain)),
                        "value": if x.is_finite() { json!(x) } else { Value::Null },
                    })
                });
                self.json_object(env, result).to_string()
            }
        })
    }

    fn json_object(&self, env: Envelope, result: Value) -> Value {
        let Envelope {
            input,
            warning,
            others,
            extras,
        } = env;
        let constraints: Vec<Value> = self
            .given
            .iter()
            .map(|g| {
                let (v, e) = g.split_once('=').unwrap_or((g, ""));
                match parse::var_name(v) {
                    Some(v) => json!({"variable": v, "expr": e.trim()}),
                    None => json!({"relation": g}),
                }
            })
            .collect();
        let mut warnings: Vec<Value> = warning.into_iter().collect();
        // (The substitution warning has no kind: it comes with its data in `warning`.)
        for d in others {
            if let Some(kind) = d.kind {
                warnings.push(json!({"kind": kind.name(), "message": d.message, "notes": d.notes}));
            }
        }
        let mut obj = json!({
            "version": 1,
            "input": input,
            "operation": self.op.name(),
            "variables": self.vars,
            "constraints": constraints,
            "substitute_first": matches!(self.op, Op::Partial { substitute_first: true }),
            "result": result,
            "warnings": warnings,
        });
        if let Some(at) = &self.at {
            obj["at"] = json!(at);
        }
        for (k, v) in extras {
            obj[k] = v;
        }
        obj
    }

    fn format_result(
        &self,
        s: &Store,
        shape: &Shape,
        env: Envelope,
        deltas: &[(Name, ExprId)],
    ) -> String {
        let entries = shape.entries();
        let plan = if self.cse {
            // Names in use: variables and unknown functions.
            let mut taken: Vec<&str> = s
                .free_symbols(&entries)
                .iter()
                .map(|&n| s.name(n))
                .collect();
            for n in s.postorder(&entries) {
                if let Node::Call(Func::Unknown { name, .. }, _) = s.node(n) {
                    taken.push(s.name(*name));
                }
            }
            Some(cse::plan_with(s, &entries, &taken, deltas))
        } else {
            None
        };
        let empty = FxHashMap::default();
        let names = plan.as_ref().map(|p| &p.names).unwrap_or(&empty);
        let style = match self.format {
            Format::Plain | Format::Json => Style::Plain,
            Format::Unicode => Style::Unicode,
            Format::Latex => Style::Latex,
        };
        let body = |style: Style| {
            let mut cell = |e: ExprId| match names.get(&e) {
                Some(n) => render_name(n, style),
                None => render_named(s, e, style, names),
            };
            shape.layout(&mut cell, style)
        };
        let bindings = plan.as_ref().map(|p| p.bindings.as_slice()).unwrap_or(&[]);
        if self.format == Format::Json {
            let result = shape.json(&mut |e| match names.get(&e) {
                Some(n) => json!({"plain": n, "unicode": render_name(n, Style::Unicode), "latex": render_name(n, Style::Latex)}),
                None if names.is_empty() => json::styles(s, e),
                None => json!({
                    "plain": render_named(s, e, Style::Plain, names),
                    "unicode": render_named(s, e, Style::Unicode, names),
                    "latex": render_named(s, e, Style::Latex, names),
                }),
            });
            let mut obj = self.json_object(env, result);
            if self.cse {
                obj["bindings"] = Value::Array(
                    bindings
                        .iter()
                        .map(|(n, e)| {
                            json!({
                                "name": n,
                                "plain": render_named(s, *e, Style::Plain, names),
                                "unicode": render_named(s, *e, Style::Unicode, names),
                                "latex": render_named(s, *e, Style::Latex, names),
                            })
                        })
                        .collect(),
                );
            }
            return obj.to_string();
        }
        if bindings.is_empty() {
            return body(style);
        }
        if style == Style::Latex {
            let mut lines: Vec<String> = bindings
                .iter()
                .map(|(n, e)| {
                    format!(
                        "{} &= {}",
                        render_name(n, style),
                        render_named(s, *e, style, names)
                    )
                })
                .collect();
            lines.push(format!("\\text{{result}} &= {}", body(style)));
            return format!(
                "\\begin{{aligned}} {} \\end{{aligned}}",
                lines.join(" \\\\ ")
            );
        }
        let sep = if self.batch { "; " } else { "\n" };
        let mut parts: Vec<String> = bindings
            .iter()
            .map(|(n, e)| {
                format!(
                    "{} = {}",
                    render_name(n, style),
                    render_named(s, *e, style, names)
                )
            })
            .collect();
        parts.push(body(style));
        parts.join(sep)
    }

    /// `sni(x)` is allowed (an unknown function) but probably a typo: say so.
    fn unknown_function_hints(&self, s: &Store, fs: &[ExprId]) -> Vec<Diagnostic> {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        if !s.has(crate::expr::Seen::UnknownCall) {
            return Vec::new();
        }
        for n in s.postorder(fs) {
            if let Node::Call(Func::Unknown { name, .. }, _) = s.node(n) {
                let fname = s.name(*name);
                if let Some(sug) = parse::suggest_builtin(fname)
                    && !seen.iter().any(|(f, _)| *f == fname)
                {
                    seen.push((fname, sug));
                }
            }
        }
        seen.into_iter()
            .map(|(fname, sug)| {
                Diagnostic::warning(format!(
                    "`{fname}` is not a built-in function; it is treated as an unknown function"
                ))
                .with_note(format!("did you mean `{sug}`?"))
                .with_kind(Kind::UnknownFunction)
            })
            .collect()
    }

    /// Parses every `--given` into a validated set of constraints.
    fn constraints(&self, s: &mut Store, defs: &Defs) -> Result<Constraints, Diagnostic> {
        let mut items = Vec::new();
        let mut implicit = Vec::new();
        for (index, g) in self.given.iter().enumerate() {
            let shown = format!("--given {g}");
            let off = "--given ".len();
            let at = |span: std::ops::Range<usize>| span.start + off..span.end + off;
            let diag = |msg: String, span: std::ops::Range<usize>| {
                Diagnostic::error(msg).with_snippet("", &shown, at(span))
            };
            let Some(eq) = g.find('=') else {
                return Err(diag(
                    format!("--given needs the form VAR=EXPR, but `{g}` has no `=`"),
                    g.len()..g.len(),
                )
                .with_note(format!("for example --given {}=x", g.trim())));
            };
            let lhs = &g[..eq];
            let name = lhs.trim();
            if name.is_empty() {
                return Err(diag(
                    "--given needs a variable name before `=`".into(),
                    0..eq.max(1).min(g.len()),
                )
                .with_note("for example --given t=x"));
            }
            let lstart = lhs.len() - lhs.trim_start().len();
            if parse::var_name(name).is_none() && !matches!(name, "pi" | "π" | "e") {
                // Not `VAR = EXPR`: an implicit relation LHS = RHS, used as F = LHS - RHS = 0.
                // (`2=x` is a malformed constraint, not a relation: its left side has no variable.)
                if let (Ok(l), Ok(r)) = (parse::parse(s, lhs), parse::parse(s, &g[eq + 1..]))
                    && !s.free_symbols(&[l]).is_empty()
                {
                    let fr = s.sub(l, r);
                    let fr = defs
                        .expand(s, fr, false)
                        .map_err(|ce| diag(ce.message, 0..g.len()))?;
                    implicit.push((index, fr));
                    continue;
                }
            }
            let Some(name) = parse::var_name(name) else {
                return Err(diag(
                    format!("`{name}` is not a variable name, so it cannot be given a value"),
                    lstart..lstart + name.len(),
                )
                .with_note(
                    "the left side of --given is the variable that depends on others: --given t=x",
                ));
            };
            let name = name.as_str();
            let rhs = &g[eq + 1..];
            if rhs.trim().is_empty() {
                return Err(diag(
                    format!("--given {name}= needs an expression after `=`"),
                    g.len()..g.len(),
                ));
            }
            let e = match parse::parse(s, rhs) {
                Ok(e) => {
                    let e = defs
                        .expand(s, e, false)
                        .map_err(|ce| diag(ce.message, eq + 1..g.len()))?;
                    s.expand_sums(e).map_err(|m| diag(m, eq + 1..g.len()))?
                }
                Err(pe) => {
                    let span = pe.span.start + eq + 1..pe.span.end + eq + 1;
                    let mut d = diag(format!("in --given {name}=…: {}", pe.message), span);
                    for n in pe.notes {
                        d = d.with_note(n);
                    }
                    return Err(d);
                }
            };
            let n = s.intern_name(name);
            items.push(Constraint {
                name: n,
                rhs: e,
                index,
            });
        }
        let mut cons = Constraints::new(s, items).map_err(|e| self.constraint_diag(e))?;
        cons.implicit = implicit;
        Ok(cons)
    }

    fn constraint_diag(&self, e: ConstraintError) -> Diagnostic {
        let point = |i: usize| {
            let shown = format!("--given {}", self.given[i]);
            let len = shown.len();
            (shown, 8..len)
        };
        match e {
            ConstraintError::Cycle(idx) => {
                let chain: Vec<String> = idx.iter().map(|&i| self.given[i].clone()).collect();
                let (shown, span) = point(idx[0]);
                let msg = if idx.len() == 1 {
                    format!("the constraint {} refers to itself", self.given[idx[0]])
                } else {
                    format!("the constraints form a cycle: {}", chain.join(", "))
                };
                Diagnostic::error(msg)
                    .with_snippet("", &shown, span)
                    .with_note("each --given variable must be expressible in the others without going round in a circle")
            }
            ConstraintError::Duplicate { first, second } => {
                let (shown, span) = point(second);
                let name = self.given[second]
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                Diagnostic::error(format!("`{name}` is given twice"))
                    .with_snippet("", &shown, span)
                    .with_note(format!("first given as --given {}", self.given[first]))
            }
            ConstraintError::OnVariable(i) => {
                let (shown, span) = point(i);
                let name = self.given[i]
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                Diagnostic::error(format!(
                    "`{name}` is the variable of differentiation, so it cannot also be given"
                ))
                .with_snippet("", &shown, span)
                .with_note("a constraint says how another variable depends on it: --given t=x")
            }
        }
    }

    /// The warning that substituting after a partial derivative drops terms.
    fn substitution_warning(
        &self,
        s: &mut Store,
        cons: &Constraints,
        f: ExprId,
        vars: &[Name],
        o: &crate::calculus::PartialOutcome,
    ) -> (Diagnostic, Value) {
        let st = self.style();
        let show = |s: &Store, e: ExprId| render(s, e, st);
        let nm = |s: &Store, n: Name| render_name(s.name(n), Style::Unicode);
        // The constrained variables of f that depend on a variable of differentiation.
        let in_f = s.free_symbols(&[f]);
        let moving: Vec<&Constraint> = cons
            .items
            .iter()
            .filter(|c| {
                in_f.contains(&c.name)
                    && cons
                        .resolved(c.name)
                        .is_some_and(|r| s.free_symbols(&[r]).iter().any(|n| vars.contains(n)))
            })
            .collect();
        let names: Vec<String> = moving.iter().map(|c| nm(s, c.name)).collect();
        let how: Vec<String> = moving
            .iter()
            .map(|c| {
                let given = show(s, c.rhs);
                match cons.resolved(c.name) {
                    Some(r) if r != c.rhs => {
                        format!("{} = {given} = {}", nm(s, c.name), show(s, r))
                    }
                    _ => format!("{} = {given}", nm(s, c.name)),
                }
            })
            .collect();
        let mut xs: Vec<String> = Vec::new();
        for &v in vars {
            let x = nm(s, v);
            if !xs.contains(&x) {
                xs.push(x);
            }
        }
        let held = if names.len() == 1 {
            names[0].clone()
        } else {
            "them".into()
        };
        let ops: Vec<String> = xs.iter().map(|x| format!("∂/∂{x}")).collect();
        let message = format!(
            "{} {} on {} ({}), but {} {} {held} constant",
            names.join(" and "),
            if names.len() == 1 {
                "depends"
            } else {
                "depend"
            },
            xs.join(" and "),
            how.join(", "),
            ops.join(" and "),
            if ops.len() == 1 { "holds" } else { "hold" },
        );
        let mut notes = Vec::new();
        let mut dropped_json = Vec::new();
        if let [x] = vars {
            for d in &o.dropped {
                let v = nm(s, d.name);
                notes.push(format!(
                    "substituting after the partial derivative drops the term ∂f/∂{v}·d{v}/d{} = {}",
                    nm(s, *x),
                    show(s, d.term)
                ));
                dropped_json.push(json!({
                    "variable": s.name(d.name),
                    "given": self.given[d.index],
                    "df_dv": json::styles(s, d.df_dv),
                    "dv_dx": json::styles(s, d.dv_dx),
                    "term": json::styles(s, d.term),
                }));
            }
        } else {
            let diff = s.sub(o.total, o.result);
            let diff = s.tidy(diff);
            notes.push(format!(
                "substituting after the partial derivatives leaves out {}",
                show(s, diff)
            ));
        }
        notes.push(format!(
            "the total derivative is {} = {}  (use `deriv total`, or --substitute-first)",
            derivative_label(&vars.iter().map(|&v| nm(s, v)).collect::<Vec<_>>()),
            show(s, o.total)
        ));
        let mut d = Diagnostic::warning(&message);
        for n in &notes {
            d = d.with_note(n.clone());
        }
        let data = json!({
            "kind": "substitution-after-partial",
            "message": message,
            "notes": notes,
            "dropped": dropped_json,
            "total": json::styles(s, o.total),
        });
        (d, data)
    }
}

/// `df/dx`, `d²f/dx²`, `d³f/dx²dy` for the variables differentiated by, in order.
fn derivative_label(xs: &[String]) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for x in xs {
        match groups.last_mut() {
            Some((y, k)) if y == x => *k += 1,
            _ => groups.push((x.clone(), 1)),
        }
    }
    let order = if xs.len() > 1 {
        superscript_count(xs.len())
    } else {
        String::new()
    };
    let den: String = groups
        .iter()
        .map(|(x, k)| {
            if *k > 1 {
                format!("d{x}{}", superscript_count(*k))
            } else {
                format!("d{x}")
            }
        })
        .collect();
    format!("d{order}f/{den}")
}

/// The `--at` point as doubles (its values are checked numbers; NaN if one has none).
fn doubles(s: &Store, p: &[(Name, ExprId)]) -> FxHashMap<Name, f64> {
    p.iter()
        .map(|&(n, v)| (n, eval(s, v, &|_| None).unwrap_or(f64::NAN)))
        .collect()
}

/// The lines of a definitions or values file that hold something, each with its
/// `FILE:LINE` label; `#` starts a comment.
fn file_lines(f: &std::path::Path, what: &str) -> Result<Vec<(String, String)>, Diagnostic> {
    let text = std::fs::read_to_string(f).map_err(|e| {
        Diagnostic::error(format!("cannot read the {what} file {}: {e}", f.display()))
    })?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, line)| (i, line.split('#').next().unwrap_or("").trim_end()))
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (format!("{}:{}", f.display(), i + 1), line.to_string()))
        .collect())
}

/// `[a, [b, c]]` as indexed values: name[1] = a, name[2,1] = b, ... (1-based); a plain
/// value is the name's own.
fn flatten_array<'a>(
    name: &str,
    text: &'a str,
    at: &mut Vec<usize>,
    out: &mut Vec<(String, &'a str)>,
) {
    let t = text.trim();
    match t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => {
            for (i, item) in parse::split_top(inner, ',').into_iter().enumerate() {
                at.push(i + 1);
                flatten_array(name, item, at, out);
                at.pop();
            }
        }
        None if at.is_empty() => out.push((name.to_string(), t)),
        None => {
            let idx: Vec<String> = at.iter().map(|k| k.to_string()).collect();
            out.push((format!("{name}[{}]", idx.join(",")), t));
        }
    }
}

/// `--wrt` items, split at commas outside brackets (`w[*,*],v[*]`).
fn split_list(w: Option<String>) -> Option<Vec<String>> {
    w.map(|w| {
        parse::split_top(&w, ',')
            .into_iter()
            .map(|p| p.trim().to_string())
            .collect()
    })
}

fn superscript_count(n: usize) -> String {
    let digits = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"];
    n.to_string()
        .chars()
        .map(|c| digits[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

fn parse_diag(e: ParseError, label: &str, text: &str) -> Diagnostic {
    let mut d = Diagnostic::error(e.message).with_snippet(label, text, e.span);
    for n in e.notes {
        d = d.with_note(n);
    }
    d
}
