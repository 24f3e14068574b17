//! The warning that substituting after a partial derivative drops terms: which
//! constrained variables move with x, the terms left out, and the total derivative.

use super::Job;
use deriv::calculus::{Constraint, Constraints, PartialOutcome};
use deriv::diagnostic::Diagnostic;
use deriv::expr::{ExprId, Name, Store};
use deriv::print::{Style, json, render, render_name};
use serde_json::{Value, json};

/// The warning that substituting after a partial derivative drops terms, and its data for
/// JSON.
pub fn substitution(
    job: &mut Job,
    f: ExprId,
    vars: &[Name],
    o: &PartialOutcome,
) -> (Diagnostic, Value) {
    let st = job.st.message_style();
    let message = headline(&job.s, &job.inp.cons, f, vars, st);
    let s = &mut job.s;
    let show = |s: &Store, e: ExprId| render(s, e, st);
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
                "given": job.inp.given[d.index],
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

fn nm(s: &Store, n: Name) -> String {
    render_name(s.name(n), Style::Unicode)
}

/// `t depends on x (t = x), but ∂/∂x holds t constant`: the constrained variables of f
/// that depend on a variable of differentiation.
fn headline(s: &Store, cons: &Constraints, f: ExprId, vars: &[Name], st: Style) -> String {
    let show = |e: ExprId| render(s, e, st);
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
        .map(|c| match cons.resolved(c.name) {
            Some(r) if r != c.rhs => format!("{} = {} = {}", nm(s, c.name), show(c.rhs), show(r)),
            _ => format!("{} = {}", nm(s, c.name), show(c.rhs)),
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
    format!(
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
    )
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
