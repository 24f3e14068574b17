//! Stage 1, parse: text → `Expr` in the store. The only module that knows pest; its
//! failures are turned into sentences with a span here, never shown as rule names.

use crate::expr::{Builtin, Constant, ExprId, Func, Rat, Store};
use pest::Parser;
use pest::iterators::Pair;
use std::ops::Range;

mod fast;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/deriv.pest"]
struct Grammar;

/// Nesting (parentheses, calls, powers, implicit products) deeper than this is refused
/// before parsing, so no stage can run out of stack (see docs/limits.md).
pub const MAX_DEPTH: usize = 100_000;

/// A parse failure: what went wrong, where (byte offsets into the text), and hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Range<usize>,
    pub notes: Vec<String>,
}

impl ParseError {
    fn new(message: impl Into<String>, span: Range<usize>) -> ParseError {
        ParseError {
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }
    fn note(mut self, n: impl Into<String>) -> ParseError {
        self.notes.push(n.into());
        self
    }
}

/// Parses one expression into the store.
pub fn parse(store: &mut Store, text: &str) -> Result<ExprId, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::new("empty expression", 0..text.len()));
    }
    check_characters(text)?;
    check_depth(text)?;
    // A long text makes up to a node per three bytes, and its derivative about as many
    // again (W3's sum: 1.2 million nodes from 3.6 MB).
    if text.len() > 1 << 16 {
        store.reserve(text.len());
    }
    if let Some(e) = fast::parse(store, text) {
        return Ok(e);
    }
    parse_with_pest(store, text)
}

/// The hand-written fast path alone (`None` where it leaves the decision to pest);
/// public so tests can check that it agrees with `parse_with_pest`.
pub fn parse_fast(store: &mut Store, text: &str) -> Option<ExprId> {
    fast::parse(store, text)
}

/// The parser that defines the language (and every diagnostic); see `fast` for the
/// hot path that agrees with it.
pub fn parse_with_pest(store: &mut Store, text: &str) -> Result<ExprId, ParseError> {
    let mut pairs = Grammar::parse(Rule::input, text).map_err(|e| describe(text, &e))?;
    let input = pairs.next().expect("input rule");
    let sum = input.into_inner().next().expect("sum");
    build(store, sum, &mut None)
}

/// Where the parts of a parsed text are: the span of the first place each node was
/// built, and the operand at which the text's value first became undefined (`x/(z - z)`:
/// the `(z - z)`). For diagnostics that point into the text; see `spans`.
#[derive(Debug, Default)]
pub struct Spans {
    first: rustc_hash::FxHashMap<ExprId, Range<usize>>,
    /// Every node built, with its span, in the order built (children before parents).
    done: Vec<(ExprId, Range<usize>)>,
    fault: Option<Range<usize>>,
}

impl Spans {
    /// The span of the first place `e` was built in the text.
    pub fn of(&self, e: ExprId) -> Option<Range<usize>> {
        self.first.get(&e).cloned()
    }

    /// Where the store's fault is in the text: the operand where the text's value became
    /// undefined, if that happened while parsing; else the first place the fault's
    /// subject was built (the fault arose later, as with `log(sin(x))` at x = pi, where
    /// the rewrite that substituted the point names `sin(x)`: see `Store::rewrite`).
    pub fn fault(&self, store: &Store) -> Option<Range<usize>> {
        if let Some(r) = &self.fault {
            return Some(r.clone());
        }
        self.of(store.fault.as_ref()?.subject()?)
    }

    /// Records `e`, built from the text at `span`, whose parts were recorded from `start`
    /// on.
    fn note(&mut self, store: &Store, e: ExprId, span: Range<usize>, start: usize) {
        self.first.entry(e).or_insert_with(|| span.clone());
        if self.fault.is_none() && store.is_undefined(e) {
            // The first undefined node: its parts are all defined, so the fault arose
            // here. The subject is the last of its parts with that node (the outermost).
            let subject = store.fault.as_ref().and_then(|f| f.subject());
            let part = self.done[start..]
                .iter()
                .rev()
                .find(|(d, _)| Some(*d) == subject)
                .map(|(_, r)| r.clone());
            self.fault = Some(part.unwrap_or_else(|| span.clone()));
        }
        self.done.push((e, span));
    }
}

