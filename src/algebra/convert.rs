//! Between expressions and polynomials: the subexpressions that are not sums, products
//! or integer powers (`x`, `sin(y)`, `sqrt(z)`) become the polynomial's variables
//! ("atoms"), and a polynomial is written back through the canonical constructors.

use super::poly::{Budget, Mono, Poly};
use crate::expr::{ExprId, Node, Rat, Store};
use rustc_hash::FxHashMap;

/// Sums, products and powers nested deeper than this are not converted.
const MAX_NESTING: u32 = 200;

/// The atoms of one conversion, in the order met.
#[derive(Default)]
pub struct Atoms {
    pub list: Vec<ExprId>,
    index: FxHashMap<ExprId, usize>,
}

impl Atoms {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The variable of `e`, new if it is not known yet.
    pub fn of(&mut self, e: ExprId) -> usize {
        *self.index.entry(e).or_insert_with(|| {
            self.list.push(e);
            self.list.len() - 1
        })
    }

    pub fn get(&self, e: ExprId) -> Option<usize> {
        self.index.get(&e).copied()
    }
}

/// How a power with a negative integer exponent is read.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Negative {
    /// x^-2 is the monomial x^-2 (Laurent polynomials, for expanding and collecting); a
    /// sum to a negative power is an atom.
    Laurent,
    /// Any power with a negative exponent is an atom (polynomials, for factoring).
    Atom,
}

/// Finds the atoms of `e` (as `to_poly` will see them); `None` if it is nested too deeply.
pub fn find_atoms(s: &Store, e: ExprId, neg: Negative, atoms: &mut Atoms) -> Option<()> {
    walk(s, e, neg, MAX_NESTING, &mut |a| {
        atoms.of(a);
    })
}

fn walk(
    s: &Store,
    e: ExprId,
    neg: Negative,
    depth: u32,
    found: &mut impl FnMut(ExprId),
) -> Option<()> {
    let depth = depth.checked_sub(1)?;
    match s.node(e) {
        Node::Num(_) => {}
        Node::Add(xs) | Node::Mul(xs) => {
            for &x in xs.iter() {
                walk(s, x, neg, depth, found)?;
            }
        }
        &Node::Pow(b, k) => match power(s, b, k, neg) {
            Some(_) => walk(s, b, neg, depth, found)?,
            None => found(e),
        },
        _ => found(e),
    }
    Some(())
}

/// The exponent of `b^k` when it is read as a power of b's polynomial (else it is an atom).
fn power(s: &Store, b: ExprId, k: ExprId, neg: Negative) -> Option<i32> {
    let k = i32::try_from(s.as_num(k)?.to_i64()?).ok()?;
    let atom_base = !matches!(s.node(b), Node::Add(_) | Node::Mul(_) | Node::Pow(..));
    match neg {
        _ if k >= 0 => Some(k),
        Negative::Laurent if atom_base => Some(k),
        _ => None,
    }
}

/// `e` as a polynomial in `atoms` (which `find_atoms` filled), within the budget.
pub fn to_poly(
    s: &Store,
    e: ExprId,
    neg: Negative,
    atoms: &Atoms,
    budget: &mut Budget,
) -> Option<Poly> {
    let n = atoms.len();
    // Each node read costs one too, so that a walk over much that does not multiply
    // (sums of atoms inside sums) is bounded like one that does.
    budget.spend(1)?;
    match s.node(e) {
        Node::Num(r) => Some(Poly::constant(n, r.clone())),
        Node::Add(xs) => {
            // All the terms, then sorted and merged once (adding one term at a time
            // would copy the sum so far each time: quadratic in a long sum).
            let mut terms = Vec::new();
            for &x in xs.iter() {
                terms.extend(to_poly(s, x, neg, atoms, budget)?.terms);
            }
            // Each term gathered costs one, like a product: a walk that converts the
            // same long sum at every level is work too.
            budget.spend(terms.len() as u64)?;
            Some(Poly::from_terms(n, terms))
        }
        Node::Mul(xs) => {
            let mut p = Poly::constant(n, Rat::ONE);
            for &x in xs.iter() {
                p = p.mul(&to_poly(s, x, neg, atoms, budget)?, budget)?;
            }
            Some(p)
        }
        &Node::Pow(b, k) => match power(s, b, k, neg) {
            Some(k) if k < 0 => Some(Poly::var(n, atoms.get(b)?, k)),
            Some(k) => to_poly(s, b, neg, atoms, budget)?.pow(k as u32, budget),
            None => Some(Poly::var(n, atoms.get(e)?, 1)),
        },
        _ => Some(Poly::var(n, atoms.get(e)?, 1)),
    }
}

/// The monomial c·Π atomᵢ^mᵢ as an expression.
pub fn monomial(s: &mut Store, m: &Mono, c: &Rat, atoms: &Atoms) -> ExprId {
    let mut fs = vec![s.num(c.clone())];
    for (&a, &k) in atoms.list.iter().zip(m) {
        if k != 0 {
            let k = s.int(i64::from(k));
            fs.push(s.pow(a, k));
        }
    }
    s.mul(fs)
}

/// The polynomial as an expression: the sum of its monomials.
pub fn from_poly(s: &mut Store, p: &Poly, atoms: &Atoms) -> ExprId {
    let terms: Vec<ExprId> = p
        .terms
        .iter()
        .map(|(m, c)| monomial(s, m, c, atoms))
        .collect();
    s.add(terms)
}
