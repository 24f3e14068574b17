//! Definitions (`--let`, `--defs FILE`): constants (`a = 2`), functions
//! (`phi(s) = 1/(1+exp(-a*s))`) and derivative rules (`phi'(s) = a*phi(s)*(1-phi(s))`).
//!
//! A function without a rule is expanded where it is called. A function with a rule stays a
//! call, so results are written in its terms the way a person writes them (φ′ = aφ(1 − φ));
//! the rule is what the chain rule uses for it. For numbers (`--at`, `--check`) everything is
//! expanded.

use crate::calculus::partial;
use crate::expr::{ExprId, Func, Name, Node, Store};
use crate::parse::{self, ParseError};
use rustc_hash::FxHashMap;
use std::ops::Range;

/// A definition that cannot be used, with the span in its text that shows why.
#[derive(Debug, Clone)]
pub struct DefError {
    /// Which definition (in the order given), and the message and span within its text.
    pub index: usize,
    pub message: String,
    pub span: Range<usize>,
}

/// A call that does not fit its definition (wrong number of arguments).
#[derive(Debug, Clone)]
pub struct CallError {
    pub message: String,
}

#[derive(Clone)]
struct Function {
    params: Vec<Name>,
    /// The body with constants and rule-less functions expanded, rule functions kept.
    keep: ExprId,
    /// The body with everything expanded.
    full: ExprId,
    index: usize,
}

#[derive(Default)]
pub struct Defs {
    consts: FxHashMap<Name, (ExprId, ExprId)>, // (keep, full): the same unless rules differ
    funcs: FxHashMap<Name, Function>,
    /// Rule functions: name → (parameter, the rule's body, kept form).
    rules: FxHashMap<Name, (Name, ExprId)>,
}

/// One definition as written.
enum Lhs {
    Const(Name),
    Func(Name, Vec<Name>),
    Rule(Name, Name),
}

impl Defs {
    pub fn is_empty(&self) -> bool {
        self.consts.is_empty() && self.funcs.is_empty() && self.rules.is_empty()
    }

    /// Is `n` a defined constant (so not a variable one can differentiate by)?
    pub fn is_constant(&self, n: Name) -> bool {
        self.consts.contains_key(&n)
    }

