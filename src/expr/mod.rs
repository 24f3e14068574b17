//! The expression store: hash-consed nodes in an arena, addressed by small copyable ids.
//!
//! Building a node that already exists returns the existing id, so equal subexpressions
//! are shared and compared in O(1). Nodes are only ever built through the canonical
//! constructors in `canon.rs`, which keep every expression in canonical form.

mod builtin;
mod canon;
mod fault;
mod funcs;
mod functions;
pub mod names;
pub mod num;
mod order;
mod powers;
mod products;
mod sign;
mod sums;
mod walk;

pub use builtin::Builtin;
pub use fault::{Fault, clear_interrupt, interrupt, interrupted};
pub use names::name_order;
pub use num::Rat;
pub use sums::{MAX_SUM_TERMS, SumError};

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

/// An expression: an index into the store's arena.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ExprId(u32);

impl ExprId {
    /// The position in the store's arena: children come before their parents.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An interned name (of a variable or of an unknown function).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Name(u32);

/// A named constant.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Constant {
    /// π.
    Pi,
    /// Euler's number e.
    E,
}

/// A function applied in a `Call` node.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Func {
    /// A built-in function (`sin`, `max`, ...).
    Builtin(Builtin),
    /// An unknown function such as `f` in `f(g(x))`; `derivs` lists, sorted, the argument
    /// positions it has been differentiated by (empty for `f` itself, `[0]` for `f'`).
    /// Boxed behind one thin pointer, which keeps a `Node` at 32 bytes instead of 40.
    Unknown {
        /// The function's name.
        name: Name,
        /// The argument positions differentiated by, sorted.
        derivs: Box<Vec<u32>>,
    },
    /// An indexed name `w[i, j]` whose indices are not all numbers yet (inside a `sum`);
    /// with integer indices it becomes the variable named `w[1,2]`.
    Index(Name),
    /// `sum(i = lo..hi, body)` before its bounds are known: arguments [lo, hi, body].
    Sum(Name),
}

/// One node of an expression, in canonical form: the store builds only canonical nodes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Node {
    /// An exact rational number.
    Num(Rat),
    /// π or e.
    Const(Constant),
    /// A variable.
    Sym(Name),
    /// A sum: flat, at least two terms, like terms collected, sorted; a number term last.
    Add(Box<[ExprId]>),
    /// A product: flat, at least two factors, equal bases combined, sorted; a number
    /// coefficient (never 1) first.
    Mul(Box<[ExprId]>),
    /// base^exponent: also `exp(u)` (e^u) and `sqrt(u)` (u^(1/2)).
    Pow(ExprId, ExprId),
    /// A function applied to its arguments.
    Call(Func, Box<[ExprId]>),
    /// The value of an undefined operation (`1/0`, `log(0)`); it absorbs everything built
    /// from it, and the store's `fault` says why.
    Undefined,
}

/// The default node budget: about 1.5 GB of memory in the worst case.
pub const DEFAULT_MAX_NODES: u64 = 20_000_000;

/// The deepest node the store builds (`depth`, a leaf is 1): four times the parser's
/// nesting limit, room for what differentiating the deepest text builds. Every walk that
/// recurses (the printers, the tape's compiler) holds this many levels on the 1 GiB worker
/// stack with room to spare (the plain printer overflowed at about 2,000,000); building a
/// deeper node gives `Fault::TooDeep` instead of a stack overflow later. (Written as a
/// number so that the store does not import the parser; `parse` checks the ratio.)
pub const MAX_DEPTH: u32 = 400_000;

