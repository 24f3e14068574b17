//! Code generation (`--emit`): a result as a self-contained function in C, Python with
//! NumPy, Rust or JavaScript. One plan serves every language: the parameters (variables,
//! and arrays for indexed names `w[i,j]`), the local variables (the `--cse` bindings and a
//! gradient's backpropagation deltas) and the outputs. One expression writer (`code`)
//! writes every expression; each language (`c`, `python`, `rust`, `js`) only chooses
//! tokens, functions, helpers and the layout of the function.

mod c;
mod code;
mod erf;
mod js;
mod python;
mod rust;

use super::cse;
use super::shape::Shape;
use crate::expr::{ExprId, Func, Name, Node, Store};
use code::{Helper, Target, Writer};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::fmt;

/// A language deriv writes code in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lang {
    /// C99 with <math.h>.
    C,
    /// Python 3 with the `math` module.
    Python,
    /// Rust, with `f64` methods.
    Rust,
    /// JavaScript, with `Math`.
    JavaScript,
}

impl Lang {
    /// Its `language` in JSON (docs/formats.md): `c`, `python`, `rust` or `javascript`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Python => "python",
            Lang::Rust => "rust",
            Lang::JavaScript => "javascript",
        }
    }

    fn target(self) -> &'static dyn Language {
        match self {
            Lang::C => &c::C,
            Lang::Python => &python::Python,
            Lang::Rust => &rust::Rust,
            Lang::JavaScript => &js::Js,
        }
    }
}

/// What to write: the result (definitions expanded, no unknown function left) and what it
/// means.
pub struct Spec<'a> {
    /// The function's name (`grad`); renamed with a `_` if it is a keyword.
    pub name: &'a str,
    /// What the function computes, in one line (`the gradient of x^2*y by x, y`).
    pub summary: String,
    /// The result; its entries, in `Shape::entries` order, are what the function returns.
    pub shape: &'a Shape,
    /// What each entry is (`d/dx`), in the order of `Shape::entries`; empty for a scalar.
    pub labels: Vec<String>,
    /// Variables bound to expressions (a gradient's deltas), written as local variables.
    pub deltas: &'a [(Name, ExprId)],
    /// Expressions whose variables are parameters too, used or not (the input).
    pub inputs: &'a [ExprId],
}

/// The code, and its parameters as data (for JSON).
pub struct Emitted {
    /// The whole source, ready to save: the comment, the helpers, the function.
    pub code: String,
    /// The function's name in the code: `Spec::name` made an identifier, with `_` appended
    /// while it is a keyword or taken.
    pub function: String,
    /// The variables' parameters in the signature's order, used or not (C's output array,
    /// which follows them, is not one).
    pub parameters: Vec<Parameter>,
}

/// One parameter of the function.
pub struct Parameter {
    /// Its name in the code.
    pub ident: String,
    /// The variable (`x`), or the array's elements as written in the expression
    /// (`w[1..10,1..10]`).
    pub variables: String,
    /// The array's length in each dimension; empty for a number.
    pub shape: Vec<usize>,
    /// The expression's index of each dimension's element 0 (`[1, 1]` for `w[1,1]`).
    pub first_index: Vec<i64>,
}

/// Why a result cannot be written as code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// Functions without a definition (`f`, `g'`), which no language has.
    UnknownFunctions(Vec<String>),
    /// An indexed name whose index is not an integer (`x[1/2]`, `w[i]` outside a sum).
    Index(String),
    /// An array used with different numbers of indices (`w[1]` and `w[1,2]`).
    Rank(String),
    /// A number beyond the range of a double.
    TooLarge(String),
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            EmitError::UnknownFunctions(names) => write!(
                f,
                "cannot emit code: {} {} no definition to compute {} with",
                names.join(", "),
                if names.len() == 1 { "has" } else { "have" },
                if names.len() == 1 { "it" } else { "them" },
            ),
            EmitError::Index(n) => write!(
                f,
                "cannot emit code: `{n}` is not an array element (its index is not an integer)"
            ),
            EmitError::Rank(b) => write!(
                f,
                "cannot emit code: `{b}` is used with different numbers of indices"
            ),
            EmitError::TooLarge(n) => {
                write!(
                    f,
                    "cannot emit code: the number {n} is too large for a double"
                )
            }
        }
    }
}

