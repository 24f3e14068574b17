//! Partial derivatives: ∂/∂v with every other symbol held constant, one rule per node
//! kind, memoised so shared subexpressions are differentiated once.

use crate::algebra;
use crate::expr::{Builtin, Constant, ExprId, Fault, Func, Name, Node, Store};

/// Differentiates with respect to one variable, remembering every result.
///
/// A chain of one-argument functions, sin(sin(...(x))), has a derivative that is one flat
/// product of n factors; built level by level it would store products of 1, 2, ..., n
/// factors (n²/2 in all). Instead the chain rule prepends each outer derivative to a
/// pending product, a linked list shared by every level, and the product is built once,
/// when a rule that needs a node (a sum, a product, a power, the root) asks for it.
struct Differ {
    var: Name,
    /// ∂e/∂var by e's index, once known.
    memo: Vec<Option<D>>,
    /// Pending products: (factor, the rest of the product).
    links: Vec<(ExprId, Rest)>,
}

/// A derivative: a node, or a pending product (an index into `links`).
#[derive(Copy, Clone)]
enum D {
    Node(ExprId),
    Chain(u32),
}

#[derive(Copy, Clone)]
enum Rest {
    Link(u32),
    Node(ExprId),
}

/// ∂e/∂var
pub fn partial(store: &mut Store, e: ExprId, var: Name) -> ExprId {
    Differ::new(var).d(store, e)
}

/// ∂e/∂v₁, then ∂/∂v₂ of that, and so on: each step's (what it differentiated, by what,
/// the result).
///
/// Between steps a derivative is multiplied out when that makes it smaller. Left as the
/// rules build it, the n-th derivative of x^x nests products of sums ever deeper: by x 20
/// times it unfolded to 8·10⁹ nodes, and 60 times took 90 s. Multiplied out, it is a
/// sum of about n² terms x^(x - j)·log(x)^i (the form SymPy's `expand` gives), and each
/// step is quick. Trying costs: the expansion gets work in proportion to what the next
/// step costs, small derivatives are not tried, and after a try that did not pay the
/// next waits until the derivative has grown `RETRY_GROWTH` times.
pub fn partials(store: &mut Store, e: ExprId, vars: &[Name]) -> Vec<(ExprId, Name, ExprId)> {
    let mut steps = Vec::with_capacity(vars.len());
    let mut g = e;
    let mut try_from = EXPAND_FROM_SIZE;
    let mut paid = false;
    for (i, &v) in vars.iter().enumerate() {
        // (Not before the first step: a single derivative, the common case, pays nothing.)
        let size = if i > 0 { store.size_of(g) } else { 0 };
        if size >= try_from && store.fault().is_none() {
            let x = smaller_expanded(store, g, size, if paid { 16 } else { 4 });
            paid = x.is_some();
            match x {
                Some(x) => g = x,
                None => try_from = size.saturating_mul(RETRY_GROWTH),
            }
        }
        let d = partial(store, g, v);
        steps.push((g, v, d));
        g = d;
    }
    steps
}

/// Below this printed size (in nodes) a derivative is not worth multiplying out: the next
/// step is quick anyway, and trying costs more than the step (a second derivative of W2's
/// lines took 2.3 times as long when every one was tried).
const EXPAND_FROM_SIZE: u64 = 2_000;

/// After a try that did not pay, how many times larger a derivative must grow before the
/// next try.
const RETRY_GROWTH: u64 = 8;

