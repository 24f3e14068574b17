//! Walks over the store: children, postorder, sizes, rebuilding a node from new
//! children, and rewriting or substituting over a DAG (each node once, no recursion).

use super::{ExprId, Fault, LARGE_STORE, Name, Node, Store, UNDEFINED, name_order};
use rustc_hash::FxHashMap;

/// The nodes a walk of a large store has reached: a set while the walk is small, one bit
/// per node of the store once it has reached 1/64 of them (the bits then cost at most as
/// much memory as the set would).
enum Visited {
    Set(rustc_hash::FxHashSet<usize>),
    Bits(Vec<u64>),
}

impl Visited {
    /// Marks node `i` of a store of `n` nodes; true the first time.
    fn insert(&mut self, i: usize, n: usize) -> bool {
        match self {
            Visited::Set(set) => {
                let new = set.insert(i);
                if set.len() > n / 64 {
                    let mut bits = vec![0u64; n.div_ceil(64)];
                    for &j in set.iter() {
                        bits[j / 64] |= 1 << (j % 64);
                    }
                    *self = Visited::Bits(bits);
                }
                new
            }
            Visited::Bits(bits) => {
                let (w, b) = (i / 64, 1u64 << (i % 64));
                let new = bits[w] & b == 0;
                bits[w] |= b;
                new
            }
        }
    }
}

impl Store {
    /// The children of a node, in order.
    pub fn children(&self, e: ExprId) -> Vec<ExprId> {
        let (slice, pair) = self.kids(e);
        slice.iter().chain(pair.iter().flatten()).copied().collect()
    }

    /// How many children a node has.
    pub fn children_len(&self, e: ExprId) -> usize {
        let (slice, pair) = self.kids(e);
        if pair.is_some() { 2 } else { slice.len() }
    }

    /// The i-th child of a node (in the order of `children`).
    pub fn kid(&self, e: ExprId, i: usize) -> ExprId {
        let (slice, pair) = self.kids(e);
        match pair {
            Some(p) => p[i],
            None => slice[i],
        }
    }

    /// The children of a node without allocating: a slice (sums, products, calls) or a
    /// pair (base and exponent of a power).
    pub fn kids(&self, e: ExprId) -> (&[ExprId], Option<[ExprId; 2]>) {
        match self.node(e) {
            Node::Add(c) | Node::Mul(c) | Node::Call(_, c) => (c, None),
            Node::Pow(a, b) => (&[], Some([*a, *b])),
            _ => (&[], None),
        }
    }

    /// Every node reachable from `roots`, children before parents (no recursion).
    pub fn postorder(&self, roots: &[ExprId]) -> Vec<ExprId> {
        // A flag per node of the store is fastest, but costs the whole store on every call:
        // in a large store (200,000 chained definitions, each walked once) a set of the
        // nodes reached keeps a walk proportional to what it visits, until the walk is a
        // large part of the store (a definition unfolding to millions of nodes), where the
        // flags, a bit each, cost less than the set.
        if self.nodes.len() > LARGE_STORE {
            let mut seen = Visited::Set(rustc_hash::FxHashSet::default());
            let n = self.nodes.len();
            return self.postorder_with(roots, |e| seen.insert(e.index(), n));
        }
        let mut seen = vec![false; self.nodes.len()];
        self.postorder_with(roots, |e| !std::mem::replace(&mut seen[e.index()], true))
    }

