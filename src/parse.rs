//! Stage 1, parse: text → `Expr` in the store. The only module that knows pest; its
//! failures are turned into sentences with a span here, never shown as rule names.

use crate::expr::{Builtin, Constant, ExprId, Func, Rat, Store, names, num};
use pest::Parser;
use pest::iterators::Pair;
use std::ops::Range;

mod describe;
mod fast;
mod spans;

use describe::describe;
pub use spans::{Spans, spans};

// pest_derive writes a public `Rule` enum beside the parser; in a private module it
// stays out of the library's API (only this module knows pest).
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/deriv.pest"]
    pub struct Grammar;
}
use grammar::{Grammar, Rule};

/// Nesting (parentheses, calls, powers, implicit products) deeper than this is refused
/// before parsing, so no stage can run out of stack (see docs/limits.md).
pub const MAX_DEPTH: usize = 100_000;

// The store builds four times the text's nesting: room for what differentiating the
// deepest text builds (see `expr::MAX_DEPTH`).
const _: () = assert!(crate::expr::MAX_DEPTH as usize == 4 * MAX_DEPTH);

/// A parse failure: what went wrong, where (byte offsets into the text), and hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, as a sentence about the text.
    pub message: String,
    /// Where, in bytes of the text.
    pub span: Range<usize>,
    /// Hints (`help: ...`), each a line.
    pub notes: Vec<String>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

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
    if let Some(e) = fast::parse(store, &dots_as_stars(text)) {
        return Ok(e);
    }
    parse_with_pest(store, text)
}

/// `text` with each middle dot `·` written `* ` (a product, which Unicode would read as
/// part of a name) and each Greek ano teleia U+0387, which looks the same, written as two
/// DEL characters, an error at its place. Both take two bytes, so every offset still
/// points into `text`.
fn dots_as_stars(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() || !text.contains(['·', '\u{0387}']) {
        return text.into();
    }
    text.replace('·', "* ")
        .replace('\u{0387}', "\u{7f}\u{7f}")
        .into()
}

/// The hand-written fast path alone (`None` where it leaves the decision to pest);
/// public so tests can check that it agrees with `parse_with_pest`.
pub fn parse_fast(store: &mut Store, text: &str) -> Option<ExprId> {
    fast::parse(store, text)
}

/// The parser that defines the language (and every diagnostic); see `fast` for the
/// hot path that agrees with it.
pub fn parse_with_pest(store: &mut Store, text: &str) -> Result<ExprId, ParseError> {
    let spelled = dots_as_stars(text);
    let mut pairs = Grammar::parse(Rule::input, &spelled).map_err(|e| describe(text, &e))?;
    let input = pairs.next().expect("input rule");
    let sum = input.into_inner().next().expect("sum");
    build(store, sum, &mut None)
}