/// `e` multiplied out, if that is smaller than its printed `size` (without `--cse`), with
/// `per_node` units of work for each distinct subexpression: what the next step costs,
/// since a derivative that prints large because it shares much is not worth more. The
/// work is 4 per node until a try has paid, 16 after (x^x's expansions need 10).
fn smaller_expanded(s: &mut Store, e: ExprId, size: u64, per_node: u64) -> Option<ExprId> {
    let distinct = s.postorder(&[e]).len() as u64;
    let work = distinct
        .saturating_mul(per_node)
        .clamp(10_000, algebra::WORK_BUDGET);
    let x = algebra::expand_within(s, e, work);
    match s.fault() {
        // The node budget or the arithmetic budget ran out on the try, not on the
        // derivative: the derivative stands.
        Some(
            Fault::TooLarge { .. } | Fault::TooDeep { .. } | Fault::ArithmeticTooCostly { .. },
        ) => {
            s.clear_fault();
            None
        }
        Some(_) => None,
        None => x
            .ok()
            .filter(|&x| !s.is_undefined(x) && s.size_of(x) < size),
    }
}

impl Differ {
    fn new(var: Name) -> Differ {
        Differ {
            var,
            memo: Vec::new(),
            links: Vec::new(),
        }
    }

    /// ∂e/∂var, memoised (the memo is by `ExprId`, so keep to one store).
    fn d(&mut self, s: &mut Store, e: ExprId) -> ExprId {
        let d = self.lazy(s, e);
        self.node(s, d)
    }

    /// Whether ∂e is memoised.
    fn known(&self, e: ExprId) -> bool {
        matches!(self.memo.get(e.index()), Some(Some(_)))
    }

    fn lazy(&mut self, s: &mut Store, e: ExprId) -> D {
        if let Some(Some(r)) = self.memo.get(e.index()) {
            return *r;
        }
        let r = self.rule(s, e);
        if self.memo.len() <= e.index() {
            self.memo.resize(s.len().max(e.index() + 1), None);
        }
        self.memo[e.index()] = Some(r);
        r
    }

    /// (u·v·w)' = u'·v·w + u·v'·w + u·v·w': the terms of the product `e`'s derivative.
    fn product_rule(&mut self, s: &mut Store, e: ExprId, terms: &mut Vec<ExprId>) {
        for i in 0..s.children_len(e) {
            let f = s.kid(e, i);
            let t = match self.factors(s, f) {
                Some(extra) => {
                    let mut all = s.children(e);
                    all.remove(i);
                    all.extend(extra);
                    s.mul(all)
                }
                None => {
                    let di = self.d(s, f);
                    if di == s.zero() {
                        continue;
                    }
                    s.mul_insert(e, Some(i), di)
                }
            };
            if t != s.zero() {
                terms.push(t);
            }
        }
    }

    /// ∂f as the factors of a product not built yet, for a power with a constant exponent
    /// or a one-argument function not differentiated before: the product rule multiplies
    /// them straight into its term (the same node), so the product of them alone, which
    /// nothing else uses, is not stored. `None`: use `d`.
    fn factors(&mut self, s: &mut Store, f: ExprId) -> Option<Vec<ExprId>> {
        if self.known(f) {
            return None;
        }
        match s.node(f) {
            &Node::Pow(u, v) => {
                if self.d(s, v) != s.zero() {
                    return None;
                }
                let du = self.d(s, u);
                if du == s.zero() {
                    return None;
                }
                let m1 = s.minus_one();
                let v1 = s.add2(v, m1);
                let p = s.pow(u, v1);
                Some(vec![v, p, du])
            }
            Node::Call(g, args) if args.len() == 1 => {
                let (g, args) = (g.clone(), [args[0]]);
                let i = match self.lazy(s, args[0]) {
                    D::Node(x) if x == s.zero() => return None,
                    D::Node(x) => {
                        let outer = outer_derivative(s, &g, &args, 0);
                        return Some(vec![outer, x]);
                    }
                    D::Chain(i) => i,
                };
                let mut factors = vec![outer_derivative(s, &g, &args, 0)];
                self.chain_factors(i, &mut factors);
                Some(factors)
            }
            _ => None,
        }
    }

    /// The node of a derivative, building a pending product.
    fn node(&mut self, s: &mut Store, d: D) -> ExprId {
        match d {
            D::Node(e) => e,
            D::Chain(i) => {
                let mut factors = Vec::new();
                self.chain_factors(i, &mut factors);
                s.mul(factors)
            }
        }
    }

