//! Rendering: an `Outcome` as the text of the chosen format. Plain, Unicode and LaTeX
//! share the layout of `print::shape`; JSON wraps every style in the envelope of `json`.

use super::cli::Format;
use super::inputs::Inputs;
use super::json;
use super::ops::{Answer, Outcome};
use super::request::{Op, Request};
use super::settings::Settings;

use deriv::expr::{ExprId, Func, Name, Node, Store};
use deriv::print::cse::{self, Plan};
use deriv::print::emit::Emitted;
use deriv::print::shape::Shape;
use deriv::print::{Style, float, render_name, render_named};
use rustc_hash::FxHashMap;
use serde_json::{Value, json};

/// What every rendering needs besides the outcome.
pub struct Context<'a> {
    pub req: &'a Request,
    pub inp: &'a Inputs,
    pub st: &'a Settings,
}

/// The output text of one answer (without its final newline).
pub fn answer(cx: &Context, o: &Outcome) -> String {
    let text = match &o.answer {
        Answer::Symbolic { shape, deltas } => symbolic(cx, o, shape, deltas),
        Answer::AtPoint { shape, values } => at_point(cx, o, shape, values),
        Answer::Numbers(values) => numbers(cx, o, values),
        Answer::Code {
            shape,
            deltas,
            code,
        } => match cx.st.format {
            Format::Json => code_json(cx, o, shape, deltas, code).to_string(),
            _ => code.code.trim_end().to_string(),
        },
        Answer::Step {
            values,
            file,
            rate,
            loss,
            ..
        } => match cx.st.format {
            Format::Json => json::step(values, *rate, *loss).to_string(),
            _ => file.trim_end_matches('\n').to_string(),
        },
    };
    if o.explanation.is_empty() || cx.st.format == Format::Json {
        return text;
    }
    let lines: Vec<&str> = o.explanation.iter().map(|(_, l)| l.as_str()).collect();
    format!("{}\n{text}", lines.join("\n"))
}

/// The JSON envelope of `o` around `result`.
fn envelope(
    cx: &Context,
    o: &Outcome,
    result: Value,
    mut extras: Vec<(&'static str, Value)>,
) -> Value {
    let s = &o.store;
    if matches!(cx.req.op, Op::Grad | Op::Hessian | Op::Jacobian) {
        let wrt: Vec<&str> = o.columns.iter().map(|&n| s.name(n)).collect();
        extras.push(("wrt", json!(wrt)));
    }
    if !o.explanation.is_empty() {
        let plain: Vec<&String> = o.explanation.iter().map(|(t, _)| t).collect();
        extras.push(("explanation", json!(plain)));
    }
    json::envelope(
        cx.req,
        cx.inp,
        &o.inputs,
        result,
        o.warning_data.as_ref(),
        &o.warnings,
        extras,
    )
}

/// A gradient of many entries at a point.
fn numbers(cx: &Context, o: &Outcome, values: &[f64]) -> String {
    let style = cx.st.style();
    let cells: Vec<String> = values.iter().map(|&v| float(v, style)).collect();
    match cx.st.format {
        Format::Latex => format!(
            "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
            cells.join(" \\\\ ")
        ),
        Format::Json => {
            let result: Vec<Value> = values
                .iter()
                .map(|v| json!({"exact": Value::Null, "value": v}))
                .collect();
            envelope(cx, o, json!(result), Vec::new()).to_string()
        }
        _ => format!("[{}]", cells.join(", ")),
    }
}

/// The result at a point: each entry exact or a double.
fn at_point(
    cx: &Context,
    o: &Outcome,
    shape: &Shape,
    values: &FxHashMap<ExprId, (Option<ExprId>, f64)>,
) -> String {
    let s = &o.store;
    let style = cx.st.style();
    if cx.st.format == Format::Json {
        let result = shape.json(&mut |e| {
            let (exact, x) = values[&e];
            json!({
                "exact": exact.map(|v| deriv::print::render(s, v, Style::Plain)),
                "value": if x.is_finite() { json!(x) } else { Value::Null },
            })
        });
        return envelope(cx, o, result, Vec::new()).to_string();
    }
    let mut cell = |e: ExprId| match values[&e] {
        (Some(v), _) => deriv::print::render(s, v, style),
        (None, x) => float(x, style),
    };
    match rows(cx, shape) {
        Some(m) => grid(
            &m.iter()
                .map(|r| r.iter().map(|&e| cell(e)).collect())
                .collect::<Vec<_>>(),
        ),
        None => shape.layout(&mut cell, style),
    }
}

/// A matrix to lay out in rows and aligned columns: in Unicode on a terminal, not in a
/// batch (whose answers are one line each), and not in the other formats.
fn rows<'a>(cx: &Context, shape: &'a Shape) -> Option<&'a Vec<Vec<ExprId>>> {
    match shape {
        Shape::Matrix(m)
            if cx.st.format == Format::Unicode && cx.st.stdout_is_tty && !cx.req.batch() =>
        {
            Some(m)
        }
        _ => None,
    }
}

/// Cells in rows and aligned columns, between tall brackets:
/// ⎡a  b⎤
/// ⎣c  d⎦
fn grid(cells: &[Vec<String>]) -> String {
    let width = |c: &String| c.chars().count();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|j| {
            cells
                .iter()
                .filter_map(|r| r.get(j))
                .map(width)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let n = cells.len();
    let mut out = Vec::new();
    for (i, row) in cells.iter().enumerate() {
        let (open, close) = match (i, n) {
            (_, 1) => ('[', ']'),
            (0, _) => ('⎡', '⎤'),
            (i, n) if i + 1 == n => ('⎣', '⎦'),
            _ => ('⎢', '⎥'),
        };
        let padded: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - width(c))))
            .collect();
        out.push(format!("{open}{}{close}", padded.join("  ")));
    }
    out.join("\n")
}

