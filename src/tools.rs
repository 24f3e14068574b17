//! Commands that are not computations: shell completions, the man page, the interactive
//! session and plots. They share the command line with the computing commands.

use crate::cli::Cli;
use crate::commands::Terminal;
use std::io::{self, BufRead, Write};

/// Runs `cli` if it names a tool; `None` hands it to the computing commands.
pub fn run_tool(
    cli: &Cli,
    term: &Terminal,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Option<io::Result<i32>> {
    let _ = (cli, term, stdin, out, err);
    None
}
