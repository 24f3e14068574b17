//! Operations: one function per command, from the parsed inputs and an expression's text
//! to an `Outcome` — the result as data (a shape of expressions, values at a point, a
//! step), with its warnings, explanation and check. Printing it is `render`'s job.

mod algebra;
mod at;
mod check;
mod emit;
mod explain;
mod precision;
mod warning;

use super::inputs::Inputs;
use super::request::{Op, Request};
use super::settings::Settings;
use deriv::calculus::implicit::{self, Implicit, ImplicitError};
use deriv::calculus::{partials, reverse};
use deriv::diagnostic::{Diagnostic, Kind, Severity};
use deriv::eval::Kinks;
use deriv::expr::{ExprId, Fault, Func, Name, Node, Store};
use deriv::parse;
use deriv::print::shape::{DTerm, Shape};
use deriv::print::{cse, render};
use rustc_hash::FxHashMap;

/// Up to this many entries, `--at` gives exact values where they fold; beyond it, numbers
/// (a gradient by reverse-mode AD, without building the symbolic gradient).
pub const EXACT_ENTRIES: usize = 16;

/// A result that unfolds to more nodes than this is refused without `--cse` (its text would
/// run past a gigabyte): see docs/limits.md.
pub const MAX_PRINTED_NODES: u64 = 200_000_000;

/// What an operation found.
pub enum Answer {
    /// A symbolic result; with `grad --cse`, the named backpropagation deltas too.
    Symbolic {
        shape: Shape,
        deltas: Vec<(Name, ExprId)>,
    },
    /// The result at the `--at` point: each entry's exact value (when it folds) and double.
    AtPoint {
        shape: Shape,
        values: FxHashMap<ExprId, (Option<ExprId>, f64)>,
    },
    /// A gradient of many entries at a point, as numbers (reverse-mode AD).
    Numbers(Vec<f64>),
    /// `--emit`: the symbolic result (for JSON) and the code.
    Code {
        shape: Shape,
        deltas: Vec<(Name, ExprId)>,
        code: deriv::print::emit::Emitted,
    },
    /// `step`: every value of the point after the step (`name`, value text), the values
    /// file written back, the rate, and E at the point before it (the mean over the
    /// samples with `--data`).
    Step {
        values: Vec<(String, String)>,
        file: String,
        rate: f64,
        loss: f64,
    },
}

/// One expression's (or one Jacobian's) answer, with everything said about it.
pub struct Outcome {
    pub store: Store,
    /// The expressions as typed.
    pub inputs: Vec<String>,
    /// The expressions as parsed: definitions and sums expanded, constraints substituted.
    pub exprs: Vec<ExprId>,
    pub answer: Answer,
    /// The columns of a gradient, Hessian, Jacobian or step.
    pub columns: Vec<Name>,
    pub warnings: Vec<Diagnostic>,
    /// The substitution warning as data, for JSON.
    pub warning_data: Option<serde_json::Value>,
    /// The derivation, each line as (plain text, the output's style).
    pub explanation: Vec<(String, String)>,
    /// `check: ...` for `--check`.
    pub check: Option<String>,
}

/// What an operation computed, before tidying and evaluation at a point.
struct Computed {
    shape: Shape,
    /// The substitution warning, and its data for JSON.
    warning: Option<(Diagnostic, serde_json::Value)>,
    /// `grad --cse`: the named backpropagation deltas.
    deltas: Vec<(Name, ExprId)>,
}

/// Derivative steps (g, v, ∂g/∂v) that `--check` compares with difference quotients.
type Steps = Vec<(ExprId, Name, ExprId)>;

/// The work on one answer: the store, the parsed expressions (as typed, and with the
/// constraints substituted) and where diagnostics point.
struct Job<'a> {
    inp: &'a Inputs,
    req: &'a Request,
    st: &'a Settings,
    s: Store,
    texts: Vec<String>,
    /// Where a diagnostic about the whole input points.
    place: Place,
    fs: Vec<ExprId>,
    subs: Vec<ExprId>,
    steps: Steps,
    warnings: Vec<Diagnostic>,
}

/// The text a diagnostic about the whole input points at, and its label.
struct Place {
    label: String,
    text: String,
}

impl Place {
    fn at(&self, d: Diagnostic) -> Diagnostic {
        d.with_snippet(&self.label, &self.text, 0..self.text.len())
    }
}

