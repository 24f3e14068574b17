//! The request: what a command asks for, as typed values. The operation, the expressions
//! and the option texts (`--given`, `--at`, `--let`, ...) as the user wrote them; they are
//! parsed once, by `inputs`. The command line and the session both build one.

use super::Failure;
use super::cli::{Common, Compute, Setup, TrainArgs};
use deriv::diagnostic::Diagnostic;
use deriv::parse;
use deriv::print::emit::Lang;
use std::ffi::OsString;
use std::path::PathBuf;

/// The computation a request asks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Partial { substitute_first: bool },
    Total,
    Differential,
    Grad,
    Hessian,
    Jacobian,
    Simplify,
    Eval,
    Step,
    Algebra(Algebra),
}

/// The commands of polynomial algebra (`deriv::algebra`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Algebra {
    Expand,
    Factor,
    Collect,
}

/// Where a definition comes from.
#[derive(Clone, Debug)]
pub enum DefSource {
    /// `--let TEXT` (or `:let` in a session).
    Let(String),
    /// `--defs FILE`: one definition a line.
    File(PathBuf),
}

/// The expressions to answer.
#[derive(Clone, Debug)]
pub enum Exprs {
    /// Given as arguments: one (several for `jacobian`), answered together.
    Args(Vec<String>),
    /// `-`: one expression per line of standard input, each answered on its own.
    Stdin,
}

/// Where `step` and `train` find their samples, and standard input's text when an option
/// reads it (`--at-file -`, `--data -`).
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// `--data FILE`.
    pub data: Option<PathBuf>,
    /// `--columns`: the data's column names, in order.
    pub columns: Option<Vec<String>>,
    /// Standard input, read once for the option that names `-`.
    pub stdin: Option<String>,
}

impl Samples {
    /// The option that reads standard input, if any.
    pub fn stdin_option(
        at_file: Option<&PathBuf>,
        data: Option<&PathBuf>,
    ) -> Result<Option<&'static str>, Diagnostic> {
        let dash = |p: Option<&PathBuf>| p.is_some_and(|p| p.as_os_str() == "-");
        match (dash(at_file), dash(data)) {
            (true, true) => Err(Diagnostic::error(
                "--at-file - and --data - cannot both read standard input",
            )),
            (true, false) => Ok(Some("--at-file")),
            (false, true) => Ok(Some("--data")),
            (false, false) => Ok(None),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    /// The command's name as clap spells it (`partial`).
    pub command: String,
    pub op: Op,
    pub exprs: Exprs,
    /// The variables of differentiation (`partial`, `total`).
    pub vars: Vec<String>,
    /// The columns of a gradient, Hessian, Jacobian or step (`--wrt`), patterns allowed.
    pub wrt: Option<Vec<String>>,
    pub given: Vec<String>,
    pub defs: Vec<DefSource>,
    /// `--at` texts, each `VAR=VALUE,...`.
    pub at: Vec<String>,
    pub at_file: Option<PathBuf>,
    pub cse: bool,
    pub check: bool,
    pub explain: bool,
    pub stats: bool,
    /// `step --rate`
    pub rate: f64,
    /// `total --dependent`: the variable an implicit relation makes depend on VAR.
    pub dependent: Option<String>,
    /// `step --data`, and standard input for an option.
    pub samples: Samples,
    /// `--emit LANG`: the result as code.
    pub emit: Option<Lang>,
}

impl Request {
    /// The request a computing command makes; `name` is the command's name.
    pub fn from_command(command: Compute, name: String) -> Result<Request, Failure> {
        let mut dependent = None;
        let mut rate = 0.0;
        let mut samples = Samples::default();
        let (op, exprs, vars, wrt, common) = match command {
            Compute::Partial(a) => (
                Op::Partial {
                    substitute_first: a.substitute_first,
                },
                vec![a.expr.expr],
                a.vars,
                None,
                a.common,
            ),
            Compute::Total(a) => {
                dependent = a.dependent;
                (Op::Total, vec![a.expr.expr], a.vars, None, a.common)
            }
            Compute::Differential(a) => {
                (Op::Differential, vec![a.expr.expr], vec![], None, a.common)
            }
            Compute::Grad(a) => (Op::Grad, vec![a.expr.expr], vec![], a.wrt, a.common),
            Compute::Hessian(a) => (Op::Hessian, vec![a.expr.expr], vec![], a.wrt, a.common),
            Compute::Jacobian(a) => (Op::Jacobian, a.exprs, vec![], a.wrt, a.common),
            Compute::Simplify(a) => (Op::Simplify, vec![a.expr.expr], vec![], None, a.common),
            Compute::Eval(a) => (Op::Eval, vec![a.expr.expr], vec![], None, a.common),
            Compute::Expand(a) => (
                Op::Algebra(Algebra::Expand),
                vec![a.expr.expr],
                vec![],
                None,
                a.common,
            ),
            Compute::Factor(a) => (
                Op::Algebra(Algebra::Factor),
                vec![a.expr.expr],
                vec![],
                None,
                a.common,
            ),
            Compute::Collect(a) => (
                Op::Algebra(Algebra::Collect),
                vec![a.expr.expr],
                vec![a.var],
                None,
                a.common,
            ),
            Compute::Step(a) => {
                rate = a.rate;
                samples.data = a.data;
                samples.columns = a.columns.as_deref().map(split_list);
                (Op::Step, vec![a.expr.expr], vec![], Some(a.wrt), a.common)
            }
        };
        Request::new(name, op, exprs, vars, wrt, common).map(|mut r| {
            r.rate = rate;
            r.dependent = dependent;
            r.samples = samples;
            r
        })
    }

