//! `--explain`: the derivation a teacher writes. For a partial derivative, the rule used at
//! each subexpression that depends on the variable, outermost first, one a line; for a total
//! derivative, the chain-rule expansion df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx with every term.

use super::partial::partial;
use super::total::Constraints;
use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Store};

/// One step: the rule, the expression it applies to, and that expression's derivative.
#[derive(Clone, Debug)]
pub struct Step {
    /// The rule as the explanation names it (`product rule`, `chain rule with sin`).
    pub rule: String,
    /// The subexpression of f it applies to, as stored (canonical form, not tidied).
    pub expr: ExprId,
    /// ∂expr/∂x, tidied.
    pub result: ExprId,
}

/// The rules applied in ∂f/∂x, outermost first (each distinct subexpression once), at most
/// `limit` of them; the second value counts the ones left out.
pub fn partial_steps(s: &mut Store, f: ExprId, x: Name, limit: usize) -> (Vec<Step>, usize) {
    let mut steps = Vec::new();
    let mut omitted = 0;
    let mut seen = rustc_hash::FxHashSet::default();
    let mut stack = vec![f];
    while let Some(e) = stack.pop() {
        if !seen.insert(e) || matches!(s.node(e), Node::Num(_) | Node::Const(_) | Node::Sym(_)) {
            continue;
        }
        if steps.len() >= limit {
            // Only counted: a derivative for each would cost as much as the derivative of
            // the whole again, per subexpression (sin nested 3,000 deep: 10 s).
            stack.push(e);
            seen.remove(&e);
            omitted = count_dependent(s, &stack, &seen, x);
            break;
        }
        let d = partial(s, e, x);
        if d == s.zero() {
            continue;
        }
        {
            let rule = rule_name(s, e, x);
            let result = s.tidy(d);
            steps.push(Step {
                rule,
                expr: e,
                result,
            });
        }
        let kids = s.children(e);
        stack.extend(kids.into_iter().rev());
    }
    (steps, omitted)
}

/// The subexpressions under `roots`, not in `seen`, that contain `x` and are not leaves:
/// the steps left out.
fn count_dependent(
    s: &Store,
    roots: &[ExprId],
    seen: &rustc_hash::FxHashSet<ExprId>,
    x: Name,
) -> usize {
    let mut dependent = rustc_hash::FxHashSet::default();
    let mut count = 0;
    for e in s.postorder(roots) {
        let uses = match s.node(e) {
            Node::Sym(v) => *v == x,
            Node::Num(_) | Node::Const(_) => false,
            _ => s.children(e).iter().any(|k| dependent.contains(k)),
        };
        if uses {
            dependent.insert(e);
            if !matches!(s.node(e), Node::Sym(_)) && !seen.contains(&e) {
                count += 1;
            }
        }
    }
    count
}

fn depends(s: &mut Store, e: ExprId, x: Name) -> bool {
    partial(s, e, x) != s.zero()
}

fn rule_name(s: &mut Store, e: ExprId, x: Name) -> String {
    let chain = |s: &Store, u: ExprId| !matches!(s.node(u), Node::Sym(_));
    match s.node(e).clone() {
        Node::Add(_) => "sum rule".into(),
        Node::Mul(fs) => {
            let dep: Vec<ExprId> = fs.iter().copied().filter(|&g| depends(s, g, x)).collect();
            let quotient = dep.len() > 1
                && dep
                    .iter()
                    .any(|&g| matches!(s.node(g), Node::Pow(_, k) if s.is_negated(*k)));
            match dep.len() {
                1 => "constant factor rule".into(),
                _ if quotient => "quotient rule".into(),
                _ => "product rule".into(),
            }
        }
        Node::Pow(u, v) => {
            let (du, dv) = (depends(s, u, x), depends(s, v, x));
            let with_chain = |r: &str, c: bool| {
                if c {
                    format!("{r} and chain rule")
                } else {
                    r.to_string()
                }
            };
            match (du, dv) {
                (true, false) => {
                    let half = s
                        .as_num(v)
                        .is_some_and(|r| *r == crate::expr::Rat::Small(1, 2));
                    with_chain(
                        if half {
                            "square root rule"
                        } else {
                            "power rule"
                        },
                        chain(s, u),
                    )
                }
                (false, _) if matches!(s.node(u), Node::Const(Constant::E)) => {
                    with_chain("exponential rule", chain(s, v))
                }
                (false, _) => with_chain("exponential rule (a^u = e^(u·log a))", chain(s, v)),
                _ => "general power rule (u^v = e^(v·log u))".into(),
            }
        }
        Node::Call(Func::Builtin(b), args) => {
            let name = if b == Builtin::Log { "log" } else { b.name() };
            if chain(s, args[0]) {
                format!("chain rule with {name}")
            } else {
                format!("derivative of {name}")
            }
        }
        Node::Call(Func::Unknown { name, .. }, _) => {
            let n = s.name(name).to_string();
            if s.rule(name).is_some() {
                format!("chain rule with {n} (its rule from the definitions)")
            } else {
                format!("chain rule with the unknown function {n}")
            }
        }
        _ => "rule".into(),
    }
}

/// One term ∂f/∂v·dv/dx of a total derivative.
#[derive(Clone, Debug)]
pub struct TotalTerm {
    /// v; the first term's is x itself, with dv/dx = 1.
    pub var: Name,
    /// ∂f/∂v, constraints not yet substituted
    pub df_dv: ExprId,
    /// dv/dx: 0 for an independent variable, the derivative of its constraint otherwise
    pub dv_dx: ExprId,
    /// The term ∂f/∂v·dv/dx, tidied (except the first, ∂f/∂x, which is not).
    pub product: ExprId,
}

/// The chain-rule expansion of df/dx: ∂f/∂x first, then each other variable of f.
/// `known` gives dv/dx for variables not given explicitly (implicit relations).
pub fn total_terms(
    s: &mut Store,
    cons: &Constraints,
    f: ExprId,
    x: Name,
    known: &[(Name, ExprId)],
) -> Vec<TotalTerm> {
    let mut out = Vec::new();
    let dfx = partial(s, f, x);
    let one = s.one();
    out.push(TotalTerm {
        var: x,
        df_dv: s.tidy(dfx),
        dv_dx: one,
        product: dfx,
    });
    for v in s.free_symbols(&[f]) {
        if v == x {
            continue;
        }
        let df = partial(s, f, v);
        let df = s.tidy(df);
        let dv = match (cons.resolved(v), known.iter().find(|(n, _)| *n == v)) {
            (Some(r), _) => partial(s, r, x),
            (None, Some(&(_, d))) => d,
            (None, None) => s.zero(),
        };
        let dv = s.tidy(dv);
        let p = s.mul2(df, dv);
        let product = s.tidy(p);
        out.push(TotalTerm {
            var: v,
            df_dv: df,
            dv_dx: dv,
            product,
        });
    }
    out
}