/// What a language adds to the shared expression writer: its comments, helpers, and the
/// layout of the function around the expressions.
trait Language: Target {
    /// Names the code must not use for a variable: keywords and the names it calls.
    fn reserved(&self) -> &'static [&'static str];
    /// `text` as comment lines.
    fn comment(&self, lines: &[String]) -> String;
    /// What the language's code says about itself (the index base, erf).
    fn notes(&self, used: &BTreeSet<Helper>) -> Vec<String>;
    /// The helpers' definitions, each once, in order.
    fn helper(&self, h: Helper) -> String;
    /// The function: signature, locals, outputs.
    fn function(&self, f: &Function) -> String;
}

/// One parameter as the code writes it.
struct Param {
    ident: String,
    /// The array's dimensions; empty for a number.
    dims: Vec<usize>,
    used: bool,
}

/// The result's shape, as the function returns it.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Out {
    Scalar,
    Vector(usize),
    Matrix(usize, usize),
}

/// The function, written: what each language lays out.
struct Function {
    name: String,
    params: Vec<Param>,
    /// `ident = expression`, in an order where each is defined before it is used.
    locals: Vec<(String, String)>,
    out: Out,
    /// Each entry's expression and label.
    outputs: Vec<(String, String)>,
}

/// Writes `spec` as a function in `lang`.
pub fn emit(s: &Store, spec: &Spec, lang: Lang) -> Result<Emitted, EmitError> {
    let target = lang.target();
    let entries = spec.shape.entries();
    let mut roots: Vec<ExprId> = entries.clone();
    roots.extend(spec.deltas.iter().map(|&(_, e)| e));
    roots.extend_from_slice(spec.inputs);
    validate(s, &roots)?;
    let mut names = Names::new(target.reserved());
    let name = names.take(&ident(spec.name));
    let delta_names: FxHashSet<Name> = spec.deltas.iter().map(|&(n, _)| n).collect();
    let vars: Vec<Name> = s
        .free_symbols(&roots)
        .into_iter()
        .filter(|n| !delta_names.contains(n))
        .collect();
    let (arrays, parameters) = arrays(s, &vars, &mut names)?;
    // Locals: the `--cse` plan, with the deltas as bindings of their own.
    let mut taken: Vec<&str> = vars.iter().map(|&n| s.name(n)).collect();
    taken.extend(names.all.iter().map(String::as_str));
    let plan = cse::plan_with(s, &entries, &taken, spec.deltas);
    let mut syms: FxHashMap<Name, String> = FxHashMap::default();
    for (&n, (param, index)) in &arrays {
        let p = &parameters[*param];
        let text = match index {
            None => p.ident.clone(),
            Some(idx) => target.element(&p.ident, idx, &p.shape),
        };
        syms.insert(n, text);
    }
    let mut local_ident: FxHashMap<String, String> = FxHashMap::default();
    for (n, _) in &plan.bindings {
        local_ident.insert(n.clone(), names.take(&ident(n)));
    }
    for &(n, _) in spec.deltas {
        syms.insert(n, local_ident[s.name(n)].clone());
    }
    let node_names: FxHashMap<ExprId, String> = plan
        .names
        .iter()
        .map(|(&e, n)| (e, local_ident[n].clone()))
        .collect();
    let mut w = Writer::new(s, target, &node_names, &syms);
    let locals: Vec<(String, String)> = plan
        .bindings
        .iter()
        .map(|(n, e)| (local_ident[n].clone(), w.root(*e).s))
        .collect();
    let (out, values) = outputs(&mut w, spec.shape);
    let outputs = values.into_iter().zip(labels(spec, out)).collect();
    let used = used_symbols(s, &roots[..roots.len() - spec.inputs.len()]);
    let mut is_used = vec![false; parameters.len()];
    for (n, (i, _)) in &arrays {
        is_used[*i] |= used.contains(n);
    }
    let params = parameters
        .iter()
        .zip(is_used)
        .map(|(p, used)| Param {
            ident: p.ident.clone(),
            dims: p.shape.clone(),
            used,
        })
        .collect();
    let f = Function {
        name: name.clone(),
        params,
        locals,
        out,
        outputs,
    };
    let helpers = w.helpers.clone();
    let kinks = uses_kinks(s, &roots);
    let code = layout(target, spec, &f, &parameters, &helpers, kinks);
    Ok(Emitted {
        code,
        function: name,
        parameters,
    })
}