    /// Parses and checks the definitions, in order; later ones may use earlier and later
    /// ones, but no function or constant may be defined in terms of itself.
    pub fn new(s: &mut Store, texts: &[String]) -> Result<Defs, DefError> {
        let mut parsed: Vec<(Lhs, ExprId)> = Vec::new();
        for (index, t) in texts.iter().enumerate() {
            parsed.push(parse_def(s, t, index)?);
        }
        // Names each definition's body refers to (rule bodies may refer to anything: their
        // function stays symbolic, so they cannot loop).
        let defined = |n: &Name, parsed: &[(Lhs, ExprId)]| {
            parsed.iter().position(|(l, _)| match l {
                Lhs::Const(m) | Lhs::Func(m, _) => m == n,
                Lhs::Rule(..) => false,
            })
        };
        let mut seen_name: FxHashMap<Name, usize> = FxHashMap::default();
        for (i, (l, _)) in parsed.iter().enumerate() {
            let key = match l {
                Lhs::Const(n) | Lhs::Func(n, _) => (*n, 0),
                Lhs::Rule(n, _) => (*n, 1),
            };
            let k = key.0;
            if key.1 == 0 {
                if let Some(&j) = seen_name.get(&k) {
                    return Err(DefError {
                        index: i,
                        message: format!(
                            "`{}` is defined twice (first in definition {})",
                            s.name(k),
                            j + 1
                        ),
                        span: 0..texts[i].find('=').unwrap_or(0),
                    });
                }
                seen_name.insert(k, i);
            }
        }
        let deps: Vec<Vec<usize>> = parsed
            .iter()
            .map(|(l, body)| match l {
                Lhs::Rule(..) => Vec::new(),
                _ => {
                    let mut d = Vec::new();
                    for n in s.postorder(&[*body]) {
                        let name = match s.node(n) {
                            Node::Sym(m) => Some(*m),
                            Node::Call(Func::Unknown { name, .. }, _) => Some(*name),
                            _ => None,
                        };
                        if let Some(j) = name.and_then(|m| defined(&m, &parsed)) {
                            d.push(j);
                        }
                    }
                    d
                }
            })
            .collect();
        // Depth-first order, refusing cycles.
        let mut state = vec![0u8; parsed.len()];
        let mut order = Vec::new();
        fn visit(
            i: usize,
            deps: &[Vec<usize>],
            state: &mut [u8],
            order: &mut Vec<usize>,
        ) -> Result<(), usize> {
            match state[i] {
                2 => return Ok(()),
                1 => return Err(i),
                _ => {}
            }
            state[i] = 1;
            for &j in &deps[i] {
                visit(j, deps, state, order)?;
            }
            state[i] = 2;
            order.push(i);
            Ok(())
        }
        for i in 0..parsed.len() {
            if let Err(j) = visit(i, &deps, &mut state, &mut order) {
                let name = match &parsed[j].0 {
                    Lhs::Const(n) | Lhs::Func(n, _) | Lhs::Rule(n, _) => s.name(*n).to_string(),
                };
                return Err(DefError {
                    index: j,
                    message: format!("`{name}` is defined in terms of itself"),
                    span: 0..texts[j].len(),
                });
            }
        }
        let mut defs = Defs::default();
        // Rule functions are known before any body is expanded, so bodies keep them.
        for (l, body) in &parsed {
            if let Lhs::Rule(n, p) = l {
                defs.rules.insert(*n, (*p, *body));
            }
        }
        for &i in &order {
            let (l, body) = &parsed[i];
            let keep = defs.expand(s, *body, false).map_err(|e| DefError {
                index: i,
                message: e.message,
                span: 0..texts[i].len(),
            })?;
            let full = defs.expand(s, *body, true).map_err(|e| DefError {
                index: i,
                message: e.message,
                span: 0..texts[i].len(),
            })?;
            match l {
                Lhs::Const(n) => {
                    defs.consts.insert(*n, (keep, full));
                }
                Lhs::Func(n, params) => {
                    defs.funcs.insert(
                        *n,
                        Function {
                            params: params.clone(),
                            keep,
                            full,
                            index: i,
                        },
                    );
                }
                Lhs::Rule(..) => {}
            }
        }
        // Rules: their bodies with the constants expanded, their functions kept.
        let rules: Vec<(Name, Name, ExprId, usize)> = parsed
            .iter()
            .enumerate()
            .filter_map(|(i, (l, b))| match l {
                Lhs::Rule(n, p) => Some((*n, *p, *b, i)),
                _ => None,
            })
            .collect();
        for (n, p, b, i) in rules {
            match defs.funcs.get(&n) {
                Some(f) if f.params.len() != 1 => {
                    return Err(DefError {
                        index: i,
                        message: format!(
                            "`{}'` is a rule for a function of one argument, but `{}` takes {}",
                            s.name(n),
                            s.name(n),
                            f.params.len()
                        ),
                        span: 0..texts[i].len(),
                    });
                }
                _ => {}
            }
            let kept = defs.expand(s, b, false).map_err(|e| DefError {
                index: i,
                message: e.message,
                span: 0..texts[i].len(),
            })?;
            defs.rules.insert(n, (p, kept));
        }
        Ok(defs)
    }

    /// Installs the derivative rules in the store, where the chain rule finds them.
    pub fn install_rules(&self, s: &mut Store) {
        for (&n, &(p, body)) in &self.rules {
            s.rules.insert(n, (p, body));
        }
    }

    /// Expands the definitions in `e`: constants and functions without a rule always;
    /// functions with a rule only when `full` (for numbers).
    pub fn expand(&self, s: &mut Store, e: ExprId, full: bool) -> Result<ExprId, CallError> {
        Ok(self.expand_all(s, &[e], full)?[0])
    }

    /// `expand` for several roots in one walk over their shared DAG.
    pub fn expand_all(
        &self,
        s: &mut Store,
        roots: &[ExprId],
        full: bool,
    ) -> Result<Vec<ExprId>, CallError> {
        if self.is_empty() {
            return Ok(roots.to_vec());
        }
        s.rewrite(roots, |s, n, kids| {
            Ok(match s.node(n).clone() {
                Node::Sym(m) => self
                    .consts
                    .get(&m)
                    .map(|&(keep, all)| if full { all } else { keep }),
                Node::Call(Func::Unknown { name, derivs }, _) => {
                    Some(self.call(s, name, &derivs, kids.to_vec(), full)?)
                }
                _ => None,
            })
        })
    }