/// The arena every expression lives in, hash-consed: each distinct node is stored once,
/// so equal subexpressions have equal ids and comparing them is comparing integers. Its
/// constructors (`add`, `mul`, `pow`, `call`, ...) build canonical form.
pub struct Store {
    nodes: Vec<Node>,
    depth: Vec<u32>,
    /// For each node, how many `e^(...)` it is wrapped in at its top and what is inside
    /// them all: exp(exp(x)) is (2, x), x is (0, x). Comparing two towers strips their
    /// common levels at once (`order.rs`).
    tower: Vec<(u32, ExprId)>,
    links: Vec<Link>,
    /// Leaves, and nodes whose newest child has too many parents to list; see `Link`.
    table: HashTable<ExprId>,
    names: Vec<String>,
    name_ids: FxHashMap<String, Name>,
    /// The fresh name of each sum's index, by (index, body as written): the same sum
    /// written twice is one node.
    bound: FxHashMap<(Name, ExprId), Name>,
    /// Why the first undefined node built in this store is undefined (`fault()`).
    fault: Option<Fault>,
    /// Derivative rules for unknown functions (`--let "phi'(s) = ..."`): the function's
    /// name → (its parameter, the derivative's body). The chain rule uses them.
    rules: FxHashMap<Name, (Name, ExprId)>,
    max_nodes: usize,
    /// Children stored by all nodes so far.
    slots: usize,
    /// The cost of the exact arithmetic on large numbers so far (`MAX_ARITHMETIC_COST`);
    /// atomic so that a store shared by batch threads stays `Sync`.
    arith_cost: std::sync::atomic::AtomicU64,
    /// Which rare kinds of node the store holds (`Seen`), so that a pass looking for them
    /// can be skipped when there are none.
    seen: u8,
    /// The most recent small numbers, direct-mapped: numbers are interned far more often
    /// than they are new (a coefficient is rebuilt for every term that has it), and in a
    /// large store this answers most of those lookups from a few kilobytes instead of the
    /// node table. Empty until the store is large (a small table is in cache anyway).
    recent_numbers: Vec<(i64, i64, ExprId)>,
    /// Tree sizes (as `tree_size` counts them, saturating) of the first nodes, filled in
    /// storage order as tidy asks: each node's once.
    sizes: Vec<u32>,
    /// The length of each node's plain text, for the nodes tidy has compared: kept here
    /// so that it lives as long as the nodes it measures (ids are per store).
    pub(crate) printed: FxHashMap<ExprId, u32>,
}

/// How the store finds a node equal to a new one. A node with children is usually built
/// right after its newest child (the child with the highest id), so it is looked for among
/// that child's parents: a short list threaded through nodes created near each other,
/// which stays in cache however large the store grows. A lookup in one hash table over
/// all nodes reads a random place in it, and in a store larger than the cache that
/// costs a miss for nearly every new node. Leaves, and a node whose newest child already
/// has `MAX_LISTED` parents (such as `x`), go in the hash table instead.
#[derive(Clone, Copy)]
struct Link {
    hash: u32,
    /// The latest node whose newest child is this one (`NO_NODE` if none), or `IN_TABLE`
    /// if such nodes are in the table.
    parents: u32,
    /// The next older node with the same newest child as this one, or `NO_NODE`.
    sibling: u32,
}

const NO_NODE: u32 = u32::MAX;
const IN_TABLE: u32 = u32::MAX - 1;
const MAX_LISTED: usize = 8;

/// Entries in `Store::recent_numbers` (a power of two).
const RECENT_NUMBERS: usize = 1024;

/// Kinds of node that passes look for; see `Store::has`.
#[derive(Copy, Clone)]
pub enum Seen {
    /// A product with a sum among its factors (what `tidy` multiplies out).
    ProductOfSums = 1,
    /// `sum(i = a..b, ...)` before expansion.
    SumCall = 2,
    /// A call of an unknown function.
    UnknownCall = 4,
    /// A power of a sum (a denominator that `tidy` may put terms over).
    PowerOfSum = 8,
}

/// The budget allows this many stored children per node on average (about 4 bytes each).
const SLOTS_PER_NODE: usize = 4;

/// A copy with room for a few hundred more nodes: a run parses its definitions and
/// constraints once and gives each expression a copy of that store to build in.
impl Clone for Store {
    fn clone(&self) -> Store {
        fn roomy<T: Clone>(v: &[T]) -> Vec<T> {
            let mut out = Vec::with_capacity(v.len() + 256);
            out.extend_from_slice(v);
            out
        }
        let mut table = HashTable::with_capacity(self.table.len() + 256);
        for &id in self.table.iter() {
            table.insert_unique(spread(self.links[id.index()].hash), id, |&e| {
                spread(self.links[e.index()].hash)
            });
        }
        Store {
            nodes: roomy(&self.nodes),
            depth: roomy(&self.depth),
            tower: roomy(&self.tower),
            links: roomy(&self.links),
            table,
            names: self.names.clone(),
            name_ids: self.name_ids.clone(),
            bound: self.bound.clone(),
            fault: self.fault.clone(),
            rules: self.rules.clone(),
            max_nodes: self.max_nodes,
            slots: self.slots,
            arith_cost: std::sync::atomic::AtomicU64::new(
                self.arith_cost.load(std::sync::atomic::Ordering::Relaxed),
            ),
            seen: self.seen,
            recent_numbers: self.recent_numbers.clone(),
            sizes: self.sizes.clone(),
            printed: self.printed.clone(),
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

/// Node hashes for the hash-consing table. foldhash, not Fx: Fx's weak low bits made
/// hashbrown's probe sequences long on wide sums of similar terms (27% of a 100,000-term
/// derivative was spent probing).
///
/// Only 32 bits are kept per node (the table rehashes from them as it grows), spread back
/// over 64 bits by an odd multiplier so hashbrown's probe position (low bits) and tag (top
/// bits) both vary.
fn hash_node(n: &Node) -> u32 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5EED).hash_one(n) as u32
}

/// 2^64 divided by the golden ratio: multiplying by it spreads bits over the top ones.
const FIBONACCI: u64 = 0x9E37_79B9_7F4A_7C15;

fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(FIBONACCI)
}

