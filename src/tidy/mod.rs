//! The tidy step after differentiation, toward what a person writes. Each rule is kept
//! only where it makes the result shorter:
//!
//! - a sum whose products of sums, multiplied out, collect into fewer terms or print
//!   shorter is multiplied out (x·(2x + 1) + x² + x is 3x² + 2x, σ(z)(1 − y) − y(1 − σ(z))
//!   is σ(z) − y), while σ(x)·(1 − σ(x)) keeps its shape;
//! - identities in a sum (`identities.rs`): sin² + cos² = 1 and its relatives, σ(−u) =
//!   1 − σ(u);
//! - a sum whose terms share a denominator that is a sum is put over it: the quotient
//!   rule's 1/(x + 1) − x/(x + 1)² becomes 1/(x + 1)²;
//! - the factors common to the terms of a sum are taken out (`factors.rs`);
//! - in a product: fractions inside a denominator are cleared (−y/(x²·(y²/x² + 1)) is
//!   −y/(x² + y²)), a sum is put over its own denominators where that cancels, signs are
//!   normalised.

mod factors;
mod identities;

use crate::expr::{ExprId, Node, Rat, Seen, Store};

/// Multiplying out stops when one product would give more terms than this.
const MAX_EXPANDED_TERMS: usize = 64;

/// A sum or product whose tree is larger than this is not put over a common denominator
/// nor cleared of inner fractions: it is not for reading anyway, and comparing sizes
/// costs a walk over the tree.
const MAX_TOGETHER_SIZE: u64 = 10_000;

impl Store {
    /// `e` in the form a person writes, by the rules above; the value is unchanged.
    pub fn tidy(&mut self, e: ExprId) -> ExprId {
        // Every rule needs a product of sums or a power of a sum to act on; most results
        // have neither, and cost nothing here.
        if !self.has(Seen::ProductOfSums) && !self.has(Seen::PowerOfSum) {
            return e;
        }
        let outer = self.outer_nodes(e);
        let done: Result<_, std::convert::Infallible> = self.rewrite(&[e], |s, n, kids| {
            let r = s.rebuild_with(n, kids);
            let full = outer[n.index()];
            let r = match s.node(r) {
                Node::Add(_) if full => s.tidy_add(r),
                Node::Add(_) => {
                    let r = s.tidy_sum(r, false);
                    s.together(r)
                }
                Node::Mul(_) if full => {
                    let r = s.clear_inner_fractions(r);
                    s.tidy_product(r)
                }
                Node::Mul(_) => s.clear_inner_fractions(r),
                _ => r,
            };
            Ok(Some(r))
        });
        let Ok(r) = done;
        r[0]
    }