    /// The factors of pending product `i`.
    fn chain_factors(&self, mut i: u32, out: &mut Vec<ExprId>) {
        loop {
            let (f, rest) = self.links[i as usize];
            out.push(f);
            match rest {
                Rest::Link(j) => i = j,
                Rest::Node(e) => {
                    out.push(e);
                    return;
                }
            }
        }
    }

    /// `outer`·`inner` for a nonzero inner derivative: a pending product when `inner` is
    /// one (or a product node), so a chain n deep stays linear (see `Differ`).
    fn prepend(&mut self, s: &mut Store, outer: &[ExprId], inner: D) -> D {
        let mut rest = match inner {
            D::Node(x) if !matches!(s.node(x), Node::Mul(_)) => {
                let mut all = outer.to_vec();
                all.push(x);
                return D::Node(s.mul(all));
            }
            D::Node(x) => Rest::Node(x),
            D::Chain(i) => Rest::Link(i),
        };
        for &f in outer.iter().rev() {
            self.links.push((f, rest));
            rest = Rest::Link(self.links.len() as u32 - 1);
        }
        match rest {
            Rest::Link(i) => D::Chain(i),
            Rest::Node(x) => D::Node(x),
        }
    }

    fn rule(&mut self, s: &mut Store, e: ExprId) -> D {
        let node = |x| D::Node(x);
        // Children are read by index: the node is not copied.
        match s.node(e) {
            Node::Num(_) | Node::Const(_) => node(s.zero()),
            Node::Undefined => node(e),
            &Node::Sym(n) => node(if n == self.var { s.one() } else { s.zero() }),
            // (u + v)' = u' + v'. A product's terms go straight into the sum: the sum of
            // them alone would be flattened into this one anyway. (A product whose
            // derivative is 0 still gives a 0 term: with it, a lone 2*(x + 1) left in the
            // sum is multiplied out, as it was before this shortcut.)
            Node::Add(ts) => {
                let n = ts.len();
                let mut ds = Vec::with_capacity(2 * n);
                for i in 0..n {
                    let t = s.kid(e, i);
                    if !self.known(t) && matches!(s.node(t), Node::Mul(_)) {
                        let before = ds.len();
                        self.product_rule(s, t, &mut ds);
                        if ds.len() == before {
                            ds.push(s.zero());
                        }
                    } else {
                        ds.push(self.d(s, t));
                    }
                }
                node(s.add(ds))
            }
            Node::Mul(_) => {
                let mut terms = Vec::new();
                self.product_rule(s, e, &mut terms);
                node(s.add(terms))
            }
            &Node::Pow(u, v) => {
                let zero = s.zero();
                let (du, dv) = (self.lazy(s, u), self.lazy(s, v));
                let is_zero = |d: D| matches!(d, D::Node(x) if x == zero);
                // One side constant: a chain factor, as for f(u) (sqrt(sqrt(...)), exp(exp(...))).
                if is_zero(dv) && !is_zero(du) {
                    let m1 = s.minus_one();
                    let v1 = s.add2(v, m1);
                    let p = s.pow(u, v1);
                    return self.prepend(s, &[v, p], du);
                }
                if is_zero(du) && !is_zero(dv) {
                    let l = match s.node(u) {
                        Node::Const(Constant::E) => s.one(),
                        _ => s.builtin(Builtin::Log, u),
                    };
                    return self.prepend(s, &[e, l], dv);
                }
                let (du, dv) = (self.node(s, du), self.node(s, dv));
                let mut terms = Vec::new();
                // (u^v)' = v·u^(v-1)·u' + u^v·log(u)·v'
                if du != zero {
                    let m1 = s.minus_one();
                    let v1 = s.add2(v, m1);
                    let p = s.pow(u, v1);
                    terms.push(s.mul(vec![v, p, du]));
                }
                if dv != zero {
                    let l = if matches!(s.node(u), Node::Const(Constant::E)) {
                        s.one()
                    } else {
                        s.builtin(Builtin::Log, u)
                    };
                    terms.push(s.mul(vec![e, l, dv]));
                }
                node(s.add(terms))
            }
            // f(u)' = f'(u)·u': a product stays pending (see `Differ`).
            Node::Call(f, args) if args.len() == 1 => {
                let (f, args) = (f.clone(), [args[0]]);
                let da = self.lazy(s, args[0]);
                if matches!(da, D::Node(x) if x == s.zero()) {
                    return da;
                }
                let outer = outer_derivative(s, &f, &args, 0);
                self.prepend(s, &[outer], da)
            }
            Node::Call(f, args) => {
                let (f, args) = (f.clone(), args.clone());
                // Chain rule: f(u1, u2, ...)' = Σ ∂ᵢf(u)·uᵢ'
                let mut terms = Vec::new();
                for (i, &a) in args.iter().enumerate() {
                    let da = self.d(s, a);
                    if da == s.zero() {
                        continue;
                    }
                    let outer = outer_derivative(s, &f, &args, i);
                    terms.push(s.mul2(outer, da));
                }
                node(s.add(terms))
            }
        }
    }
}