/// The `--cse` names of a symbolic result (`None` without `--cse`).
fn plan(cx: &Context, o: &Outcome, entries: &[ExprId], deltas: &[(Name, ExprId)]) -> Option<Plan> {
    let s = &o.store;
    cx.req.cse.then(|| {
        // Names in use: variables and unknown functions.
        let mut taken: Vec<&str> = s.free_symbols(entries).iter().map(|&n| s.name(n)).collect();
        for n in s.postorder(entries) {
            if let Node::Call(Func::Unknown { name, .. }, _) = s.node(n) {
                taken.push(s.name(*name));
            }
        }
        cse::plan_with(s, entries, &taken, deltas)
    })
}

/// A symbolic result; with `--cse`, the bindings first.
fn symbolic(cx: &Context, o: &Outcome, shape: &Shape, deltas: &[(Name, ExprId)]) -> String {
    let s = &o.store;
    let plan = plan(cx, o, &shape.entries(), deltas);
    let empty = FxHashMap::default();
    let names = plan.as_ref().map(|p| &p.names).unwrap_or(&empty);
    let bindings = plan.as_ref().map(|p| p.bindings.as_slice()).unwrap_or(&[]);
    let style = cx.st.style();
    if cx.st.format == Format::Json {
        return symbolic_json(cx, o, shape, names, bindings, Vec::new()).to_string();
    }
    let mut cell = |e: ExprId| match names.get(&e) {
        Some(n) => render_name(n, style),
        None => render_named(s, e, style, names),
    };
    let body = match rows(cx, shape) {
        Some(m) => grid(
            &m.iter()
                .map(|r| r.iter().map(|&e| cell(e)).collect())
                .collect::<Vec<_>>(),
        ),
        None => shape.layout(&mut cell, style),
    };
    if bindings.is_empty() {
        return body;
    }
    let binding = |(n, e): &(String, ExprId), eq: &str| {
        format!(
            "{}{eq}{}",
            render_name(n, style),
            render_named(s, *e, style, names)
        )
    };
    if style == Style::Latex {
        let mut lines: Vec<String> = bindings.iter().map(|b| binding(b, " &= ")).collect();
        lines.push(format!("\\text{{result}} &= {body}"));
        return format!(
            "\\begin{{aligned}} {} \\end{{aligned}}",
            lines.join(" \\\\ ")
        );
    }
    let sep = if cx.req.batch() { "; " } else { "\n" };
    let mut parts: Vec<String> = bindings.iter().map(|b| binding(b, " = ")).collect();
    parts.push(body);
    parts.join(sep)
}

/// Every style of an expression, some subexpressions written by their `--cse` names.
fn styles(s: &Store, e: ExprId, names: &FxHashMap<ExprId, String>) -> Value {
    if names.is_empty() {
        return deriv::print::json::styles(s, e);
    }
    json!({
        "plain": render_named(s, e, Style::Plain, names),
        "unicode": render_named(s, e, Style::Unicode, names),
        "latex": render_named(s, e, Style::Latex, names),
    })
}

fn symbolic_json(
    cx: &Context,
    o: &Outcome,
    shape: &Shape,
    names: &FxHashMap<ExprId, String>,
    bindings: &[(String, ExprId)],
    mut extras: Vec<(&'static str, Value)>,
) -> Value {
    let s = &o.store;
    let result = shape.json(&mut |e| match names.get(&e) {
        Some(n) => json!({
            "plain": n,
            "unicode": render_name(n, Style::Unicode),
            "latex": render_name(n, Style::Latex),
        }),
        None => styles(s, e, names),
    });
    if cx.req.cse {
        let b: Vec<Value> = bindings
            .iter()
            .map(|(n, e)| {
                let mut v = styles(s, *e, names);
                v["name"] = json!(n);
                v
            })
            .collect();
        extras.push(("bindings", Value::Array(b)));
    }
    envelope(cx, o, result, extras)
}

/// `--emit` with JSON: the symbolic result as without it, and the code with its
/// parameters (docs/formats.md).
fn code_json(
    cx: &Context,
    o: &Outcome,
    shape: &Shape,
    deltas: &[(Name, ExprId)],
    code: &Emitted,
) -> Value {
    let plan = plan(cx, o, &shape.entries(), deltas);
    let empty = FxHashMap::default();
    let names = plan.as_ref().map(|p| &p.names).unwrap_or(&empty);
    let bindings = plan.as_ref().map(|p| p.bindings.as_slice()).unwrap_or(&[]);
    let language = cx.req.emit.map(|l| l.name()).unwrap_or_default();
    let extras = vec![("code", json::code(language, code))];
    symbolic_json(cx, o, shape, names, bindings, extras)
}

#[cfg(test)]
mod tests {
    use super::grid;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn matrices_are_laid_out_in_aligned_columns() {
        assert_eq!(
            grid(&cells(&[&["2·y", "2x"], &["2x", "0"]])),
            "⎡2·y  2x⎤\n⎣2x   0 ⎦"
        );
        assert_eq!(
            grid(&cells(&[&["1", "x²"], &["-sin(θ)", "0"], &["y", "π"]])),
            "⎡1        x²⎤\n⎢-sin(θ)  0 ⎥\n⎣y        π ⎦"
        );
        assert_eq!(grid(&cells(&[&["a", "b"]])), "[a  b]");
    }
}