/// The variable `s` names, in canonical spelling: a name (`x`, `theta_1`, `θ₁` →
/// `theta_1`) or an indexed name with integer indices (`w[1, 2]` → `w[1,2]`); `None`
/// otherwise (constants too).
pub fn var_name(s: &str) -> Option<String> {
    let s = s.trim();
    if matches!(s, "pi" | "π" | "e") {
        return None;
    }
    if is_name(s) {
        return Some(names::canonical(s).into_owned());
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
    Some(format!("{}[{}]", names::canonical(base), idx?.join(",")))
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
    // ASCII without the grammar (a million definitions' names and parameters), as `ident`
    // reads it: a letter or `_`, then letters, digits and `_`.
    if let [first, rest @ ..] = s.as_bytes()
        && s.is_ascii()
    {
        return (first.is_ascii_alphabetic() || *first == b'_')
            && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    }
    // Unicode counts the middle dot as part of a name; deriv reads it as a product.
    !s.contains(['·', '\u{0387}'])
        && Grammar::parse(Rule::ident, s).is_ok_and(|p| p.as_str().len() == s.len())
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
/// The depth counted is what the parser recurses on: open parentheses and `|` bars, plus
/// the chain of exponents and `√` pending at each level (`2^3^4` and `√√x` nest, `x^2 +
/// y^2` does not).
fn check_depth(text: &str) -> Result<(), ParseError> {
    // ASCII text (nearly all of it) is scanned by bytes, without decoding characters.
    let deepest = if text.is_ascii() {
        deepest(text.bytes().enumerate())
    } else {
        deepest(text.char_indices().map(|(i, c)| (i, char_class(c))))
    };
    match deepest {
        None => Ok(()),
        Some(i) => {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            Err(ParseError::new(
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
                i..i + len,
            )
            .note("this is deriv's documented nesting limit (docs/limits.md)"))
        }
    }
}

/// Where the nesting of `chars` (offsets and `char_class`es) first exceeds `MAX_DEPTH`.
fn deepest(chars: impl Iterator<Item = (usize, u8)>) -> Option<usize> {
    let mut pows: Vec<usize> = vec![0]; // pending `^` and `√` per open parenthesis or bar
    let mut depth = 0usize;
    let mut prev = b' '; // the class of the last character that is not whitespace
    let mut chars = chars.peekable();
    while let Some((i, c)) = chars.next() {
        let c = match c {
            b'|' if ends_operand(prev) => CLOSE_BAR,
            b'|' => OPEN_BAR,
            c => c,
        };
        match c {
            b'(' | OPEN_BAR => {
                pows.push(0);
                depth += 1;
            }
            b')' | CLOSE_BAR if pows.len() > 1 => {
                depth -= 1 + pows.pop().unwrap_or(0);
            }
            b'^' | ROOT => {
                *pows.last_mut().expect("level") += 1;
                depth += 1;
            }
            b'*' if prev != b'*' && chars.peek().is_some_and(|&(_, n)| n == b'*') => {
                *pows.last_mut().expect("level") += 1;
                depth += 1;
            }
            // A binary operator ends the exponent chain; a sign right after `^` does not.
            b'+' | b'-' | b'*' | b'/' | b',' | TIMES
                if !matches!(
                    prev,
                    b'^' | b'*' | b'/' | b'+' | b'-' | b'(' | b',' | TIMES | OPEN_BAR | ROOT
                ) =>
            {
                let level = pows.last_mut().expect("level");
                depth -= *level;
                *level = 0;
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            prev = c;
        }
        if depth > MAX_DEPTH {
            return Some(i);
        }
    }
    None
}

// Classes for `check_depth` beside the ASCII characters themselves.
const OPEN_BAR: u8 = b'{';
const CLOSE_BAR: u8 = b'}';
const ROOT: u8 = 1;
const TIMES: u8 = 2;
const OPERAND: u8 = b'a';

/// A character as `check_depth` sees it: ASCII as itself, `·` `⋅` `×` as a product, `−`
/// as `-`, `√` as a root, anything else (letters, superscripts, primes) as part of an
/// operand.
fn char_class(c: char) -> u8 {
    match c {
        c if c.is_ascii() => c as u8,
        '·' | '⋅' | '×' => TIMES,
        '−' => b'-',
        '√' => ROOT,
        '⌊' | '⌈' => b'(',
        '⌋' | '⌉' => b')',
        _ => OPERAND,
    }
}

/// Does a character of this class end an operand, so that a `|` after it closes a bar?
fn ends_operand(class: u8) -> bool {
    class.is_ascii_alphanumeric() || matches!(class, b'_' | b')' | b']' | b'.' | b'\'' | CLOSE_BAR)
}

/// Where the last `|` that is never closed opens, if any.
fn unclosed_bar(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut prev = b' ';
    for (i, c) in text.char_indices() {
        let class = match c {
            '|' if ends_operand(prev) && !open.is_empty() => {
                open.pop();
                CLOSE_BAR
            }
            '|' => {
                open.push(i);
                OPEN_BAR
            }
            c => char_class(c),
        };
        if !c.is_whitespace() {
            prev = class;
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
        Rule::sum | Rule::product => operands(store, p, rec),
        Rule::factor => {
            let mut negative = false;
            let mut value = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::sign => negative ^= is_minus(q.as_str()),
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
            let e = match inner.next() {
                None => return Ok(base),
                Some(sup) if sup.as_rule() == Rule::superscript => {
                    let k = superscript(store, &sup);
                    if let Some(r) = rec {
                        r.note(store, k, span_of(&sup), r.done.len());
                    }
                    k
                }
                Some(_op) => build(store, inner.next().expect("exponent"), rec)?,
            };
            Ok(store.pow(base, e))
        }
        Rule::paren => build(store, p.into_inner().next().expect("sum"), rec),
        Rule::root => {
            let u = build(store, p.into_inner().next().expect("atom"), rec)?;
            Ok(store.sqrt(u))
        }
        Rule::abs | Rule::floor | Rule::ceil => {
            let f = match p.as_rule() {
                Rule::abs => Builtin::Abs,
                Rule::floor => Builtin::Floor,
                _ => Builtin::Ceil,
            };
            let u = build(store, p.into_inner().next().expect("sum"), rec)?;
            Ok(store.builtin(f, u))
        }
        Rule::number => number(store, &p),
        Rule::ident => name(store, p),
        Rule::call => call(store, p, rec),
        Rule::dcall | Rule::pcall => dcall(store, p, rec),
        Rule::indexed => indexed(store, p, rec),
        Rule::sumcall => sumcall(store, p, rec),
        r => unreachable!("unexpected rule {r:?}"),
    }
}

/// `a + b - c` or `a * b / c`: all the operands at once, one canonical sum or product
/// with no intermediate ones. A lone operand is itself: `2*(x + 1)` keeps its shape (see
/// `Store::add`).
fn operands(
    store: &mut Store,
    p: Pair<Rule>,
    rec: &mut Option<Spans>,
) -> Result<ExprId, ParseError> {
    let sum = p.as_rule() == Rule::sum;
    let mut inner = p.into_inner();
    let mut items = vec![build(store, inner.next().expect("operand"), rec)?];
    while let Some(op) = inner.next() {
        let x = build(store, inner.next().expect("operand"), rec)?;
        items.push(match (sum, op.as_str()) {
            (true, o) if is_minus(o) => store.neg(x),
            (false, "/") => store.recip(x),
            _ => x,
        });
    }
    Ok(match (items.len(), sum) {
        (1, _) => items[0],
        (_, true) => store.add(items),
        _ => store.mul(items),
    })
}

/// A number literal, exact (`1e−3` with a Unicode minus too).
fn number(store: &mut Store, p: &Pair<Rule>) -> Result<ExprId, ParseError> {
    let span = span_of(p);
    let written = p.as_str();
    let decimal = match written.is_ascii() {
        true => std::borrow::Cow::Borrowed(written),
        false => written.replace('−', "-").into(),
    };
    let mantissa = decimal.split(['e', 'E']).next().unwrap_or("");
    match Rat::parse_decimal(&decimal) {
        Some(r) => Ok(store.num(r)),
        None if num::significant_digits(mantissa) > num::MAX_LITERAL_DIGITS => {
            Err(ParseError::new(
                format!(
                    "number too long: it has more than {} significant digits, the limit of exact \
                 arithmetic",
                    num::MAX_LITERAL_DIGITS
                ),
                span,
            ))
        }
        None => Err(ParseError::new(
            "number out of range: its decimal exponent is beyond ±100000",
            span,
        )),
    }
}

/// `sum(i = lo..hi, body)`, expanded later, once its bounds are known integers.
///
/// The index is bound in the body only: it is renamed there to a fresh name, so no outer
/// value of `i` (`--let i=10`, `--given`, `--at`, a parameter `i`) reaches it, and a
/// sum inside it with the same index shadows it.
fn sumcall(
    store: &mut Store,
    p: Pair<Rule>,
    rec: &mut Option<Spans>,
) -> Result<ExprId, ParseError> {
    let mut inner = p.into_inner();
    let var = inner.next().expect("ident");
    let written = var.as_str();
    if let Some(what) = reserved(written) {
        return Err(ParseError::new(
            format!("`{written}` is {what}, so it cannot be the index of a sum"),
            span_of(&var),
        )
        .note("an index is a variable name: sum(i = 1..3, x^i)"));
    }
    let v = store.intern_name(written);
    let lo = build(store, inner.next().expect("lo"), rec)?;
    let hi = build(store, inner.next().expect("hi"), rec)?;
    let body = build(store, inner.next().expect("body"), rec)?;
    let bound = store.bound_name(v, body);
    let local = store.sym_name(bound);
    let body = store.substitute(body, &rustc_hash::FxHashMap::from_iter([(v, local)]));
    Ok(store.call(Func::Sum(bound), vec![lo, hi, body]))
}

/// `w[i, j]`: an indexed name (the variable `w[1,2]` when the indices are integers).
fn indexed(
    store: &mut Store,
    p: Pair<Rule>,
    rec: &mut Option<Spans>,
) -> Result<ExprId, ParseError> {
    let mut inner = p.into_inner();
    let head = inner.next().expect("ident");
    let name = head.as_str();
    if matches!(name, "pi" | "π" | "e") || is_builtin_name(name) {
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

fn is_minus(op: &str) -> bool {
    matches!(op, "-" | "−")
}

/// `'` and `′` count one derivative each, `″` two and `‴` three.
fn prime_count(primes: &str) -> usize {
    primes
        .chars()
        .map(|c| match c {
            '″' => 2,
            '‴' => 3,
            _ => 1,
        })
        .sum()
}

/// The integer a superscript writes (`²` → 2, `⁻¹⁰` → -10).
fn superscript(store: &mut Store, p: &Pair<Rule>) -> ExprId {
    let text = p.as_str();
    let digits: String = text
        .chars()
        .filter_map(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|s| s == c))
        .filter_map(|d| char::from_digit(d as u32, 10))
        .collect();
    let k = Rat::parse_decimal(&digits).unwrap_or(Rat::ZERO);
    let k = store.num(k);
    if text.starts_with('⁻') {
        store.neg(k)
    } else {
        k
    }
}

fn name(store: &mut Store, p: Pair<Rule>) -> Result<ExprId, ParseError> {
    let s = p.as_str();
    match s {
        "pi" | "π" => Ok(store.constant(Constant::Pi)),
        "e" => Ok(store.constant(Constant::E)),
        _ if is_builtin_name(s) => Err(ParseError::new(
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
        Some(q) if q.as_rule() == Rule::primes => inner.next().map(|q| prime_count(q.as_str())),
        _ => None,
    };
    let mut args = Vec::new();
    for a in inner {
        args.push(build(store, a, rec)?);
    }
    if is_builtin_name(fname) {
        if primes.is_some() {
            return Err(ParseError::new(
                format!("`{fname}` is a built-in function; its derivative is computed, not named"),
                fspan,
            )
            .note(format!(
                "write the derivative as `deriv partial '{fname}(x)' x`"
            )));
        }
        return match builtin_call(store, fname, &args) {
            Some(Ok(e)) => Ok(e),
            Some(Err(m)) => Err(ParseError::new(m, span)),
            None => unreachable!("a built-in name"),
        };
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
            Rule::index => derivs.push((q.as_str().to_string(), span_of(&q))),
            Rule::partial => {
                let digits: String = q
                    .as_str()
                    .chars()
                    .filter_map(names::subscript_digit)
                    .filter_map(|d| char::from_digit(d, 10))
                    .collect();
                derivs.push((digits, span_of(&q)));
            }
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
    if is_builtin_name(&fname) {
        return Err(ParseError::new(
            format!(
                "`{fname}` is a built-in function; D[...] names derivatives of unknown functions"
            ),
            fspan,
        ));
    }
    let mut idx = Vec::new();
    for (digits, span) in derivs {
        // Digits beyond u32 are out of range too, and said as written (not wrapped to 0).
        let i = digits.parse::<u32>().unwrap_or(u32::MAX);
        if i == 0 || i as usize > args.len() {
            let i = digits.trim_start_matches('0');
            let i = if i.is_empty() { "0" } else { i };
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

/// Is `s` the name of a built-in function (reserved: it cannot be a variable, be indexed
/// or be redefined)?
pub fn is_builtin_name(s: &str) -> bool {
    Builtin::from_name(s).is_some() || EXTRA_NAMES.contains(&s)
}

/// What `s` is when it is not free to be a variable (differentiated by, given a value,
/// bound as a sum's index or a parameter): `a constant` or `a built-in function`.
pub fn reserved(s: &str) -> Option<&'static str> {
    match s.trim() {
        "pi" | "π" | "e" => Some("a constant"),
        n if is_builtin_name(n) => Some("a built-in function"),
        _ => None,
    }
}

/// Built-in names that are not a `Builtin` of their own.
const EXTRA_NAMES: [&str; 4] = ["exp", "sqrt", "log2", "log10"];

/// A call of a built-in function by name: `None` if `name` is not one, an error message
/// if the number of arguments is wrong. One table for both parsers.
pub(crate) fn builtin_call(
    store: &mut Store,
    name: &str,
    args: &[ExprId],
) -> Option<Result<ExprId, String>> {
    let n = args.len();
    if n == 1
        && let Some(b) = Builtin::from_name(name)
        && b.arity().0 == 1
    {
        return Some(Ok(store.call(Func::Builtin(b), args.to_vec())));
    }
    let one = |store: &mut Store, f: &dyn Fn(&mut Store, ExprId) -> ExprId| {
        Some(if n == 1 {
            Ok(f(store, args[0]))
        } else {
            Err(format!("`{name}` takes 1 argument, but {n} were given"))
        })
    };
    match name {
        "exp" => return one(store, &|s, u| s.exp(u)),
        "sqrt" => return one(store, &|s, u| s.sqrt(u)),
        "log2" | "log10" => {
            let base = if name == "log2" { 2 } else { 10 };
            return one(store, &|s, u| {
                let b = s.int(base);
                s.call(Func::Builtin(Builtin::LogBase), vec![u, b])
            });
        }
        "log" if n == 2 => {
            return Some(Ok(
                store.call(Func::Builtin(Builtin::LogBase), args.to_vec())
            ));
        }
        "log" if n != 1 => {
            return Some(Err(format!(
                "`log` takes 1 argument, or 2 for a base (log(x, b)), but {n} were given"
            )));
        }
        _ => {}
    }
    let b = Builtin::from_name(name)?;
    let (lo, hi) = b.arity();
    let given = if n == 1 { "1 was" } else { "" };
    let given = if given.is_empty() {
        format!("{n} were")
    } else {
        given.into()
    };
    Some(match (n >= lo && n <= hi, hi) {
        (true, _) => Ok(store.call(Func::Builtin(b), args.to_vec())),
        (false, usize::MAX) => Err(format!(
            "`{name}` takes at least {lo} argument, but {given} given"
        )),
        (false, _) => Err(format!(
            "`{name}` takes {hi} argument{}, but {given} given",
            if hi == 1 { "" } else { "s" }
        )),
    })
}

/// The nearest built-in function name, for "did you mean" hints.
pub fn suggest_builtin(s: &str) -> Option<&'static str> {
    let names = Builtin::ALL
        .iter()
        .map(|b| b.name())
        .chain(EXTRA_NAMES)
        .chain(["ln"]);
    // Between names as near, the one that keeps more of the start: `sinn` is `sin`, not
    // `sign`.
    let prefix = |n: &str| s.chars().zip(n.chars()).take_while(|(a, b)| a == b).count();
    names
        .filter(|n| *n != s)
        .map(|n| (edit_distance(s, n), std::cmp::Reverse(prefix(n)), n))
        .filter(|(d, _, n)| *d == 1 || (*d == 2 && n.len() > 3 && s.len() > 3))
        .min()
        .map(|(_, _, n)| n)
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