    /// Postorder with `first(e)` true the first time `e` is met.
    fn postorder_with(
        &self,
        roots: &[ExprId],
        mut first: impl FnMut(ExprId) -> bool,
    ) -> Vec<ExprId> {
        let mut out = Vec::new();
        let mut stack: Vec<(ExprId, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((e, expanded)) = stack.pop() {
            if expanded {
                out.push(e);
                continue;
            }
            if !first(e) {
                continue;
            }
            stack.push((e, true));
            let (slice, pair) = self.kids(e);
            for &c in slice.iter().chain(pair.iter().flatten()).rev() {
                stack.push((c, false));
            }
        }
        out
    }

    /// The tree size of `e`, as `tree_size` counts it (saturating): computed for every
    /// node up to `e` in storage order, children first, each once per store.
    pub(crate) fn size_of(&mut self, e: ExprId) -> u64 {
        for i in self.sizes.len()..=e.index() {
            let (slice, pair) = self.kids(ExprId(i as u32));
            let size = slice
                .iter()
                .chain(pair.iter().flatten())
                .fold(1u32, |acc, c| acc.saturating_add(self.sizes[c.index()]));
            self.sizes.push(size);
        }
        u64::from(self.sizes[e.index()])
    }

    /// The number of nodes in the trees the roots unfold to (shared subexpressions counted
    /// each time they occur), saturating: what printing without `--cse` writes out.
    pub fn tree_size(&self, roots: &[ExprId]) -> u64 {
        // Children are stored before their parents, so one pass in storage order sees
        // every child's size before its parent's (nodes the roots do not reach are
        // sized too; that is cheaper than finding the ones they do).
        let end = roots.iter().map(|r| r.index() + 1).max().unwrap_or(0);
        let mut size = vec![0u64; end];
        for i in 0..end {
            let (slice, pair) = self.kids(ExprId(i as u32));
            size[i] = slice
                .iter()
                .chain(pair.iter().flatten())
                .fold(1u64, |acc, c| acc.saturating_add(size[c.index()]));
        }
        roots
            .iter()
            .fold(0u64, |acc, r| acc.saturating_add(size[r.index()]))
    }

    /// The variables an expression mentions, sorted by name.
    pub fn free_symbols(&self, roots: &[ExprId]) -> Vec<Name> {
        let mut v: Vec<Name> = self
            .postorder(roots)
            .into_iter()
            .filter_map(|e| match self.node(e) {
                Node::Sym(n) => Some(*n),
                _ => None,
            })
            .collect();
        v.sort_by(|a, b| name_order(self.name(*a), self.name(*b)));
        v.dedup();
        v
    }
    /// Rebuilds `e` with new children through the canonical constructors.
    pub fn rebuild(&mut self, e: ExprId, kids: Vec<ExprId>) -> ExprId {
        match self.node(e).clone() {
            Node::Add(_) => self.add(kids),
            Node::Mul(_) => self.mul(kids),
            Node::Pow(..) => self.pow(kids[0], kids[1]),
            Node::Call(f, _) => self.call(f, kids),
            _ => e,
        }
    }

    /// `n` with its children replaced by `kids`: `n` itself when they are the same.
    pub fn rebuild_with(&mut self, n: ExprId, kids: &[ExprId]) -> ExprId {
        let (slice, pair) = self.kids(n);
        if slice.iter().chain(pair.iter().flatten()).eq(kids.iter()) {
            n
        } else {
            self.rebuild(n, kids.to_vec())
        }
    }

    /// Rewrites the DAG under `roots` bottom-up, each distinct node once, without recursion.
    /// `visit(store, node, kids)` sees a node with its children already rewritten and
    /// returns its replacement, or `None` to rebuild it from the new children. The one walk
    /// behind substitution, definitions, sums and tidy.
    pub fn rewrite<E>(
        &mut self,
        roots: &[ExprId],
        mut visit: impl FnMut(&mut Store, ExprId, &[ExprId]) -> Result<Option<ExprId>, E>,
    ) -> Result<Vec<ExprId>, E> {
        // The replacement of each node, by index (every node walked is already stored); in
        // a large store of which the walk reaches a small part, a map of the nodes walked
        // (see `postorder`).
        let order = self.postorder(roots);
        let large = self.nodes.len() > LARGE_STORE && order.len() < self.nodes.len() / 16;
        let mut dense: Vec<ExprId> = vec![UNDEFINED; if large { 0 } else { self.nodes.len() }];
        let mut sparse: FxHashMap<usize, ExprId> = FxHashMap::default();
        let mut kids: Vec<ExprId> = Vec::new();
        for n in order {
            kids.clear();
            let (slice, pair) = self.kids(n);
            let get = |c: &ExprId| match large {
                true => sparse[&c.index()],
                false => dense[c.index()],
            };
            kids.extend(slice.iter().chain(pair.iter().flatten()).map(get));
            let faulted = self.fault.is_some();
            let r = match visit(self, n, &kids)? {
                Some(r) => r,
                None => self.rebuild_with(n, &kids),
            };
            if !faulted {
                self.trace_fault(n, &kids);
            }
            match large {
                true => _ = sparse.insert(n.index(), r),
                false => dense[n.index()] = r,
            }
        }
        Ok(roots
            .iter()
            .map(|r| {
                if large {
                    sparse[&r.index()]
                } else {
                    dense[r.index()]
                }
            })
            .collect())
    }

    /// If rebuilding `n` from `kids` has just caused the store's fault, and the fault's
    /// subject is one of the new children, names the child of `n` it replaced instead: an
    /// expression the caller knows (`sin(x)` rather than the 0 it became at `x = pi`).
    fn trace_fault(&mut self, n: ExprId, kids: &[ExprId]) {
        let Some(subject) = self.fault.as_ref().and_then(Fault::subject) else {
            return;
        };
        if let Some(i) = kids.iter().position(|&k| k == subject) {
            let was = self.kid(n, i);
            self.fault = self.fault.as_ref().map(|f| f.with_subject(was));
        }
    }

    /// Replaces symbols by expressions everywhere in `e` (one pass, no recursion).
    pub fn substitute(&mut self, e: ExprId, map: &FxHashMap<Name, ExprId>) -> ExprId {
        // A call `f(s)` of a function defined with the parameter `s` maps s to itself:
        // nothing to walk.
        if map
            .iter()
            .all(|(&n, &v)| matches!(self.node(v), Node::Sym(m) if *m == n))
        {
            return e;
        }
        let done: Result<_, std::convert::Infallible> = self.rewrite(&[e], |s, n, _| {
            Ok(match s.node(n) {
                Node::Sym(name) => map.get(name).copied(),
                _ => None,
            })
        });
        let Ok(r) = done;
        r[0]
    }
}