/// The comment, the helpers and the function, in that order.
fn layout(
    t: &dyn Language,
    spec: &Spec,
    f: &Function,
    parameters: &[Parameter],
    helpers: &BTreeSet<Helper>,
    kinks: bool,
) -> String {
    let mut lines = vec![format!(
        "{}: {} (generated by deriv).",
        f.name,
        one_line(&spec.summary)
    )];
    // In the parameters' order, a run of numbers on one line.
    for run in parameters.chunk_by(|a, b| a.shape.is_empty() && b.shape.is_empty()) {
        match run {
            [p] if !p.shape.is_empty() => lines.push(array_line(p)),
            _ => lines.push(numbers_line(run)),
        }
    }
    lines.extend(t.notes(helpers));
    if kinks {
        lines.push(
            "At a kink the derivative does not exist; this code takes the subgradients of \
             PyTorch: heaviside(0) = 0 (so relu'(0) = 0), sign(0) = 0 (abs'(0) = 0; JAX \
             takes 1), 0 for floor' and ceil', and 0 for every tied argument of max or min \
             (PyTorch and JAX share the gradient there: 1/2 each for two)."
                .to_string(),
        );
    }
    lines.push(
        "No domain checks: outside the domain (log of a negative number, 1/0) the result is \
         NaN or infinite, as in the language's math library."
            .to_string(),
    );
    let lines: Vec<String> = lines.iter().flat_map(|l| wrap(l, COMMENT_WIDTH)).collect();
    let mut code = t.comment(&lines);
    for &h in helpers {
        code.push('\n');
        code.push_str(&t.helper(h));
    }
    code.push('\n');
    code.push_str(&t.function(f));
    code
}

/// Comment lines are wrapped to this many characters.
const COMMENT_WIDTH: usize = 88;

/// `line` in lines of at most `width` characters (a longer word alone), broken at spaces;
/// the lines after the first indented by two.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in line.split(' ') {
        let len = cur.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::replace(&mut cur, "  ".to_string()));
        } else if len > 0 && cur != "  " {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push(cur);
    out
}

/// `x, y: numbers, the variables of the same names` (`theta: a number, the variable θ`).
fn numbers_line(run: &[Parameter]) -> String {
    let idents: Vec<&str> = run.iter().map(|p| p.ident.as_str()).collect();
    let vars: Vec<String> = run.iter().map(|p| one_line(&p.variables)).collect();
    let (what, same) = match run.len() {
        1 => (
            "a number, the variable",
            "a number, the variable of the same name",
        ),
        _ => (
            "numbers, the variables",
            "numbers, the variables of the same names",
        ),
    };
    if idents == vars {
        format!("{}: {same}", idents.join(", "))
    } else {
        format!("{}: {what} {}", idents.join(", "), vars.join(", "))
    }
}

/// `w: the array w[1..2,1..3], 2×3, 0-based: w[i,j] of the expression is w[i-1][j-1]`.
fn array_line(p: &Parameter) -> String {
    let shape: Vec<String> = p.shape.iter().map(|d| d.to_string()).collect();
    let shape = match shape.len() {
        1 => format!("length {}", shape[0]),
        _ => shape.join("×"),
    };
    let idx: Vec<String> = (0..p.shape.len())
        .map(|k| index_letter(k).to_string())
        .collect();
    let shifted: Vec<String> = idx
        .iter()
        .zip(&p.first_index)
        .map(|(i, &lo)| match lo {
            0 => i.clone(),
            lo if lo > 0 => format!("{i}-{lo}"),
            lo => format!("{i}+{}", -lo),
        })
        .collect();
    format!(
        "{}: the array {}, {}, 0-based: {}[{}] of the expression is {}[{}] here",
        p.ident,
        one_line(&p.variables),
        shape,
        base_of(&p.variables),
        idx.join(","),
        p.ident,
        shifted.join("]["),
    )
}