// Ids of the nodes every store creates first, in this order.
const UNDEFINED: ExprId = ExprId(0);
const ZERO: ExprId = ExprId(1);
const ONE: ExprId = ExprId(2);
const MINUS_ONE: ExprId = ExprId(3);

/// Above this many nodes, walks track what they visited in a set, not a flag per node.
const LARGE_STORE: usize = 1 << 16;

impl Store {
    /// An empty store (holding only 0, 1, −1 and the undefined value) with the default
    /// node budget.
    pub fn new() -> Store {
        let mut s = Store {
            nodes: Vec::with_capacity(256),
            depth: Vec::with_capacity(256),
            tower: Vec::with_capacity(256),
            links: Vec::with_capacity(256),
            table: HashTable::with_capacity(256),
            names: Vec::new(),
            name_ids: FxHashMap::default(),
            bound: FxHashMap::default(),
            fault: None,
            rules: FxHashMap::default(),
            max_nodes: DEFAULT_MAX_NODES as usize,
            slots: 0,
            arith_cost: std::sync::atomic::AtomicU64::new(0),
            seen: 0,
            recent_numbers: Vec::new(),
            sizes: Vec::new(),
            printed: FxHashMap::default(),
        };
        for n in [
            Node::Undefined,
            Node::Num(Rat::ZERO),
            Node::Num(Rat::ONE),
            Node::Num(Rat::int(-1)),
        ] {
            s.intern(n);
        }
        s
    }

    /// Makes room for about `n` more nodes at once, so that a large input does not grow
    /// the node vectors by doubling (copying every node each time). The untouched part
    /// costs address space, not memory. The hash table, which holds only some nodes (see
    /// `Link`), grows as it fills.
    pub fn reserve(&mut self, n: usize) {
        let n = n.min(self.max_nodes.saturating_sub(self.nodes.len()));
        self.nodes.reserve(n);
        self.depth.reserve(n);
        self.tower.reserve(n);
        self.links.reserve(n);
    }

    /// The node budget.
    pub fn max_nodes(&self) -> u64 {
        self.max_nodes as u64
    }

    /// Sets the node budget (`--max-nodes`): building past it gives `Fault::TooLarge`.
    pub fn set_max_nodes(&mut self, n: u64) {
        self.max_nodes = usize::try_from(n).unwrap_or(usize::MAX).max(16);
    }

    /// How many nodes the store holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: a store always holds its four constant nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node `e` names.
    pub fn node(&self, e: ExprId) -> &Node {
        &self.nodes[e.index()]
    }

    /// Whether a node of this kind has ever been stored (false: no expression has one).
    pub fn has(&self, kind: Seen) -> bool {
        self.seen & kind as u8 != 0
    }

    /// How many `e^(...)` wrap `e` at its top, and what is inside them all.
    pub(crate) fn tower(&self, e: ExprId) -> (u32, ExprId) {
        self.tower[e.index()]
    }

    /// Height of the expression tree (1 for a leaf).
    pub fn depth(&self, e: ExprId) -> u32 {
        self.depth[e.index()]
    }

    /// The number 0.
    pub fn zero(&self) -> ExprId {
        ZERO
    }
    /// The number 1.
    pub fn one(&self) -> ExprId {
        ONE
    }
    /// The number −1.
    pub fn minus_one(&self) -> ExprId {
        MINUS_ONE
    }
    /// The undefined value, remembering `why` if it is the store's first fault.
    pub fn undefined(&mut self, why: Fault) -> ExprId {
        if self.fault.is_none() {
            self.fault = Some(why);
        }
        UNDEFINED
    }
    /// Is `e` the undefined value?
    pub fn is_undefined(&self, e: ExprId) -> bool {
        e == UNDEFINED
    }

    /// The name spelled `s`, in its canonical spelling (`θ₁` is `theta_1`: see `names`).
    pub fn intern_name(&mut self, s: &str) -> Name {
        let s = &*names::canonical(s);
        if let Some(&n) = self.name_ids.get(s) {
            return n;
        }
        let n = Name(self.names.len() as u32);
        self.names.push(s.to_string());
        self.name_ids.insert(s.to_string(), n);
        n
    }

