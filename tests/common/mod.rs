//! The one way the tests run deriv: the built binary, as a user runs it, from a clean
//! environment for the variables it reads (`NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`), stated
//! spec-style: `deriv(&[...]).stdin(...).prints("...")`. Also the shell for the docs' and
//! the help's examples, fresh temporary directories, and readers for deriv's output.
#![allow(dead_code)] // each test module uses its own part

pub mod exprgen;
pub mod numeric;

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One run of the binary, as text: what it printed and how it ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// One run of the binary as it came: bytes that need not be text, and any ending, a
/// signal included (for tests that judge crashes themselves).
#[derive(Debug)]
pub struct RawOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: ExitStatus,
    pub elapsed: Duration,
}

/// A command to run, built up before it runs.
pub struct Deriv {
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    env: Vec<(OsString, OsString)>,
    budget: Option<Duration>,
}

/// `deriv ARGS`; arguments need not be UTF-8.
pub fn deriv<S: AsRef<OsStr>>(args: &[S]) -> Deriv {
    Deriv {
        args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
        stdin: None,
        env: Vec::new(),
        budget: None,
    }
}

/// The multiplier for the time budgets of tests that bound a run's time (a loaded
/// machine, a debug build): `DERIV_LIMITS_SLACK`, else 1 for a release build and 10 for a
/// debug build, which is several times slower.
pub fn slack() -> f64 {
    let default = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
    std::env::var("DERIV_LIMITS_SLACK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// `sh -c COMMAND` with the built deriv first on `PATH` and the same clean environment,
/// for examples written as a user types them (the docs, `--help`).
pub fn shell(command: &str) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_deriv"));
    let dir = bin.parent().expect("the binary is in a directory");
    let path = std::env::join_paths(
        std::iter::once(dir.to_path_buf()).chain(
            std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths),
        ),
    )
    .expect("PATH is joinable");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).env("PATH", path);
    clean(&mut cmd);
    cmd
}

fn clean(cmd: &mut Command) {
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
}

/// A fresh directory under the system's temporary folder, removed when dropped: the files
/// a test writes cannot meet another test's or another run's.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix("deriv-test-")
            .tempdir()
            .expect("a temporary directory");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The path of `name` in the directory (not created).
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// `name` in the directory, written with `contents`.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, contents).expect("a temporary file is writable");
        path
    }
}

/// One line of JSON output, parsed.
pub fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// A number as deriv prints a value: a decimal, an integer or an exact fraction p/q.
pub fn number(text: &str) -> f64 {
    let t = text.trim();
    match t.split_once('/') {
        Some((p, q)) => p.parse::<f64>().unwrap() / q.parse::<f64>().unwrap(),
        None => t
            .parse()
            .unwrap_or_else(|e| panic!("not a number ({e}): {t:?}")),
    }
}

/// Every subcommand, as `deriv --help` lists them.
pub fn subcommands() -> Vec<String> {
    let help = deriv(&["--help"]).run().stdout;
    help.split("Commands:")
        .nth(1)
        .expect("a Commands: section")
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // (a description's second line is indented further)
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The subcommands that compute from expressions (all but the tools).
pub fn computing_commands() -> Vec<String> {
    let tools = ["completions", "man", "syntax", "repl", "plot"];
    subcommands()
        .into_iter()
        .filter(|c| !tools.contains(&c.as_str()))
        .collect()
}

impl Deriv {
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Deriv {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Deriv {
        self.env.push((key.into(), value.as_ref().to_owned()));
        self
    }

    /// A watchdog: a run still going after `budget` is killed and fails the test.
    pub fn within(mut self, budget: Duration) -> Deriv {
        self.budget = Some(budget);
        self
    }

    /// `deriv [ARGS]` for messages, each long argument cut short.
    pub fn shown(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                let a = a.to_string_lossy();
                let head: String = a.chars().take(80).collect();
                if head.len() < a.len() {
                    format!("{head}… ({} bytes)", a.len())
                } else {
                    head
                }
            })
            .collect();
        format!("deriv {args:?}")
    }

    /// The process, not yet started, for a test that drives its pipes itself.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deriv"));
        cmd.args(&self.args);
        clean(&mut cmd);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs to the end (or to the budget), whatever the output and the ending.
    pub fn run_raw(self) -> RawOutput {
        let shown = self.shown();
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = cmd.spawn().expect("the deriv binary runs");
        // Threads on every pipe, so a large input cannot deadlock against a full output pipe.
        let writer = self.stdin.map(|bytes| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let stdout = drain(child.stdout.take().expect("stdout is piped"));
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let status = wait(&mut child, self.budget, start, &shown);
        let elapsed = start.elapsed();
        if let Some(w) = writer {
            w.join().expect("stdin writer");
        }
        RawOutput {
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
            status,
            elapsed,
        }
    }

    /// Runs to the end; deriv must exit normally, print UTF-8 and not panic.
    pub fn run(self) -> Output {
        let shown = self.shown();
        let raw = self.run_raw();
        let o = Output {
            stdout: String::from_utf8(raw.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(raw.stderr).expect("stderr is UTF-8"),
            code: raw.status.code().unwrap_or_else(|| {
                panic!("{shown}: ended by a signal, not an exit ({})", raw.status)
            }),
        };
        assert!(!o.stderr.contains("panicked"), "{shown}: panic\n{o:#?}");
        o
    }

    /// Expects exit 0, exactly `stdout` (plus a newline) and an empty stderr.
    pub fn prints(self, stdout: &str) -> Output {
        let shown = self.shown();
        let o = self.run();
        assert_eq!(o.code, 0, "{shown}: exit status\n{o:#?}");
        assert_eq!(o.stdout, format!("{stdout}\n"), "{shown}: stdout\n{o:#?}");
        assert_eq!(o.stderr, "", "{shown}: stderr\n{o:#?}");
        o
    }

    /// Expects the exit status `code`, nothing on stdout, an explanation on stderr.
    pub fn fails(self, code: i32) -> Output {
        let shown = self.shown();
        let o = self.run();
        assert_eq!(o.code, code, "{shown}: exit status\n{o:#?}");
        assert_eq!(o.stdout, "", "{shown}: stdout must be empty\n{o:#?}");
        assert!(!o.stderr.is_empty(), "{shown}: stderr must explain\n{o:#?}");
        o
    }

    /// `fails`, and the explanation contains `message`.
    pub fn fails_with(self, code: i32, message: &str) -> Output {
        let shown = self.shown();
        let o = self.fails(code);
        assert!(
            o.stderr.contains(message),
            "{shown}: stderr must contain {message:?}\n{o:#?}"
        );
        o
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = pipe.read_to_end(&mut v);
        v
    })
}

fn wait(child: &mut Child, budget: Option<Duration>, start: Instant, shown: &str) -> ExitStatus {
    let Some(limit) = budget else {
        return child.wait().expect("deriv finishes");
    };
    loop {
        if let Some(status) = child.try_wait().expect("wait for deriv") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{shown}: still running after {:.0} s (killed)",
                limit.as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
