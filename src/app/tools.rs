//! Commands that compute nothing: shell completions, the syntax card and
//! help on commands and on the guide's topics (the pages of docs/, built in).

use super::cli::Cli;
use clap::CommandFactory;
use std::io::{self, Write};

/// The expression language on one screen (`deriv syntax`); `deriv help syntax` has the details.
pub const SYNTAX: &str = "\
The expression language (`deriv help syntax` has the details)

Precedence, loosest first (the rules of grammar/deriv.pest):
  sum       a + b   a - b        left-associative
  product   a * b   a / b        left-associative: a/b*c is (a/b)*c
  sign      -a   +a              looser than power: -x^2 is -(x^2)
  power     a ^ b   a ** b       right-associative: 2^3^2 is 2^9; x^-2 allowed
  implicit  4pi  2x  3(x+1)      a number right before a name or `(`, no space;
                                 a power follows whole: 3x^2 = 3*(x^2)
  atom      number, name, call f(a, b), f'(a), D[1,2](g)(a, b), (a)
Numbers    exact rationals of any size: 3  0.25 (= 1/4)  .5  1e-3  2.5E+7  3/4
Constants  pi (also π), e            (2e is 2*e, 2e3 is 2000)
Variables  x  theta_1  w2_3  θ  Δx   (a letter or _, then letters, digits, _)
Indexed    w[1]  w[i,j]  sum(i=1..n, w[i]*x[i])   (a sum over i = 1, ..., n)
Functions  sin cos tan sec csc cot asin acos atan sinh cosh tanh
           asinh acosh atanh exp log ln log2 log10 sqrt erf
           sigmoid softplus                    (one argument; ln is log)
           abs relu heaviside sign floor ceil  (with a kink or a jump)
           log(x, b)  atan2(y, x)              (two arguments)
           max(a, b, ...)  min(a, b, ...)  logsumexp(a, b, ...)
Unknown    any other name before `(`: f(x), g(x, y), by the chain rule
           f'(u), f''(u)       derivatives of a one-argument f, at u
           D[1](g)(u, v)       ∂g/∂(first argument), at (u, v)
           D[1,2](g)(u, v)     ∂²g/∂(first)∂(second), at (u, v)
Products   only after a number: write x*y, (x+1)*(x-1); x(y) calls a function x
Spaces     allowed between tokens, not in an implicit product: `2 x` is an error
Unicode    --format unicode output reads back: x·y x×y x−y x² x⁻¹ √x |x| ⌊x⌋
           f′(x) ∂₁∂₂g(x, y) θ₁  (a Greek letter is its name: θ₁ is theta_1)

Quote expressions in the shell: deriv partial 'x^2*y' x
";

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<i32> {
    clap_complete::generate(shell, &mut Cli::command(), "deriv", out);
    Ok(0)
}

/// The guide's pages, by topic: docs/*.md as they are in the repository.
pub const TOPICS: [(&str, &str, &str); 12] = [
    (
        "tutorial",
        "a ten-minute walk through the main ideas",
        include_str!("../../docs/tutorial.md"),
    ),
    (
        "syntax",
        "the expression language",
        include_str!("../../docs/syntax.md"),
    ),
    (
        "commands",
        "every command, option, exit status and variable",
        include_str!("../../docs/commands.md"),
    ),
    (
        "meaning",
        "∂ versus d, constraints, and the warning",
        include_str!("../../docs/meaning.md"),
    ),
    (
        "formats",
        "plain, Unicode, LaTeX and JSON output",
        include_str!("../../docs/formats.md"),
    ),
    (
        "definitions",
        "--let, --defs and derivative rules",
        include_str!("../../docs/definitions.md"),
    ),
    (
        "backprop",
        "the gradient of a neural network, step by step",
        include_str!("../../docs/backprop.md"),
    ),
    (
        "codegen",
        "--emit: a result as code in C, Python, Rust or JavaScript",
        include_str!("../../docs/codegen.md"),
    ),
    (
        "session",
        "the interactive session",
        include_str!("../../docs/session.md"),
    ),
    (
        "plot",
        "plots of f and f′",
        include_str!("../../docs/plot.md"),
    ),
    (
        "parallel",
        "a large batch over cores and machines (GNU parallel)",
        include_str!("../../docs/parallel.md"),
    ),
    (
        "limits",
        "every limit and what happens at it",
        include_str!("../../docs/limits.md"),
    ),
];

/// `deriv help [TOPIC]`: the main help, a command's help, or a page of the guide.
pub fn help(
    topic: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> io::Result<i32> {
    let mut cli = Cli::command();
    cli.build();
    let Some(topic) = topic else {
        write!(out, "{}", cli.render_long_help())?;
        return Ok(0);
    };
    if topic == "topics" {
        writeln!(out, "Topics of the guide (deriv help TOPIC):")?;
        for (name, what, _) in TOPICS {
            writeln!(out, "  {name:<12} {what}")?;
        }
        writeln!(
            out,
            "and every command: deriv help partial, deriv help total, ..."
        )?;
        return Ok(0);
    }
    // A topic first: `syntax` and `plot` are commands too, and their page says more.
    if let Some((_, _, text)) = TOPICS.iter().find(|(name, _, _)| *name == topic) {
        out.write_all(text.as_bytes())?;
        return Ok(0);
    }
    if let Some(sub) = cli.find_subcommand_mut(topic) {
        write!(out, "{}", sub.render_long_help())?;
        return Ok(0);
    }
    let names: Vec<&str> = TOPICS.iter().map(|(n, _, _)| *n).collect();
    let d =
        deriv::diagnostic::Diagnostic::error(format!("`{topic}` is neither a command nor a topic"))
            .with_note(format!(
                "the topics are {}; `deriv --help` lists the commands",
                names.join(", ")
            ));
    err.write_all(d.render(color).as_bytes())?;
    Ok(2)
}

pub fn syntax(out: &mut dyn Write) -> io::Result<i32> {
    out.write_all(SYNTAX.as_bytes())?;
    Ok(0)
}
