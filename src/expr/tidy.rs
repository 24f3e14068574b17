//! The tidy step after differentiation: a sum whose products of sums, multiplied out,
//! collect into fewer terms is replaced by the multiplied-out form, so x·(2x + 1) + x² + x
//! becomes 3x² + 2x, while σ(x)·(1 − σ(x)) keeps the shape a person writes. And a sum
//! whose terms share a denominator that is a sum is put over it where that is smaller:
//! the quotient rule's 1/(x + 1) − x/(x + 1)² becomes 1/(x + 1)².

use super::{ExprId, Node, Seen, Store};

/// Multiplying out stops when one product would give more terms than this.
const MAX_EXPANDED_TERMS: usize = 64;

/// A sum whose tree is larger than this is not put over a common denominator: it is not
/// for reading anyway, and comparing sizes costs a walk over the tree.
const MAX_TOGETHER_SIZE: u64 = 10_000;

impl Store {
    pub fn tidy(&mut self, e: ExprId) -> ExprId {
        if !self.has(Seen::ProductOfSums) && !self.has(Seen::PowerOfSum) {
            return e;
        }
        let done: Result<_, std::convert::Infallible> = self.rewrite(&[e], |s, n, kids| {
            let r = s.rebuild_with(n, kids);
            let r = s.tidy_sum(r);
            Ok(Some(s.together(r)))
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
        if terms(self, r) < ts.len() { r } else { e }
    }

    /// The sum `e` over the common denominator of its terms' powers of sums, with the
    /// numerator multiplied out, if that is smaller: 2x/(x − 1) − (x² + 1)/(x − 1)² becomes
    /// (x² − 2x − 1)/(x − 1)². Only denominators shared by two terms or more are taken.
    fn together(&mut self, e: ExprId) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        // (base, largest power, how many terms have it)
        let mut dens: Vec<(ExprId, i64, usize)> = Vec::new();
        for t in ts.iter() {
            let fs = match self.node(*t) {
                Node::Mul(fs) => fs,
                _ => std::slice::from_ref(t),
            };
            for &f in fs {
                let &Node::Pow(b, x) = self.node(f) else {
                    continue;
                };
                let Some(k) = self.as_num(x).and_then(|r| r.to_i64()) else {
                    continue;
                };
                if k >= 0 || !matches!(self.node(b), Node::Add(_)) {
                    continue;
                }
                match dens.iter_mut().find(|d| d.0 == b) {
                    Some(d) => {
                        d.1 = d.1.max(-k);
                        d.2 += 1;
                    }
                    None => dens.push((b, -k, 1)),
                }
            }
        }
        dens.retain(|d| d.2 >= 2);
        if dens.is_empty() {
            return e;
        }
        let size = self.size_up_to(e, MAX_TOGETHER_SIZE);
        if size >= MAX_TOGETHER_SIZE {
            return e;
        }
        let lcd: Vec<ExprId> = dens
            .iter()
            .map(|&(b, k, _)| {
                let k = self.int(k);
                self.pow(b, k)
            })
            .collect();
        let lcd = self.mul(lcd);
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
        let numerator = self.add(numerator);
        let minus_one = self.int(-1);
        let inverse = self.pow(lcd, minus_one);
        let r = self.mul(vec![numerator, inverse]);
        if self.size_up_to(r, size) < size {
            r
        } else {
            e
        }
    }

    /// The tree size of `e` (as `tree_size` counts it), or `cap` if that is not less: a
    /// walk over `e`'s tree alone, not the store.
    fn size_up_to(&self, e: ExprId, cap: u64) -> u64 {
        let mut size = 0;
        let mut stack = vec![e];
        while let Some(n) = stack.pop() {
            size += 1;
            if size >= cap {
                return cap;
            }
            let (slice, pair) = self.kids(n);
            stack.extend(slice.iter().chain(pair.iter().flatten()));
        }
        size
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
