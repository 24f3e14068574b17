//! Inputs: the option texts of a request (`--let`/`--defs`, `--given`, `--at`/`--at-file`,
//! the variables) parsed once, into a store that every expression of the run starts from,
//! and checked together. A diagnostic points into the option it came from.

use super::Failure;
use super::request::{DefSource, Request};
use anyhow::Context;
use deriv::calculus::{Constraint, ConstraintError, Constraints};
use deriv::defs::Defs;
use deriv::diagnostic::Diagnostic;
use deriv::expr::{ExprId, Name, Store};
use deriv::parse;
use std::ops::Range;

/// A point: each variable's value as an exact expression (`x=pi/2` stays exact).
pub type Point = Vec<(Name, ExprId)>;

/// Everything but the expressions, parsed.
pub struct Inputs {
    /// Holds the definitions, constraints and point; each expression gets a copy.
    store: Store,
    pub defs: Defs,
    /// The definitions as written (for a failed check's note).
    pub def_texts: Vec<String>,
    pub cons: Constraints,
    /// The `--given` texts, for messages and JSON (a constraint's `index` points here).
    pub given: Vec<String>,
    pub point: Option<Point>,
    /// The variables of differentiation, canonically spelled (`w[1,2]`), and interned.
    pub var_texts: Vec<String>,
    pub vars: Vec<Name>,
    /// `--wrt`, canonically spelled.
    pub wrt: Option<Vec<String>>,
    pub dependent: Option<String>,
    /// The `--at-file` as written, for writing it back with new values.
    pub at_text: Option<String>,
    /// `--data`: the samples.
    pub data: Option<super::data::Data>,
}

impl Inputs {
    pub fn prepare(req: &Request, max_nodes: u64) -> Result<Inputs, Failure> {
        let fail = |d: Diagnostic| Failure::Input(vec![d]);
        let mut s = Store::new();
        s.set_max_nodes(max_nodes);
        let at_text = match &req.at_file {
            Some(f) => Some(source_text(f, req, "values").map_err(fail)?),
            None => None,
        };
        let at_lines = match (&req.at_file, &at_text) {
            (Some(f), Some(t)) => text_lines(&shown(f), t),
            _ => Vec::new(),
        };
        let data = match &req.samples.data {
            Some(f) => {
                let text = source_text(f, req, "data").map_err(fail)?;
                let columns = req.samples.columns.as_deref();
                Some(super::data::parse(&text, &shown(f), columns).map_err(fail)?)
            }
            None => None,
        };
        let mut def_lines = Vec::new();
        for d in &req.defs {
            match d {
                DefSource::Let(t) => def_lines.push(("--let".to_string(), t.clone())),
                DefSource::File(f) => {
                    let text = source_text(f, req, "definitions").map_err(fail)?;
                    def_lines.extend(text_lines(&shown(f), &text));
                }
            }
        }
        let canonical = |v: &String| parse::var_name(v).unwrap_or_else(|| v.clone());
        let var_texts: Vec<String> = req.vars.iter().map(canonical).collect();
        let wrt: Option<Vec<String>> = req.wrt.as_ref().map(|w| w.iter().map(canonical).collect());
        check_variable_names(&var_texts, wrt.as_deref()).map_err(fail)?;
        let defs = definitions(&mut s, &def_lines).map_err(fail)?;
        let mut inputs = Inputs {
            store: s,
            defs,
            def_texts: def_lines.into_iter().map(|(_, t)| t).collect(),
            cons: Constraints::default(),
            given: req.given.clone(),
            point: None,
            var_texts,
            vars: Vec::new(),
            wrt,
            dependent: req.dependent.clone(),
            at_text,
            data,
        };
        inputs.cons = inputs.constraints().map_err(fail)?;
        inputs.check_constraints(req).map_err(fail)?;
        inputs.point = inputs.point(&req.at, &at_lines).map_err(fail)?;
        inputs.check_point().map_err(fail)?;
        let s = &mut inputs.store;
        inputs.vars = inputs.var_texts.iter().map(|v| s.intern_name(v)).collect();
        Ok(inputs)
    }

