//! Every JSON object deriv writes, in one place (the schema is docs/formats.md): the
//! answer's envelope, `step`'s values, `train`'s progress, and a failed batch line.

use super::inputs::Inputs;
use super::request::{Op, Request};
use deriv::diagnostic::Diagnostic;
use deriv::parse;
use serde_json::{Value, json};

/// The JSON format's version, in every object.
const VERSION: u32 = 1;

/// An answer: its result (already JSON) with what was asked and what was said about it.
/// `extras` are fields only some answers have (`wrt`, `explanation`, `bindings`).
pub fn envelope(
    req: &Request,
    inp: &Inputs,
    inputs: &[String],
    result: Value,
    warning: Option<&Value>,
    others: &[Diagnostic],
    extras: Vec<(&'static str, Value)>,
) -> Value {
    let constraints: Vec<Value> = inp
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
    let mut warnings: Vec<Value> = warning.cloned().into_iter().collect();
    // (The substitution warning has no kind: it comes with its data in `warning`.)
    for d in others {
        if let Some(kind) = d.kind {
            warnings.push(json!({"kind": kind.name(), "message": d.message, "notes": d.notes}));
        }
    }
    let input = match req.op {
        Op::Jacobian => json!(inputs),
        _ => json!(inputs.join(", ")),
    };
    let mut obj = json!({
        "version": VERSION,
        "input": input,
        "operation": req.command,
        "variables": inp.var_texts,
        "constraints": constraints,
        "substitute_first": matches!(req.op, Op::Partial { substitute_first: true }),
        "result": result,
        "warnings": warnings,
    });
    if !req.at.is_empty() {
        obj["at"] = json!(req.at.join(","));
    }
    for (k, v) in extras {
        obj[k] = v;
    }
    obj
}

/// `--emit`'s code, for the envelope's `code` field.
pub fn code(language: &str, code: &deriv::print::emit::Emitted) -> Value {
    let parameters: Vec<Value> = code
        .parameters
        .iter()
        .map(|p| {
            json!({
                "name": p.ident,
                "variables": p.variables,
                "shape": p.shape,
                "first_index": p.first_index,
            })
        })
        .collect();
    json!({
        "language": language,
        "function": code.function,
        "parameters": parameters,
        "text": code.code,
    })
}

/// `step`: the point after the step, with the rate and E before it.
pub fn step(values: &[(String, String)], rate: f64, loss: f64) -> Value {
    json!({
        "version": VERSION,
        "operation": "step",
        "rate": rate,
        "loss": loss,
        "values": values.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
    })
}

/// A batch line that has no answer.
pub fn line_error(line: usize, input: &str, error: &str) -> Value {
    json!({"version": VERSION, "line": line, "input": input, "error": error})
}

/// `train`: one epoch's mean loss (a line of JSON Lines on stderr).
pub fn train_epoch(epoch: u64, epochs: u64, loss: f64) -> Value {
    json!({"version": VERSION, "operation": "train", "epoch": epoch, "epochs": epochs, "loss": loss})
}

/// `train`: how training ended (the last line on stderr).
pub fn train_end(
    epochs: u64,
    steps: u64,
    samples: usize,
    interrupted: bool,
    loss: Option<f64>,
) -> Value {
    json!({
        "version": VERSION,
        "operation": "train",
        "end": true,
        "epochs_run": epochs,
        "steps": steps,
        "samples": samples,
        "interrupted": interrupted,
        "loss": loss,
    })
}
