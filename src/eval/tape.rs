//! The compiled form of numeric evaluation: expressions sharing one DAG (and, if asked,
//! the reverse-mode gradient of one of them) compiled once into a flat list of
//! instructions over double registers. Running it (`run.rs`) does no symbolic work and
//! allocates nothing; `diagnose.rs` reruns it with checks when something went wrong.

use super::{Perturbation, ULPS};
use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Store};
use rustc_hash::{FxHashMap, FxHashSet};

/// A register: an index into the workspace's values (and adjoints).
pub(super) type Reg = u32;

/// One forward instruction; it writes `dst`.
#[derive(Copy, Clone, Debug)]
pub(super) struct Inst {
    pub op: Op,
    pub dst: Reg,
}

/// What an instruction computes. Sums and products of several terms are chains of
/// `Add` and `Mul`, in the order of their terms (so rounding is that of a left fold).
#[derive(Copy, Clone, Debug)]
pub(super) enum Op {
    Add(Reg, Reg),
    Mul(Reg, Reg),
    /// A sum of products a₀·b₀ + a₁·b₁ + … (a layer's input sum), the pairs at
    /// `args[start..start + 2·len]`: a term that is not a product is paired with 1. Each
    /// product is rounded, then added left to right, as the chain would.
    Dot(u32, u32),
    /// b^2, b^-1 and b^(1/2): the commonest powers, without `powf`.
    Square(Reg),
    Recip(Reg),
    Sqrt(Reg),
    /// b^k for a constant k (held in a register); `odd_root`: k = p/q with q odd and not
    /// an integer, so a negative base has a real root (`Some(p is odd)`).
    PowK(Reg, Reg, Option<bool>),
    Pow(Reg, Reg),
    Exp(Reg),
    Call(Builtin, Reg),
    Call2(Builtin, Reg, Reg),
    /// max, min, logsumexp of `args[start..start + len]`.
    NAry(Builtin, u32, u32),
    /// log(sigmoid(u)) = -softplus(-u), without log(0) for very negative u.
    LogSigmoid(Reg),
    /// log(1 - sigmoid(u)) = -softplus(u).
    LogOneMinusSigmoid(Reg),
    /// The value moved by a factor (a register): the rounding probe of `Perturbation`.
    Scale(Reg, Reg),
    /// An unknown function: no value.
    Unknown(Name),
    /// The undefined node.
    Undefined,
}

/// One step of the backward sweep: adds to the adjoint of register `to` the adjoint of
/// `from` (the result of instruction `inst`) times the derivative of that result by
/// `to`, which `kind` says how to find.
#[derive(Copy, Clone, Debug)]
pub(super) struct Back {
    pub inst: u32,
    pub from: Reg,
    pub to: Reg,
    pub kind: BackKind,
}

#[derive(Copy, Clone, Debug)]
pub(super) enum BackKind {
    /// The derivative is 1 (a sum).
    Pass,
    /// The derivative is the value of a register (the other factor of a product).
    Times(Reg),
    /// The derivative by operand k, computed from the values (`Tape::local`).
    Local(u32),
    /// Every operand of a `Dot` at once: each factor's derivative is its partner.
    Dot,
}

/// A compiled evaluation. Build it with `Tape::compile`, run it with a `Workspace`.
#[derive(Clone, Debug)]
pub struct Tape {
    pub(super) insts: Vec<Inst>,
    /// Where each instruction came from, for messages.
    pub(super) origin: Vec<ExprId>,
    /// The operands of the n-ary instructions.
    pub(super) args: Vec<Reg>,
    /// Every register's value before a run: the constants, 0 elsewhere.
    pub(super) init: Vec<f64>,
    /// Constants too large for a double (infinite), with their node.
    pub(super) huge: Vec<(Reg, ExprId)>,
    /// The variables, in the order their values are given: name, register, node.
    pub(super) inputs: Vec<(Name, Reg, ExprId)>,
    /// The roots' registers and nodes.
    pub(super) roots: Vec<Reg>,
    pub(super) root_nodes: Vec<ExprId>,
    /// The register of each node of the DAG (before any perturbation).
    pub(super) nodes: Vec<Reg>,
    pub(super) grad: Option<Gradient>,
}

