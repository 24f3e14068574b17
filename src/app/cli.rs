//! The command line: clap definitions, kept apart from the work they request. The set of
//! commands exists here only, as `Command`; everything else asks clap for their names.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;

/// A number option: any constant expression deriv reads (`0.5`, `1/32`, `2^-5`), as a
/// finite double.
pub fn number(text: &str) -> Result<f64, String> {
    use deriv::eval::EvalError;
    let mut s = deriv::expr::Store::new();
    let e = deriv::parse::parse(&mut s, text).map_err(|e| e.message)?;
    match deriv::eval::eval(&s, e, &|_| None) {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) | Err(EvalError::Overflow(_)) => Err("too large for a double".into()),
        Err(EvalError::Unbound(n)) => Err(format!("`{}` has no value: give a number", s.name(n))),
        Err(_) => Err("not a finite number".into()),
    }
}

/// Parses an argument list (its first item is the program name). Also returns the
/// subcommand's name as clap spells it.
pub fn parse<I, T>(args: I) -> Result<(Cli, String), clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = Cli::command().try_get_matches_from(args)?;
    let name = matches.subcommand_name().unwrap_or_default().to_string();
    Ok((Cli::from_arg_matches(&matches)?, name))
}

const EXAMPLES: &str = "\
Examples:
  deriv partial '4*pi/3*t*x*y' x               ∂f/∂x, every other variable constant
  deriv total '4*pi/3*t*x*y' x --given t=x     df/dx, following t = x
  deriv partial 'x^3*y^2' x x y                a higher, mixed partial
  deriv partial - x < exprs.txt                one expression per line, one answer per line
  deriv partial \"$(deriv partial 'x^3*y^2' x)\" y   plain output reads back in
  deriv grad 'x^2*y' --at x=1,y=2              [4, 1]

Run `deriv help partial` for one command, `deriv help topics` for the guide.";

#[derive(Parser, Debug)]
#[command(
    name = "deriv",
    version,
    propagate_version = true,
    disable_help_subcommand = true,
    about = "Exact partial and total derivatives, with a warning when ∂ and d differ",
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: Global,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Output format [default: unicode on a terminal, plain otherwise]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// When to color warnings and errors (NO_COLOR and CLICOLOR_FORCE are honoured by auto)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorChoice,

    /// Refuse a computation that needs more distinct subexpressions than this
    #[arg(long, global = true, value_name = "N", default_value_t = deriv::expr::DEFAULT_MAX_NODES,
          value_parser = clap::value_parser!(u64).range(16..))]
    pub max_nodes: u64,

    /// Treat every warning as an error (exit 1): for scripts that must not go on past one
    #[arg(long, global = true)]
    pub strict: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text that deriv reads back: 4*pi*t*y/3
    Plain,
    /// For people: 4π·t·y/3
    Unicode,
    /// For documents: \frac{4 \pi t y}{3}
    Latex,
    /// One object (per line, with `-`) holding every form and the warnings
    Json,
}

/// A language `--emit` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitLang {
    /// C99 with <math.h>: a function returning a double or filling an output array
    C,
    /// Python 3 with NumPy
    #[value(alias = "py", alias = "numpy")]
    Python,
    /// Rust, std only
    #[value(alias = "rs")]
    Rust,
    /// JavaScript (ES2015)
    #[value(alias = "javascript")]
    Js,
}