/// The letter of the k-th index in comments: i, j, k, l, ...
fn index_letter(k: usize) -> char {
    (b'i' + (k as u8 % 18)) as char
}

/// `w` for `w[1..2,1..3]`.
fn base_of(variables: &str) -> &str {
    variables.split('[').next().unwrap_or(variables)
}

/// Text for a comment: one line, and never the end of a C comment.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace("*/", "* /")
}

/// No function without a definition, no symbolic index, no number beyond a double.
fn validate(s: &Store, roots: &[ExprId]) -> Result<(), EmitError> {
    let mut unknown: Vec<String> = Vec::new();
    for n in s.postorder(roots) {
        match s.node(n) {
            Node::Call(Func::Unknown { name, derivs }, args) => {
                let f = s.name(*name);
                let head = match (derivs.len(), args.len()) {
                    (0, _) => f.to_string(),
                    (k, 1) => format!("{f}{}", "'".repeat(k)),
                    _ => {
                        let idx: Vec<String> = derivs.iter().map(|d| (d + 1).to_string()).collect();
                        format!("D[{}]({f})", idx.join(","))
                    }
                };
                if !unknown.contains(&head) {
                    unknown.push(head);
                }
            }
            Node::Call(Func::Index(name) | Func::Sum(name), _) => {
                return Err(EmitError::Index(format!(
                    "{}[...]",
                    s.name(*name).trim_end_matches('[')
                )));
            }
            Node::Num(r) if !r.to_f64().is_finite() => {
                return Err(EmitError::TooLarge(r.to_string()));
            }
            _ => {}
        }
    }
    unknown.sort();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(EmitError::UnknownFunctions(unknown))
    }
}