    fn call(
        &self,
        s: &mut Store,
        name: Name,
        derivs: &[u32],
        args: Vec<ExprId>,
        full: bool,
    ) -> Result<ExprId, CallError> {
        let rule = self.rules.get(&name).copied();
        let Some(f) = self.funcs.get(&name) else {
            // Only a rule: the function is unknown but its derivative is given.
            if let (Some((p, body)), [0], 1) = (rule, derivs, args.len()) {
                let map = FxHashMap::from_iter([(p, args[0])]);
                return Ok(s.substitute(body, &map));
            }
            return Ok(s.call(
                Func::Unknown {
                    name,
                    derivs: Box::new(derivs.to_vec()),
                },
                args,
            ));
        };
        if f.params.len() != args.len() {
            return Err(CallError {
                message: format!(
                    "`{}` takes {} argument{} (definition {}), but {} {} given",
                    s.name(name),
                    f.params.len(),
                    if f.params.len() == 1 { "" } else { "s" },
                    f.index + 1,
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            });
        }
        let map: FxHashMap<Name, ExprId> =
            f.params.iter().copied().zip(args.iter().copied()).collect();
        if let (false, Some((p, body))) = (full, rule) {
            if derivs.is_empty() {
                return Ok(s.call(
                    Func::Unknown {
                        name,
                        derivs: Box::default(),
                    },
                    args,
                ));
            }
            if derivs == [0] {
                let m = FxHashMap::from_iter([(p, args[0])]);
                return Ok(s.substitute(body, &m));
            }
        }
        // The body, differentiated by the parameters the call names, then applied.
        let mut body = if full { f.full } else { f.keep };
        for &d in derivs {
            body = partial(s, body, f.params[d as usize]);
        }
        Ok(s.substitute(body, &map))
    }
}

/// `s`, trimmed, when it is a usable name (not a constant).
fn name_at(s: &str) -> Option<&str> {
    let s = s.trim();
    (parse::is_name(s) && !matches!(s, "pi" | "π" | "e")).then_some(s)
}

fn parse_def(s: &mut Store, t: &str, index: usize) -> Result<(Lhs, ExprId), DefError> {
    let err = |message: String, span: Range<usize>| DefError {
        index,
        message,
        span,
    };
    let Some(eq) = t.find('=') else {
        return Err(err(
            "a definition needs the form NAME = EXPR or NAME(ARGS) = EXPR".into(),
            t.len()..t.len(),
        ));
    };
    let (lhs, rhs) = (&t[..eq], &t[eq + 1..]);
    let lhs_t = lhs.trim();
    let lstart = lhs.len() - lhs.trim_start().len();
    let lspan = lstart..lstart + lhs_t.len();
    let body = parse::parse(s, rhs)
        .map_err(|e: ParseError| err(e.message, e.span.start + eq + 1..e.span.end + eq + 1))?;
    if let Some(n) = name_at(lhs_t) {
        if parse::is_builtin_name(n) {
            return Err(err(
                format!("`{n}` is a built-in function and cannot be redefined"),
                lspan,
            ));
        }
        return Ok((Lhs::Const(s.intern_name(n)), body));
    }
    let Some(open) = lhs_t.find('(') else {
        return Err(err(
            format!("`{lhs_t}` is not a name or a call like f(x)"),
            lspan,
        ));
    };
    if !lhs_t.ends_with(')') {
        return Err(err(
            format!("`{lhs_t}` is not a name or a call like f(x)"),
            lspan,
        ));
    }
    let head = lhs_t[..open].trim();
    let (fname, rule) = match head.strip_suffix('\'') {
        Some(h) => (h.trim(), true),
        None => (head, false),
    };
    let Some(fname) = name_at(fname) else {
        return Err(err(format!("`{head}` is not a function name"), lspan));
    };
    if parse::is_builtin_name(fname) {
        return Err(err(
            format!("`{fname}` is a built-in function and cannot be redefined"),
            lspan,
        ));
    }
    let mut params = Vec::new();
    for p in lhs_t[open + 1..lhs_t.len() - 1].split(',') {
        let Some(p) = name_at(p) else {
            return Err(err(
                format!("`{}` is not a parameter name", p.trim()),
                lspan.clone(),
            ));
        };
        let n = s.intern_name(p);
        if params.contains(&n) {
            return Err(err(
                format!("the parameter `{p}` appears twice"),
                lspan.clone(),
            ));
        }
        params.push(n);
    }
    let f = s.intern_name(fname);
    if rule {
        if params.len() != 1 {
            return Err(err(
                "a derivative rule f'(s) = ... is for a function of one argument".into(),
                lspan,
            ));
        }
        return Ok((Lhs::Rule(f, params[0]), body));
    }
    Ok((Lhs::Func(f, params), body))
}