impl EmitLang {
    pub fn lang(self) -> deriv::print::emit::Lang {
        use deriv::print::emit::Lang;
        match self {
            EmitLang::C => Lang::C,
            EmitLang::Python => Lang::Python,
            EmitLang::Rust => Lang::Rust,
            EmitLang::Js => Lang::JavaScript,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(flatten)]
    Compute(Compute),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = "\
Examples:
  $ deriv completions bash > ~/.local/share/bash-completion/completions/deriv
  $ deriv completions zsh > ~/.zfunc/_deriv        (with fpath+=~/.zfunc in ~/.zshrc)
  $ deriv completions fish > ~/.config/fish/completions/deriv.fish")]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), every command and option in one page; or write a page
    /// per command with --dir
    #[command(after_help = "\
Examples:
  $ deriv man | man -l -
  $ deriv man --dir ~/.local/share/man/man1        (deriv.1, deriv-partial.1, ...)
  $ man deriv-partial")]
    Man(ManArgs),

    /// The expression language on one screen: operators, numbers, functions
    #[command(after_help = "\
Examples:
  $ deriv syntax
  $ deriv syntax | less")]
    Syntax,

    /// Help on a command (`deriv help partial`) or a topic of the guide (`deriv help meaning`)
    #[command(after_help = "\
Examples:
  $ deriv help partial
  $ deriv help topics
  $ deriv help meaning | less")]
    Help(HelpArgs),

    /// An interactive session: commands as above, with :given, :format, :at and ans
    #[command(after_help = "\
Examples:
  $ deriv repl                      (also `deriv` alone on a terminal)
  > partial x^2*y x
  2*x*y
  > :given t = x
  > total 4*pi/3*t*x*y x
  8*pi*x*y/3
  $ printf 'partial x^2*y x\\nsimplify ans*x\\n' | deriv repl     (scripted: no prompt)
  2*x*y
  2*x^2*y

Type :help in the session for its commands.")]
    Repl,

    /// Draw f and its derivative in the terminal (braille) or as an SVG file
    #[command(after_help = "\
Examples:
  $ deriv plot 'sin(x)' x --from -pi --to pi
  $ deriv plot 'x^3 - 3*x' x --from -2.5 --to 2.5 --at 1      (with the tangent at x = 1)
  $ deriv plot 'tan(x)' x --from -3 --to 3 --width 80 --height 24
  $ deriv plot 'exp(-x^2)' x --svg gauss.svg")]
    Plot(PlotArgs),

    /// Train E's parameters on data: SGD, mini-batches or full batch; momentum or Adam.
    /// Writes the trained parameters in the --at-file format; the loss per epoch on stderr
    #[command(after_help = "\
Examples:
  $ deriv train E --wrt 'w[*,*],v[*]' --defs net.defs --at-file init.txt --data xor.csv
  $ deriv train '(w*x + b - y)^2/2' --wrt w,b --data points.csv --optimizer adam --rate 0.05
  $ deriv train E --wrt 'w[*]' --defs net.defs --seed 7 --data d.tsv --batch 32 --svg loss.svg

E is the loss of one sample; its variables are the parameters (--wrt), the data's columns
(named by the file's header or --columns) and values given with --at or --at-file. A batch's
gradient is the mean of E's gradients over its samples; an epoch's loss is the mean of E
over its samples, each at the parameters its step started from. Ctrl-C stops after the
current step and still writes the parameters reached (exit status 130).")]
    Train(TrainArgs),
}

/// The commands that compute an answer from expressions.
#[derive(Subcommand, Debug)]
pub enum Compute {
    /// ∂ⁿf/∂v₁…∂vₙ: every variable but the one differentiated by is held constant
    #[command(after_help = "\
Examples:
  $ deriv partial '4*pi/3*t*x*y' x
  4*pi*t*y/3
  $ deriv partial 'x^3*y^2' x x y
  12*x*y
  $ deriv partial '4*pi/3*t*x*y' x --given t=x      (warns: t depends on x)
  4*pi*x*y/3
  $ deriv partial '4*pi/3*t*x*y' x --given t=x --substitute-first
  8*pi*x*y/3
  $ deriv partial 'x^2*sin(y)' x --at x=2,y=pi/2
  4")]
    Partial(PartialArgs),

    /// df/dx: follows every dependency given with --given (chained and transitive)
    #[command(after_help = "\
Examples:
  $ deriv total '4*pi/3*t*x*y' x --given t=x
  8*pi*x*y/3
  $ deriv total 'x*s' x --given s=t+x --given t=x^2
  3*x^2 + 2*x
  $ deriv total 'x^2*y' x --given 'y=y(x)'
  x^2*y'(x) + 2*x*y(x)
  $ deriv total y x --given 'x^2 + y^2 = 1'         (implicit: dy/dx = -F_x/F_y)
  -x/y")]
    Total(TotalArgs),

    /// df = Σ ∂f/∂v dv, written with d(v) in plain text (dv in Unicode and LaTeX)
    #[command(after_help = "\
Examples:
  $ deriv differential '4*pi/3*t*x*y'
  4*pi*x*y/3*d(t) + 4*pi*t*y/3*d(x) + 4*pi*t*x/3*d(y)
  $ deriv differential '4*pi/3*t*x*y' --given t=x
  8*pi*x*y/3*d(x) + 4*pi*x^2/3*d(y)")]
    Differential(FormArgs),

    /// The gradient: every first partial, as a row [∂f/∂x, ∂f/∂y, ...]
    #[command(after_help = "\
Examples:
  $ deriv grad 'x^2*y'
  [2*x*y, x^2]
  $ deriv grad 'x^2*y' --wrt y,x
  [x^2, 2*x*y]
  $ deriv grad 'sum(i=1..3, w[i]*x[i])^2/2' --wrt 'w[*]' --cse
  delta1 = w[1]*x[1] + w[2]*x[2] + w[3]*x[3]
  [delta1*x[1], delta1*x[2], delta1*x[3]]")]
    Grad(VectorArgs),

    /// The Hessian: every second partial, as rows [[∂²f/∂x², ∂²f/∂x∂y], ...]
    #[command(after_help = "\
Examples:
  $ deriv hessian 'x^2*y'
  [[2*y, 2*x], [2*x, 0]]
  $ deriv hessian 'x^2*y' --at x=1,y=3
  [[6, 2], [2, 0]]
  $ deriv hessian 'x*y' --format latex
  \\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}")]
    Hessian(VectorArgs),

    /// The Jacobian of several expressions: one row per expression
    #[command(after_help = "\
Examples:
  $ deriv jacobian 'x*y' 'x+y' --wrt x,y
  [[y, x], [1, 1]]
  $ deriv jacobian 'r*cos(t)' 'r*sin(t)' --wrt r,t
  [[cos(t), -r*sin(t)], [sin(t), r*cos(t)]]")]
    Jacobian(JacobianArgs),

    /// Print an expression in canonical form (with --given, substituted)
    #[command(after_help = "\
Examples:
  $ deriv simplify 'x*y + 2*x*y - x*x^2'
  3*x*y - x^3
  $ deriv simplify '0.25*x' --format latex
  \\frac{x}{4}")]
    Simplify(FormArgs),

    /// Multiply out products of sums and integer powers of sums, and collect like terms
    /// (inside function arguments too)
    #[command(after_help = "\
Examples:
  $ deriv expand '(x+1)^3*(y-2)'
  x^3*y - 2*x^3 + 3*x^2*y - 6*x^2 + 3*x*y - 6*x + y - 2
  $ deriv expand 'sin((a+b)^2)'
  sin(a^2 + 2*a*b + b^2)")]
    Expand(FormArgs),

    /// Factor over the rationals: common factors, square-free parts, rational roots and
    /// irreducible factors of small degree; a fraction's common factors cancelled
    #[command(after_help = "\
Examples:
  $ deriv factor 'x^4-1'
  (x - 1)*(x + 1)*(x^2 + 1)
  $ deriv factor 'x^2*y+x*y^2'
  x*y*(x + y)
  $ deriv factor '(x^2-1)/(x^2+2*x+1)'
  (x - 1)/(x + 1)")]
    Factor(FormArgs),

    /// Expand, then group the terms by the powers of VAR
    #[command(after_help = "\
Examples:
  $ deriv collect 'a*x^2+b*x+c*x^2+x' x
  x^2*(a + c) + x*(b + 1)")]
    Collect(CollectArgs),

    /// The value of an expression at a point (exact when it folds)
    #[command(after_help = "\
Examples:
  $ deriv eval 'x^2 + 1/3' --at x=1/2
  7/12
  $ deriv eval 'sin(x)' --at x=1
  0.8414709848078965")]
    Eval(EvalArgs),

    /// One gradient-descent step: every --wrt parameter θ becomes θ − rate·∂E/∂θ at the
    /// point, printed as `name = value` lines (the --at-file format, so a loop can train)
    #[command(after_help = "\
Examples:
  $ deriv step '(w*x - y)^2/2' --wrt w --rate 0.1 --at w=0,x=1,y=2
  w = 0.2
  x = 1
  y = 2
  $ for i in $(seq 100); do deriv step \"$E\" --wrt 'w[*,*]' --at-file p > q && mv q p; done")]
    Step(StepArgs),
}