/// What `step` and `train` descend: E with every definition expanded for numbers, its
/// parameters (`--wrt`), and the warnings said about it.
pub struct Objective {
    pub store: Store,
    pub full: ExprId,
    pub params: Vec<Name>,
    pub warnings: Vec<Diagnostic>,
}

/// The objective of `step` or `train` from E's text.
pub fn objective(
    inp: &Inputs,
    req: &Request,
    st: &Settings,
    text: &str,
) -> Result<Objective, Vec<Diagnostic>> {
    let mut job = Job::parse(inp, req, st, &[text], "1")?;
    let params = job.wrt_names().map_err(|d| vec![d])?;
    let expr = job.subs[0];
    let full = inp
        .defs
        .expand(&mut job.s, expr, true)
        .map_err(|c| vec![job.place.at(Diagnostic::error(c.message))])?;
    Ok(Objective {
        store: job.s,
        full,
        params,
        warnings: job.warnings,
    })
}

/// Answers `texts` (one expression; several for `jacobian`); `label` names the line.
pub fn answer(
    inp: &Inputs,
    req: &Request,
    st: &Settings,
    texts: &[&str],
    label: &str,
) -> Result<Outcome, Vec<Diagnostic>> {
    let job = Job::parse(inp, req, st, texts, label)?;
    let place = Place {
        label: job.place.label.clone(),
        text: job.place.text.clone(),
    };
    let o = job.outcome().map_err(|d| vec![d])?;
    if st.strict {
        // In a batch, each error shows its line.
        return strict(o, req.batch().then_some(&place));
    }
    Ok(o)
}

/// `--strict`: an answer with a warning is refused, each warning said as an error. Every
/// client (arguments, batch, session, plot) answers through `answer`, so this is the one
/// place that decides it.
fn strict(o: Outcome, place: Option<&Place>) -> Result<Outcome, Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = o
        .warnings
        .iter()
        .filter(|w| w.severity == Severity::Warning)
        .map(|w| {
            let mut e = w.clone();
            e.severity = Severity::Error;
            if let (None, Some(place)) = (&e.snippet, place) {
                e = place.at(e);
            }
            e.with_note("--strict makes every warning an error")
        })
        .collect();
    if errors.is_empty() {
        Ok(o)
    } else {
        Err(errors)
    }
}

