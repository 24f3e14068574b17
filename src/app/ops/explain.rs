//! `--explain`: the derivation as lines, each as (plain text for JSON, the output's style).
//! The rules come from `calculus::explain`; this writes them for the request at hand.

use super::super::request::Op;
use super::Job;
use deriv::calculus::explain::{partial_steps, total_terms};
use deriv::calculus::partial;
use deriv::expr::{ExprId, Name, Store};
use deriv::print::{Style, render, render_name};

type Lines = Vec<(String, String)>;

pub fn lines(job: &mut Job) -> Lines {
    let style = job.st.message_style();
    let mut out = Lines::new();
    let vars = job.inp.vars.clone();
    match job.req.op {
        Op::Total if vars.len() == 1 => total(job, vars[0], style, &mut out),
        Op::Differential => differential(&mut job.s, job.subs[0], style, &mut out),
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
            partials(&mut job.s, start, &vars, style, &mut out);
        }
    }
    out
}

fn nm(s: &Store, n: Name) -> String {
    render_name(s.name(n), Style::Unicode)
}

/// Adds a line written by `parts` in both styles.
fn line(out: &mut Lines, style: Style, parts: &dyn Fn(Style) -> String) {
    out.push((parts(Style::Plain), parts(style)));
}

/// df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx, every term, then the sum.
fn total(job: &mut Job, x: Name, style: Style, out: &mut Lines) {
    let f = job.fs[0];
    let known: Vec<(Name, ExprId)> = job
        .implicit_derivatives(x)
        .map(|v| v.into_iter().map(|k| (k.var, k.dv_dx)).collect())
        .unwrap_or_default();
    let cons = &job.inp.cons;
    let s = &mut job.s;
    let xs = nm(s, x);
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
    line(out, style, &|_| head.clone());
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
        let s: &Store = s;
        line(out, style, &|st| {
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
        cons.total(s, f, &[x])
    } else {
        sum
    };
    let total = s.tidy(total);
    let s: &Store = s;
    line(out, style, &|st| {
        format!("df/d{xs} = {}", render(s, sum, st))
    });
    if sum != total {
        line(out, style, &|st| {
            format!(
                "      = {}   (substituting the constraints)",
                render(s, total, st)
            )
        });
    }
}

/// df = Σ ∂f/∂v·dv, then each partial.
fn differential(s: &mut Store, g: ExprId, style: Style, out: &mut Lines) {
    let names = s.free_symbols(&[g]);
    let dvs: Vec<String> = names
        .iter()
        .map(|&v| format!("∂f/∂{}·d{}", nm(s, v), nm(s, v)))
        .collect();
    let head = format!("df = {}", dvs.join(" + "));
    line(out, style, &|_| head.clone());
    for v in names {
        let d = partial(s, g, v);
        let d = s.tidy(d);
        let label = format!("∂f/∂{}", nm(s, v));
        let s: &Store = s;
        line(out, style, &|st| {
            format!("  {label} = {}", render(s, d, st))
        });
    }
}

/// For each variable in turn: the rule used at each subexpression.
fn partials(s: &mut Store, start: ExprId, vars: &[Name], style: Style, out: &mut Lines) {
    let mut cur = start;
    for &v in vars {
        let vs = nm(s, v);
        {
            let s: &Store = s;
            line(out, style, &|st| {
                format!("∂/∂{vs} of {}:", render(s, cur, st))
            });
        }
        let (steps, omitted) = partial_steps(s, cur, v, 40);
        for step in &steps {
            let (e, r) = (step.expr, step.result);
            let rule = step.rule.clone();
            let s: &Store = s;
            line(out, style, &|st| {
                format!(
                    "  {rule}: ∂/∂{vs} {} = {}",
                    render(s, e, st),
                    render(s, r, st)
                )
            });
        }
        if omitted > 0 {
            line(out, style, &|_| format!("  … and {omitted} more steps"));
        }
        let d = partial(s, cur, v);
        cur = s.tidy(d);
    }
}