/// Parses `text` again into `store`, recording where each node comes from (`Spans`).
/// The store is hash-consed, so the nodes are the ones the first parse built: a fault's
/// subject, or any node of the parsed expression, can be looked up. Costs a parse; meant
/// for an error's diagnostic.
pub fn spans(store: &mut Store, text: &str) -> Result<Spans, ParseError> {
    let mut pairs = Grammar::parse(Rule::input, text).map_err(|e| describe(text, &e))?;
    let input = pairs.next().expect("input rule");
    let sum = input.into_inner().next().expect("sum");
    let mut rec = Some(Spans::default());
    build(store, sum, &mut rec)?;
    let mut spans = rec.expect("recording");
    // A pair's span may end in the blanks after it.
    let trim = |r: &mut Range<usize>| {
        r.end = r.start + text[r.clone()].trim_end().len();
    };
    spans.first.values_mut().for_each(trim);
    spans.fault.iter_mut().for_each(trim);
    spans.done.clear();
    Ok(spans)
}

/// The variable `s` names, in canonical spelling: a name (`x`, `theta_1`) or an indexed
/// name with integer indices (`w[1, 2]` → `w[1,2]`); `None` otherwise (constants too).
pub fn var_name(s: &str) -> Option<String> {
    let s = s.trim();
    if matches!(s, "pi" | "π" | "e") {
        return None;
    }
    if is_name(s) {
        return Some(s.to_string());
    }
    let (base, rest) = s.split_once('[')?;
    let inner = rest.strip_suffix(']')?;
    let base = base.trim();
    if !is_name(base) || matches!(base, "pi" | "π" | "e") {
        return None;
    }
    let idx: Option<Vec<String>> = inner
        .split(',')
        .map(|i| i.trim().parse::<i64>().ok().map(|k| k.to_string()))
        .collect();
    Some(format!("{base}[{}]", idx?.join(",")))
}

/// Splits at `sep` outside brackets and parentheses (`x=[1,2],y=3` → `x=[1,2]`, `y=3`).
pub fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Is `s` a valid variable name (for `--given NAME=...`)?
pub fn is_name(s: &str) -> bool {
    Grammar::parse(Rule::ident, s).is_ok_and(|p| p.as_str().len() == s.len())
}

fn check_characters(text: &str) -> Result<(), ParseError> {
    for (i, c) in text.char_indices() {
        if c.is_control() && c != '\t' {
            return Err(ParseError::new(
                format!("unexpected control character U+{:04X}", c as u32),
                i..i + c.len_utf8(),
            ));
        }
    }
    Ok(())
}

/// Refuses nesting beyond `MAX_DEPTH` with a message naming the limit.
///
/// The depth counted is what the parser recurses on: open parentheses, plus the chain of
/// exponents pending at each parenthesis level (`2^3^4` nests, `x^2 + y^2` does not).
fn check_depth(text: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    let mut pows: Vec<usize> = vec![0]; // pending `^` per open parenthesis
    let mut depth = 0usize;
    let mut prev = b' '; // the last byte that is not whitespace
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => {
                pows.push(0);
                depth += 1;
            }
            b')' if pows.len() > 1 => {
                depth -= 1 + pows.pop().unwrap_or(0);
            }
            b'^' => {
                *pows.last_mut().expect("level") += 1;
                depth += 1;
            }
            b'*' if bytes.get(i + 1) == Some(&b'*') && prev != b'*' => {
                *pows.last_mut().expect("level") += 1;
                depth += 1;
            }
            // A binary operator ends the exponent chain; a sign right after `^` does not.
            b'+' | b'-' | b'*' | b'/' | b','
                if !matches!(prev, b'^' | b'*' | b'/' | b'+' | b'-' | b'(' | b',') =>
            {
                let level = pows.last_mut().expect("level");
                depth -= *level;
                *level = 0;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            prev = b;
        }
        if depth > MAX_DEPTH {
            return Err(ParseError::new(
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
                i..i + 1,
            )
            .note("this is deriv's documented nesting limit (docs/limits.md)"));
        }
    }
    Ok(())
}

// ---- turning pest's failure into a sentence -------------------------------------------