    /// A bound variable (a sum's index, a definition's parameter): a new name spelled like
    /// `n` but distinct from every other, so that no outer value (`--let`, `--given`,
    /// `--at`) can reach it and no argument substituted for a parameter can be captured by
    /// it. It is never looked up by its spelling.
    pub fn fresh_name(&mut self, n: Name) -> Name {
        let fresh = Name(self.names.len() as u32);
        let spelling = self.names[n.0 as usize].clone();
        self.names.push(spelling);
        fresh
    }

    /// `fresh_name(n)` for the variable `n` bound in `body`, the same each time: a sum
    /// read twice is the same node, as any other expression is.
    pub fn bound_name(&mut self, n: Name, body: ExprId) -> Name {
        if let Some(&b) = self.bound.get(&(n, body)) {
            return b;
        }
        let b = self.fresh_name(n);
        self.bound.insert((n, body), b);
        b
    }

    /// Every name the store has met: variables, functions, indexed bases, sum indices.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// The name `s` if the store has interned it (written as Unicode or ASCII alike).
    pub fn lookup_name(&self, s: &str) -> Option<Name> {
        self.name_ids.get(&*names::canonical(s)).copied()
    }

    /// The text of a name.
    pub fn name(&self, n: Name) -> &str {
        &self.names[n.0 as usize]
    }

    /// Adds a node exactly as given (the caller guarantees it is canonical), or returns
    /// the id of the equal node already stored.
    fn intern(&mut self, node: Node) -> ExprId {
        let h = hash_node(&node);
        let newest = match &node {
            Node::Add(c) | Node::Mul(c) | Node::Call(_, c) => c.iter().max().copied(),
            Node::Pow(a, b) => Some(*a.max(b)),
            _ => None,
        };
        let nodes = &self.nodes;
        let links = &self.links;
        let mut listed = 0;
        match newest.map(|m| links[m.index()].parents) {
            None | Some(IN_TABLE) => {
                if let Some(&id) = self.table.find(spread(h), |&id| nodes[id.index()] == node) {
                    return id;
                }
            }
            Some(mut p) => {
                while p != NO_NODE {
                    let l = links[p as usize];
                    if l.hash == h && nodes[p as usize] == node {
                        return ExprId(p);
                    }
                    listed += 1;
                    p = l.sibling;
                }
            }
        }
        let kids = match &node {
            Node::Add(c) | Node::Mul(c) | Node::Call(_, c) => c.len(),
            Node::Pow(..) => 2,
            _ => 0,
        };
        // The budget counts nodes and, since one product may hold many factors, the
        // children they store (a chain rule n deep builds products of 1..n factors).
        self.slots += kids;
        if self.nodes.len() >= self.max_nodes
            || self.slots > self.max_nodes.saturating_mul(SLOTS_PER_NODE)
        {
            return self.undefined(Fault::TooLarge {
                limit: self.max_nodes,
            });
        }
        // Every long computation builds nodes, so this is where it notices Ctrl-C.
        if fault::interrupted() {
            return self.undefined(Fault::Interrupted);
        }
        let d = self.depth_of(&node);
        if d > MAX_DEPTH {
            return self.undefined(Fault::TooDeep { limit: MAX_DEPTH });
        }
        self.seen |= match &node {
            Node::Mul(fs) if fs.iter().any(|f| matches!(self.node(*f), Node::Add(_))) => {
                Seen::ProductOfSums as u8
            }
            Node::Call(Func::Sum(_), _) => Seen::SumCall as u8,
            Node::Call(Func::Unknown { .. }, _) => Seen::UnknownCall as u8,
            Node::Pow(b, _) if matches!(self.node(*b), Node::Add(_)) => Seen::PowerOfSum as u8,
            _ => 0,
        };
        let id = ExprId(self.nodes.len() as u32);
        let tower = match &node {
            Node::Pow(b, u) if matches!(self.node(*b), Node::Const(Constant::E)) => {
                let (t, x) = self.tower[u.index()];
                (t + 1, x)
            }
            _ => (0, id),
        };
        self.nodes.push(node);
        self.depth.push(d);
        self.tower.push(tower);
        let mut link = Link {
            hash: h,
            parents: NO_NODE,
            sibling: NO_NODE,
        };
        let in_table = match newest.map(|m| &mut self.links[m.index()].parents) {
            None | Some(&mut IN_TABLE) => true,
            Some(head) if listed < MAX_LISTED => {
                link.sibling = std::mem::replace(head, id.0);
                false
            }
            Some(head) => {
                // Too many parents to list: move them to the table.
                let mut p = std::mem::replace(head, IN_TABLE);
                while p != NO_NODE {
                    self.table_insert(ExprId(p));
                    p = self.links[p as usize].sibling;
                }
                true
            }
        };
        self.links.push(link);
        if in_table {
            self.table_insert(id);
        }
        id
    }

