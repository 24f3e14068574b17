//! Where each part of a parsed text is: a second parse that records spans, so a fault can
//! point at the zero divisor or the argument of log(0) instead of the whole expression.

use super::{Grammar, ParseError, Rule, build, describe::describe, dots_as_stars};
use crate::expr::{ExprId, Store};
use pest::Parser;
use std::ops::Range;

/// Where the parts of a parsed text are: the span of the first place each node was
/// built, and the operand at which the text's value first became undefined (`x/(z - z)`:
/// the `(z - z)`). For diagnostics that point into the text; see `spans`.
#[derive(Debug, Default)]
pub struct Spans {
    first: rustc_hash::FxHashMap<ExprId, Range<usize>>,
    /// Every node built, with its span, in the order built (children before parents).
    pub(super) done: Vec<(ExprId, Range<usize>)>,
    fault: Option<Range<usize>>,
}

impl Spans {
    /// The span of the first place `e` was built in the text.
    pub fn of(&self, e: ExprId) -> Option<Range<usize>> {
        self.first.get(&e).cloned()
    }

    /// Where the store's fault is in the text: the operand where the text's value became
    /// undefined, if that happened while parsing; else the first place the fault's
    /// subject was built (the fault arose later, as with `log(sin(x))` at x = pi, where
    /// the rewrite that substituted the point names `sin(x)`: see `Store::rewrite`).
    pub fn fault(&self, store: &Store) -> Option<Range<usize>> {
        if let Some(r) = &self.fault {
            return Some(r.clone());
        }
        self.of(store.fault()?.subject()?)
    }

    /// Records `e`, built from the text at `span`, whose parts were recorded from `start`
    /// on.
    pub(super) fn note(&mut self, store: &Store, e: ExprId, span: Range<usize>, start: usize) {
        self.first.entry(e).or_insert_with(|| span.clone());
        if self.fault.is_none() && store.is_undefined(e) {
            // The first undefined node: its parts are all defined, so the fault arose
            // here. The subject is the last of its parts with that node (the outermost).
            let subject = store.fault().and_then(|f| f.subject());
            let part = self.done[start..]
                .iter()
                .rev()
                .find(|(d, _)| Some(*d) == subject)
                .map(|(_, r)| r.clone());
            self.fault = Some(part.unwrap_or_else(|| span.clone()));
        }
        self.done.push((e, span));
    }
}

/// Parses `text` again into `store`, recording where each node comes from (`Spans`).
/// The store is hash-consed, so the nodes are the ones the first parse built: a fault's
/// subject, or any node of the parsed expression, can be looked up. Costs a parse; meant
/// for an error's diagnostic.
pub fn spans(store: &mut Store, text: &str) -> Result<Spans, ParseError> {
    let spelled = dots_as_stars(text);
    let mut pairs = Grammar::parse(Rule::input, &spelled).map_err(|e| describe(text, &e))?;
    let input = pairs.next().expect("input rule");
    let sum = input.into_inner().next().expect("sum");
    let mut rec = Some(Spans::default());
    build(store, sum, &mut rec)?;
    let mut spans = rec.expect("recording");
    // A pair's span may end in the blanks after it. (`spelled` has the offsets of `text`,
    // and a span never ends inside the `* ` written for a `·`.)
    let trim = |r: &mut Range<usize>| {
        r.end = r.start + spelled[r.clone()].trim_end().len();
    };
    spans.first.values_mut().for_each(trim);
    spans.fault.iter_mut().for_each(trim);
    spans.done.clear();
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Constant;
    use crate::parse::parse;

    /// The text a fault points at, after parsing `text` (by the fast path when it can).
    fn fault_text(text: &str) -> String {
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        assert!(s.is_undefined(e), "{text} is defined");
        let spans = spans(&mut s, text).unwrap();
        text[spans.fault(&s).expect("a span")].to_string()
    }

    #[test]
    fn a_fault_points_at_the_zero_divisor_or_the_argument() {
        assert_eq!(fault_text("x/(z-z)"), "(z-z)");
        assert_eq!(fault_text("0*y + x/(z - z) + 1"), "(z - z)");
        assert_eq!(fault_text("3 + log(x - x)"), "x - x");
        assert_eq!(fault_text("x*tan(pi/2)"), "pi/2");
        assert_eq!(fault_text("sin(x)/sin(2*pi)"), "sin(2*pi)");
        // The Unicode forms: a root, bars, floor brackets, a superscript, a middle dot.
        assert_eq!(fault_text("x/√(z - z)"), "√(z - z)");
        assert_eq!(fault_text("x/|z - z| + 1"), "|z - z|");
        assert_eq!(fault_text("y·x/⌊z - z⌋"), "⌊z - z⌋");
        assert_eq!(fault_text("x/(z - z)²"), "(z - z)²");
        assert_eq!(fault_text("x·0⁻¹"), "0");
    }

    #[test]
    fn a_fault_from_a_substitution_points_at_what_was_substituted_into() {
        let text = "y + log(sin(x))";
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        let x = s.intern_name("x");
        let pi = s.constant(Constant::Pi);
        let at = s.substitute(e, &rustc_hash::FxHashMap::from_iter([(x, pi)]));
        assert!(s.is_undefined(at));
        let spans = spans(&mut s, text).unwrap();
        assert_eq!(&text[spans.fault(&s).unwrap()], "sin(x)");
    }

    #[test]
    fn every_node_of_the_text_has_the_span_where_it_was_first_built() {
        let text = "x*(y + 1) + sin(y + 1)";
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        let spans = spans(&mut s, text).unwrap();
        let sum = parse(&mut s, "y + 1").unwrap();
        assert_eq!(&text[spans.of(sum).unwrap()], "y + 1");
        assert_eq!(spans.of(e), Some(0..text.len()));
        assert!(spans.fault(&s).is_none());
    }
}
