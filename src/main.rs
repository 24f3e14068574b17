//! The binary: the application (`app`) around the engine (the `deriv` library). Parses the
//! arguments, runs the request on a thread with a large stack, and exits with its status
//! (0 ok, 1 input rejected, 2 usage error).

mod app;

use app::settings::Terminal;
use std::io::{self, BufReader, BufWriter, Write};

fn main() {
    let term = Terminal::detect();
    // A result nobody receives (`deriv ... >&-`) must not end with exit 0.
    let stdout_open = !closed_stdout::AT_START.load(std::sync::atomic::Ordering::Relaxed);
    // `deriv` alone on a terminal starts the session; otherwise clap prints the help.
    let parsed = if std::env::args_os().len() == 1 && term.stdin_is_tty {
        app::cli::parse(["deriv", "repl"])
    } else {
        app::cli::parse(std::env::args_os())
    };
    let (cli, name) = match parsed {
        Ok(c) => c,
        Err(e) => std::process::exit(app::refused::report(
            &e,
            term.auto_color(term.stdout_is_tty),
            term.auto_color(term.stderr_is_tty),
            stdout_open,
        )),
    };
    let worker = std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = BufReader::with_capacity(1 << 16, stdin.lock());
            let mut out: Box<dyn Write> = match stdout_open {
                true => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
                false => Box::new(Closed),
            };
            let mut err = io::stderr().lock();
            let r = app::run(cli, name, &term, &mut input, &mut out, &mut err);
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

/// Whether standard output was closed when the process started. Rust's runtime opens
/// /dev/null in place of a closed standard stream before `main`, so this looks first, from
/// the program's initialisers (which run before the runtime's set-up).
mod closed_stdout {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static AT_START: AtomicBool = AtomicBool::new(false);

    extern "C" fn look() {
        // SAFETY: fd 1 is only borrowed for the duration of the duplication attempt.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(1) };
        AT_START.store(fd.try_clone_to_owned().is_err(), Ordering::Relaxed);
    }

    #[cfg(target_os = "linux")]
    #[used]
    #[unsafe(link_section = ".init_array")]
    static LOOK: extern "C" fn() = look;
}

/// Standard output when it is closed: every write fails, so the error is reported.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("standard output is closed"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// The canonical constructors allocate many small, short-lived vectors; mimalloc serves
// them about twice as fast as the system allocator (see docs/architecture.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