/// Every variable the expressions use.
fn used_symbols(s: &Store, roots: &[ExprId]) -> FxHashSet<Name> {
    s.postorder(roots)
        .into_iter()
        .filter_map(|e| match s.node(e) {
            Node::Sym(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// Does the code compute a function with a kink (so its comment names the conventions)?
fn uses_kinks(s: &Store, roots: &[ExprId]) -> bool {
    s.postorder(roots)
        .into_iter()
        .any(|e| matches!(s.node(e), Node::Call(Func::Builtin(b), _) if b.has_kink()))
}

/// Each variable's parameter (its index in the list) and, for an array element, its
/// position (0-based); the parameters, in the order of the variables.
#[allow(clippy::type_complexity)]
fn arrays(
    s: &Store,
    vars: &[Name],
    names: &mut Names,
) -> Result<(FxHashMap<Name, (usize, Option<Vec<usize>>)>, Vec<Parameter>), EmitError> {
    // Variables grouped by array, in the order each array first occurs.
    let mut groups: Vec<(String, Vec<(Name, Option<Vec<i64>>)>)> = Vec::new();
    for &n in vars {
        let text = s.name(n);
        let (base, index) = match text.split_once('[') {
            Some((b, rest)) => {
                let idx: Option<Vec<i64>> = rest
                    .trim_end_matches(']')
                    .split(',')
                    .map(|k| k.trim().parse().ok())
                    .collect();
                let idx = idx.ok_or_else(|| EmitError::Index(text.to_string()))?;
                (format!("{b}["), Some(idx))
            }
            None => (text.to_string(), None),
        };
        match groups.iter_mut().find(|(b, _)| *b == base) {
            Some((_, members)) => members.push((n, index)),
            None => groups.push((base, vec![(n, index)])),
        }
    }
    let mut map = FxHashMap::default();
    let mut params = Vec::new();
    for (base, members) in groups {
        let k = params.len();
        let Some(rank) = members[0].1.as_ref().map(Vec::len) else {
            params.push(Parameter {
                ident: names.take(&ident(&base)),
                variables: base,
                shape: Vec::new(),
                first_index: Vec::new(),
            });
            map.insert(members[0].0, (k, None));
            continue;
        };
        let name = base.trim_end_matches('[');
        let idx: Vec<&Vec<i64>> = members.iter().filter_map(|(_, i)| i.as_ref()).collect();
        if idx.iter().any(|i| i.len() != rank) {
            return Err(EmitError::Rank(name.to_string()));
        }
        // Element 0 is index 1 (deriv's sums count from 1), or the smallest index if less.
        let lo: Vec<i64> = (0..rank)
            .map(|d| idx.iter().map(|i| i[d]).min().unwrap_or(1).min(1))
            .collect();
        let hi: Vec<i64> = (0..rank)
            .map(|d| idx.iter().map(|i| i[d]).max().unwrap_or(1))
            .collect();
        let shape: Vec<usize> = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| usize::try_from(h - l + 1).unwrap_or(usize::MAX))
            .collect();
        if shape.iter().product::<usize>() > 1 << 24 {
            return Err(EmitError::Index(format!(
                "{name}[...] (an array too large)"
            )));
        }
        for (n, i) in &members {
            let i = i.as_ref().expect("every member has indices");
            let pos = i.iter().zip(&lo).map(|(x, l)| (x - l) as usize).collect();
            map.insert(*n, (k, Some(pos)));
        }
        let ranges: Vec<String> = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| format!("{l}..{h}"))
            .collect();
        params.push(Parameter {
            ident: names.take(&ident(name)),
            variables: format!("{name}[{}]", ranges.join(",")),
            shape,
            first_index: lo,
        });
    }
    Ok((map, params))
}

/// The result's entries written, in order, with their shape.
fn outputs(w: &mut Writer, shape: &Shape) -> (Out, Vec<String>) {
    let mut one = |e: ExprId, negative: bool| {
        let t = w.expr(e);
        if negative { code::neg(t).s } else { t.s }
    };
    match shape {
        Shape::Scalar(e) => (Out::Scalar, vec![one(*e, false)]),
        Shape::Vector(v) => (
            Out::Vector(v.len()),
            v.iter().map(|&e| one(e, false)).collect(),
        ),
        Shape::Matrix(m) => (
            Out::Matrix(m.len(), m.first().map_or(0, Vec::len)),
            m.iter().flatten().map(|&e| one(e, false)).collect(),
        ),
        Shape::Differential(ts) => (
            Out::Vector(ts.len()),
            ts.iter().map(|t| one(t.coef, t.negative)).collect(),
        ),
    }
}

fn labels(spec: &Spec, out: Out) -> Vec<String> {
    let n = match out {
        Out::Scalar => 1,
        Out::Vector(n) => n,
        Out::Matrix(r, c) => r * c,
    };
    (0..n)
        .map(|i| spec.labels.get(i).map(|l| one_line(l)).unwrap_or_default())
        .collect()
}

/// A name as an identifier of every language: ASCII letters, digits and `_`; a Greek
/// letter spelt out (`θ` → `theta`), any other character by its code (`u00e9`).
fn ident(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if let Some(g) = crate::expr::names::greek_name(c) {
            out.push_str(g);
        } else {
            out.push_str(&format!("u{:04x}", c as u32));
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The identifiers in use: each name given out once, none reserved.
struct Names {
    all: Vec<String>,
    taken: FxHashSet<String>,
}

impl Names {
    fn new(reserved: &[&str]) -> Names {
        Names {
            all: Vec::new(),
            taken: reserved.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// `want`, or `want_`, `want__`, ... if that is taken.
    fn take(&mut self, want: &str) -> String {
        let mut name = want.to_string();
        while self.taken.contains(&name) {
            name.push('_');
        }
        self.taken.insert(name.clone());
        self.all.push(name.clone());
        name
    }
}

#[cfg(test)]
mod tests;
