//! The binary: parse arguments, run the library on a thread with a large stack, and map
//! the outcome to an exit status (0 ok, 1 input rejected, 2 usage error).

use clap::Parser;
use deriv::cli::Cli;
use deriv::commands::{Terminal, run};
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};

fn main() {
    // `deriv` alone on a terminal starts the session; otherwise clap prints the help.
    let parsed = if std::env::args_os().len() == 1 && io::stdin().is_terminal() {
        Cli::try_parse_from(["deriv", "repl"])
    } else {
        Cli::try_parse()
    };
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    let term = Terminal {
        stdout_is_tty: io::stdout().is_terminal(),
        stderr_is_tty: io::stderr().is_terminal(),
        no_color: env_set("NO_COLOR"),
        clicolor_force: env_set("CLICOLOR_FORCE")
            && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
    };
    let worker = std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = BufReader::with_capacity(1 << 16, stdin.lock());
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let mut err = io::stderr().lock();
            let r = run(cli, &term, &mut input, &mut out, &mut err);
            let r = r.and_then(|code| out.flush().map(|_| code));
            match r {
                Ok(code) => code,
                // `deriv ... | head -1`: a closed pipe ends quietly.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    1
                }
            }
        });
    let code = match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report it)");
            1
        }
    };
    std::process::exit(code);
}

// The canonical constructors allocate many small, short-lived vectors; mimalloc serves
// them about twice as fast as the system allocator (see docs/architecture.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