#[derive(Args, Debug)]
pub struct ExprArg {
    /// The expression, or `-` to read one expression per line from standard input
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: OsString,
}

/// What the expressions mean beyond their text: constraints and definitions (every
/// computing command and `plot`).
#[derive(Args, Debug, Default, Clone)]
pub struct Setup {
    /// A constraint VAR=EXPR (repeatable): VAR depends on the variables of EXPR
    #[arg(
        long = "given",
        short = 'g',
        value_name = "VAR=EXPR",
        allow_hyphen_values = true
    )]
    pub given: Vec<OsString>,

    /// A definition (repeatable): a constant `a = 2`, a function `phi(s) = 1/(1+exp(-a*s))`,
    /// or a derivative rule `phi'(s) = a*phi(s)*(1-phi(s))` that keeps phi in the result
    #[arg(long = "let", value_name = "DEF", allow_hyphen_values = true)]
    pub lets: Vec<String>,

    /// A file of definitions, one per line, `#` starting a comment (repeatable)
    #[arg(long = "defs", value_name = "FILE")]
    pub defs: Vec<std::path::PathBuf>,
}

/// Options every computing command takes.
#[derive(Args, Debug, Default)]
pub struct Common {
    #[command(flatten)]
    pub setup: Setup,

    /// Evaluate the result at a point: --at x=1,y=2 (values may be expressions: x=pi/2;
    /// w=[1,2] gives w[1] and w[2]); repeatable: --at x=1 --at y=2
    #[arg(long, value_name = "VAR=VALUE,...", allow_hyphen_values = true)]
    pub at: Vec<String>,