fn describe(text: &str, e: &pest::error::Error<Rule>) -> ParseError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((a, _)) => a,
    };
    let before = text[..pos].trim_end();
    let prev = before.chars().last();
    let rest = &text[pos..];
    let here = rest.chars().next();
    let prev_op = match prev {
        Some('*') if before.ends_with("**") => Some("**".to_string()),
        Some(c @ ('+' | '-' | '*' | '/' | '^' | '(' | ',')) => Some(c.to_string()),
        _ => None,
    };
    match here {
        None => {
            if let Some(op) = prev_op {
                let msg = if op == "(" {
                    "expected an expression after `(`".to_string()
                } else {
                    format!("expected an operand after `{op}`")
                };
                return ParseError::new(msg, text.len()..text.len());
            }
            if let Some(open) = unclosed_paren(text) {
                return ParseError::new("unclosed `(`", open..open + 1).note("add the missing `)`");
            }
            ParseError::new("unexpected end of the expression", text.len()..text.len())
        }
        Some(c) => {
            let span = pos..pos + c.len_utf8();
            let starts_operand = c.is_alphanumeric() || c == '_' || c == '(' || c == '.';
            if let Some(op) = prev_op
                && !starts_operand
            {
                let what = if op == "(" {
                    "expected an expression after `(`".to_string()
                } else {
                    format!("expected an operand after `{op}`")
                };
                return ParseError::new(format!("{what}, found `{c}`"), span);
            }
            if prev.is_none() && !starts_operand && "*/^),=".contains(c) {
                return ParseError::new(format!("expected an expression, found `{c}`"), span);
            }
            match c {
                ')' => ParseError::new("unmatched `)`", span),
                '=' => ParseError::new("unexpected `=`: an expression is not an equation", span)
                    .note("a constraint goes in --given, as in --given t=x"),
                '[' | ']' | '{' | '}' => ParseError::new(format!("unexpected `{c}`"), span)
                    .note("group with parentheses `( )`"),
                c if starts_operand => {
                    let token: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                        .collect();
                    let token = if token.is_empty() {
                        c.to_string()
                    } else {
                        token
                    };
                    let mut err = ParseError::new(
                        format!("expected an operator before `{token}`"),
                        pos..pos + token.len(),
                    );
                    if let Some(p) = prev {
                        let left: String = before
                            .chars()
                            .rev()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect();
                        let is_fn =
                            Builtin::from_name(&left).is_some() || left == "exp" || left == "sqrt";
                        if is_fn {
                            err = err.note(format!(
                                "a function takes its argument in parentheses: `{left}({token})`"
                            ));
                        } else if left.contains('.') || token.starts_with('.') {
                            err = err.note("a number has at most one decimal point");
                        } else if p == ')' || !left.is_empty() {
                            let left = if p == ')' { ")".to_string() } else { left };
                            err = err.note(format!(
                                "for a product write `{left}*{token}`; only a number \
                                 directly before a name or `(` multiplies implicitly (`2x`)"
                            ));
                        }
                    }
                    err
                }
                c if c.is_whitespace() => ParseError::new("unexpected whitespace", span),
                c => ParseError::new(format!("unexpected character `{c}`"), span),
            }
        }
    }
}

