//! The shapes of a result: one expression, a row (gradient), rows (Hessian, Jacobian), or
//! a differential Σ cᵥ·dv; each laid out in every style and as JSON, from its entries.

use super::{Style, render_name};
use crate::expr::ExprId;
use serde_json::{Value, json};

/// A result: one expression, a row of them (gradient), rows (Hessian, Jacobian), or the
/// coefficients of a differential, Σ cᵥ·dv.
pub enum Shape {
    /// One expression.
    Scalar(ExprId),
    /// A row: a gradient.
    Vector(Vec<ExprId>),
    /// Rows: a Hessian or a Jacobian.
    Matrix(Vec<Vec<ExprId>>),
    /// The terms of a differential.
    Differential(Vec<DTerm>),
}

/// One term cᵥ·dv of a differential; `coef` is written without its sign.
#[derive(Clone)]
pub struct DTerm {
    /// The variable by its plain name; each style writes it its own way (`render_name`).
    pub var: String,
    /// cᵥ with its sign taken off (not negated: a minus is `negative`'s to write).
    pub coef: ExprId,
    /// cᵥ was negated: the term is written with a minus, `- coef·dv`.
    pub negative: bool,
    /// The coefficient is a sum, so it is written in parentheses.
    pub sum: bool,
    /// The coefficient is 1: only dv is written.
    pub unit: bool,
}

impl Shape {
    /// Every expression, row by row (a differential's coefficients, without their signs):
    /// the order of `emit::Spec::labels` and of the code's outputs.
    pub fn entries(&self) -> Vec<ExprId> {
        match self {
            Shape::Scalar(e) => vec![*e],
            Shape::Vector(v) => v.clone(),
            Shape::Matrix(m) => m.concat(),
            Shape::Differential(d) => d.iter().map(|t| t.coef).collect(),
        }
    }

    /// The same shape with each entry replaced by `f`. A differential's `negative`, `sum`
    /// and `unit` are kept, not recomputed: `f` must not change them.
    pub fn map(&self, f: &mut dyn FnMut(ExprId) -> ExprId) -> Shape {
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
    pub fn layout(&self, cell: &mut dyn FnMut(ExprId) -> String, style: Style) -> String {
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

    /// As JSON: an entry as `cell` makes it, a row as an array, rows as an array of
    /// arrays, a differential as an array of `{variable, negative, coefficient}`.
    pub fn json(&self, cell: &mut dyn FnMut(ExprId) -> Value) -> Value {
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