    /// A store to answer one expression in, holding everything parsed here.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    fn check_constraints(&mut self, req: &Request) -> Result<(), Diagnostic> {
        let rels = &self.cons;
        if let Some(d) = &self.dependent {
            let why = match parse::reserved(d) {
                Some(what) => Some(format!("`{d}` is {what}, not a variable")),
                None if parse::var_name(d).is_none() => {
                    Some(format!("`{d}` is not a variable name"))
                }
                None => None,
            };
            if let Some(why) = why {
                return Err(Diagnostic::error(format!("--dependent {d}: {why}"))
                    .with_note("--dependent names the variable a relation makes depend on x: --dependent y"));
            }
        }
        if let (Some(d), true) = (&self.dependent, rels.implicit.is_empty()) {
            return Err(Diagnostic::error(format!(
                "--dependent {d} needs an implicit relation, such as --given 'x^2 + {d}^2 = 1'"
            )));
        }
        if let Some(&(i, _)) = rels.implicit.first()
            && req.op != super::request::Op::Total
        {
            return Err(Diagnostic::error(format!(
                "--given {} is an implicit relation; `deriv total` differentiates with it",
                self.given[i]
            )));
        }
        let patterns = self.wrt.clone().unwrap_or_default();
        let names: Vec<&String> = self
            .var_texts
            .iter()
            .chain(&patterns)
            .filter(|v| !(v.contains('*') && patterns.contains(v)))
            .collect();
        for v in &names {
            if self.defs.is_constant(self.store.intern_name(v)) {
                return Err(Diagnostic::error(format!(
                    "`{v}` is a constant defined with --let, so it cannot be differentiated by"
                )));
            }
        }
        for v in &names {
            let n = self.store.intern_name(v);
            self.cons
                .check_var(n)
                .map_err(|e| self.constraint_diag(e))?;
        }
        Ok(())
    }

    /// A constrained variable takes its value from its constraint, not from `--at`.
    fn check_point(&self) -> Result<(), Diagnostic> {
        for (n, _) in self.point.iter().flatten() {
            if let Some(c) = self.cons.items.iter().find(|c| c.name == *n) {
                return Err(Diagnostic::error(format!(
                    "`{}` has a value from --given {}, so --at cannot give it another",
                    self.store.name(*n),
                    self.given[c.index]
                ))
                .with_note("give values to the independent variables only"));
            }
        }
        Ok(())
    }

    /// Parses every `--given` into a validated set of constraints.
    fn constraints(&mut self) -> Result<Constraints, Diagnostic> {
        let mut items = Vec::new();
        let mut implicit = Vec::new();
        for index in 0..self.given.len() {
            match self.constraint(index)? {
                Given::Explicit(c) => items.push(c),
                Given::Implicit(f) => implicit.push((index, f)),
            }
        }
        let mut cons =
            Constraints::new(&mut self.store, items).map_err(|e| self.constraint_diag(e))?;
        cons.implicit = implicit;
        Ok(cons)
    }

    /// One `--given`: `VAR=EXPR`, or a relation `LHS = RHS` used as F = LHS - RHS = 0.
    fn constraint(&mut self, index: usize) -> Result<Given, Diagnostic> {
        let g = self.given[index].as_str();
        let s = &mut self.store;
        let defs = &self.defs;
        let shown = format!("--given {g}");
        let off = "--given ".len();
        let diag = |msg: String, span: Range<usize>| {
            Diagnostic::error(msg).with_snippet("", &shown, span.start + off..span.end + off)
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
        if let Some(what) = parse::reserved(name) {
            return Err(diag(
                format!("`{name}` is {what}, so it cannot be given a value"),
                lstart..lstart + name.len(),
            )
            .with_note(
                "the left side of --given is the variable that depends on others: --given t=x",
            ));
        }
        if parse::var_name(name).is_none() && !matches!(name, "pi" | "π" | "e") {
            // (`2=x` is a malformed constraint, not a relation: its left side has no variable.)
            if let (Ok(l), Ok(r)) = (parse::parse(s, lhs), parse::parse(s, &g[eq + 1..]))
                && !s.free_symbols(&[l]).is_empty()
            {
                let fr = s.sub(l, r);
                let fr = defs
                    .expand(s, fr, false)
                    .map_err(|ce| diag(ce.message, 0..g.len()))?;
                return Ok(Given::Implicit(fr));
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
                s.expand_sums(e)
                    .map_err(|se| diag(deriv::diagnostic::sum_message(s, &se), eq + 1..g.len()))?
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
        Ok(Given::Explicit(Constraint {
            name: s.intern_name(&name),
            rhs: e,
            index,
        }))
    }

    pub fn constraint_diag(&self, e: ConstraintError) -> Diagnostic {
        let shown = |i: usize| format!("--given {}", self.given[i]);
        let whole = |i: usize| 8..shown(i).len();
        let name = |i: usize| {
            let g = &self.given[i];
            g.split('=').next().unwrap_or("").trim().to_string()
        };
        match e {
            ConstraintError::Cycle(idx) => {
                let chain: Vec<&str> = idx.iter().map(|&i| self.given[i].as_str()).collect();
                let msg = if idx.len() == 1 {
                    format!("the constraint {} refers to itself", self.given[idx[0]])
                } else {
                    format!("the constraints form a cycle: {}", chain.join(", "))
                };
                Diagnostic::error(msg)
                    .with_snippet("", &shown(idx[0]), whole(idx[0]))
                    .with_note("each --given variable must be expressible in the others without going round in a circle")
            }
            ConstraintError::Duplicate { first, second } => {
                Diagnostic::error(format!("`{}` is given twice", name(second)))
                    .with_snippet("", &shown(second), whole(second))
                    .with_note(format!("first given as --given {}", self.given[first]))
            }
            ConstraintError::OnVariable(i) => {
                let v = name(i);
                let rhs = self.given[i].split_once('=').map_or("", |(_, r)| r.trim());
                let note = match parse::var_name(rhs) {
                    // `partial ... t --given t=x`: the user meant t to follow x.
                    Some(x) => format!(
                        "to let {v} follow {x}, differentiate by {x}: `deriv total EXPR {x} --given {v}={x}`"
                    ),
                    None => format!(
                        "a constraint makes another variable depend on {v}, such as --given s={v}^2"
                    ),
                };
                Diagnostic::error(format!(
                    "`{v}` is the variable of differentiation, so it cannot also be given"
                ))
                .with_snippet("", &shown(i), whole(i))
                .with_note(note)
            }
        }
    }

    /// The `--at` point, from `--at-file` lines and `--at` items in that order.
    fn point(
        &mut self,
        at: &[String],
        at_lines: &[(String, String)],
    ) -> Result<Option<Point>, Diagnostic> {
        if at.is_empty() && at_lines.is_empty() {
            return Ok(None);
        }
        // (label, the text shown, the item, its offset in the text shown)
        let mut items: Vec<(String, String, String, usize)> = Vec::new();
        for (label, line) in at_lines {
            items.push((label.clone(), line.clone(), line.clone(), 0));
        }
        for at in at {
            let shown = format!("--at {at}");
            let mut offset = 5;
            for part in parse::split_top(at, ',') {
                items.push((String::new(), shown.clone(), part.to_string(), offset));
                offset += part.len() + 1;
            }
        }
        let mut out: Point = Vec::new();
        // Names already given, so that 300,000 lines are checked in linear time.
        let mut given = rustc_hash::FxHashSet::default();
        for (label, shown, part, start) in items {
            self.point_item(&label, &shown, &part, start, &mut out, &mut given)?;
        }
        Ok(Some(out))
    }

    /// One `VAR=VALUE` item of a point (`w=[[1,2],[3,4]]` gives w[1,1] = 1, ...).
    fn point_item(
        &mut self,
        label: &str,
        shown: &str,
        part: &str,
        start: usize,
        out: &mut Point,
        given: &mut rustc_hash::FxHashSet<Name>,
    ) -> Result<(), Diagnostic> {
        let s = &mut self.store;
        let diag = |msg: String, span: Range<usize>| {
            Diagnostic::error(msg).with_snippet(label, shown, span.start + start..span.end + start)
        };
        let Some(eq) = part.find('=') else {
            return Err(diag(
                format!("a value needs VAR=VALUE, but `{part}` has no `=`"),
                0..part.len().max(1),
            )
            .with_note("for example --at x=1,y=2, or w=[0.5,1] for w[1] and w[2]"));
        };
        let name_text = part[..eq].trim();
        if let Some(what) = parse::reserved(name_text) {
            return Err(diag(
                format!("`{name_text}` is {what}, so it cannot be given a value"),
                0..eq.max(1),
            ));
        }
        let Some(name) = parse::var_name(name_text) else {
            return Err(diag(
                format!("`{name_text}` is not a variable name"),
                0..eq.max(1),
            ));
        };
        let mut values: Vec<(String, &str)> = Vec::new();
        flatten_array(&name, part[eq + 1..].trim(), &mut Vec::new(), &mut values).map_err(
            |why| {
                diag(
                    format!("in the value of `{name}`: {why}"),
                    eq + 1..part.len(),
                )
            },
        )?;
        for (n, text) in values {
            let v = parse::parse(s, text).map_err(|e| {
                let place = if label.is_empty() { "--at" } else { label };
                diag(
                    format!("in {place} {n}=…: {}", e.message),
                    eq + 1..part.len(),
                )
            })?;
            // (A number needs no walk over the store: most values are numbers.)
            if s.as_num(v).is_none() && !s.free_symbols(&[v]).is_empty() {
                return Err(diag(
                    format!("the value of `{n}` must be a number"),
                    eq + 1..part.len(),
                ));
            }
            let id = s.intern_name(&n);
            if !given.insert(id) {
                return Err(diag(format!("`{n}` is given two values"), 0..part.len()));
            }
            out.push((id, v));
        }
        Ok(())
    }
}

/// Variables of differentiation must be variable names, not constants (patterns such as
/// `w[*,*]` in `--wrt` are matched later, against each expression).
fn check_variable_names(vars: &[String], wrt: Option<&[String]>) -> Result<(), Diagnostic> {
    let patterns = wrt.unwrap_or_default();
    for v in vars.iter().chain(patterns) {
        if v.contains('*') && patterns.contains(v) {
            continue;
        }
        if let Some(what) = parse::reserved(v) {
            return Err(Diagnostic::error(format!(
                "`{v}` is {what}; it cannot be differentiated by"
            )));
        }
        if parse::var_name(v).is_none() {
            return Err(Diagnostic::error(format!("`{v}` is not a variable name"))
                .with_snippet("", v, 0..v.len())
                .with_note("a variable is a name such as x, theta_1 or θ"));
        }
    }
    Ok(())
}

enum Given {
    Explicit(Constraint),
    Implicit(ExprId),
}

/// Parses the definitions into the store, with their derivative rules installed; each
/// comes with where it came from (`--let` or `FILE:LINE`).
fn definitions(s: &mut Store, lines: &[(String, String)]) -> Result<Defs, Diagnostic> {
    let texts: Vec<String> = lines.iter().map(|(_, t)| t.clone()).collect();
    let defs = Defs::new(s, &texts).map_err(|e| {
        let (origin, text) = &lines[e.index];
        let (label, shown, off) = if origin == "--let" {
            (String::new(), format!("--let {text}"), "--let ".len())
        } else {
            (origin.clone(), text.clone(), 0)
        };
        Diagnostic::error(format!("in the definition `{text}`: {}", e.message)).with_snippet(
            label,
            &shown,
            e.span.start + off..e.span.end + off,
        )
    })?;
    defs.install_rules(s);
    Ok(defs)
}

/// A file's name as messages show it (`-` is standard input).
fn shown(f: &std::path::Path) -> String {
    if f.as_os_str() == "-" {
        "<stdin>".into()
    } else {
        f.display().to_string()
    }
}

/// The text of a definitions, values or data file; `-` is standard input, read once.
fn source_text(f: &std::path::Path, req: &Request, what: &str) -> Result<String, Diagnostic> {
    if f.as_os_str() == "-" {
        return req.samples.stdin.clone().ok_or_else(|| {
            Diagnostic::error(format!(
                "the {what} cannot be read from standard input here"
            ))
        });
    }
    std::fs::read_to_string(f)
        .with_context(|| format!("cannot read the {what} file {}", f.display()))
        .map_err(|e| Diagnostic::error(format!("{e:#}")))
}

/// The lines of a definitions or values file that hold something, each with its
/// `FILE:LINE` label; `#` starts a comment.
fn text_lines(name: &str, text: &str) -> Vec<(String, String)> {
    text.trim_start_matches('\u{FEFF}')
        .lines()
        .enumerate()
        .map(|(i, line)| (i, line.split('#').next().unwrap_or("").trim_end()))
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (format!("{name}:{}", i + 1), line.to_string()))
        .collect()
}

/// `[[a, b], [c, d]]` as indexed values: name[1,1] = a, name[1,2] = b, ... (1-based); a
/// plain value is the name's own. Brackets must close, and every row must have the same
/// shape (`[[1,2],[3]]` is refused).
/// Arrays in values have at most this many dimensions (a name takes one index per
/// dimension; each level rescans its text, so the limit also bounds the work).
const MAX_ARRAY_DIMENSIONS: usize = 32;

fn flatten_array<'a>(
    name: &str,
    text: &'a str,
    at: &mut Vec<usize>,
    out: &mut Vec<(String, &'a str)>,
) -> Result<Vec<usize>, String> {
    let t = text.trim();
    if !t.starts_with('[') {
        if t.ends_with(']') && !t.contains('[') {
            return Err("`]` closes a `[` that was never opened".into());
        }
        out.push(match at.is_empty() {
            true => (name.to_string(), t),
            false => {
                let idx: Vec<String> = at.iter().map(|k| k.to_string()).collect();
                (format!("{name}[{}]", idx.join(",")), t)
            }
        });
        return Ok(Vec::new());
    }
    let Some(inner) = t[1..].strip_suffix(']') else {
        return Err("a `[` is not closed".into());
    };
    if at.len() >= MAX_ARRAY_DIMENSIONS {
        return Err(format!(
            "the array nests more than {MAX_ARRAY_DIMENSIONS} levels deep (deriv's limit, \
             docs/limits.md)"
        ));
    }
    let mut shape: Option<Vec<usize>> = None;
    let items = parse::split_top(inner, ',');
    for (i, item) in items.iter().enumerate() {
        at.push(i + 1);
        let s = flatten_array(name, item, at, out)?;
        at.pop();
        match &shape {
            Some(first) if *first != s => {
                return Err(format!(
                    "the rows of the array differ in shape: item {} is {} where item 1 is {}",
                    i + 1,
                    describe_shape(&s),
                    describe_shape(first)
                ));
            }
            _ => shape = Some(s),
        }
    }
    let mut full = vec![items.len()];
    full.extend(shape.unwrap_or_default());
    Ok(full)
}

fn describe_shape(s: &[usize]) -> String {
    match s {
        [] => "a number".into(),
        [n] => format!("a list of {n}"),
        _ => {
            let dims: Vec<String> = s.iter().map(|d| d.to_string()).collect();
            format!("a {} array", dims.join("×"))
        }
    }
}
