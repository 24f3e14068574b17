//! Commands that are not computations: shell completions, the man page, the syntax card,
//! the interactive session and plots. They share the command line with the computing
//! commands, and `commands::run` hands them here first.

use crate::cli::{Cli, Command};
use crate::commands::Terminal;
use clap::CommandFactory;
use std::io::{self, BufRead, Write};

/// The expression language on one screen (`deriv syntax`); docs/syntax.md has the details.
pub const SYNTAX: &str = "\
The expression language (docs/syntax.md has the details)

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
Functions  sin cos tan sec csc cot asin acos atan sinh cosh tanh
           exp log ln sqrt abs sigmoid        (one argument each; ln is log)
Unknown    any other name before `(`: f(x), g(x, y), by the chain rule
           f'(u), f''(u)       derivatives of a one-argument f, at u
           D[1](g)(u, v)       ∂g/∂(first argument), at (u, v)
           D[1,2](g)(u, v)     ∂²g/∂(first)∂(second), at (u, v)
Products   only after a number: `x y`, `(x+1)(x-1)` and `x(y)` are not products
           (x(y) calls an unknown function x); write x*y, (x+1)*(x-1), x*(y)
Spaces     allowed between tokens, not in an implicit product: `2 x` is an error
Unicode    what --format unicode prints reads back: x·y x×y x−y x² x⁻¹ √x |x|
           f′(x) ∂₁∂₂g(x, y) θ₁  (a Greek letter is its name: θ₁ is theta_1)

Quote expressions in the shell: deriv partial 'x^2*y' x
";

/// Runs `cli` if it names a tool; `None` hands it to the computing commands.
pub fn run_tool(
    cli: &Cli,
    term: &Terminal,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Option<io::Result<i32>> {
    Some(match &cli.command {
        Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut Cli::command(), "deriv", out);
            Ok(0)
        }
        Command::Man => man(out),
        Command::Syntax => out.write_all(SYNTAX.as_bytes()).map(|_| 0),
        Command::Repl => crate::repl::run(&cli.global, term, stdin, out, err),
        Command::Plot(a) => crate::plot::run(a, &cli.global, term, out, err),
        _ => return None,
    })
}

fn man(out: &mut dyn Write) -> io::Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    out.write_all(&buf)?;
    Ok(0)
}