/// ∂f/∂(argument i), evaluated at `args`.
pub(crate) fn outer_derivative(s: &mut Store, f: &Func, args: &[ExprId], i: usize) -> ExprId {
    let b = match f {
        Func::Builtin(b) => *b,
        // Expanded before differentiation; left as named derivatives if ever met here.
        Func::Index(name) | Func::Sum(name) => {
            return s.call(
                Func::Unknown {
                    name: *name,
                    derivs: Box::new(vec![i as u32]),
                },
                args.to_vec(),
            );
        }
        Func::Unknown { name, derivs } => {
            // A rule given with --let: f'(u) is its body with the parameter set to u.
            if let (Some((p, body)), true, 1) = (s.rule(*name), derivs.is_empty(), args.len()) {
                let map = rustc_hash::FxHashMap::from_iter([(p, args[0])]);
                return s.substitute(body, &map);
            }
            let mut d = derivs.to_vec();
            d.push(i as u32);
            d.sort_unstable();
            return s.call(
                Func::Unknown {
                    name: *name,
                    derivs: Box::new(d),
                },
                args.to_vec(),
            );
        }
    };
    if b.arity() != (1, 1) {
        return nary_derivative(s, b, args, i);
    }
    unary_derivative(s, b, args[0])
}

/// f'(u) for a built-in f of one argument.
fn unary_derivative(s: &mut Store, b: Builtin, u: ExprId) -> ExprId {
    let two = s.int(2);
    let one = s.one();
    use Builtin::*;
    match b {
        Sin => s.builtin(Cos, u),
        Cos => {
            let x = s.builtin(Sin, u);
            s.neg(x)
        }
        // sec²(u)
        Tan => {
            let x = s.builtin(Sec, u);
            s.pow(x, two)
        }
        Sec => {
            let a = s.builtin(Sec, u);
            let t = s.builtin(Tan, u);
            s.mul2(a, t)
        }
        Csc => {
            let a = s.builtin(Csc, u);
            let t = s.builtin(Cot, u);
            let m = s.mul2(a, t);
            s.neg(m)
        }
        Cot => {
            let a = s.builtin(Csc, u);
            let p = s.pow(a, two);
            s.neg(p)
        }
        // ±1/sqrt(1 - u²)
        Asin | Acos => {
            let u2 = s.pow(u, two);
            let d = s.sub(one, u2);
            let mh = s.rat(-1, 2);
            let r = s.pow(d, mh);
            if b == Acos { s.neg(r) } else { r }
        }
        // 1/(1 + u²)
        Atan => {
            let u2 = s.pow(u, two);
            let d = s.add2(one, u2);
            let m1 = s.minus_one();
            s.pow(d, m1)
        }
        Sinh => s.builtin(Cosh, u),
        Cosh => s.builtin(Sinh, u),
        // 1 - tanh²(u)
        Tanh => {
            let t = s.builtin(Tanh, u);
            let t2 = s.pow(t, two);
            s.sub(one, t2)
        }
        Log => {
            let m1 = s.minus_one();
            s.pow(u, m1)
        }
        // Away from the kink at 0 (see `Builtin::kink_convention`).
        Abs => s.builtin(Sign, u),
        // σ(u)·(1 - σ(u))
        Sigmoid => {
            let g = s.builtin(Sigmoid, u);
            let c = s.sub(one, g);
            s.mul2(g, c)
        }
        // 1/sqrt(u² + 1), 1/sqrt(u² - 1)
        Asinh | Acosh => {
            let u2 = s.pow(u, two);
            let c = if b == Asinh { one } else { s.minus_one() };
            let d = s.add2(u2, c);
            let mh = s.rat(-1, 2);
            s.pow(d, mh)
        }
        // 1/(1 - u²)
        Atanh => {
            let u2 = s.pow(u, two);
            let d = s.sub(one, u2);
            s.recip(d)
        }
        // 2·exp(-u²)/sqrt(π)
        Erf => {
            let u2 = s.pow(u, two);
            let m = s.neg(u2);
            let g = s.exp(m);
            let pi = s.constant(Constant::Pi);
            let mh = s.rat(-1, 2);
            let r = s.pow(pi, mh);
            s.mul(vec![two, r, g])
        }
        Softplus => s.builtin(Sigmoid, u),
        // Away from the kink or the jump at 0 (integers for floor and ceil).
        Relu => s.builtin(Heaviside, u),
        Heaviside | Sign | Floor | Ceil => s.zero(),
        Atan2 | LogBase | Max | Min | Logsumexp => unreachable!("not of one argument"),
    }
}