fn unclosed_paren(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' => open.push(i),
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

// ---- pairs → Expr ----------------------------------------------------------------------

fn span_of(p: &Pair<Rule>) -> Range<usize> {
    let s = p.as_span();
    s.start()..s.end()
}

/// Builds the expression of a pair, and with a recorder notes where it came from.
fn build(store: &mut Store, p: Pair<Rule>, rec: &mut Option<Spans>) -> Result<ExprId, ParseError> {
    let Some(r) = rec else {
        return build_pair(store, p, rec);
    };
    let (span, start) = (span_of(&p), r.done.len());
    let e = build_pair(store, p, rec)?;
    if let Some(r) = rec {
        r.note(store, e, span, start);
    }
    Ok(e)
}

fn build_pair(
    store: &mut Store,
    p: Pair<Rule>,
    rec: &mut Option<Spans>,
) -> Result<ExprId, ParseError> {
    match p.as_rule() {
        Rule::sum => {
            let mut inner = p.into_inner();
            let mut terms = vec![build(store, inner.next().expect("product"), rec)?];
            while let Some(op) = inner.next() {
                let t = build(store, inner.next().expect("product"), rec)?;
                terms.push(if op.as_str() == "-" { store.neg(t) } else { t });
            }
            // A lone term is not a sum: `2*(x + 1)` keeps its shape (see `Store::add`).
            Ok(if terms.len() == 1 {
                terms[0]
            } else {
                store.add(terms)
            })
        }
        Rule::product => {
            // All the factors at once: one canonical product, no intermediate ones.
            let mut inner = p.into_inner();
            let mut factors = vec![build(store, inner.next().expect("factor"), rec)?];
            while let Some(op) = inner.next() {
                let f = build(store, inner.next().expect("factor"), rec)?;
                factors.push(if op.as_str() == "/" {
                    store.recip(f)
                } else {
                    f
                });
            }
            Ok(if factors.len() == 1 {
                factors[0]
            } else {
                store.mul(factors)
            })
        }
        Rule::factor => {
            let mut negative = false;
            let mut value = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::sign => negative ^= q.as_str() == "-",
                    _ => value = Some(build(store, q, rec)?),
                }
            }
            let v = value.expect("factor operand");
            Ok(if negative { store.neg(v) } else { v })
        }
        Rule::implicit => {
            let mut inner = p.into_inner();
            let n = build(store, inner.next().expect("number"), rec)?;
            let rhs = inner
                .next()
                .expect("implicit_rhs")
                .into_inner()
                .next()
                .expect("power");
            let r = build(store, rhs, rec)?;
            Ok(store.mul2(n, r))
        }
        Rule::power => {
            let mut inner = p.into_inner();
            let base = build(store, inner.next().expect("atom"), rec)?;
            match inner.next() {
                None => Ok(base),
                Some(_op) => {
                    let e = build(store, inner.next().expect("exponent"), rec)?;
                    Ok(store.pow(base, e))
                }
            }
        }
        Rule::paren => build(store, p.into_inner().next().expect("sum"), rec),
        Rule::number => {
            let span = span_of(&p);
            match Rat::parse_decimal(p.as_str()) {
                Some(r) => Ok(store.num(r)),
                None => Err(ParseError::new(
                    "number out of range: its decimal exponent is beyond ±100000",
                    span,
                )),
            }
        }
        Rule::ident => name(store, p),
        Rule::call => call(store, p, rec),
        Rule::dcall => dcall(store, p, rec),
        Rule::indexed => {
            let mut inner = p.into_inner();
            let head = inner.next().expect("ident");
            let name = head.as_str();
            if matches!(name, "pi" | "π" | "e") || Builtin::from_name(name).is_some() {
                return Err(ParseError::new(
                    format!("`{name}` cannot be indexed: it is a constant or a function"),
                    span_of(&head),
                ));
            }
            let mut idx = Vec::new();
            for q in inner {
                idx.push(build(store, q, rec)?);
            }
            let n = store.intern_name(name);
            Ok(store.call(Func::Index(n), idx))
        }
        Rule::sumcall => {
            let mut inner = p.into_inner();
            let var = inner.next().expect("ident");
            let v = store.intern_name(var.as_str());
            let lo = build(store, inner.next().expect("lo"), rec)?;
            let hi = build(store, inner.next().expect("hi"), rec)?;
            let body = build(store, inner.next().expect("body"), rec)?;
            Ok(store.call(Func::Sum(v), vec![lo, hi, body]))
        }
        r => unreachable!("unexpected rule {r:?}"),
    }
}

fn name(store: &mut Store, p: Pair<Rule>) -> Result<ExprId, ParseError> {
    let s = p.as_str();
    match s {
        "pi" | "π" => Ok(store.constant(Constant::Pi)),
        "e" => Ok(store.constant(Constant::E)),
        _ if Builtin::from_name(s).is_some() || s == "exp" || s == "sqrt" => Err(ParseError::new(
            format!("`{s}` is a function: write `{s}(x)`"),
            span_of(&p),
        )),
        _ => Ok(store.sym(s)),
    }
}

fn call(store: &mut Store, p: Pair<Rule>, rec: &mut Option<Spans>) -> Result<ExprId, ParseError> {
    let span = span_of(&p);
    let mut inner = p.into_inner().peekable();
    let head = inner.next().expect("ident");
    let fname = head.as_str();
    let fspan = span_of(&head);
    let primes = match inner.peek() {
        Some(q) if q.as_rule() == Rule::primes => inner.next().map(|q| q.as_str().len()),
        _ => None,
    };
    let mut args = Vec::new();
    for a in inner {
        args.push(build(store, a, rec)?);
    }
    let builtin = Builtin::from_name(fname);
    let known = builtin.is_some() || fname == "exp" || fname == "sqrt";
    if known {
        if primes.is_some() {
            return Err(ParseError::new(
                format!("`{fname}` is a built-in function; its derivative is computed, not named"),
                fspan,
            )
            .note(format!(
                "write the derivative as `deriv partial '{fname}(x)' x`"
            )));
        }
        if args.len() != 1 {
            return Err(ParseError::new(
                format!("`{fname}` takes 1 argument, but {} were given", args.len()),
                span,
            ));
        }
        let u = args[0];
        return Ok(match (fname, builtin) {
            ("exp", _) => store.exp(u),
            ("sqrt", _) => store.sqrt(u),
            (_, Some(b)) => store.builtin(b, u),
            _ => unreachable!(),
        });
    }
    if matches!(fname, "pi" | "π" | "e") {
        return Err(
            ParseError::new(format!("`{fname}` is a constant, not a function"), fspan)
                .note(format!("for a product write `{fname}*(...)`")),
        );
    }
    if args.is_empty() {
        return Err(ParseError::new(
            format!("`{fname}()` needs at least one argument"),
            span,
        ));
    }
    let derivs = match primes {
        None => Box::default(),
        Some(k) if args.len() == 1 => Box::new(vec![0; k]),
        Some(_) => {
            return Err(ParseError::new(
                "primes (`f'`) name derivatives of one-argument functions only",
                fspan,
            ));
        }
    };
    let name = store.intern_name(fname);
    Ok(store.call(Func::Unknown { name, derivs }, args))
}

