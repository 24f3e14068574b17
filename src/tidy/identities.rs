//! Identities tidy applies to a sum, each only where the sum prints shorter after it:
//! sin² + cos² = 1 (with sec² − tan² = 1, csc² − cot² = 1, cosh² − sinh² = 1), and
//! σ(−u) = 1 − σ(u), which cancels σ terms (σ(−z) − 1 is −σ(z)). One function's square
//! (or σ(−u)) is replaced in every term, the terms are collected, and the shortest result
//! is kept.

use crate::expr::{Builtin, ExprId, Func, Node, Store};

/// f(u)² = a + b·g(u)² for each function f with such an identity: (f, g, a, b).
const SQUARES: [(Builtin, Builtin, i64, i64); 8] = [
    (Builtin::Sin, Builtin::Cos, 1, -1),
    (Builtin::Cos, Builtin::Sin, 1, -1),
    (Builtin::Tan, Builtin::Sec, -1, 1),
    (Builtin::Sec, Builtin::Tan, 1, 1),
    (Builtin::Cot, Builtin::Csc, -1, 1),
    (Builtin::Csc, Builtin::Cot, 1, 1),
    (Builtin::Sinh, Builtin::Cosh, -1, 1),
    (Builtin::Cosh, Builtin::Sinh, 1, 1),
];

/// At most this many replacements are tried for one sum.
const MAX_TRIES: usize = 6;

/// A replacement: the call f(u) whose powers are rewritten, how many of its powers one
/// replacement takes (2 for a square, 1 for σ), and the sum that replaces them.
struct Try {
    call: ExprId,
    taken: i64,
    by: ExprId,
}