/// The reverse sweep of one root by some variables.
#[derive(Clone, Debug)]
pub(super) struct Gradient {
    pub root: Reg,
    /// The register of each variable differentiated by (`None`: not in the expression).
    pub wrt: Vec<Option<Reg>>,
    pub wrt_names: Vec<Name>,
    pub back: Vec<Back>,
    /// Which registers depend on a variable differentiated by.
    pub dep: Vec<bool>,
}

/// What to compile besides the values of the roots.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// The gradient of the root with this index by these variables.
    pub gradient: Option<(usize, &'a [Name])>,
    /// Move each value computed from some variables by a few units in the last place.
    pub perturb: Option<Perturbation<'a>>,
    /// Give every product its own register, even inside a sum (for `RoundingProbe`, which
    /// looks at every node's value).
    pub unfused: bool,
}

impl Tape {
    /// Compiles the values of `roots` (every definition expanded), and what `opts` asks.
    pub fn compile(s: &Store, roots: &[ExprId], opts: Options) -> Tape {
        let mut c = Compiler {
            s,
            tape: Tape {
                insts: Vec::new(),
                origin: Vec::new(),
                args: Vec::new(),
                init: Vec::new(),
                huge: Vec::new(),
                inputs: Vec::new(),
                roots: Vec::new(),
                root_nodes: roots.to_vec(),
                nodes: Vec::new(),
                grad: None,
            },
            reg: FxHashMap::default(),
            consts: FxHashMap::default(),
            varies: FxHashMap::default(),
            fusion: Fusion::default(),
        };
        let order = s.postorder(roots);
        if opts.perturb.is_none() && !opts.unfused {
            c.fusion = plan_fusion(s, &order, roots);
        }
        for n in order {
            if c.fusion.absorbed.contains(&n) {
                continue;
            }
            let r = c.node(n);
            c.tape.nodes.push(r);
            let r = match opts.perturb {
                Some(p) => c.perturbed(n, r, p),
                None => r,
            };
            c.reg.insert(n, r);
        }
        c.tape.roots = roots.iter().map(|r| c.reg[r]).collect();
        let mut tape = c.tape;
        if let Some((i, wrt)) = opts.gradient {
            tape.grad = Some(tape.sweep(tape.roots[i], wrt));
        }
        tape
    }

    /// The variables whose values a run needs, in order.
    pub fn inputs(&self) -> impl Iterator<Item = Name> + '_ {
        self.inputs.iter().map(|&(n, _, _)| n)
    }

    /// How many variables a run needs.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// Instructions run for the values and for the gradient.
    pub fn len(&self) -> (usize, usize) {
        (
            self.insts.len(),
            self.grad.as_ref().map_or(0, |g| g.back.len()),
        )
    }

    /// Does a run compute nothing (the tape of a lone variable or number)?
    pub fn is_empty(&self) -> bool {
        self.insts.is_empty()
    }

    /// An instruction's operands, in order (for compiling and diagnosing, not per run).
    pub(super) fn operands(&self, op: &Op) -> Vec<Reg> {
        match *op {
            Op::Add(a, b) | Op::Mul(a, b) | Op::Pow(a, b) | Op::Call2(_, a, b) => vec![a, b],
            Op::PowK(a, _, _)
            | Op::Scale(a, _)
            | Op::Square(a)
            | Op::Recip(a)
            | Op::Sqrt(a)
            | Op::Exp(a)
            | Op::Call(_, a)
            | Op::LogSigmoid(a)
            | Op::LogOneMinusSigmoid(a) => vec![a],
            Op::NAry(_, start, len) => self.args[start as usize..(start + len) as usize].to_vec(),
            Op::Dot(start, len) => self.args[start as usize..(start + 2 * len) as usize].to_vec(),
            Op::Unknown(_) | Op::Undefined => Vec::new(),
        }
    }

    /// The backward sweep of the root `root` by `wrt`: for every instruction the root
    /// needs whose result depends on `wrt`, parents before children, one step per operand
    /// that depends on `wrt`.
    fn sweep(&self, root: Reg, wrt: &[Name]) -> Gradient {
        let nregs = self.init.len();
        let mut dep = vec![false; nregs];
        let wrt_regs: Vec<Option<Reg>> = wrt
            .iter()
            .map(|w| self.inputs.iter().find(|i| i.0 == *w).map(|i| i.1))
            .collect();
        for r in wrt_regs.iter().flatten() {
            dep[*r as usize] = true;
        }
        for inst in &self.insts {
            if self.operands(&inst.op).iter().any(|&r| dep[r as usize]) {
                dep[inst.dst as usize] = true;
            }
        }
        let mut needed = vec![false; nregs];
        needed[root as usize] = true;
        let mut back = Vec::new();
        for (i, inst) in self.insts.iter().enumerate().rev() {
            if !needed[inst.dst as usize] || !dep[inst.dst as usize] {
                continue;
            }
            let inst_no = i as u32;
            if let Op::Dot(..) = inst.op {
                for r in self.operands(&inst.op) {
                    needed[r as usize] |= dep[r as usize];
                }
                back.push(Back {
                    inst: inst_no,
                    from: inst.dst,
                    to: inst.dst,
                    kind: BackKind::Dot,
                });
                continue;
            }
            for (k, r) in self.operands(&inst.op).into_iter().enumerate() {
                if !dep[r as usize] {
                    continue;
                }
                needed[r as usize] = true;
                let kind = match inst.op {
                    Op::Add(..) => BackKind::Pass,
                    Op::Mul(a, b) => BackKind::Times(if k == 0 { b } else { a }),
                    _ => BackKind::Local(k as u32),
                };
                back.push(Back {
                    inst: inst_no,
                    from: inst.dst,
                    to: r,
                    kind,
                });
            }
        }
        Gradient {
            root,
            wrt: wrt_regs,
            wrt_names: wrt.to_vec(),
            back,
            dep,
        }
    }
}