    /// Values from a file (`-`: standard input), one `VAR = VALUE` a line (`#` comments;
    /// w[1,2] = 0.5 and w = [[...]] allowed), as if given with --at
    #[arg(long, value_name = "FILE")]
    pub at_file: Option<std::path::PathBuf>,

    /// Name each repeated subexpression once (one binding per line, then the result)
    #[arg(long)]
    pub cse: bool,

    /// Check the derivative numerically (at the --at point, or at random points); exit 1
    /// on a mismatch
    #[arg(long)]
    pub check: bool,

    /// Report operation counts on stderr: the expression's and the result's (the --cse form)
    #[arg(long)]
    pub stats: bool,

    /// Show the derivation before the result: the rule used at each step (partial), the
    /// chain-rule expansion (total), the partials (differential)
    #[arg(long)]
    pub explain: bool,

    /// Write the result as a self-contained function in LANG (c, python, rust, js), shared
    /// subexpressions as local variables and definitions expanded
    #[arg(long, value_enum, value_name = "LANG")]
    pub emit: Option<EmitLang>,
}

#[derive(Args, Debug)]
pub struct PartialArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The variables to differentiate by, in order; repeat one for a higher order
    #[arg(value_name = "VAR", required = true)]
    pub vars: Vec<String>,

    #[command(flatten)]
    pub common: Common,

    /// Substitute the constraints before differentiating (the result is then the total
    /// derivative)
    #[arg(long)]
    pub substitute_first: bool,
}

#[derive(Args, Debug)]
pub struct TotalArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The variable to differentiate by (repeat for a higher derivative: x x)
    #[arg(value_name = "VAR", required = true)]
    pub vars: Vec<String>,

    /// With an implicit relation (--given 'x^2 + y^2 = 1'), the variable it makes depend
    /// on VAR [default: the relation's only other variable]
    #[arg(long, value_name = "VAR")]
    pub dependent: Option<String>,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct FormArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The variable whose powers group the terms
    #[arg(value_name = "VAR")]
    pub var: String,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct VectorArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The variables, in order [default: those of the expression, sorted]; `w[*,*]`
    /// matches every w[i,j] of the expression
    #[arg(long, value_name = "VAR,...", allow_hyphen_values = true)]
    pub wrt: Option<String>,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct JacobianArgs {
    /// The expressions, one row each (write `-- -x ...` for one that starts with `-`)
    #[arg(value_name = "EXPR", required = true)]
    pub exprs: Vec<OsString>,

    /// The variables, in order [default: those of the expressions, sorted]
    #[arg(long, value_name = "VAR,...", allow_hyphen_values = true)]
    pub wrt: Option<String>,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct StepArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The parameters to update (patterns like w[*,*] allowed)
    #[arg(
        long,
        value_name = "VAR,...",
        required = true,
        allow_hyphen_values = true
    )]
    pub wrt: String,

    /// The learning rate η (a number or a constant expression: 1/32)
    #[arg(
        long,
        value_name = "ETA",
        default_value = "0.1",
        allow_hyphen_values = true,
        value_parser = number
    )]
    pub rate: f64,

    /// Samples (as for `train`): the step follows the mean of E over them, and the values
    /// file holds only the parameters
    #[arg(long, value_name = "FILE")]
    pub data: Option<std::path::PathBuf>,

    /// Names for the data's columns, in order (`-` skips one)
    #[arg(long, value_name = "VAR,...", allow_hyphen_values = true)]
    pub columns: Option<String>,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Optimizer {
    /// θ ← θ − rate·g
    Sgd,
    /// v ← momentum·v + g, θ ← θ − rate·v (PyTorch's SGD with momentum)
    Momentum,
    /// Adam (Kingma and Ba), with bias correction
    Adam,
}