    fn new(
        command: String,
        op: Op,
        exprs: Vec<OsString>,
        vars: Vec<String>,
        wrt: Option<String>,
        common: Common,
    ) -> Result<Request, Failure> {
        let exprs = if exprs.len() == 1 && exprs[0] == "-" {
            Exprs::Stdin
        } else {
            let mut texts = Vec::new();
            for e in exprs {
                match e.into_string() {
                    Ok(t) if t == "-" => {
                        return Err(Failure::Usage(Diagnostic::error(
                            "`-` (standard input) works only as the only expression",
                        )));
                    }
                    Ok(t) => texts.push(t),
                    Err(raw) => {
                        return Err(Failure::Input(vec![Diagnostic::error(format!(
                            "the expression is not valid UTF-8: {}",
                            raw.to_string_lossy()
                        ))]));
                    }
                }
            }
            Exprs::Args(texts)
        };
        let (given, defs) = setup(common.setup)?;
        Ok(Request {
            command,
            op,
            exprs,
            vars,
            wrt: wrt.map(|w| split_list(&w)),
            given,
            defs,
            at: common.at,
            at_file: common.at_file,
            cse: common.cse,
            check: common.check,
            explain: common.explain,
            stats: common.stats,
            rate: 0.0,
            dependent: None,
            samples: Samples::default(),
            emit: common.emit.map(|l| l.lang()),
        })
    }

    /// The request `train` makes: E and its parameters, with the values and data.
    pub fn train(a: &TrainArgs) -> Result<Request, Failure> {
        let (given, defs) = setup(a.setup.clone())?;
        Ok(Request {
            command: "train".into(),
            op: Op::Step,
            exprs: Exprs::Args(vec![a.expr.clone()]),
            vars: Vec::new(),
            wrt: Some(split_list(&a.wrt)),
            given,
            defs,
            at: a.at.clone(),
            at_file: a.at_file.clone(),
            cse: false,
            check: false,
            explain: false,
            stats: false,
            rate: a.rate,
            dependent: None,
            samples: Samples {
                data: a.data.clone(),
                columns: a.columns.as_deref().map(split_list),
                stdin: None,
            },
            emit: None,
        })
    }

    pub fn batch(&self) -> bool {
        matches!(self.exprs, Exprs::Stdin)
    }

    /// Misuses of the command line that no input can fix (exit 2).
    pub fn check_usage(&self, has_point: bool) -> Result<(), Diagnostic> {
        let op = self.op;
        if op == Op::Step && !has_point {
            return Err(Diagnostic::error(
                "step needs the parameters' values: --at-file FILE or --at ...",
            ));
        }
        if self.explain && !matches!(op, Op::Partial { .. } | Op::Total | Op::Differential) {
            return Err(Diagnostic::error(format!(
                "--explain is for partial, total and differential, not `{}`",
                self.command
            )));
        }
        if op == Op::Step && self.batch() {
            return Err(Diagnostic::error(
                "step writes a values file, several lines, so it takes one expression, not `-`",
            )
            .with_note("to step from one point with several expressions, run step once for each"));
        }
        if self.explain && self.batch() {
            return Err(Diagnostic::error(
                "--explain writes several lines, so it takes one expression, not `-`",
            ));
        }
        if self.emit.is_some() {
            self.check_emit(has_point)?;
        }
        if self.check && matches!(op, Op::Simplify | Op::Eval | Op::Algebra(_)) {
            return Err(Diagnostic::error(format!(
                "--check verifies derivatives; `{}` computes none",
                self.command
            )));
        }
        Ok(())
    }
}

impl Request {
    /// `--emit` writes one function for one symbolic result.
    fn check_emit(&self, has_point: bool) -> Result<(), Diagnostic> {
        let refuse = |m: String| Err(Diagnostic::error(m));
        if matches!(self.op, Op::Eval | Op::Step) {
            return refuse(format!(
                "--emit writes a result as code: it is for partial, total, differential, grad, \
                 hessian, jacobian and simplify, not `{}`",
                self.command
            ));
        }
        if self.batch() {
            return refuse(
                "--emit writes a whole function, not one line per input line: give the \
                 expression as an argument, not `-`"
                    .into(),
            );
        }
        if has_point {
            return refuse(
                "--emit writes code that takes the point as its arguments; --at and \
                 --at-file evaluate here: use one or the other"
                    .into(),
            );
        }
        if self.explain {
            return refuse("--explain and --emit both write the output: use one".into());
        }
        Ok(())
    }
}

/// The constraints' texts and the definitions' sources.
pub fn setup(setup: Setup) -> Result<(Vec<String>, Vec<DefSource>), Failure> {
    let mut given = Vec::new();
    for g in setup.given {
        match g.into_string() {
            Ok(s) => given.push(s),
            Err(raw) => {
                return Err(Failure::Input(vec![Diagnostic::error(format!(
                    "--given {} is not valid UTF-8",
                    raw.to_string_lossy()
                ))]));
            }
        }
    }
    let mut defs: Vec<DefSource> = setup.lets.into_iter().map(DefSource::Let).collect();
    defs.extend(setup.defs.into_iter().map(DefSource::File));
    Ok((given, defs))
}

/// `--wrt` items, split at commas outside brackets (`w[*,*],v[*]`).
pub fn split_list(w: &str) -> Vec<String> {
    parse::split_top(w, ',')
        .into_iter()
        .map(|p| p.trim().to_string())
        .collect()
}