    /// The nodes of `e` outside the arguments of functions and the exponents of powers
    /// (by index): the structure differentiation built. Inside, the subexpressions are the
    /// input's, already in canonical form, and get only the cheaper rules (multiplying
    /// out where that gives fewer terms, common denominators): most of a result is there,
    /// and the rules that compare printed lengths would cost too much on all of it.
    fn outer_nodes(&self, e: ExprId) -> Vec<bool> {
        let mut outer = vec![false; self.len()];
        let mut stack = vec![e];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut outer[n.index()], true) {
                continue;
            }
            match self.node(n) {
                Node::Add(xs) | Node::Mul(xs) => stack.extend(xs.iter()),
                &Node::Pow(b, _) => stack.push(b),
                _ => {}
            }
        }
        outer
    }

    /// The sum `e` tidied: the rules for sums, after multiplying out where that helps; or,
    /// where it was multiplied out, `e` with its common factors taken out instead, if that
    /// prints shorter (σ(1 − σ)² − σ²(1 − σ) is σ(1 − σ)(1 − 2σ)). Common factors are
    /// looked for only there: looking in every sum cost W2 4% and changed no result of
    /// the table.
    fn tidy_add(&mut self, e: ExprId) -> ExprId {
        let expanded = self.tidy_sum(e, true);
        let a = self.identities(expanded);
        let a = self.together(a);
        if expanded == e {
            return a;
        }
        let b = self.common_factor(e);
        if b == e {
            return a;
        }
        let small = self.size_below_cap(a).is_some() && self.size_below_cap(b).is_some();
        if small && self.prints_shorter(b, a) {
            b
        } else {
            a
        }
    }

    /// The sum `e` with its products of sums multiplied out, if that gives fewer terms (or,
    /// with `shorter_too`, if it is shorter).
    fn tidy_sum(&mut self, e: ExprId, shorter_too: bool) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        let has_product_of_sums = ts.iter().any(|&t| match self.node(t) {
            Node::Mul(fs) => fs.iter().any(|&f| matches!(self.node(f), Node::Add(_))),
            _ => false,
        });
        if !has_product_of_sums {
            return e;
        }
        let ts = ts.clone();
        let mut expanded = Vec::with_capacity(ts.len());
        let mut changed = false;
        for &t in ts.iter() {
            match self.multiply_out(t, None) {
                Some(parts) => {
                    changed = true;
                    expanded.extend(parts)
                }
                None => expanded.push(t),
            }
        }
        if !changed {
            return e;
        }
        let r = self.add(expanded);
        let terms = |s: &Store, x: ExprId| match s.node(x) {
            Node::Add(ts) => ts.len(),
            _ => 1,
        };
        if terms(self, r) < ts.len() {
            return r;
        }
        if !shorter_too {
            return e;
        }
        match self.size_below_cap(e) {
            Some(_) if self.shorter(r, e) => r,
            _ => e,
        }
    }

    /// The sum `e` over the common denominator of its terms' powers of sums, with the
    /// numerator multiplied out, if that is smaller: 2x/(x − 1) − (x² + 1)/(x − 1)² becomes
    /// (x² − 2x − 1)/(x − 1)². Only denominators shared by two terms or more are taken.
    fn together(&mut self, e: ExprId) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        let mut dens = self.denominators(ts, |b| matches!(b, Node::Add(_)));
        dens.retain(|d| d.2 >= 2);
        if dens.is_empty() {
            return e;
        }
        if self.size_below_cap(e).is_none() {
            return e;
        }
        let r = self.over(e, &dens);
        if self.shorter(r, e) { r } else { e }
    }

    /// The sum `e` over all its terms' denominators, whatever their bases and however many
    /// terms share them (for `together_in_product`, which decides whether to keep it).
    fn over_all_denominators(&mut self, e: ExprId) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        let dens = self.denominators(ts, |_| true);
        if dens.is_empty() {
            return e;
        }
        self.over(e, &dens)
    }

    /// The sum `e` times the product of `dens`, multiplied out, over that product.
    fn over(&mut self, e: ExprId, dens: &[(ExprId, Rat, usize)]) -> ExprId {
        let lcd = self.product_of_powers(dens);
        let bases: Vec<ExprId> = dens.iter().map(|d| d.0).collect();
        let ts = self.children(e);
        let mut numerator = Vec::with_capacity(ts.len());
        for t in ts {
            // Only the denominators' bases left over are multiplied out: other sums in a
            // term keep their shape, and like terms still meet.
            let p = self.mul(vec![t, lcd]);
            match self.multiply_out(p, Some(&bases)) {
                Some(parts) => numerator.extend(parts),
                None => numerator.push(p),
            }
        }
        // Other products of sums are multiplied out where that collects terms, as in any
        // sum: 2x^3 - 2x(x^2 - 1) + 2x is 4x.
        let numerator = self.add(numerator);
        let numerator = self.tidy_sum(numerator, true);
        // The numerator is new to the bottom-up walk: its identities (sin² + cos² in the
        // quotient rule's numerator) are applied here.
        let numerator = self.identities(numerator);
        let minus_one = self.int(-1);
        let inverse = self.pow(lcd, minus_one);
        self.mul(vec![numerator, inverse])
    }

    /// The product `e` with the fractions inside a sum it divides by cleared, if that is
    /// smaller: ∂/∂x atan(y/x) = -y/(x^2*(y^2/x^2 + 1)) becomes -y/(x^2 + y^2). A factor
    /// (a/d + b)^-k is (a + b·d)^-k·d^k, for an integer k (with a root, d^(1/2) would be
    /// |d|^(1/2)).
    fn clear_inner_fractions(&mut self, e: ExprId) -> ExprId {
        let Node::Mul(fs) = self.node(e) else {
            return e;
        };
        let mut found = None;
        for (i, &f) in fs.iter().enumerate() {
            let &Node::Pow(sum, k) = self.node(f) else {
                continue;
            };
            let Node::Add(ts) = self.node(sum) else {
                continue;
            };
            if !self
                .as_num(k)
                .is_some_and(|k| k.is_integer() && k.is_negative())
            {
                continue;
            }
            let dens = self.denominators(ts, |_| true);
            // Worth trying where a cleared denominator is a variable (t/y - cos(z)) or
            // meets another factor of the product (x^2 meets the x^-2 of atan(y/x)'s
            // derivative); elsewhere the result is rarely smaller, and building it costs.
            let worth = |b: ExprId| {
                matches!(self.node(b), Node::Sym(_))
                    || fs
                        .iter()
                        .enumerate()
                        .any(|(j, &g)| j != i && self.base_exp(g).0 == b)
            };
            if dens.iter().any(|d| worth(d.0)) {
                found = Some((i, sum, k, dens));
                break;
            }
        }
        let Some((i, sum, k, dens)) = found else {
            return e;
        };
        if self.size_below_cap(e).is_none() {
            return e;
        }
        let d = self.product_of_powers(&dens);
        let cleared: Vec<ExprId> = self
            .children(sum)
            .into_iter()
            .map(|t| self.mul(vec![t, d]))
            .collect();
        let cleared = self.add(cleared);
        let mut factors = self.children(e);
        factors[i] = self.pow(cleared, k);
        let minus_k = self.neg(k);
        factors.push(self.pow(d, minus_k));
        let r = self.mul(factors);
        if self.shorter(r, e) { r } else { e }
    }

    /// The negative powers among the factors of `terms` whose base `keep` accepts: each
    /// base, the largest power it is divided by, and how many terms divide by it.
    fn denominators(
        &self,
        terms: &[ExprId],
        keep: impl Fn(&Node) -> bool,
    ) -> Vec<(ExprId, Rat, usize)> {
        let mut dens: Vec<(ExprId, Rat, usize)> = Vec::new();
        for t in terms {
            let fs = match self.node(*t) {
                Node::Mul(fs) => fs,
                _ => std::slice::from_ref(t),
            };
            for &f in fs {
                if let &Node::Pow(b, x) = self.node(f)
                    && let Some(x) = self.as_num(x).filter(|x| x.is_negative())
                    && keep(self.node(b))
                {
                    let k = x.neg();
                    match dens.iter_mut().find(|d| d.0 == b) {
                        Some(d) => {
                            d.1 = d.1.clone().max(k);
                            d.2 += 1;
                        }
                        None => dens.push((b, k, 1)),
                    }
                }
            }
        }
        dens
    }

    /// The product of each base to its power, for `denominators`' list.
    fn product_of_powers(&mut self, dens: &[(ExprId, Rat, usize)]) -> ExprId {
        let factors: Vec<ExprId> = dens
            .iter()
            .map(|(b, k, _)| {
                let k = self.num(k.clone());
                self.pow(*b, k)
            })
            .collect();
        self.mul(factors)
    }

    /// The tree size of `e` if it is under `MAX_TOGETHER_SIZE`.
    fn size_below_cap(&mut self, e: ExprId) -> Option<u64> {
        Some(self.size_of(e)).filter(|&n| n < MAX_TOGETHER_SIZE)
    }

    /// Is `r` smaller than `e`: as a tree, and as the text a person reads? (The tree alone
    /// preferred `x^14*z^16/(x - t*z)^16` to `1/(x^2*(1/z - t/x)^16)`.) Callers have
    /// checked that `e` is under the size cap, so the texts compared are short.
    fn shorter(&mut self, r: ExprId, e: ExprId) -> bool {
        self.size_of(r) < self.size_of(e) && self.printed_len(r) <= self.printed_len(e)
    }

    /// Does `r` print shorter than `e` (both under the size cap)?
    fn prints_shorter(&mut self, r: ExprId, e: ExprId) -> bool {
        self.printed_len(r) < self.printed_len(e)
    }

    /// The length of `e`'s plain text, remembered.
    fn printed_len(&mut self, e: ExprId) -> usize {
        let mut lengths = std::mem::take(&mut self.printed);
        let n = crate::print::plain_len(self, e, &mut lengths);
        self.printed = lengths;
        n
    }

    /// The terms of a product with sums among its factors, multiplied out (bounded); with
    /// `only`, just those sums and their positive integer powers.
    fn multiply_out(&mut self, t: ExprId, only: Option<&[ExprId]>) -> Option<Vec<ExprId>> {
        let factors: Vec<ExprId> = match self.node(t) {
            Node::Mul(fs) => fs.to_vec(),
            _ if only.is_some() => vec![t],
            _ => return None,
        };
        // Each factor, and whether it is multiplied out.
        let mut fs = Vec::with_capacity(factors.len());
        for f in factors {
            let expand = match (self.node(f), only) {
                (Node::Add(_), None) => true,
                (Node::Add(_), Some(bases)) => bases.contains(&f),
                (&Node::Pow(b, k), Some(bases)) if bases.contains(&b) => {
                    // (x + 1)^2 is multiplied out as (x + 1)·(x + 1).
                    if let Some(k @ 1..=8) = self.as_num(k).and_then(|r| r.to_i64()) {
                        fs.extend(std::iter::repeat_n((b, true), k as usize));
                        continue;
                    }
                    false
                }
                _ => false,
            };
            fs.push((f, expand));
        }
        let mut acc: Vec<Vec<ExprId>> = vec![Vec::new()];
        let mut any = false;
        for &(f, expand) in fs.iter() {
            match self.node(f) {
                Node::Add(ts) if expand => {
                    any = true;
                    if acc.len() * ts.len() > MAX_EXPANDED_TERMS {
                        return None;
                    }
                    let ts = ts.clone();
                    acc = acc
                        .iter()
                        .flat_map(|p| {
                            ts.iter().map(move |&x| {
                                let mut q = p.clone();
                                q.push(x);
                                q
                            })
                        })
                        .collect();
                }
                _ => acc.iter_mut().for_each(|p| p.push(f)),
            }
        }
        if !any {
            return None;
        }
        Some(acc.into_iter().map(|p| self.mul(p)).collect())
    }
}

#[cfg(test)]
mod tests;