/// `--batch N` or `--batch all`.
pub fn batch_size(text: &str) -> Result<usize, String> {
    match text {
        "all" | "full" => Ok(0),
        _ => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err("a number of samples (1 or more) or `all`".into()),
        },
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The loss of one sample, E
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,

    /// The parameters to train (patterns like w[*,*] allowed)
    #[arg(
        long,
        value_name = "VAR,...",
        required = true,
        allow_hyphen_values = true
    )]
    pub wrt: String,

    #[command(flatten)]
    pub setup: Setup,

    /// Values (initial parameters, constants, a single sample): --at w=0.5,b=0
    #[arg(long, value_name = "VAR=VALUE,...", allow_hyphen_values = true)]
    pub at: Vec<String>,

    /// Values from a file (`-`: standard input), one `VAR = VALUE` a line; the trained
    /// parameters are written back in its place, its comments kept
    #[arg(long, value_name = "FILE")]
    pub at_file: Option<std::path::PathBuf>,

    /// The samples: CSV, TSV or whitespace columns, a header naming each (`x[1],x[2],y`);
    /// `-` reads standard input [default: one sample, from the values]
    #[arg(long, value_name = "FILE")]
    pub data: Option<std::path::PathBuf>,

    /// Names for the data's columns, in order (`-` skips one): --columns 'x[1],x[2],y'
    #[arg(long, value_name = "VAR,...", allow_hyphen_values = true)]
    pub columns: Option<String>,

    /// Passes over the data
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub epochs: u64,

    /// The learning rate η (a number or a constant expression: 1/32)
    #[arg(long, value_name = "ETA", default_value = "0.1", allow_hyphen_values = true,
          value_parser = number)]
    pub rate: f64,

    /// Samples per step: 1 (per-sample SGD), N (mini-batches) or `all` (full batch)
    #[arg(long, value_name = "N|all", default_value = "1", value_parser = batch_size)]
    pub batch: usize,

    /// Shuffle the samples each epoch, and draw parameters without a value uniformly in
    /// [-init, init], from this seed
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// With --seed: keep the data's order (the seed only draws initial values)
    #[arg(long)]
    pub no_shuffle: bool,

    /// The range of seeded initial values: uniform in [-INIT, INIT]
    #[arg(long, value_name = "INIT", default_value = "0.5", value_parser = number)]
    pub init: f64,

    #[arg(long, value_enum, default_value = "sgd")]
    pub optimizer: Optimizer,

    /// `--optimizer momentum`: the momentum μ
    #[arg(long, value_name = "MU", default_value = "0.9", value_parser = number)]
    pub momentum: f64,

    /// `--optimizer adam`: the decay of the mean of the gradients
    #[arg(long, value_name = "B1", default_value = "0.9", value_parser = number)]
    pub beta1: f64,

    /// `--optimizer adam`: the decay of the mean of their squares
    #[arg(long, value_name = "B2", default_value = "0.999", value_parser = number)]
    pub beta2: f64,

    /// `--optimizer adam`: added to the root of the squares' mean
    #[arg(long, value_name = "EPS", default_value = "1e-8", value_parser = number)]
    pub epsilon: f64,

    /// Write the trained parameters to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,

    /// Report every N-th epoch (and the last)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub every: u64,

    /// Draw the loss curve on stderr when training ends
    #[arg(long)]
    pub plot: bool,

    /// Write the loss curve as an SVG figure to FILE
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Args, Debug)]
pub struct HelpArgs {
    /// A command, or a topic (`topics` lists them)
    #[arg(value_name = "TOPIC")]
    pub topic: Option<String>,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write every page into DIR (created if missing): deriv.1 and deriv-COMMAND.1 for
    /// each command, instead of printing deriv.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// The function to draw, of one variable
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,

    /// The variable along the horizontal axis
    #[arg(value_name = "VAR")]
    pub var: String,

    #[command(flatten)]
    pub setup: Setup,

    /// Where the plot starts (a number or a constant expression: -pi)
    #[arg(
        long,
        value_name = "X",
        default_value = "-5",
        allow_hyphen_values = true
    )]
    pub from: String,

    /// Where the plot ends
    #[arg(
        long,
        value_name = "X",
        default_value = "5",
        allow_hyphen_values = true
    )]
    pub to: String,

    /// Also draw the tangent line at this point
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub at: Option<String>,

    /// Write an SVG figure to FILE instead of drawing in the terminal
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,

    /// Width in terminal columns [default: 64], or in pixels with --svg [default: 640]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(8..=4000))]
    pub width: Option<u32>,

    /// Height in terminal rows [default: 16], or in pixels with --svg [default: 400]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(4..=4000))]
    pub height: Option<u32>,
}