    /// How deep a new node would be: one more than its deepest child (a leaf is 1).
    fn depth_of(&self, node: &Node) -> u32 {
        1 + match node {
            Node::Add(c) | Node::Mul(c) | Node::Call(_, c) => {
                c.iter().map(|&k| self.depth[k.index()]).max().unwrap_or(0)
            }
            Node::Pow(a, b) => self.depth[a.index()].max(self.depth[b.index()]),
            _ => 0,
        }
    }

    fn table_insert(&mut self, id: ExprId) {
        let links = &self.links;
        self.table
            .insert_unique(spread(links[id.index()].hash), id, |&k| {
                spread(links[k.index()].hash)
            });
    }

    /// The number `r`.
    pub fn num(&mut self, r: Rat) -> ExprId {
        let Rat::Small(n, d) = r else {
            return self.intern(Node::Num(r));
        };
        if self.recent_numbers.is_empty() {
            if self.nodes.len() < 1 << 14 {
                return self.intern(Node::Num(r));
            }
            // Denominator 0: an empty entry.
            self.recent_numbers = vec![(0, 0, UNDEFINED); RECENT_NUMBERS];
        }
        let slot = ((n as u64 ^ (d as u64).rotate_left(32)).wrapping_mul(FIBONACCI)
            >> (64 - RECENT_NUMBERS.trailing_zeros())) as usize;
        let (cn, cd, id) = self.recent_numbers[slot];
        if (cn, cd) == (n, d) {
            return id;
        }
        let id = self.intern(Node::Num(r));
        if id != UNDEFINED {
            self.recent_numbers[slot] = (n, d, id);
        }
        id
    }

    /// The integer `n`.
    pub fn int(&mut self, n: i64) -> ExprId {
        self.num(Rat::int(n))
    }

    /// π or e.
    pub fn constant(&mut self, c: Constant) -> ExprId {
        self.intern(Node::Const(c))
    }

    /// The variable named `name`, interning the name.
    pub fn sym(&mut self, name: &str) -> ExprId {
        let n = self.intern_name(name);
        self.sym_name(n)
    }

    /// The variable with the interned name `n`.
    pub fn sym_name(&mut self, n: Name) -> ExprId {
        self.intern(Node::Sym(n))
    }

    /// `e`'s value if it is a number.
    pub fn as_num(&self, e: ExprId) -> Option<&Rat> {
        match self.node(e) {
            Node::Num(r) => Some(r),
            _ => None,
        }
    }

    /// Why the first undefined value built in this store is undefined (division by zero,
    /// log(0), a pole), naming its subexpression; `None` while every node is defined.
    pub fn fault(&self) -> Option<&Fault> {
        self.fault.as_ref()
    }

    /// Forgets the fault, for a caller that has answered another way (in doubles, when
    /// the exact value would cost too much); nodes built undefined stay undefined.
    pub fn clear_fault(&mut self) {
        self.fault = None;
    }

    /// The derivative rule given for the unknown function `f` (`--let "f'(s) = ..."`): its
    /// parameter and the derivative's body.
    pub fn rule(&self, f: Name) -> Option<(Name, ExprId)> {
        self.rules.get(&f).copied()
    }

    /// Gives the unknown function `f` the derivative `body` in its parameter `param`,
    /// for the chain rule.
    pub fn set_rule(&mut self, f: Name, param: Name, body: ExprId) {
        self.rules.insert(f, (param, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_found_again_before_and_after_its_newest_child_overflows_to_the_table() {
        let mut s = Store::new();
        let ks: Vec<ExprId> = (2..40).map(|k| s.int(k)).collect();
        // Created after the numbers, so it is the newest child of every k·u.
        let u = s.sym("u");
        let mut products = Vec::new();
        for (i, &k) in ks.iter().enumerate() {
            products.push(s.mul(vec![k, u]));
            // Each product built so far is found again, not stored twice.
            let len = s.len();
            for (&k, &p) in ks.iter().zip(&products) {
                assert_eq!(s.mul(vec![u, k]), p);
            }
            assert_eq!(s.len(), len);
            let listed = s.links[u.index()].parents != IN_TABLE;
            assert_eq!(listed, i < MAX_LISTED, "after {} products", i + 1);
        }
        let mut distinct = products.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), products.len());
    }
}
