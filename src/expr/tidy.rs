//! The tidy step after differentiation: a sum whose products of sums, multiplied out,
//! collect into fewer terms is replaced by the multiplied-out form, so x·(2x + 1) + x² + x
//! becomes 3x² + 2x, while σ(x)·(1 − σ(x)) keeps the shape a person writes.

use super::{ExprId, Node, Seen, Store};

/// Multiplying out stops when one product would give more terms than this.
const MAX_EXPANDED_TERMS: usize = 64;

impl Store {
    pub fn tidy(&mut self, e: ExprId) -> ExprId {
        if !self.has(Seen::ProductOfSums) {
            return e;
        }
        let done: Result<_, std::convert::Infallible> = self.rewrite(&[e], |s, n, kids| {
            let r = s.rebuild_with(n, kids);
            Ok(Some(s.tidy_sum(r)))
        });
        let Ok(r) = done;
        r[0]
    }

    fn tidy_sum(&mut self, e: ExprId) -> ExprId {
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
            match self.multiply_out(t) {
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
        if terms(self, r) < ts.len() { r } else { e }
    }

    /// The terms of a product with sums among its factors, multiplied out (bounded).
    fn multiply_out(&mut self, t: ExprId) -> Option<Vec<ExprId>> {
        let Node::Mul(fs) = self.node(t) else {
            return None;
        };
        if !fs.iter().any(|&f| matches!(self.node(f), Node::Add(_))) {
            return None;
        }
        let fs = fs.clone();
        let mut acc: Vec<Vec<ExprId>> = vec![Vec::new()];
        let mut any = false;
        for &f in fs.iter() {
            match self.node(f) {
                Node::Add(ts) => {
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