/// `D[i,j,...](f)(args)`: derivatives of an unknown function by argument position.
fn dcall(store: &mut Store, p: Pair<Rule>, rec: &mut Option<Spans>) -> Result<ExprId, ParseError> {
    let mut derivs = Vec::new();
    let mut fname = None;
    let mut args = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::index => derivs.push((q.as_str().parse::<u32>().unwrap_or(0), span_of(&q))),
            Rule::ident => fname = Some((q.as_str().to_string(), span_of(&q))),
            _ => args.push(build(store, q, rec)?),
        }
    }
    let (fname, fspan) = fname.expect("function name");
    if matches!(fname.as_str(), "pi" | "π" | "e") {
        return Err(ParseError::new(
            format!("`{fname}` is a constant, not a function"),
            fspan,
        ));
    }
    if Builtin::from_name(&fname).is_some() || matches!(fname.as_str(), "exp" | "sqrt") {
        return Err(ParseError::new(
            format!(
                "`{fname}` is a built-in function; D[...] names derivatives of unknown functions"
            ),
            fspan,
        ));
    }
    let mut idx = Vec::new();
    for (i, span) in derivs {
        if i == 0 || i as usize > args.len() {
            return Err(ParseError::new(
                format!(
                    "argument position {i} is out of range: `{fname}` has {} argument(s), counted from 1",
                    args.len()
                ),
                span,
            ));
        }
        idx.push(i - 1);
    }
    idx.sort_unstable();
    let name = store.intern_name(&fname);
    Ok(store.call(
        Func::Unknown {
            name,
            derivs: Box::new(idx),
        },
        args,
    ))
}

/// The nearest built-in function name, for "did you mean" hints.
pub fn suggest_builtin(s: &str) -> Option<&'static str> {
    let names = Builtin::ALL
        .iter()
        .map(|b| b.name())
        .chain(["exp", "sqrt", "ln"]);
    names
        .filter(|n| *n != s)
        .map(|n| (edit_distance(s, n), n))
        .filter(|(d, n)| *d == 1 || (*d == 2 && n.len() > 3 && s.len() > 3))
        .min()
        .map(|(_, n)| n)
}

/// Edit distance where swapping two neighbouring letters counts as one edit (`sni` → `sin`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Constant;

    /// The text a fault points at, after parsing `text` (by the fast path when it can).
    fn fault_text(text: &str) -> String {
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        assert!(s.is_undefined(e), "{text} is defined");
        let spans = spans(&mut s, text).unwrap();
        text[spans.fault(&s).expect("a span")].to_string()
    }

    #[test]
    fn a_fault_points_at_the_zero_divisor_or_the_argument() {
        assert_eq!(fault_text("x/(z-z)"), "(z-z)");
        assert_eq!(fault_text("0*y + x/(z - z) + 1"), "(z - z)");
        assert_eq!(fault_text("3 + log(x - x)"), "x - x");
        assert_eq!(fault_text("x*tan(pi/2)"), "pi/2");
        assert_eq!(fault_text("sin(x)/sin(2*pi)"), "sin(2*pi)");
    }

    #[test]
    fn a_fault_from_a_substitution_points_at_what_was_substituted_into() {
        let text = "y + log(sin(x))";
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        let x = s.intern_name("x");
        let pi = s.constant(Constant::Pi);
        let at = s.substitute(e, &rustc_hash::FxHashMap::from_iter([(x, pi)]));
        assert!(s.is_undefined(at));
        let spans = spans(&mut s, text).unwrap();
        assert_eq!(&text[spans.fault(&s).unwrap()], "sin(x)");
    }

    #[test]
    fn every_node_of_the_text_has_the_span_where_it_was_first_built() {
        let text = "x*(y + 1) + sin(y + 1)";
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap();
        let spans = spans(&mut s, text).unwrap();
        let sum = parse(&mut s, "y + 1").unwrap();
        assert_eq!(&text[spans.of(sum).unwrap()], "y + 1");
        assert_eq!(spans.of(e), Some(0..text.len()));
        assert!(spans.fault(&s).is_none());
    }
}
