//! JSON output: an expression in every text style, for programs (schema in docs/formats.md).

use super::{Style, render};
use crate::expr::{ExprId, Store};
use serde_json::{Value, json};

/// `{"plain": ..., "unicode": ..., "latex": ...}`
pub fn styles(store: &Store, e: ExprId) -> Value {
    json!({
        "plain": render(store, e, Style::Plain),
        "unicode": render(store, e, Style::Unicode),
        "latex": render(store, e, Style::Latex),
    })
}