impl Store {
    /// The sum `e` after the identity that shortens it most, or `e`.
    pub(super) fn identities(&mut self, e: ExprId) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        let mut calls: Vec<(ExprId, i64)> = Vec::new();
        for &t in ts.iter() {
            for &f in self.term_factors(&t) {
                let (b, k) = match self.node(f) {
                    &Node::Pow(b, k) => (b, self.as_num(k).and_then(|k| k.to_i64())),
                    _ => (f, Some(1)),
                };
                if let Some(k) = k
                    && k >= 1
                    && self.identity_for(b).is_some_and(|taken| k >= taken)
                    && !calls.iter().any(|c| c.0 == b)
                {
                    calls.push((b, k));
                }
            }
        }
        // Worth trying only where something can cancel: a term with the partner function
        // of the same argument (cos(u)^2 for sin(u)^2, sigmoid(u) for sigmoid(-u)) and the
        // same other factors, or a number term.
        let has_number = ts.iter().any(|&t| self.as_num(t).is_some());
        if !has_number {
            let ts = ts.to_vec();
            calls.retain(|&(c, _)| self.has_partner_term(&ts, c));
        }
        if calls.is_empty() {
            return e;
        }
        if self.size_below_cap(e).is_none() {
            return e;
        }
        let mut best = e;
        for (call, _) in calls.into_iter().take(MAX_TRIES) {
            let Some(t) = self.replacement(call) else {
                continue;
            };
            let r = self.replace_powers(e, &t);
            if self.shorter(r, best) {
                best = r;
            }
        }
        best
    }

    /// How many powers of the call `b` one replacement takes, if it has an identity.
    fn identity_for(&self, b: ExprId) -> Option<i64> {
        match self.node(b) {
            Node::Call(Func::Builtin(Builtin::Sigmoid), args) => {
                self.is_negated(args[0]).then_some(1)
            }
            Node::Call(Func::Builtin(f), _) => SQUARES.iter().any(|s| s.0 == *f).then_some(2),
            _ => None,
        }
    }

    /// Is there, among `ts`, a term with the call `c` to the power the identity takes (or
    /// more) and a term with the partner's, whose other factors are the same?
    fn has_partner_term(&mut self, ts: &[ExprId], c: ExprId) -> bool {
        let (Some(taken), Some((g, u))) = (self.identity_for(c), self.partner(c)) else {
            return false;
        };
        // The factors of each term other than its power of the call matching `is`.
        let rests = |s: &Store, is: &dyn Fn(ExprId) -> bool| -> Vec<Vec<ExprId>> {
            ts.iter()
                .filter_map(|t| {
                    let fs = s.term_factors(t);
                    let i = fs.iter().position(|&f| {
                        let (b, k) = s.base_exp(f);
                        let k = k.map_or(Some(1), |k| s.as_num(k).and_then(|k| k.to_i64()));
                        is(b) && k.is_some_and(|k| k >= taken)
                    })?;
                    let mut rest = fs.to_vec();
                    rest.remove(i);
                    Some(rest)
                })
                .collect()
        };
        let mine = rests(self, &|b| b == c);
        let theirs = rests(self, &|b| self.is_call_of(b, g, u));
        mine.iter().any(|r| theirs.contains(r))
    }

    /// The function and argument whose presence makes the identity for the call `c` worth
    /// trying: g(u) for f(u) in `SQUARES`, σ(v) for σ(−v).
    fn partner(&mut self, c: ExprId) -> Option<(Builtin, ExprId)> {
        let &Node::Call(Func::Builtin(f), ref args) = self.node(c) else {
            return None;
        };
        let u = args[0];
        if f == Builtin::Sigmoid {
            return Some((f, self.neg(u)));
        }
        SQUARES.iter().find(|s| s.0 == f).map(|s| (s.1, u))
    }

    /// Is `p` the call g(u)?
    fn is_call_of(&self, p: ExprId, g: Builtin, u: ExprId) -> bool {
        matches!(self.node(p), Node::Call(Func::Builtin(h), args) if *h == g && args[0] == u)
    }

    /// The replacement for powers of the call `b`: f(u)² = a + b·g(u)², σ(−u) = 1 − σ(u).
    fn replacement(&mut self, call: ExprId) -> Option<Try> {
        let &Node::Call(Func::Builtin(f), ref args) = self.node(call) else {
            return None;
        };
        let u = args[0];
        let one = self.one();
        if f == Builtin::Sigmoid {
            let w = self.neg(u);
            let s = self.builtin(Builtin::Sigmoid, w);
            let by = self.sub(one, s);
            return Some(Try { call, taken: 1, by });
        }
        let &(_, g, a, b) = SQUARES.iter().find(|s| s.0 == f)?;
        let (a, b, two) = (self.int(a), self.int(b), self.int(2));
        let gu = self.builtin(g, u);
        let g2 = self.pow(gu, two);
        let bg2 = self.mul(vec![b, g2]);
        let by = self.add(vec![a, bg2]);
        Some(Try { call, taken: 2, by })
    }

    /// The sum `e` with `t.taken` powers of `t.call` replaced by `t.by` in each term where
    /// the call has that many, multiplied out and collected.
    fn replace_powers(&mut self, e: ExprId, t: &Try) -> ExprId {
        let mut out = Vec::new();
        for term in self.children(e) {
            let fs = self.children(term);
            let fs = if matches!(self.node(term), Node::Mul(_)) {
                fs
            } else {
                vec![term]
            };
            let at = fs.iter().position(|&f| {
                let (b, k) = self.base_exp(f);
                b == t.call
                    && k.map_or(Some(1), |k| self.as_num(k).and_then(|k| k.to_i64()))
                        .is_some_and(|k| k >= t.taken)
            });
            let Some(i) = at else {
                out.push(term);
                continue;
            };
            let (_, k) = self.base_exp(fs[i]);
            let k = k.map_or(1, |k| self.as_num(k).and_then(|k| k.to_i64()).unwrap_or(1));
            let mut rest = fs;
            let left = self.int(k - t.taken);
            rest[i] = self.pow(t.call, left);
            for part in self.children(t.by) {
                let mut p = rest.clone();
                p.push(part);
                out.push(self.mul(p));
            }
        }
        self.add(out)
    }
}
