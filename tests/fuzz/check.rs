//! The fuzz target's body, shared with the replay test in tests/hostile.rs (included there
//! with `#[path]`): parse → ∂/∂x → tidy → print in every style, and the plain output must
//! parse back. Call it on a thread with `deriv::STACK_SIZE` of stack, as the binary does.

use deriv::expr::Store;
use deriv::print::{Style, render};

pub fn run(text: &str) {
    let mut store = Store::new();
    // A small node budget, so time goes to the parser and the rules rather than to
    // blow-ups the budget exists to stop anyway.
    store.set_max_nodes(200_000);
    let Ok(f) = deriv::parse::parse(&mut store, text) else {
        return;
    };
    let x = store.intern_name("x");
    let d = deriv::calculus::partial(&mut store, f, x);
    let t = store.tidy(d);
    // The input itself is printed too (what `simplify` does).
    let f = store.tidy(f);
    for e in [f, t] {
        if store.is_undefined(e) {
            continue;
        }
        for style in [Style::Plain, Style::Unicode, Style::Latex] {
            let out = render(&store, e, style);
            assert!(!out.is_empty(), "empty rendering in {style:?}");
        }
        let _ = deriv::print::json::styles(&store, e);
        let plain = render(&store, e, Style::Plain);
        let mut again = Store::new();
        if let Err(err) = deriv::parse::parse(&mut again, &plain) {
            assert!(
                err.message.contains("nests more than") || err.message.contains("out of range"),
                "plain output {plain:?} does not parse back: {}",
                err.message
            );
        }
    }
}
