//! `--explain`: the derivation as lines, each as (plain text for JSON, the output's style:
//! Unicode, or LaTeX with `--format latex`). The rules come from `calculus::explain`; this
//! writes them for the request at hand.

use super::super::request::Op;
use super::Job;
use deriv::calculus::explain::{partial_steps, total_terms};
use deriv::calculus::partial;
use deriv::expr::{ExprId, Name, Store};
use deriv::print::{Style, render, render_name};

type Lines = Vec<(String, String)>;

/// The lines of an explanation print at most this many subexpressions in all, unfolded as
/// `MAX_PRINTED_NODES` counts a result's (some 20 MB of text in each of the two styles
/// kept, plain and the output's): a derivation of `sin`
/// nested 3,000 deep would print gigabytes.
pub const MAX_EXPLAINED_NODES: u64 = 2_000_000;

/// What is left of `MAX_EXPLAINED_NODES`.
struct Budget(u64);

impl Budget {
    /// Takes the printed size of `es`: false, taking nothing, when it does not fit.
    fn take(&mut self, s: &Store, es: &[ExprId]) -> bool {
        let n = s.tree_size(es);
        if n > self.0 {
            return false;
        }
        self.0 -= n;
        true
    }
}

/// The line that ends an explanation cut short by its budget.
fn cut(out: &mut Lines, style: Style) {
    line(out, style, &|n| {
        format!(
            "  {}",
            n.text(&format!(
                "… (the explanation stops here: its lines would print more than \
                 {MAX_EXPLAINED_NODES} subexpressions)"
            ))
        )
    });
}

pub fn lines(job: &mut Job) -> Lines {
    // (Plain lines keep ∂ and Greek letters: they are read by people too.)
    let style = job.st.style();
    let mut out = Lines::new();
    let mut budget = Budget(MAX_EXPLAINED_NODES);
    let vars = job.inp.vars.clone();
    match job.req.op {
        Op::Total if vars.len() == 1 => total(job, vars[0], style, &mut out, &mut budget),
        Op::Differential => differential(&mut job.s, job.subs[0], style, &mut out, &mut budget),
        _ => {
            // Partial derivatives (and total ones by several variables): each step's rules.
            let start = if matches!(
                job.req.op,
                Op::Partial {
                    substitute_first: false
                }
            ) {
                job.fs[0]
            } else {
                job.subs[0]
            };
            partials(&mut job.s, start, &vars, style, &mut out, &mut budget);
        }
    }
    out
}

/// The symbols of a derivation in one style.
#[derive(Copy, Clone)]
struct Notation(Style);

impl Notation {
    fn tex(self) -> bool {
        self.0 == Style::Latex
    }

    fn name(self, s: &Store, v: Name) -> String {
        render_name(
            s.name(v),
            if self.tex() {
                Style::Latex
            } else {
                Style::Unicode
            },
        )
    }

    /// ∂f/∂v
    fn partial(self, s: &Store, v: Name) -> String {
        match self.tex() {
            true => format!("\\frac{{\\partial f}}{{\\partial {}}}", self.name(s, v)),
            false => format!("∂f/∂{}", self.name(s, v)),
        }
    }

    /// df/dx, or dv/dx with `of`
    fn total(self, s: &Store, of: Option<Name>, x: Name) -> String {
        let f = of.map_or("f".to_string(), |v| self.name(s, v));
        match self.tex() {
            true => format!(
                "\\frac{{\\mathrm{{d}}{f}}}{{\\mathrm{{d}}{}}}",
                self.name(s, x)
            ),
            false => format!("d{f}/d{}", self.name(s, x)),
        }
    }

    /// ∂/∂v
    fn op(self, s: &Store, v: Name) -> String {
        match self.tex() {
            true => format!("\\frac{{\\partial}}{{\\partial {}}}", self.name(s, v)),
            false => format!("∂/∂{}", self.name(s, v)),
        }
    }

    /// df
    fn d_f(self) -> &'static str {
        if self.tex() { "\\mathrm{d}f" } else { "df" }
    }

    /// dv
    fn d(self, s: &Store, v: Name) -> String {
        match self.tex() {
            true => format!("\\mathrm{{d}}{}", self.name(s, v)),
            false => format!("d{}", self.name(s, v)),
        }
    }

    fn times(self) -> &'static str {
        if self.tex() { " \\cdot " } else { "·" }
    }

    fn group(self, inner: &str) -> String {
        match self.tex() {
            true => format!("\\left({inner}\\right)"),
            false => format!("({inner})"),
        }
    }

    fn text(self, t: &str) -> String {
        match self.tex() {
            true => format!("\\text{{{t}}}"),
            false => t.to_string(),
        }
    }

    /// The space before a remark at the end of a line.
    fn gap(self) -> &'static str {
        if self.tex() { " \\qquad " } else { "   " }
    }

    /// An expression, in parentheses unless it is a name, a number or a call: the operand
    /// of ∂/∂v.
    fn operand(self, s: &Store, e: ExprId) -> String {
        let r = render(s, e, self.0);
        if atomic(&r) { r } else { self.group(&r) }
    }

    fn expr(self, s: &Store, e: ExprId) -> String {
        render(s, e, self.0)
    }
}

/// Is a printed expression one unit: a name, a number, or a call `f(...)` as a whole?
fn atomic(r: &str) -> bool {
    let name = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_alphanumeric() || "_.'[],".contains(c))
    };
    if name(r) {
        return true;
    }
    let Some(body) = r.strip_suffix(')') else {
        return false;
    };
    // The `(` that the last `)` closes must open the call's arguments.
    let mut depth = 1;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return name(&body[..i]);
        }
    }
    false
}

