//! Running a request: parse each expression, apply the constraints, differentiate, and
//! print in the chosen format; one answer per expression, diagnostics to stderr.

use crate::calculus::check::{self, CheckReport, Point};
use crate::calculus::{Constraint, ConstraintError, Constraints, partial};
use crate::cli::{Cli, ColorChoice, Command, Common, Format};
use crate::diagnostic::Diagnostic;
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
        }
    }
}

/// A result that unfolds to more nodes than this is refused without `--cse` (its text would
/// run past a gigabyte): see docs/limits.md.
pub const MAX_PRINTED_NODES: u64 = 200_000_000;

/// A validated request: the same work for every expression.
struct Job {
    op: Op,
    vars: Vec<String>,
    wrt: Option<Vec<String>>,
    given: Vec<String>,
    at: Option<String>,
    cse: bool,
    check: bool,
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

/// One expression's answer: the output line(s) and what goes to stderr.
struct Answer {
    text: String,
    warnings: Vec<Diagnostic>,
    /// `check: ok ...` for --check
    check_line: Option<String>,
}

/// Runs the command; returns the exit status (0 ok, 1 some input rejected).
pub fn run(
    cli: Cli,
    term: &Terminal,
    stdin: &mut dyn BufRead,
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
        Command::Total(a) => (Op::Total, vec![a.expr.expr], a.vars, None, a.common),
        Command::Differential(a) => (
            Op::Differential,
            vec![a.expr.expr],
            Vec::new(),
            None,
            a.common,
        ),
        Command::Grad(a) => (Op::Grad, vec![a.expr.expr], Vec::new(), a.wrt, a.common),
        Command::Hessian(a) => (Op::Hessian, vec![a.expr.expr], Vec::new(), a.wrt, a.common),
        Command::Jacobian(a) => (Op::Jacobian, a.exprs, Vec::new(), a.wrt, a.common),
        Command::Simplify(a) => (Op::Simplify, vec![a.expr.expr], Vec::new(), None, a.common),
        Command::Eval(a) => (Op::Eval, vec![a.expr.expr], Vec::new(), None, a.common),
        #[allow(unreachable_patterns)]
        _ => unreachable!("handled by tools::run_tool"),
    };
    let batch = exprs.len() == 1 && exprs[0] == "-";
    let mut job = Job {
        op,
        vars,
        wrt,
        given: Vec::new(),
        at: common.at,
        cse: common.cse,
        check: common.check,
        format,
        color,
        max_nodes: cli.global.max_nodes,
        batch,
    };
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
    /// Checks what does not depend on the expression, once, before any input is read:
    /// variable names, the `--given` constraints (syntax, cycles), the `--at` syntax.
    /// Fails with the diagnostic and the exit status: 2 for a misuse of the command line,
    /// 1 for a rejected input.
    fn check_arguments(&mut self, given: Vec<OsString>) -> Result<(), Box<(Diagnostic, i32)>> {
        self.check_inputs(given).map_err(|d| Box::new((d, 1)))?;
        if self.op == Op::Eval && self.at.is_none() {
            return Err(Box::new((
                Diagnostic::error("eval needs a point: --at x=1,y=2"),
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
        let all_vars: Vec<String> = self
            .vars
            .iter()
            .chain(self.wrt.iter().flatten())
            .cloned()
            .collect();
        for v in &all_vars {
            if !parse::is_name(v) {
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
        let cons = self.constraints(&mut s)?;
        for v in &all_vars {
            let n = s.intern_name(v);
            cons.check_var(n).map_err(|e| self.constraint_diag(e))?;
        }
        if let Some(p) = self.point(&mut s)? {
            // A constrained variable takes its value from its constraint.
            for (n, _) in p {
                if let Some(c) = cons.items.iter().find(|c| c.name == n) {
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
        stdin: &mut dyn BufRead,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<i32> {
        let mut status = 0;
        let mut line = Vec::new();
        let mut n = 0usize;
        loop {
            line.clear();
            if stdin.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            n += 1;
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let label = n.to_string();
            let result = match std::str::from_utf8(&line) {
                Ok(text) => self
                    .answer(&[text], &label)
                    .map_err(|ds| (ds, text.to_string())),
                Err(e) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    let at = e.valid_up_to();
                    let d = Diagnostic::error(format!(
                        "line {n} is not valid UTF-8 (byte 0x{:02X})",
                        line[at]
                    ))
                    .with_snippet(&label, &text, at..at + 1);
                    Err((vec![d], text))
                }
            };
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
            // A coprocess sees each answer at once; a bulk run is not flushed per line.
            if stdin.fill_buf().map(|b| b.is_empty()).unwrap_or(true) {
                out.flush()?;
            }
        }
        out.flush()?;
        Ok(status)
    }

    /// The variables a vector command differentiates by.
    fn wrt_names(&self, s: &mut Store, fs: &[ExprId]) -> Vec<Name> {
        match &self.wrt {
            Some(w) => w.iter().map(|v| s.intern_name(v)).collect(),
            None => s.free_symbols(fs),
        }
    }

    /// The answer for one expression (several for `jacobian`), or the diagnostics that
    /// explain why there is none.
    fn answer(&self, texts: &[&str], label: &str) -> Result<Answer, Vec<Diagnostic>> {
        let mut store = Store::new();
        store.set_max_nodes(self.max_nodes);
        let s = &mut store;
        let mut fs = Vec::new();
        for text in texts {
            fs.push(parse::parse(s, text).map_err(|e| vec![parse_diag(e, label, text)])?);
        }
        let text = texts.join(", ");
        let f = fs[0];
        let mut warnings = self.unknown_function_hints(s, &fs);
        let cons = self.constraints(s).map_err(|d| vec![d])?;
        let vars: Vec<Name> = self.vars.iter().map(|v| s.intern_name(v)).collect();
        let undefined = |s: &Store, what: &str| {
            let why = s
                .fault
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_else(|| "undefined".into());
            let msg = match s.fault {
                Some(crate::expr::Fault::TooLarge { .. }) => why,
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
        let shape = match self.op {
            Op::Simplify | Op::Eval => Shape::Scalar(subs[0]),
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
            Op::Grad => {
                let names = self.wrt_names(s, &subs);
                Shape::Vector(
                    names
                        .iter()
                        .map(|&v| chain(s, subs[0], &[v], &mut steps))
                        .collect(),
                )
            }
            Op::Hessian => {
                let names = self.wrt_names(s, &subs);
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
                let names = self.wrt_names(s, &subs);
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
        if shape.entries().iter().any(|&e| s.is_undefined(e)) {
            return Err(undefined(s, "the result"));
        }
        let point = self.point(s).map_err(|d| vec![d])?;
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
                self.run_check(s, &steps, point.as_ref())
                    .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?,
            )
        } else {
            None
        };
        if let Some((w, _)) = &warning {
            warnings.push(w.clone());
        }
        let warning_data = warning.map(|(_, data)| data);
        let text_out = match &point {
            Some(p) => self
                .format_at(s, &text, &shape, p, warning_data, &warnings)
                .map_err(|d| vec![d.with_snippet(label, &text, 0..text.len())])?,
            None => self.format_result(s, &text, &shape, warning_data, &warnings),
        };
        // JSON names the columns of a gradient, Hessian or Jacobian, and lists a
        // Jacobian's expressions one by one.
        let text_out = if self.format == Format::Json
            && matches!(self.op, Op::Grad | Op::Hessian | Op::Jacobian)
        {
            let names = self.wrt_names(s, &subs);
            let mut obj: Value = serde_json::from_str(&text_out).unwrap_or_default();
            obj["wrt"] = json!(names.iter().map(|&n| s.name(n)).collect::<Vec<_>>());
            if self.op == Op::Jacobian {
                obj["input"] = json!(texts);
            }
            obj.to_string()
        } else {
            text_out
        };
        Ok(Answer {
            text: text_out,
            warnings,
            check_line,
        })
    }

    /// The `--at` point: each variable's value as an expression (`x=pi/2` stays exact).
    fn point(&self, s: &mut Store) -> Result<Option<Vec<(Name, ExprId)>>, Diagnostic> {
        let Some(at) = &self.at else { return Ok(None) };
        let shown = format!("--at {at}");
        let mut out = Vec::new();
        let mut offset = 0;
        for part in at.split(',') {
            let start = offset;
            offset += part.len() + 1;
            let diag = |msg: String, span: std::ops::Range<usize>| {
                Diagnostic::error(msg).with_snippet(
                    "",
                    &shown,
                    span.start + 5 + start..span.end + 5 + start,
                )
            };
            let Some(eq) = part.find('=') else {
                return Err(diag(
                    format!("--at needs VAR=VALUE, but `{part}` has no `=`"),
                    0..part.len().max(1),
                )
                .with_note("for example --at x=1,y=2"));
            };
            let name = part[..eq].trim();
            if !parse::is_name(name) || matches!(name, "pi" | "π" | "e") {
                return Err(diag(
                    format!("`{name}` is not a variable name"),
                    0..eq.max(1),
                ));
            }
            let v = parse::parse(s, &part[eq + 1..]).map_err(|e| {
                diag(
                    format!("in --at {name}=…: {}", e.message),
                    e.span.start + eq + 1..e.span.end + eq + 1,
                )
            })?;
            if !s.free_symbols(&[v]).is_empty() {
                return Err(diag(
                    format!("the value of `{name}` must be a number"),
                    eq + 1..part.len(),
                ));
            }
            let n = s.intern_name(name);
            if out.iter().any(|(m, _)| *m == n) {
                return Err(diag(format!("`{name}` is given two values"), 0..part.len()));
            }
            out.push((n, v));
        }
        Ok(Some(out))
    }

    /// `--check`: every derivative step against a difference quotient.
    fn run_check(
        &self,
        s: &Store,
        steps: &[(ExprId, Name, ExprId)],
        point: Option<&Vec<(Name, ExprId)>>,
    ) -> Result<String, Diagnostic> {
        let names = s.free_symbols(
            &steps
                .iter()
                .flat_map(|&(g, _, d)| [g, d])
                .collect::<Vec<_>>(),
        );
        let points: Vec<Point> = match point {
            Some(p) => {
                let mut q = Vec::new();
                for &(n, v) in p {
                    let x = eval(s, v, &|_| None).map_err(|_| {
                        Diagnostic::error("--check: a value in --at cannot be evaluated")
                    })?;
                    q.push((n, x));
                }
                vec![q]
            }
            None => check::random_points(&names, 3, 0xC0FFEE),
        };
        let report: CheckReport = check::check_chain(s, steps, &points);
        if report.points == 0 {
            return Ok("check: skipped (the derivative could not be evaluated at any point: unknown functions or outside the domain)\n".into());
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
                plural(points.len(), "point"),
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
        .with_note("this is a bug in deriv; please report it with the command"))
    }

    /// The result with the `--at` values put in: exact when it folds to a number, else a
    /// double.
    fn format_at(
        &self,
        s: &mut Store,
        input: &str,
        shape: &Shape,
        p: &[(Name, ExprId)],
        warning: Option<Value>,
        others: &[Diagnostic],
    ) -> Result<String, Diagnostic> {
        let map: FxHashMap<Name, ExprId> = p.iter().copied().collect();
        let mut values: FxHashMap<ExprId, (Option<ExprId>, f64)> = FxHashMap::default();
        for e in shape.entries() {
            let v = s.substitute(e, &map);
            if s.is_undefined(v) {
                let why = s.fault.as_ref().map(|f| f.to_string()).unwrap_or_default();
                return Err(Diagnostic::error(format!(
                    "the result is undefined at this point: {why}"
                ))
                .with_note(format!("the result is {}", render(s, e, Style::Plain))));
            }
            let x = eval(s, v, &|_| None).map_err(|err| match err {
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
            });
            let x = match x {
                Ok(x) => x,
                // An exact number needs no evaluation (it may be too large for a double).
                Err(_) if s.as_num(v).is_some() => f64::NAN,
                Err(d) => return Err(d),
            };
            let exact = s.as_num(v).is_some().then_some(v);
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
                self.json_object(input, result, warning, others)
            }
        })
    }

    fn json_object(
        &self,
        input: &str,
        result: Value,
        warning: Option<Value>,
        others: &[Diagnostic],
    ) -> String {
        let constraints: Vec<Value> = self
            .given
            .iter()
            .map(|g| {
                let (v, e) = g.split_once('=').unwrap_or((g, ""));
                json!({"variable": v.trim(), "expr": e.trim()})
            })
            .collect();
        let mut warnings: Vec<Value> = warning.into_iter().collect();
        for d in others {
            if d.message.contains("unknown function") {
                warnings.push(
                    json!({"kind": "unknown-function", "message": d.message, "notes": d.notes}),
                );
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
        if let Some(w) = &self.wrt {
            obj["wrt"] = json!(w);
        }
        if let Some(at) = &self.at {
            obj["at"] = json!(at);
        }
        obj.to_string()
    }

    fn format_result(
        &self,
        s: &Store,
        input: &str,
        shape: &Shape,
        warning: Option<Value>,
        others: &[Diagnostic],
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
            Some(cse::plan(s, &entries, &taken))
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
            let mut obj: Value =
                serde_json::from_str(&self.json_object(input, result, warning, others))
                    .unwrap_or_default();
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

    fn unknown_function_hints(&self, s: &Store, fs: &[ExprId]) -> Vec<Diagnostic> {
        let mut seen = Vec::new();
        for n in s.postorder(fs) {
            if let Node::Call(Func::Unknown { name, .. }, _) = s.node(n) {
                let fname = s.name(*name);
                if let Some(sug) = parse::suggest_builtin(fname) {
                    if !seen.contains(&fname) {
                        seen.push(fname);
                    }
                    let _ = sug;
                }
            }
        }
        seen.into_iter()
            .map(|fname| {
                Diagnostic::warning(format!(
                    "`{fname}` is not a built-in function; it is treated as an unknown function"
                ))
                .with_note(format!(
                    "did you mean `{}`?",
                    parse::suggest_builtin(fname).unwrap_or_default()
                ))
            })
            .collect()
    }

    /// Parses every `--given` into a validated set of constraints.
    fn constraints(&self, s: &mut Store) -> Result<Constraints, Diagnostic> {
        let mut items = Vec::new();
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
            if !parse::is_name(name) || matches!(name, "pi" | "π" | "e") {
                return Err(diag(
                    format!("`{name}` is not a variable name, so it cannot be given a value"),
                    lstart..lstart + name.len(),
                )
                .with_note(
                    "the left side of --given is the variable that depends on others: --given t=x",
                ));
            }
            let rhs = &g[eq + 1..];
            if rhs.trim().is_empty() {
                return Err(diag(
                    format!("--given {name}= needs an expression after `=`"),
                    g.len()..g.len(),
                ));
            }
            let e = match parse::parse(s, rhs) {
                Ok(e) => e,
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
        Constraints::new(s, items).map_err(|e| self.constraint_diag(e))
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
