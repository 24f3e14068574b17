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
    /// Which definition, counted from 0 in the order given (`Display` counts from 1).
    pub index: usize,
    /// Why, without the definition's own number (`Display` adds it).
    pub message: String,
    /// Byte range within that definition's text (`texts[index]`), not within a file.
    pub span: Range<usize>,
}

/// A call that does not fit its definition (wrong number of arguments), or a sum in a
/// differentiated body that cannot be expanded.
#[derive(Debug, Clone)]
pub struct CallError {
    /// The complete message, shown as is: it names the function and its definition (or the
    /// sum in its body that cannot be expanded).
    pub message: String,
}

impl std::fmt::Display for DefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "definition {}: {}", self.index + 1, self.message)
    }
}

impl std::error::Error for DefError {}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

struct Function {
    params: Vec<Name>,
    index: usize,
}

/// Checked definitions, ready to expand into an expression of the same `Store` (their
/// names and bodies live there). `Defs::default()` is the empty set: it changes nothing.
///
/// Bodies are stored as written, each in terms of the definitions it calls; an expansion
/// unfolds the bodies of the definitions its expression uses (and only those), each once,
/// after those it calls, then puts the arguments in. A parameter is bound to a fresh name
/// shared by the parameters of the same name and position in every definition, so chained
/// bodies share their nodes: `g_k(x) = sin(g_{k-1}(x))` unfolds to one new node each,
/// where a fresh name per definition made the k-th k new nodes (200,000 of them took 20
/// billion).
#[derive(Default)]
pub struct Defs {
    /// Constants: name → index of the definition.
    consts: FxHashMap<Name, usize>,
    funcs: FxHashMap<Name, Function>,
    /// Rule functions: name → (parameter, the rule's body with constants expanded).
    rules: FxHashMap<Name, (Name, ExprId)>,
    /// Each definition's text, trimmed, for the messages of `Unfold`.
    texts: Vec<Box<str>>,
    /// The definitions each definition's body uses, by index.
    deps: Vec<Vec<usize>>,
    /// Each definition's place in an order where it comes after those it uses.
    rank: Vec<usize>,
    /// Each definition's body as written, by index (none for a rule).
    written: Vec<Option<ExprId>>,
    /// An upper bound on the nodes each definition unfolds to (`unfolded_sizes`).
    unfolded_size: Vec<u64>,
}

/// One definition as written.
enum Lhs {
    Const(Name),
    Func(Name, Vec<Name>),
    Rule(Name, Name),
}

/// An expression unfolded by a definition nests at most this deep in the store (a leaf is
/// 1), so that its text nests at most `parse::MAX_DEPTH` levels and reads back: each level
/// of parentheses, bars or pending powers in the text is at least one level of nodes.
pub const MAX_UNFOLDED_DEPTH: u32 = parse::MAX_DEPTH as u32 + 1;

impl Defs {
    pub(crate) fn is_empty(&self) -> bool {
        self.consts.is_empty() && self.funcs.is_empty() && self.rules.is_empty()
    }

    /// Is `n` a defined constant (so not a variable one can differentiate by)?
    pub fn is_constant(&self, n: Name) -> bool {
        self.consts.contains_key(&n)
    }