/// ∂f/∂(argument i) for the built-ins of several arguments.
fn nary_derivative(s: &mut Store, b: Builtin, args: &[ExprId], i: usize) -> ExprId {
    use Builtin::*;
    let others = |s: &mut Store| {
        let mut rest = args.to_vec();
        rest.remove(i);
        s.call(Func::Builtin(b), rest)
    };
    match b {
        // heaviside(aᵢ - max(the others)): 1 where aᵢ is the largest, away from ties.
        Max => {
            let o = others(s);
            let d = s.sub(args[i], o);
            s.builtin(Heaviside, d)
        }
        Min => {
            let o = others(s);
            let d = s.sub(o, args[i]);
            s.builtin(Heaviside, d)
        }
        // exp(aᵢ - logsumexp(a)): the softmax, in the form that evaluates stably.
        Logsumexp => {
            let all = s.call(Func::Builtin(b), args.to_vec());
            let d = s.sub(args[i], all);
            s.exp(d)
        }
        // atan2(y, x): x/(x² + y²) by y, -y/(x² + y²) by x.
        Atan2 => {
            let two = s.int(2);
            let (y, x) = (args[0], args[1]);
            let y2 = s.pow(y, two);
            let x2 = s.pow(x, two);
            let r2 = s.add2(x2, y2);
            let top = if i == 0 { x } else { s.neg(y) };
            s.div(top, r2)
        }
        // log(u, b) = log(u)/log(b): 1/(u·log(b)) by u, -log(u)/(b·log(b)²) by b.
        LogBase => {
            let (u, base) = (args[0], args[1]);
            let lb = s.builtin(Log, base);
            if i == 0 {
                let d = s.mul2(u, lb);
                return s.recip(d);
            }
            let lu = s.builtin(Log, u);
            let two = s.int(2);
            let lb2 = s.pow(lb, two);
            let d = s.mul2(base, lb2);
            let q = s.div(lu, d);
            s.neg(q)
        }
        _ => unreachable!("a built-in of one argument"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::{Style, render};

    /// x^x differentiated 40 times: multiplied out between steps, the result prints in
    /// about n² terms, where left as built it unfolded to 10^13 nodes; and the store stays
    /// polynomial in n too. Counted, not timed.
    #[test]
    fn repeated_derivatives_of_x_to_the_x_stay_polynomial() {
        let mut s = Store::new();
        let x = s.intern_name("x");
        let xs = s.sym_name(x);
        let e = s.pow(xs, xs);
        let steps = partials(&mut s, e, &[x; 40]);
        assert!(s.fault().is_none(), "{:?}", s.fault());
        let d = steps.last().unwrap().2;
        let printed = s.size_of(d);
        assert!(printed < 100_000, "{printed} nodes printed");
        assert!(s.len() < 2_000_000, "{} nodes stored", s.len());
        // What the next step differentiates is equal to the step's result (multiplied
        // out or not), at random points where x^x is real.
        for w in steps.windows(2).take(15) {
            crate::eval::assert_same_values(&s, (w[0].2, w[1].0), "a step", 40, 5);
        }
    }

    /// A chain of one-argument functions n deep has a derivative of n factors; building it
    /// level by level would store n²/2 of them (2 million here), far over this budget.
    #[test]
    fn a_deep_chain_is_differentiated_in_linear_space() {
        let depth = 2000;
        let mut s = Store::new();
        s.set_max_nodes(20_000);
        let x = s.intern_name("x");
        let mut e = s.sym_name(x);
        for k in 0..depth {
            let f = if k % 2 == 0 {
                Builtin::Sin
            } else {
                Builtin::Tan
            };
            e = s.builtin(f, e);
        }
        let d = partial(&mut s, e, x);
        assert!(s.fault().is_none(), "{:?}", s.fault());
        let Node::Mul(fs) = s.node(d) else {
            panic!("not a product: {}", render(&s, d, Style::Plain));
        };
        assert_eq!(fs.len(), depth);
    }

    /// Powers with a constant exponent chain the same way: sqrt(sqrt(...(x + 1) + 1)) 2,000 deep
    /// built each level's product anew (40 s at 3,000 deep).
    #[test]
    fn a_deep_chain_of_roots_is_differentiated_in_linear_space() {
        let depth = 2000;
        let mut s = Store::new();
        s.set_max_nodes(2_000_000);
        let x = s.intern_name("x");
        let mut e = s.sym_name(x);
        let one = s.one();
        for k in 0..depth {
            // (+1 so that the roots do not combine into one power of x.)
            let u = s.add2(e, one);
            e = if k % 2 == 0 {
                s.sqrt(u)
            } else {
                let c = s.rat(1, 3);
                s.pow(u, c)
            };
        }
        let before = s.len();
        let d = partial(&mut s, e, x);
        assert!(s.fault().is_none(), "{:?}", s.fault());
        // A few nodes per level (6,000 here), where a product rebuilt at every level
        // would be n²/2 = 2,000,000.
        assert!(s.len() - before < 4 * depth, "{} nodes", s.len() - before);
        let Node::Mul(fs) = s.node(d) else {
            panic!("not a product");
        };
        // The coefficient and one power of each level.
        assert_eq!(fs.len(), depth + 1);
    }

    /// The pending product is the canonical product: the same node as the product of the
    /// outer derivatives written out by hand.
    #[test]
    fn a_pending_product_is_the_canonical_product() {
        let mut s = Store::new();
        let x = s.intern_name("x");
        let e = crate::parse::parse(&mut s, "exp(exp(sin(cos(sqrt(x^2 + 1)))))").unwrap();
        let d = partial(&mut s, e, x);
        let by_hand = "exp(exp(sin(cos(sqrt(x^2 + 1)))))*exp(sin(cos(sqrt(x^2 + 1))))*\
                       cos(cos(sqrt(x^2 + 1)))*(-sin(sqrt(x^2 + 1)))*(1/2)*(x^2 + 1)^(-1/2)*2*x";
        let expected = crate::parse::parse(&mut s, by_hand).unwrap();
        assert_eq!(
            render(&s, d, Style::Plain),
            render(&s, expected, Style::Plain)
        );
        assert_eq!(d, expected);
    }
}
