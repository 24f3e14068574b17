//! The harness the CLI test files share: run the built `deriv` as a user does, from a clean
//! environment for the variables it reads (`NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`), and
//! state what a run must print, spec-style: `deriv(&[...]).stdin(...).prints("...")`.
#![allow(dead_code)] // each test file uses its own part

pub mod exprgen;
pub mod numeric;

use std::io::Write;
use std::process::{Command, Stdio};

/// One run of the binary: what it printed and how it ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// A command to run, built up before it runs.
pub struct Deriv {
    pub args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
}

pub fn deriv(args: &[&str]) -> Deriv {
    Deriv {
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: None,
        env: Vec::new(),
    }
}

impl Deriv {
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Deriv {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Deriv {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deriv"));
        cmd.args(&self.args)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(self) -> Output {
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the deriv binary runs");
        let writer = self.stdin.map(|bytes| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A thread, so a large input cannot deadlock against a full stdout pipe.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let out = child.wait_with_output().expect("deriv finishes");
        if let Some(w) = writer {
            w.join().expect("stdin writer");
        }
        Output {
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
            code: out
                .status
                .code()
                .expect("deriv exits normally, not by a signal"),
        }
    }

    /// Expects exit 0, exactly `stdout` (plus a newline) and an empty stderr.
    pub fn prints(self, stdout: &str) -> Output {
        let shown = format!("deriv {:?}", self.args);
        let o = self.run();
        assert_eq!(o.code, 0, "{shown}: exit status\n{o:#?}");
        assert_eq!(o.stdout, format!("{stdout}\n"), "{shown}: stdout\n{o:#?}");
        assert_eq!(o.stderr, "", "{shown}: stderr\n{o:#?}");
        o
    }

    /// Expects the exit status `code`, nothing on stdout, an explanation on stderr.
    pub fn fails(self, code: i32) -> Output {
        let shown = format!("deriv {:?}", self.args);
        let o = self.run();
        assert_eq!(o.code, code, "{shown}: exit status\n{o:#?}");
        assert_eq!(o.stdout, "", "{shown}: stdout must be empty\n{o:#?}");
        assert!(!o.stderr.is_empty(), "{shown}: stderr must explain\n{o:#?}");
        assert!(!o.stderr.contains("panicked"), "{shown}: panic\n{o:#?}");
        o
    }

    /// `fails`, and the explanation contains `message`.
    pub fn fails_with(self, code: i32, message: &str) -> Output {
        let shown = format!("deriv {:?}", self.args);
        let o = self.fails(code);
        assert!(
            o.stderr.contains(message),
            "{shown}: stderr must contain {message:?}\n{o:#?}"
        );
        o
    }
}
