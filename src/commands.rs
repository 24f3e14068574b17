//! Running a request: parse each expression, apply the constraints, differentiate, and
//! print in the chosen format; one answer per expression, diagnostics to stderr.

use crate::calculus::{Constraint, ConstraintError, Constraints, partial};
use crate::cli::{Cli, ColorChoice, Command, Format, GivenArgs};
use crate::diagnostic::Diagnostic;
use crate::eval::numerically_equal;
use crate::expr::{ExprId, Func, Name, Node, Store};
use crate::parse::{self, ParseError};
use crate::print::{Style, json, render, render_name};
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
    Simplify,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Partial { .. } => "partial",
            Op::Total => "total",
            Op::Simplify => "simplify",
        }
    }
}

/// A validated request: the same work for every expression.
struct Job {
    op: Op,
    vars: Vec<String>,
    given: Vec<String>,
    format: Format,
    color: bool,
    max_nodes: usize,
}

/// One expression's answer: the output line and the warnings.
struct Answer {
    line: String,
    warnings: Vec<Diagnostic>,
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
    let (op, expr, vars, given) = match cli.command {
        Command::Partial(a) => (
            Op::Partial {
                substitute_first: a.substitute_first,
            },
            a.expr.expr,
            a.vars,
            a.given,
        ),
        Command::Total(a) => (Op::Total, a.expr.expr, a.vars, a.given),
        Command::Simplify(a) => (Op::Simplify, a.expr.expr, Vec::new(), a.given),
    };
    let mut job = Job {
        op,
        vars,
        given: Vec::new(),
        format,
        color,
        max_nodes: cli.global.max_nodes,
    };
    if let Err(d) = job.check(given) {
        err.write_all(d.render(color).as_bytes())?;
        return Ok(1);
    }
    if expr == "-" {
        return job.batch(stdin, out, err);
    }
    let text = match expr.into_string() {
        Ok(t) => t,
        Err(raw) => {
            let d = Diagnostic::error(format!(
                "the expression is not valid UTF-8: {}",
                raw.to_string_lossy()
            ));
            err.write_all(d.render(color).as_bytes())?;
            return Ok(1);
        }
    };
    match job.answer(&text, "1") {
        Ok(a) => {
            for w in &a.warnings {
                err.write_all(w.render(color).as_bytes())?;
            }
            out.write_all(a.line.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
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
    /// Checks what does not depend on the expression: variable names, `--given` UTF-8.
    fn check(&mut self, given: GivenArgs) -> Result<(), Diagnostic> {
        for v in &self.vars {
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
        for g in given.given {
            let g: OsString = g;
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
                    .answer(text, &label)
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
                    for w in &a.warnings {
                        err.write_all(w.render(self.color).as_bytes())?;
                    }
                    out.write_all(a.line.as_bytes())?;
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

    /// The answer for one expression, or the diagnostics that explain why there is none.
    fn answer(&self, text: &str, label: &str) -> Result<Answer, Vec<Diagnostic>> {
        let mut store = Store::new();
        store.set_max_nodes(self.max_nodes);
        let s = &mut store;
        let f = parse::parse(s, text).map_err(|e| vec![parse_diag(e, label, text)])?;
        let mut warnings = self.unknown_function_hints(s, f);
        let cons = self.constraints(s).map_err(|d| vec![d])?;
        let vars: Vec<Name> = self.vars.iter().map(|v| s.intern_name(v)).collect();
        for &v in &vars {
            cons.check_var(v)
                .map_err(|e| vec![self.constraint_diag(e, s)])?;
        }
        let (result, warning) = match self.op {
            Op::Simplify => (cons.substitute(s, f), None),
            Op::Total => (cons.total(s, f, &vars), None),
            Op::Partial {
                substitute_first: true,
            } => (cons.total(s, f, &vars), None),
            Op::Partial { .. } if cons.is_empty() => {
                let mut r = f;
                for &v in &vars {
                    r = partial(s, r, v);
                }
                (r, None)
            }
            Op::Partial { .. } => {
                let o = cons.partial_then_substitute(s, f, &vars);
                let differs = o.result != o.total
                    && !s.is_undefined(o.total)
                    && numerically_equal(s, o.result, o.total) != Some(true);
                let w = differs.then(|| self.substitution_warning(s, &cons, &vars, &o));
                (o.result, w)
            }
        };
        let result = s.tidy(result);
        if s.is_undefined(result) {
            let why = s
                .fault
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_else(|| "undefined".into());
            return Err(vec![
                Diagnostic::error(format!("the result is undefined: {why}")).with_snippet(
                    label,
                    text,
                    0..text.len(),
                ),
            ]);
        }
        if let Some((w, data)) = warning {
            warnings.push(w);
            return Ok(Answer {
                line: self.format_result(s, text, result, Some(data)),
                warnings,
            });
        }
        Ok(Answer {
            line: self.format_result(s, text, result, None),
            warnings,
        })
    }

    fn format_result(&self, s: &Store, input: &str, r: ExprId, warning: Option<Value>) -> String {
        match self.format {
            Format::Plain => render(s, r, Style::Plain),
            Format::Unicode => render(s, r, Style::Unicode),
            Format::Latex => render(s, r, Style::Latex),
            Format::Json => {
                let constraints: Vec<Value> = self
                    .given
                    .iter()
                    .map(|g| {
                        let (v, e) = g.split_once('=').unwrap_or((g, ""));
                        json!({"variable": v.trim(), "expr": e.trim()})
                    })
                    .collect();
                json!({
                    "version": 1,
                    "input": input,
                    "operation": self.op.name(),
                    "variables": self.vars,
                    "constraints": constraints,
                    "substitute_first": matches!(self.op, Op::Partial { substitute_first: true }),
                    "result": json::styles(s, r),
                    "warnings": warning.into_iter().collect::<Vec<_>>(),
                })
                .to_string()
            }
        }
    }

    /// `sni(x)` is allowed (an unknown function) but probably a typo: say so.
    fn unknown_function_hints(&self, s: &Store, f: ExprId) -> Vec<Diagnostic> {
        let mut seen = Vec::new();
        for n in s.postorder(&[f]) {
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
        Constraints::new(s, items).map_err(|e| self.constraint_diag(e, s))
    }

    fn constraint_diag(&self, e: ConstraintError, s: &Store) -> Diagnostic {
        let _ = s;
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
        vars: &[Name],
        o: &crate::calculus::PartialOutcome,
    ) -> (Diagnostic, Value) {
        let st = self.style();
        let show = |s: &Store, e: ExprId| render(s, e, st);
        let nm = |s: &Store, n: Name| render_name(s.name(n), Style::Unicode);
        // The constrained variables that depend on a variable of differentiation.
        let moving: Vec<&Constraint> = cons
            .items
            .iter()
            .filter(|c| {
                cons.resolved(c.name)
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
        let mut xs: Vec<String> = vars.iter().map(|&v| nm(s, v)).collect();
        xs.dedup();
        let held = if names.len() == 1 {
            names[0].clone()
        } else {
            "them".into()
        };
        let message = format!(
            "{} {} on {} ({}), but ∂ holds {held} constant",
            names.join(" and "),
            if names.len() == 1 {
                "depends"
            } else {
                "depend"
            },
            xs.join(" and "),
            how.join(", "),
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