impl<'a> Job<'a> {
    fn parse(
        inp: &'a Inputs,
        req: &'a Request,
        st: &'a Settings,
        texts: &[&str],
        label: &str,
    ) -> Result<Job<'a>, Vec<Diagnostic>> {
        let mut s = inp.store();
        let mut fs = Vec::new();
        for text in texts {
            let whole =
                |m: String| vec![Diagnostic::error(m).with_snippet(label, text, 0..text.len())];
            let f =
                parse::parse(&mut s, text).map_err(|e| vec![Diagnostic::parse(e, label, text)])?;
            let f = inp
                .defs
                .expand(&mut s, f, false)
                .map_err(|e| whole(e.message))?;
            let f = s.expand_sums(f);
            fs.push(f.map_err(|e| whole(deriv::diagnostic::sum_message(&s, &e)))?);
        }
        let subs: Vec<ExprId> = fs.iter().map(|&f| inp.cons.substitute(&mut s, f)).collect();
        let warnings = unknown_function_hints(&s, &fs);
        let mut job = Job {
            inp,
            req,
            st,
            s,
            texts: texts.iter().map(|t| t.to_string()).collect(),
            place: Place {
                label: label.to_string(),
                text: texts.join(", "),
            },
            fs,
            subs,
            steps: Vec::new(),
            warnings,
        };
        // The expression must make sense with the constraints substituted.
        if job.subs.iter().any(|&e| job.s.is_undefined(e)) {
            let what = if inp.cons.is_empty() {
                "the expression"
            } else {
                "the expression, with the constraints substituted,"
            };
            return Err(vec![job.undefined(what)]);
        }
        Ok(job)
    }

    /// A diagnostic that points at the whole input.
    fn at_input(&self, d: Diagnostic) -> Diagnostic {
        self.place.at(d)
    }

    /// The store's fault, said about `what`.
    fn undefined(&mut self, what: &str) -> Diagnostic {
        let why = self
            .s
            .fault()
            .map(|f| f.to_string())
            .unwrap_or_else(|| "undefined".into());
        match self.s.fault() {
            Some(
                Fault::TooLarge { .. }
                | Fault::NumberTooLarge { .. }
                | Fault::Interrupted
                | Fault::TooDeep { .. }
                | Fault::ArithmeticTooCostly { .. },
            ) => self.at_input(Diagnostic::error(why)),
            _ => self.at_fault(Diagnostic::error(format!("{what} is undefined: {why}"))),
        }
    }

    /// A diagnostic about the store's fault that points where the value became undefined
    /// (the zero divisor, the argument of log(0), of a pole) when that part is in the
    /// text, and at the whole input otherwise. Parses the text again: only for errors.
    fn at_fault(&mut self, d: Diagnostic) -> Diagnostic {
        if let [text] = &self.texts[..]
            && let Ok(spans) = parse::spans(&mut self.s, text)
            && let Some(r) = spans.fault(&self.s)
        {
            return d.with_snippet(&self.place.label, text, r);
        }
        self.at_input(d)
    }

    fn outcome(mut self) -> Result<Outcome, Diagnostic> {
        let columns = if matches!(
            self.req.op,
            Op::Step | Op::Grad | Op::Hessian | Op::Jacobian
        ) {
            self.wrt_names()?
        } else {
            Vec::new()
        };
        let point = self.inp.point.as_deref();
        if let (Op::Grad, Some(p)) = (self.req.op, point)
            && !self.req.check
            && columns.len() > EXACT_ENTRIES
        {
            // Many entries at a point: numbers by reverse-mode AD, no symbolic gradient.
            let f = self.subs[0];
            at::kinks(&mut self, &[f], &columns, p)?;
            let (_, values) = at::numeric_gradient(&mut self, f, &columns, p, Kinks::Error)?;
            if self.req.stats {
                self.stats(&Shape::Vector(Vec::new()), &[], &columns);
            }
            return Ok(self.finish(Answer::Numbers(values), columns, None, Vec::new(), None));
        }
        let Computed {
            shape,
            warning,
            deltas,
        } = self.compute(&columns)?;
        // Tidy would undo what expand, factor and collect were asked for.
        let shape = match self.req.op {
            Op::Algebra(_) => shape,
            _ => shape.map(&mut |e| self.s.tidy(e)),
        };
        let explanation = if self.req.explain {
            explain::lines(&mut self)
        } else {
            Vec::new()
        };
        if shape.entries().iter().any(|&e| self.s.is_undefined(e)) {
            return Err(self.undefined("the result"));
        }
        if !self.req.cse && point.is_none() {
            self.printable(&shape)?;
        }
        let check = if self.req.check {
            Some(check::run(&mut self, point).map_err(|d| self.at_input(d))?)
        } else {
            None
        };
        let (warning, warning_data) = match warning {
            Some((d, data)) => (Some(d), Some(data)),
            None => (None, None),
        };
        self.warnings.extend(warning);
        if self.req.stats && self.req.op != Op::Step {
            // (step reports the cost of its compiled gradient instead: `at::step`.)
            self.stats(&shape, &deltas, &columns);
        }
        let answer = match (self.req.op, point) {
            (Op::Step, Some(p)) => {
                let f = self.subs[0];
                at::step(&mut self, f, &columns, p)?
            }
            (op, Some(p)) => {
                // The function each derivative is of, and what it is by.
                let subs = self.subs.clone();
                let by = match op {
                    Op::Partial { .. } | Op::Total => self.inp.vars.clone(),
                    Op::Differential => self.s.free_symbols(&subs),
                    Op::Grad | Op::Hessian | Op::Jacobian => columns.clone(),
                    Op::Simplify | Op::Eval | Op::Step | Op::Algebra(_) => Vec::new(),
                };
                if !by.is_empty() {
                    at::kinks_unless_smooth(&mut self, &subs, &by, p, &shape.entries())?;
                }
                at::values(&mut self, shape, p)?
            }
            // A constant needs no point; a variable without a value is an error there.
            (Op::Eval, None) => at::values(&mut self, shape, &[])?,
            (_, None) => match self.req.emit {
                Some(lang) => emit::code(&mut self, shape, deltas, &columns, lang)?,
                None => Answer::Symbolic { shape, deltas },
            },
        };
        Ok(self.finish(answer, columns, warning_data, explanation, check))
    }

    /// The operation itself: one function per command.
    fn compute(&mut self, columns: &[Name]) -> Result<Computed, Diagnostic> {
        let plain = |shape| Computed {
            shape,
            warning: None,
            deltas: Vec::new(),
        };
        Ok(match self.req.op {
            Op::Simplify | Op::Eval => plain(Shape::Scalar(self.subs[0])),
            Op::Algebra(a) => plain(algebra::run(self, a)?),
            Op::Step => plain(self.step_checks(columns)),
            Op::Total => plain(self.total()?),
            Op::Partial { substitute_first } => self.partial(substitute_first),
            Op::Differential => plain(self.differential()),
            Op::Grad => self.grad(columns),
            Op::Hessian => plain(self.hessian(columns)),
            Op::Jacobian => plain(self.jacobian(columns)),
        })
    }

    /// A result that unfolds past `MAX_PRINTED_NODES` is refused (without `--cse`).
    fn printable(&mut self, shape: &Shape) -> Result<(), Diagnostic> {
        let size = self.s.tree_size(&shape.entries());
        if size <= MAX_PRINTED_NODES {
            return Ok(());
        }
        // The count saturates: past u64's range it is a bound, not a figure.
        let size = match size {
            u64::MAX => format!("more than {size}"),
            _ => size.to_string(),
        };
        Err(self
            .at_input(Diagnostic::error(format!(
                "the result is too large to print in full: it unfolds to {size} \
                 subexpressions (the limit is {MAX_PRINTED_NODES})"
            )))
            .with_note("--cse prints each repeated subexpression once, so its size stays small"))
    }

    /// `partial`: by each variable in turn; with constraints, substituted after (and the
    /// warning when that differs from the total derivative) unless `--substitute-first`.
    fn partial(&mut self, substitute_first: bool) -> Computed {
        let vars = self.inp.vars.clone();
        let (shape, warning) = if substitute_first {
            (Shape::Scalar(self.chain(self.subs[0], &vars)), None)
        } else if self.inp.cons.is_empty() {
            (Shape::Scalar(self.chain(self.fs[0], &vars)), None)
        } else {
            let (result, w) = self.partial_then_substitute();
            (Shape::Scalar(result), w)
        };
        Computed {
            shape,
            warning,
            deltas: Vec::new(),
        }
    }

    /// `total`: the constraints substituted first, or implicit differentiation.
    fn total(&mut self) -> Result<Shape, Diagnostic> {
        if !self.inp.cons.implicit.is_empty() {
            return self.implicit_total();
        }
        let vars = self.inp.vars.clone();
        Ok(Shape::Scalar(self.chain(self.subs[0], &vars)))
    }

    /// `step` computes numbers (see `at::step`); the symbolic gradient is built only for
    /// `--check` to compare.
    fn step_checks(&mut self, columns: &[Name]) -> Shape {
        if self.req.check {
            self.gradient_steps(columns);
        }
        Shape::Vector(Vec::new())
    }

    /// `grad`: reverse mode; printed with `--cse`, the backpropagation deltas are named.
    fn grad(&mut self, columns: &[Name]) -> Computed {
        // Named for --cse and for code (whose local variables they become).
        let named = (self.req.cse || self.req.emit.is_some())
            && !self.req.check
            && self.inp.point.is_none();
        let (entries, deltas) = if named {
            self.gradient_with_deltas(columns)
        } else {
            (self.gradient_steps(columns), Vec::new())
        };
        Computed {
            shape: Shape::Vector(entries),
            warning: None,
            deltas,
        }
    }

    fn hessian(&mut self, columns: &[Name]) -> Shape {
        let f = self.subs[0];
        let grad: Vec<ExprId> = columns.iter().map(|&v| self.chain(f, &[v])).collect();
        Shape::Matrix(grad.iter().map(|&g| self.row(g, columns)).collect())
    }

    fn jacobian(&mut self, columns: &[Name]) -> Shape {
        let fs = self.subs.clone();
        Shape::Matrix(fs.iter().map(|&g| self.row(g, columns)).collect())
    }

    fn finish(
        self,
        answer: Answer,
        columns: Vec<Name>,
        warning_data: Option<serde_json::Value>,
        explanation: Vec<(String, String)>,
        check: Option<String>,
    ) -> Outcome {
        Outcome {
            store: self.s,
            inputs: self.texts,
            exprs: self.subs,
            answer,
            columns,
            warnings: self.warnings,
            warning_data,
            explanation,
            check,
        }
    }

    /// ∂ⁿg/∂v₁…∂vₙ, each step recorded for `--check`.
    fn chain(&mut self, g0: ExprId, vs: &[Name]) -> ExprId {
        let steps = partials(&mut self.s, g0, vs);
        let g = steps.last().map_or(g0, |&(_, _, d)| d);
        self.steps.extend(steps);
        g
    }

    fn row(&mut self, g: ExprId, columns: &[Name]) -> Vec<ExprId> {
        columns.iter().map(|&v| self.chain(g, &[v])).collect()
    }

    /// Reverse mode: one sweep for every variable, sharing the adjoints.
    fn gradient_steps(&mut self, columns: &[Name]) -> Vec<ExprId> {
        let f = self.subs[0];
        let entries = reverse::gradient(&mut self.s, f, columns);
        for (&v, &d) in columns.iter().zip(&entries) {
            self.steps.push((f, v, d));
        }
        entries
    }

    /// The gradient printed with `--cse`: the backpropagation deltas are named too.
    fn gradient_with_deltas(&mut self, columns: &[Name]) -> (Vec<ExprId>, Vec<(Name, ExprId)>) {
        let used: Vec<String> = self
            .s
            .free_symbols(&self.subs)
            .iter()
            .map(|&n| self.s.name(n).to_string())
            .collect();
        let used: Vec<&str> = used.iter().map(String::as_str).collect();
        let prefix = cse::free_prefix(&["delta", "delta_", "d_"], "d_", &used);
        let (entries, named) =
            reverse::gradient_with_deltas(&mut self.s, self.subs[0], columns, prefix);
        let named = named
            .into_iter()
            .map(|(n, e)| (n, self.s.tidy(e)))
            .collect();
        (entries, named)
    }

    /// `partial --given`: differentiate, then substitute; warn when that differs from the
    /// total derivative.
    fn partial_then_substitute(&mut self) -> (ExprId, Option<(Diagnostic, serde_json::Value)>) {
        let (f, vars) = (self.fs[0], self.inp.vars.clone());
        self.chain(f, &vars);
        let o = self.inp.cons.partial_then_substitute(&mut self.s, f, &vars);
        let differs = o.result != o.total
            && !self.s.is_undefined(o.total)
            && deriv::eval::numerically_equal(&self.s, o.result, o.total) != Some(true);
        let w = differs.then(|| warning::substitution(self, f, &vars, &o));
        (o.result, w)
    }

    /// df/dx with implicit relations F(x, v, ...) = 0: dv/dx = −F_x/F_v for the dependent
    /// variable v of each, then df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx.
    fn implicit_total(&mut self) -> Result<Shape, Diagnostic> {
        let dependent = self.dependent();
        let (r, known) = implicit::total(
            &mut self.s,
            &self.inp.cons,
            self.subs[0],
            &self.inp.vars,
            dependent,
        )
        .map_err(|e| self.at_input(self.implicit_diag(e)))?;
        for k in &known {
            let note = self.implicit_note(k);
            self.warnings.push(note);
        }
        if let Some(p) = self.inp.point.clone() {
            at::on_the_curves(self, &p)?;
        }
        Ok(Shape::Scalar(r))
    }

    fn dependent(&mut self) -> Option<Name> {
        let d = self.inp.dependent.as_deref()?;
        Some(self.s.intern_name(d))
    }

    /// The relations' derivatives dv/dx, for the explanation.
    fn implicit_derivatives(&mut self, x: Name) -> Result<Vec<Implicit>, ImplicitError> {
        let dependent = self.dependent();
        implicit::derivatives(&mut self.s, &self.inp.cons, x, dependent)
    }

    fn implicit_diag(&self, e: ImplicitError) -> Diagnostic {
        let s = &self.s;
        let shown = |i: usize| self.inp.given[i].as_str();
        let x = self.inp.vars.first().map(|&x| s.name(x)).unwrap_or("x");
        Diagnostic::error(match e {
            ImplicitError::SeveralVariables => {
                "an implicit relation works with one variable of differentiation".to_string()
            }
            ImplicitError::DependentAbsent { index } => {
                let d = self.inp.dependent.as_deref().unwrap_or_default();
                format!(
                    "--dependent {d}: `{d}` does not occur in the relation {}",
                    shown(index)
                )
            }
            ImplicitError::NoOtherVariable { index } => format!(
                "the relation {} involves no variable other than {x} (after the other \
                 constraints are put in), so it makes nothing depend on it",
                shown(index)
            ),
            ImplicitError::Ambiguous { index, others } => {
                let names: Vec<&str> = others.iter().map(|&n| s.name(n)).collect();
                format!(
                    "the relation {} has {} other variables ({}): name the dependent one with --dependent",
                    shown(index),
                    names.len(),
                    names.join(", ")
                )
            }
            ImplicitError::SameDependent { first, second, var } => format!(
                "the relations {} and {} both make {} depend on {x}: give one relation per \
                 dependent variable",
                shown(first),
                shown(second),
                s.name(var)
            ),
            ImplicitError::NotDetermined { index, var } => {
                let vs = s.name(var);
                format!(
                    "the relation {} does not determine {vs} as a function of {x}: ∂F/∂{vs} = 0",
                    shown(index)
                )
            }
        })
    }

    /// `dy/dx = ... from ..., by implicit differentiation`.
    fn implicit_note(&self, k: &Implicit) -> Diagnostic {
        let s = &self.s;
        let st = self.st.message_style();
        let (xs, vs) = (s.name(self.inp.vars[0]), s.name(k.var));
        let shown = &self.inp.given[k.index];
        let mut note = Diagnostic::note(format!(
            "d{vs}/d{xs} = {} from {shown}, by implicit differentiation: d{vs}/d{xs} = −F_{xs}/F_{vs}",
            render(s, k.dv_dx, st)
        ))
        .with_kind(Kind::ImplicitDerivative);
        if s.as_num(k.f_v).is_none() {
            note = note.with_note(format!(
                "undefined where F_{vs} = {} is 0",
                render(s, k.f_v, st)
            ));
        }
        note
    }

    /// df = Σ ∂f/∂v dv: each nonzero coefficient, written without its sign.
    fn differential(&mut self) -> Shape {
        let g = self.subs[0];
        let names = self.s.free_symbols(&[g]);
        let mut terms = Vec::new();
        for v in names {
            let c = self.chain(g, &[v]);
            let s = &mut self.s;
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

    /// The variables a vector command differentiates by: `--wrt` (patterns matched against
    /// the expressions' variables), or all of them.
    fn wrt_names(&mut self) -> Result<Vec<Name>, Diagnostic> {
        let s = &mut self.s;
        let present = s.free_symbols(&self.subs);
        let Some(w) = &self.inp.wrt else {
            return Ok(present);
        };
        let mut out = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        for item in w {
            match item.split_once('[') {
                // w[*,*]: every variable w[i,j] of the expressions, in natural order
                Some((base, rest)) if item.contains('*') => {
                    let k = rest.trim_end_matches(']').split(',').count();
                    let mut matched = false;
                    for &n in &present {
                        let fits = s.name(n).split_once('[').is_some_and(|(b, r)| {
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

    /// `--stats`: operations in the expression and in the result's `--cse` form. A
    /// gradient's `--cse` form names the backpropagation deltas, so that form is counted
    /// even when the gradient is printed without `--cse` or as numbers.
    fn stats(&mut self, shape: &Shape, deltas: &[(Name, ExprId)], columns: &[Name]) {
        let mut roots = shape.entries();
        if self.req.op == Op::Grad && deltas.is_empty() {
            let (entries, named) = self.gradient_with_deltas(columns);
            roots = entries.into_iter().map(|e| self.s.tidy(e)).collect();
            roots.extend(named.iter().map(|&(_, e)| e));
        }
        roots.extend(deltas.iter().map(|&(_, e)| e));
        let (a, b) = (
            reverse::op_count(&self.s, &self.fs),
            reverse::op_count(&self.s, &roots),
        );
        let ratio = if a == 0 { 0.0 } else { b as f64 / a as f64 };
        self.warnings.push(
            Diagnostic::note(format!(
                "stats: the expression has {a} operations; the result, each shared \
                 subexpression counted once (the --cse form), has {b} ({ratio:.2}× the expression)"
            ))
            .with_kind(Kind::Stats),
        );
    }
}

/// `sni(x)` is allowed (an unknown function) but probably a typo: say so.
fn unknown_function_hints(s: &Store, fs: &[ExprId]) -> Vec<Diagnostic> {
    if !s.has(deriv::expr::Seen::UnknownCall) {
        return Vec::new();
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
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