    /// Parses and checks the definitions, in order; later ones may use earlier and later
    /// ones, but no function or constant may be defined in terms of itself. Nothing is
    /// unfolded but the rules' bodies: a definition costs nothing until it is used.
    pub fn new(s: &mut Store, texts: &[String]) -> Result<Defs, DefError> {
        // A definition makes about a node per four bytes: room for them at once, rather
        // than growing the store by doubling through a million lines.
        s.reserve(texts.iter().map(String::len).sum::<usize>() / 4);
        let mut parsed: Vec<(Lhs, ExprId)> = Vec::with_capacity(texts.len());
        let mut bound = FxHashMap::default();
        for (index, t) in texts.iter().enumerate() {
            parsed.push(parse_def(s, t, index, &mut bound)?);
        }
        check_unique(s, &parsed, texts)?;
        let (order, deps) = dependency_order(s, &parsed, texts)?;
        let unfolded_size = unfolded_sizes(s, &parsed, &order);
        let mut rank = vec![0; parsed.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let mut defs = Defs {
            texts: texts.iter().map(|t| t.trim().into()).collect(),
            deps,
            unfolded_size,
            rank,
            written: parsed
                .iter()
                .map(|(l, b)| (!matches!(l, Lhs::Rule(..))).then_some(*b))
                .collect(),
            ..Defs::default()
        };
        for (i, (l, body)) in parsed.iter().enumerate() {
            match l {
                Lhs::Const(n) => _ = defs.consts.insert(*n, i),
                Lhs::Func(n, params) => {
                    let f = Function {
                        params: params.clone(),
                        index: i,
                    };
                    defs.funcs.insert(*n, f);
                }
                // Rule functions are known before any body is expanded, so bodies keep them.
                Lhs::Rule(n, p) => _ = defs.rules.insert(*n, (*p, *body)),
            }
        }
        check_calls(s, &defs, &parsed, texts)?;
        // Rules: their bodies with the constants expanded, their functions kept.
        for (i, (l, b)) in parsed.iter().enumerate() {
            let &Lhs::Rule(n, p) = l else { continue };
            if let Some(f) = defs.funcs.get(&n).filter(|f| f.params.len() != 1) {
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
            let kept = defs.expand(s, *b, false).map_err(|e| DefError {
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
            s.set_rule(n, p, body);
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
        let mut unfold = Unfold {
            defs: self,
            full,
            bodies: FxHashMap::default(),
            unfolding: None,
        };
        unfold.bodies_for(s, roots)?;
        let r = s.rewrite(roots, |s, n, kids| unfold.step(s, n, kids))?;
        Ok(r)
    }
}

/// A definition's text as a message quotes it: at most 60 characters.
fn shorten(t: &str) -> String {
    match t.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// One expansion (`full` or not): the bodies it needs, unfolded.
struct Unfold<'d> {
    defs: &'d Defs,
    full: bool,
    /// Each definition used, by index → its body unfolded, in terms of its parameters.
    bodies: FxHashMap<usize, ExprId>,
    /// The definition whose body is being unfolded (to blame for a use in it too deep).
    unfolding: Option<usize>,
}

impl Unfold<'_> {
    /// Unfolds the bodies of the definitions `roots` use, directly or not, each after
    /// those it uses: without recursion, since a chain of definitions is as deep as it is
    /// long.
    fn bodies_for(&mut self, s: &mut Store, roots: &[ExprId]) -> Result<(), CallError> {
        let defs = self.defs;
        let mut todo: Vec<usize> = s
            .postorder(roots)
            .into_iter()
            .filter_map(|n| defs.used_at(s, n))
            .collect();
        let mut needed = rustc_hash::FxHashSet::default();
        while let Some(i) = todo.pop() {
            if needed.insert(i) {
                todo.extend(&defs.deps[i]);
            }
        }
        let mut needed: Vec<usize> = needed.into_iter().collect();
        needed.sort_unstable_by_key(|&i| defs.rank[i]);
        // Checked before anything is unfolded, and the first in order is named (the
        // definition a use of a later one goes through).
        if let Some(&i) = needed
            .iter()
            .find(|&&i| defs.unfolded_size[i] > s.max_nodes())
        {
            return Err(CallError {
                message: format!(
                    "definition {} (`{}`) would unfold to up to {} nodes, more than the \
                     budget of {} (--max-nodes)",
                    i + 1,
                    shorten(&defs.texts[i]),
                    defs.unfolded_size[i],
                    s.max_nodes()
                ),
            });
        }
        for i in needed {
            let Some(body) = defs.body(i) else { continue };
            self.unfolding = Some(i);
            let r = s.rewrite(&[body], |s, n, kids| self.step(s, n, kids))?;
            self.check_depth(s, r[0], i, None)?;
            self.bodies.insert(i, r[0]);
        }
        self.unfolding = None;
        Ok(())
    }

    /// An unfolding nests at most `MAX_UNFOLDED_DEPTH`, so that its text reads back. The
    /// definition to blame is named: the one whose body is unfolded, or else the one
    /// whose use (`use_of`) is.
    fn check_depth(
        &self,
        s: &Store,
        e: ExprId,
        index: usize,
        use_of: Option<Name>,
    ) -> Result<(), CallError> {
        if s.depth(e) <= MAX_UNFOLDED_DEPTH {
            return Ok(());
        }
        let what = match use_of {
            Some(f) => format!("a use of `{}` (definition {})", s.name(f), index + 1),
            None => format!(
                "definition {} (`{}`)",
                index + 1,
                shorten(&self.defs.texts[index])
            ),
        };
        Err(CallError {
            message: format!(
                "{what} unfolds to an expression nested more than {} levels deep, the \
                 nesting limit (docs/limits.md)",
                parse::MAX_DEPTH
            ),
        })
    }

    /// The node `n`, its children unfolded to `kids`: a constant's or a call's unfolding,
    /// or `None` to rebuild it.
    fn step(
        &mut self,
        s: &mut Store,
        n: ExprId,
        kids: &[ExprId],
    ) -> Result<Option<ExprId>, CallError> {
        Ok(match s.node(n).clone() {
            Node::Sym(m) => self.defs.consts.get(&m).map(|i| self.bodies[i]),
            Node::Call(Func::Unknown { name, derivs }, _) => {
                Some(self.call(s, name, &derivs, kids.to_vec())?)
            }
            _ => None,
        })
    }

    fn call(
        &mut self,
        s: &mut Store,
        name: Name,
        derivs: &[u32],
        args: Vec<ExprId>,
    ) -> Result<ExprId, CallError> {
        let defs = self.defs;
        let rule = defs.rules.get(&name).copied();
        let Some(f) = defs.funcs.get(&name) else {
            // Only a rule: the function is unknown but its derivative is given.
            if let (Some((p, body)), [0], 1) = (rule, derivs, args.len()) {
                let map = FxHashMap::from_iter([(p, args[0])]);
                return Ok(s.substitute(body, &map));
            }
            let call = Func::Unknown {
                name,
                derivs: Box::new(derivs.to_vec()),
            };
            return Ok(s.call(call, args));
        };
        if f.params.len() != args.len() {
            return Err(arity_error(s, name, f, args.len()));
        }
        if let (false, Some((p, body))) = (self.full, rule) {
            if derivs.is_empty() {
                let call = Func::Unknown {
                    name,
                    derivs: Box::default(),
                };
                return Ok(s.call(call, args));
            }
            if derivs == [0] {
                let m = FxHashMap::from_iter([(p, args[0])]);
                return Ok(s.substitute(body, &m));
            }
        }
        let mut body = self.bodies[&f.index];
        // The parameters still to be given their arguments.
        let mut map: FxHashMap<Name, ExprId> =
            f.params.iter().copied().zip(args.iter().copied()).collect();
        if !derivs.is_empty() {
            // The body differentiated by the parameters the call names, then applied. A
            // sum is expanded, not differentiated as a call; the parameters not
            // differentiated by take their arguments first, so its bounds may use them,
            // and those differentiated by are renamed first, since an argument may use
            // the same bound name (a caller's parameter in the same place).
            let mut first: FxHashMap<Name, ExprId> = FxHashMap::default();
            let mut by = f.params.clone();
            map.clear();
            for (k, p) in by.iter_mut().enumerate() {
                if derivs.contains(&(k as u32)) {
                    let fresh = s.fresh_name(*p);
                    first.insert(*p, s.sym_name(fresh));
                    map.insert(fresh, args[k]);
                    *p = fresh;
                } else {
                    first.insert(*p, args[k]);
                }
            }
            body = s.substitute(body, &first);
            body = s.expand_sums(body).map_err(|e| CallError {
                message: crate::diagnostic::sum_message(s, &e),
            })?;
            for &d in derivs {
                body = partial(s, body, by[d as usize]);
            }
        }
        let r = s.substitute(body, &map);
        match self.unfolding {
            Some(i) => self.check_depth(s, r, i, None)?,
            None => self.check_depth(s, r, f.index, Some(name))?,
        }
        Ok(r)
    }
}

impl Defs {
    /// The definition whose name node `n` uses (a constant, or a call of a function).
    fn used_at(&self, s: &Store, n: ExprId) -> Option<usize> {
        match s.node(n) {
            Node::Sym(m) => self.consts.get(m).copied(),
            Node::Call(Func::Unknown { name, .. }, _) => self.funcs.get(name).map(|f| f.index),
            _ => None,
        }
    }

    /// The body of definition `i` as written (none for a rule).
    fn body(&self, i: usize) -> Option<ExprId> {
        self.written[i]
    }
}

/// A call of `f` with `given` arguments where it takes another number.
fn arity_error(s: &Store, name: Name, f: &Function, given: usize) -> CallError {
    let n = f.params.len();
    CallError {
        message: format!(
            "`{}` takes {n} argument{} (definition {}), but {given} {} given",
            s.name(name),
            if n == 1 { "" } else { "s" },
            f.index + 1,
            if given == 1 { "was" } else { "were" }
        ),
    }
}

/// Every call of a defined function in a body has its number of arguments: refused when
/// the definitions are read, as when each body was expanded then, though now a body is
/// unfolded only where it is used.
fn check_calls(
    s: &Store,
    defs: &Defs,
    parsed: &[(Lhs, ExprId)],
    texts: &[String],
) -> Result<(), DefError> {
    for (i, (_, body)) in parsed.iter().enumerate() {
        for n in s.postorder(&[*body]) {
            if let Node::Call(Func::Unknown { name, .. }, args) = s.node(n)
                && let Some(f) = defs.funcs.get(name)
                && f.params.len() != args.len()
            {
                return Err(DefError {
                    index: i,
                    message: arity_error(s, *name, f, args.len()).message,
                    span: 0..texts[i].len(),
                });
            }
        }
    }
    Ok(())
}

/// An upper bound on the nodes each definition unfolds to: the nodes of its body, with
/// each use of a defined name counted as the size of its own unfolding (saturating). A few
/// hundred bytes can define an exponential unfolding (`h_k(s) = h_{k-1}(h_{k-1}(s))` is 2^k
/// levels deep), which would fill memory for minutes before the node budget stopped it;
/// with these bounds a use of such a definition is refused before anything is unfolded.
fn unfolded_sizes(s: &Store, parsed: &[(Lhs, ExprId)], order: &[usize]) -> Vec<u64> {
    let mut defined: FxHashMap<Name, usize> = FxHashMap::default();
    for (i, (l, _)) in parsed.iter().enumerate() {
        if let Lhs::Const(n) | Lhs::Func(n, _) = l {
            defined.insert(*n, i);
        }
    }
    let mut size = vec![1u64; parsed.len()];
    for &i in order {
        let mut total = 0u64;
        for n in s.postorder(&[parsed[i].1]) {
            let used = match s.node(n) {
                Node::Sym(m) => defined.get(m),
                Node::Call(Func::Unknown { name, .. }, _) => defined.get(name),
                _ => None,
            };
            total = total.saturating_add(used.map_or(1, |&j| size[j].saturating_add(1)));
        }
        size[i] = total;
    }
    size
}

/// `s`, trimmed, when it is a usable name (not a constant).
fn name_at(s: &str) -> Option<&str> {
    let s = s.trim();
    (parse::is_name(s) && !matches!(s, "pi" | "π" | "e")).then_some(s)
}

/// The parameters renamed to bound names in the body: a parameter is bound there, so a
/// constant, `--given` or `--at` of the same name never reaches it, and an argument that
/// mentions a variable of that name is not captured when the call is expanded. The bound
/// name is fresh (no expression can write it) and the same for every parameter of that
/// name and position (`bound`), so that chained definitions share their unfoldings;
/// arguments are put in at once, so a caller's parameter in an argument is not captured.
fn bind(
    s: &mut Store,
    params: &[Name],
    body: ExprId,
    bound: &mut FxHashMap<(usize, Name), Name>,
) -> (Vec<Name>, ExprId) {
    let fresh: Vec<Name> = params
        .iter()
        .enumerate()
        .map(|(k, &p)| *bound.entry((k, p)).or_insert_with(|| s.fresh_name(p)))
        .collect();
    let map: FxHashMap<Name, ExprId> = params
        .iter()
        .zip(&fresh)
        .map(|(&p, &q)| (p, s.sym_name(q)))
        .collect();
    (fresh, s.substitute(body, &map))
}

fn parse_def(
    s: &mut Store,
    t: &str,
    index: usize,
    bound: &mut FxHashMap<(usize, Name), Name>,
) -> Result<(Lhs, ExprId), DefError> {
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
    // (The left side is checked first: a parameter named like a function is reported as
    // such, not as a misuse of that function in the body.)
    let body = |s: &mut Store| {
        parse::parse(s, rhs)
            .map_err(|e: ParseError| err(e.message, e.span.start + eq + 1..e.span.end + eq + 1))
    };
    if let Some(what) = parse::reserved(lhs_t) {
        return Err(err(
            format!("`{lhs_t}` is {what} and cannot be redefined"),
            lspan,
        ));
    }
    if let Some(n) = name_at(lhs_t) {
        let body = body(s)?;
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
    if let Some(what) = parse::reserved(fname) {
        return Err(err(
            format!("`{}` is {what} and cannot be redefined", fname.trim()),
            lspan,
        ));
    }
    let Some(fname) = name_at(fname) else {
        return Err(err(format!("`{head}` is not a function name"), lspan));
    };
    let mut params = Vec::new();
    for p in lhs_t[open + 1..lhs_t.len() - 1].split(',') {
        if let Some(what) = parse::reserved(p) {
            return Err(err(
                format!("`{}` is {what}, so it cannot be a parameter", p.trim()),
                lspan.clone(),
            ));
        }
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
    let body = body(s)?;
    let (params, body) = bind(s, &params, body, bound);
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

/// No constant or function is defined twice (a rule may accompany its function).
fn check_unique(s: &Store, parsed: &[(Lhs, ExprId)], texts: &[String]) -> Result<(), DefError> {
    let mut seen: FxHashMap<Name, usize> = FxHashMap::default();
    for (i, (l, _)) in parsed.iter().enumerate() {
        let (Lhs::Const(k) | Lhs::Func(k, _)) = l else {
            continue;
        };
        if let Some(&j) = seen.get(k) {
            return Err(DefError {
                index: i,
                message: format!(
                    "`{}` is defined twice (first in definition {})",
                    s.name(*k),
                    j + 1
                ),
                span: 0..texts[i].find('=').unwrap_or(0),
            });
        }
        seen.insert(*k, i);
    }
    Ok(())
}

/// The definitions in an order where each comes after those its body uses (depth first),
/// refusing one defined in terms of itself. Rule bodies may refer to anything: their
/// function stays symbolic, so they cannot loop.
fn dependency_order(
    s: &Store,
    parsed: &[(Lhs, ExprId)],
    texts: &[String],
) -> Result<(Vec<usize>, Vec<Vec<usize>>), DefError> {
    // (By name, not by a scan: 200,000 chained definitions would be quadratic.)
    let mut consts: FxHashMap<Name, usize> = FxHashMap::default();
    let mut funcs: FxHashMap<Name, usize> = FxHashMap::default();
    for (i, (l, _)) in parsed.iter().enumerate() {
        match l {
            Lhs::Const(m) => _ = consts.entry(*m).or_insert(i),
            Lhs::Func(m, _) => _ = funcs.entry(*m).or_insert(i),
            Lhs::Rule(..) => {}
        }
    }
    let deps: Vec<Vec<usize>> = parsed
        .iter()
        .map(|(l, body)| match l {
            Lhs::Rule(..) => Vec::new(),
            _ => s
                .postorder(&[*body])
                .into_iter()
                .filter_map(|n| match s.node(n) {
                    Node::Sym(m) => consts.get(m).copied(),
                    Node::Call(Func::Unknown { name, .. }, _) => funcs.get(name).copied(),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    // Depth first on a stack of its own (a chain of a million definitions is a million
    // deep): 1 marks a definition in progress, 2 one placed; (i, k) resumes i at its k-th use.
    let mut state = vec![0u8; parsed.len()];
    let mut order = Vec::with_capacity(parsed.len());
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..parsed.len() {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, 0));
        while let Some((i, k)) = stack.pop() {
            let Some(&j) = deps[i].get(k) else {
                state[i] = 2;
                order.push(i);
                continue;
            };
            stack.push((i, k + 1));
            match state[j] {
                0 => {
                    state[j] = 1;
                    stack.push((j, 0));
                }
                1 => {
                    let (Lhs::Const(n) | Lhs::Func(n, _) | Lhs::Rule(n, _)) = &parsed[j].0;
                    return Err(DefError {
                        index: j,
                        message: format!("`{}` is defined in terms of itself", s.name(*n)),
                        span: 0..texts[j].len(),
                    });
                }
                _ => {}
            }
        }
    }
    Ok((order, deps))
}
