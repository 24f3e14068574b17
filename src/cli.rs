//! The command line: clap definitions, kept apart from the work they request.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;

const EXAMPLES: &str = "\
Examples:
  deriv partial '4*pi/3*t*x*y' x               ∂f/∂x, every other variable constant
  deriv total '4*pi/3*t*x*y' x --given t=x     df/dx, following t = x
  deriv partial 'x^3*y^2' x x y                a higher, mixed partial
  deriv partial - x < exprs.txt                one expression per line, one answer per line
  deriv partial \"$(deriv partial 'x^3*y^2' x)\" y   plain output reads back in

Run `deriv help partial` for one command; docs/ has the guide.";

#[derive(Parser, Debug)]
#[command(
    name = "deriv",
    version,
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
    #[arg(long, global = true, value_name = "N", default_value_t = crate::expr::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// ASCII that deriv reads back: 4*pi*t*y/3
    Plain,
    /// For people: 4π·t·y/3
    Unicode,
    /// For documents: \frac{4 \pi t y}{3}
    Latex,
    /// One object (per line, with `-`) holding every form and the warnings
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
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
  8*pi*x*y/3")]
    Partial(PartialArgs),

    /// df/dx: follows every dependency given with --given (chained and transitive)
    #[command(after_help = "\
Examples:
  $ deriv total '4*pi/3*t*x*y' x --given t=x
  8*pi*x*y/3
  $ deriv total 'x*s' x --given s=t+x --given t=x^2
  3*x^2 + 2*x")]
    Total(TotalArgs),

    /// Print an expression in canonical form (with --given, substituted)
    #[command(after_help = "\
Examples:
  $ deriv simplify 'x*y + 2*x*y - x*x^2'
  -x^3 + 3*x*y
  $ deriv simplify '0.25*x' --format latex
  \\frac{x}{4}")]
    Simplify(SimplifyArgs),
}

#[derive(Args, Debug)]
pub struct ExprArg {
    /// The expression, or `-` to read one expression per line from standard input
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: OsString,
}

#[derive(Args, Debug)]
pub struct GivenArgs {
    /// A constraint VAR=EXPR (repeatable): VAR depends on the variables of EXPR
    #[arg(
        long = "given",
        short = 'g',
        value_name = "VAR=EXPR",
        allow_hyphen_values = true
    )]
    pub given: Vec<OsString>,
}

#[derive(Args, Debug)]
pub struct PartialArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    /// The variables to differentiate by, in order; repeat one for a higher order
    #[arg(value_name = "VAR", required = true)]
    pub vars: Vec<String>,

    #[command(flatten)]
    pub given: GivenArgs,

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

    #[command(flatten)]
    pub given: GivenArgs,
}

#[derive(Args, Debug)]
pub struct SimplifyArgs {
    #[command(flatten)]
    pub expr: ExprArg,

    #[command(flatten)]
    pub given: GivenArgs,
}