/// Adds a line written by `parts` in both styles.
fn line(out: &mut Lines, style: Style, parts: &dyn Fn(Notation) -> String) {
    out.push((parts(Notation(Style::Plain)), parts(Notation(style))));
}

/// df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx, every term, then the sum.
fn total(job: &mut Job, x: Name, style: Style, out: &mut Lines, budget: &mut Budget) {
    let f = job.fs[0];
    let known: Vec<(Name, ExprId)> = job
        .implicit_derivatives(x)
        .map(|v| v.into_iter().map(|k| (k.var, k.dv_dx)).collect())
        .unwrap_or_default();
    let cons = &job.inp.cons;
    let s = &mut job.s;
    let terms = total_terms(s, cons, f, x, &known);
    let s: &mut Store = s;
    let label = |n: Notation, s: &Store, v: Name| {
        if v == x {
            n.partial(s, v)
        } else {
            format!("{}{}{}", n.partial(s, v), n.times(), n.total(s, Some(v), x))
        }
    };
    {
        let s: &Store = s;
        line(out, style, &|n| {
            let labels: Vec<String> = terms.iter().map(|t| label(n, s, t.var)).collect();
            format!("{} = {}", n.total(s, None, x), labels.join(" + "))
        });
    }
    for t in &terms {
        let s: &Store = s;
        if !budget.take(s, &[t.df_dv, t.dv_dx, t.product]) {
            cut(out, style);
            return;
        }
        let why = |n: Notation| {
            let v = n.name(s, t.var);
            let xs = n.name(s, x);
            if t.var == x {
                String::new()
            } else if known.iter().any(|(k, _)| *k == t.var) {
                let dv = n.total(s, Some(t.var), x);
                format!("{}({dv}{})", n.gap(), n.text(" from the implicit relation"))
            } else if cons.resolved(t.var).is_none() {
                format!("{}({v}{}{xs})", n.gap(), n.text(" does not depend on "))
            } else {
                let rhs = cons
                    .items
                    .iter()
                    .find(|c| c.name == t.var)
                    .map_or(t.dv_dx, |c| c.rhs);
                format!("{}({v} = {})", n.gap(), n.expr(s, rhs))
            }
        };
        line(out, style, &|n| {
            let lab = label(n, s, t.var);
            if t.var == x {
                format!("  {lab} = {}", n.expr(s, t.df_dv))
            } else {
                let (a, b) = (n.group(&n.expr(s, t.df_dv)), n.group(&n.expr(s, t.dv_dx)));
                let times = n.times();
                format!(
                    "  {lab} = {a}{times}{b} = {}{}",
                    n.expr(s, t.product),
                    why(n)
                )
            }
        });
    }
    let parts: Vec<ExprId> = terms.iter().map(|t| t.product).collect();
    let sum = s.add(parts);
    let sum = s.tidy(sum);
    let total = if known.is_empty() {
        cons.total(s, f, &[x])
    } else {
        sum
    };
    let total = s.tidy(total);
    let s: &Store = s;
    if !budget.take(s, &[sum, total]) {
        cut(out, style);
        return;
    }
    line(out, style, &|n| {
        format!("{} = {}", n.total(s, None, x), n.expr(s, sum))
    });
    if sum != total {
        line(out, style, &|n| {
            let why = n.text("(substituting the constraints)");
            format!("      = {}{}{why}", n.expr(s, total), n.gap())
        });
    }
}

/// df = Σ ∂f/∂v·dv, then each partial.
fn differential(s: &mut Store, g: ExprId, style: Style, out: &mut Lines, budget: &mut Budget) {
    let names = s.free_symbols(&[g]);
    {
        let s: &Store = s;
        line(out, style, &|n| {
            let dvs: Vec<String> = names
                .iter()
                .map(|&v| format!("{}{}{}", n.partial(s, v), n.times(), n.d(s, v)))
                .collect();
            format!("{} = {}", n.d_f(), dvs.join(" + "))
        });
    }
    for v in names {
        let d = partial(s, g, v);
        let d = s.tidy(d);
        let s: &Store = s;
        if !budget.take(s, &[d]) {
            cut(out, style);
            return;
        }
        line(out, style, &|n| {
            format!("  {} = {}", n.partial(s, v), n.expr(s, d))
        });
    }
}

/// For each variable in turn: the rule used at each subexpression.
fn partials(
    s: &mut Store,
    start: ExprId,
    vars: &[Name],
    style: Style,
    out: &mut Lines,
    budget: &mut Budget,
) {
    let mut cur = start;
    for &v in vars {
        if !budget.take(s, &[cur]) {
            cut(out, style);
            return;
        }
        {
            let s: &Store = s;
            line(out, style, &|n| {
                format!("{}{}{}:", n.op(s, v), n.text(" of "), n.expr(s, cur))
            });
        }
        let (steps, omitted) = partial_steps(s, cur, v, 40);
        for step in &steps {
            let (e, r) = (step.expr, step.result);
            let s: &Store = s;
            if !budget.take(s, &[e, r]) {
                cut(out, style);
                return;
            }
            line(out, style, &|n| {
                let rule = n.text(&format!("{}: ", step.rule));
                format!(
                    "  {rule}{} {} = {}",
                    n.op(s, v),
                    n.operand(s, e),
                    n.expr(s, r)
                )
            });
        }
        if omitted > 0 {
            line(out, style, &|n| {
                format!("  {}", n.text(&format!("… and {omitted} more steps")))
            });
        }
        let d = partial(s, cur, v);
        cur = s.tidy(d);
    }
}