struct Compiler<'s> {
    s: &'s Store,
    tape: Tape,
    /// Each node's register.
    reg: FxHashMap<ExprId, Reg>,
    /// Constant registers by value (bits).
    consts: FxHashMap<u64, Reg>,
    /// With a perturbation: whether each node depends on a varying variable.
    varies: FxHashMap<ExprId, bool>,
    fusion: Fusion,
}

/// Subexpressions computed in place by the instruction of the one node that uses them.
#[derive(Default)]
struct Fusion {
    /// Products of two factors in a sum (`Op::Dot`), with their factors.
    pairs: FxHashMap<ExprId, [ExprId; 2]>,
    /// 1/(1 + e^u) as sigmoid(−u): the node, with the sigmoid's argument s if u is −s
    /// (else u, to negate).
    sigmoids: FxHashMap<ExprId, (ExprId, bool)>,
    /// Nodes with no instruction of their own.
    absorbed: FxHashSet<ExprId>,
}

/// What is computed in place: products of two factors used once, by a sum, and the
/// parts of a 1/(1 + e^u) (a sigmoid written out) that nothing else uses. Roots keep their
/// own instruction.
fn plan_fusion(s: &Store, order: &[ExprId], roots: &[ExprId]) -> Fusion {
    let mut uses: FxHashMap<ExprId, (u32, bool)> = FxHashMap::default();
    for &r in roots {
        uses.entry(r).or_insert((0, false)).0 += 2;
    }
    for &n in order {
        let by_sum = matches!(s.node(n), Node::Add(_));
        let (slice, pair) = s.kids(n);
        for &k in slice.iter().chain(pair.iter().flatten()) {
            let e = uses.entry(k).or_insert((0, true));
            e.0 += 1;
            e.1 &= by_sum;
        }
    }
    let once = |e: ExprId| uses.get(&e).is_some_and(|u| u.0 == 1);
    let mut f = Fusion::default();
    for &n in order {
        match s.node(n) {
            Node::Mul(fs) if fs.len() == 2 && uses.get(&n) == Some(&(1, true)) => {
                f.pairs.insert(n, [fs[0], fs[1]]);
                f.absorbed.insert(n);
            }
            &Node::Pow(b, x) if s.as_num(x).is_some_and(|r| r.is_minus_one()) => {
                let Some((t, u)) = one_plus_exp(s, b) else {
                    continue;
                };
                let neg = match s.node(u) {
                    Node::Mul(fs)
                        if fs.len() == 2 && s.as_num(fs[0]).is_some_and(|r| r.is_minus_one()) =>
                    {
                        Some(fs[1])
                    }
                    _ => None,
                };
                f.sigmoids.insert(n, (neg.unwrap_or(u), neg.is_none()));
                if once(b) {
                    f.absorbed.insert(b);
                    if once(t) {
                        f.absorbed.insert(t);
                        if neg.is_some() && once(u) {
                            f.absorbed.insert(u);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    f
}

/// `e^u + 1` as (e^u, u).
fn one_plus_exp(s: &Store, b: ExprId) -> Option<(ExprId, ExprId)> {
    let Node::Add(ts) = s.node(b) else {
        return None;
    };
    let [t, one] = ts[..] else {
        return None;
    };
    if !s.as_num(one).is_some_and(|r| r.is_one()) {
        return None;
    }
    match *s.node(t) {
        Node::Pow(base, u) if matches!(s.node(base), Node::Const(Constant::E)) => Some((t, u)),
        _ => None,
    }
}

impl Compiler<'_> {
    fn new_reg(&mut self, init: f64) -> Reg {
        self.tape.init.push(init);
        (self.tape.init.len() - 1) as Reg
    }

    fn constant(&mut self, x: f64, node: ExprId) -> Reg {
        if let Some(&r) = self.consts.get(&x.to_bits()) {
            return r;
        }
        let r = self.new_reg(x);
        self.consts.insert(x.to_bits(), r);
        if x.is_infinite() {
            self.tape.huge.push((r, node));
        }
        r
    }

    fn emit(&mut self, op: Op, origin: ExprId) -> Reg {
        let dst = self.new_reg(0.0);
        self.tape.insts.push(Inst { op, dst });
        self.tape.origin.push(origin);
        dst
    }

    /// A chain of a binary instruction over several operands, left to right.
    fn chain(&mut self, kids: &[ExprId], n: ExprId, op: fn(Reg, Reg) -> Op) -> Reg {
        let mut acc = self.reg[&kids[0]];
        for k in &kids[1..] {
            let r = self.reg[k];
            acc = self.emit(op(acc, r), n);
        }
        acc
    }

    fn node(&mut self, n: ExprId) -> Reg {
        let s = self.s;
        match s.node(n) {
            Node::Num(r) => self.constant(r.to_f64(), n),
            Node::Const(Constant::Pi) => self.constant(std::f64::consts::PI, n),
            Node::Const(Constant::E) => self.constant(std::f64::consts::E, n),
            Node::Sym(name) => {
                if let Some(i) = self.tape.inputs.iter().find(|i| i.0 == *name) {
                    return i.1;
                }
                let r = self.new_reg(0.0);
                self.tape.inputs.push((*name, r, n));
                r
            }
            Node::Add(ts) if ts.iter().any(|t| self.fusion.pairs.contains_key(t)) => {
                self.dot(ts, n)
            }
            Node::Add(ts) => self.chain(ts, n, Op::Add),
            Node::Mul(fs) => self.chain(fs, n, Op::Mul),
            &Node::Pow(b, x) => self.power(n, b, x),
            Node::Call(Func::Builtin(f), args) => self.call(n, *f, args),
            Node::Call(Func::Unknown { name, .. } | Func::Index(name) | Func::Sum(name), _) => {
                self.emit(Op::Unknown(*name), n)
            }
            Node::Undefined => self.emit(Op::Undefined, n),
        }
    }

    /// A sum with products among its terms: one `Dot`.
    fn dot(&mut self, ts: &[ExprId], n: ExprId) -> Reg {
        let one = self.constant(1.0, n);
        let start = self.tape.args.len() as u32;
        for t in ts {
            let pair = match self.fusion.pairs.get(t) {
                Some(&[a, b]) => [self.reg[&a], self.reg[&b]],
                None => [self.reg[t], one],
            };
            self.tape.args.extend(pair);
        }
        self.emit(Op::Dot(start, ts.len() as u32), n)
    }

    fn power(&mut self, n: ExprId, b: ExprId, x: ExprId) -> Reg {
        let s = self.s;
        if let Some(&(arg, negate)) = self.fusion.sigmoids.get(&n) {
            let mut r = self.reg[&arg];
            if negate {
                let m1 = self.constant(-1.0, n);
                r = self.emit(Op::Mul(m1, r), n);
            }
            return self.emit(Op::Call(Builtin::Sigmoid, r), n);
        }
        let rb = self.reg[&b];
        if matches!(s.node(b), Node::Const(Constant::E)) {
            let rx = self.reg[&x];
            return self.emit(Op::Exp(rx), n);
        }
        let Some(k) = s.as_num(x) else {
            let rx = self.reg[&x];
            return self.emit(Op::Pow(rb, rx), n);
        };
        let op = match k.to_i64() {
            Some(2) => Op::Square(rb),
            Some(-1) => Op::Recip(rb),
            _ if k.numer() == 1.into() && k.denom() == 2.into() => Op::Sqrt(rb),
            _ => {
                let odd = !k.is_integer() && k.denom().bit(0);
                let kr = self.reg[&x];
                Op::PowK(rb, kr, odd.then(|| k.numer().bit(0)))
            }
        };
        self.emit(op, n)
    }

    fn call(&mut self, n: ExprId, f: Builtin, args: &[ExprId]) -> Reg {
        // sin(10^22 + 1), log(10^-400): from the exact argument, not its double.
        if let [a] = args
            && let Some(x) = self.s.as_num(*a).and_then(|r| super::exact::value(f, r))
        {
            return self.constant(x, n);
        }
        let regs: Vec<Reg> = args.iter().map(|a| self.reg[a]).collect();
        let op = match f {
            Builtin::Log => self.stable_log(args[0]).unwrap_or(Op::Call(f, regs[0])),
            Builtin::Atan2 | Builtin::LogBase => Op::Call2(f, regs[0], regs[1]),
            Builtin::Max | Builtin::Min | Builtin::Logsumexp => {
                let start = self.tape.args.len() as u32;
                self.tape.args.extend(&regs);
                Op::NAry(f, start, regs.len() as u32)
            }
            _ => Op::Call(f, regs[0]),
        };
        self.emit(op, n)
    }

    /// log(sigmoid(u)), log(1 - sigmoid(u)) and log(e^u + 1) in their stable forms, from
    /// u's register; `None` for any other logarithm.
    fn stable_log(&self, arg: ExprId) -> Option<Op> {
        let s = self.s;
        let sigmoid_of = |e: ExprId| match s.node(e) {
            Node::Call(Func::Builtin(Builtin::Sigmoid), a) => Some(self.reg[&a[0]]),
            _ => None,
        };
        if let Some(u) = sigmoid_of(arg) {
            return Some(Op::LogSigmoid(u));
        }
        let Node::Add(ts) = s.node(arg) else {
            return None;
        };
        let [t, one] = ts[..] else {
            return None;
        };
        if !s.as_num(one).is_some_and(|r| r.is_one()) {
            return None;
        }
        match s.node(t) {
            Node::Mul(fs) if fs.len() == 2 && s.as_num(fs[0]).is_some_and(|r| r.is_minus_one()) => {
                sigmoid_of(fs[1]).map(Op::LogOneMinusSigmoid)
            }
            &Node::Pow(b, x) if matches!(s.node(b), Node::Const(Constant::E)) => {
                Some(Op::Call(Builtin::Softplus, self.reg[&x]))
            }
            _ => None,
        }
    }

    /// Node `n`'s value `r`, moved as `p` says if it depends on a varying variable (not the
    /// variables themselves: their values are given).
    fn perturbed(&mut self, n: ExprId, r: Reg, p: Perturbation) -> Reg {
        let s = self.s;
        let (slice, pair) = s.kids(n);
        let depends = match s.node(n) {
            // An exact double is not rounded.
            Node::Num(r) if p.every => !super::exact::is_double(r),
            _ if p.every => true,
            Node::Sym(name) => p.varying.contains(name),
            _ => slice
                .iter()
                .chain(pair.iter().flatten())
                .any(|k| self.varies.get(k).copied().unwrap_or(false)),
        };
        self.varies.insert(n, depends);
        if !depends || matches!(s.node(n), Node::Sym(_)) {
            return r;
        }
        let down = p.mixed && (n.index() as u32).wrapping_mul(0x9E37_79B9) >> 31 == 1;
        let f = self.constant(1.0 + if down { -ULPS } else { ULPS }, n);
        self.emit(Op::Scale(r, f), n)
    }
}
