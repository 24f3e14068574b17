//! Ctrl-C in a session: it stops the computation in progress, and the session goes on
//! with its definitions and `ans` (it used to end the whole session).

use crate::common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The CPU time a process has used, in clock ticks (Linux's /proc), if it can be read.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces) start with the state,
    // field 3; utime is field 14.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(11)?.parse().ok()
}

/// A piped session: its stdin, its stdout lines as they come, its stderr when it ends.
struct Session {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    lines: mpsc::Receiver<String>,
    errors: std::thread::JoinHandle<String>,
    wait: Duration,
}

impl Session {
    /// A session, or `None` when /proc/PID/stat cannot be read (the test cannot then tell
    /// when deriv computes).
    fn start() -> Option<Session> {
        if cpu_ticks(std::process::id()).is_none() {
            eprintln!(
                "skipped: /proc/PID/stat cannot be read, so the test cannot tell when deriv computes"
            );
            return None;
        }
        let mut child = deriv(&["repl"])
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("deriv repl runs");
        let stdin = child.stdin.take().unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let errors = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let wait = Duration::from_secs_f64(30.0 * slack());
        Some(Session {
            child,
            stdin,
            lines,
            errors,
            wait,
        })
    }

    /// Types `line`, waits until deriv has used `ticks` more of CPU on it (at the prompt it
    /// uses none, so the signal finds it at work), and sends Ctrl-C (SIGINT).
    fn interrupt_after(&mut self, line: &str, ticks: u64) -> Instant {
        let pid = self.child.id();
        let idle = cpu_ticks(pid).expect("deriv's CPU time");
        writeln!(self.stdin, "{line}").unwrap();
        let start = Instant::now();
        while cpu_ticks(pid).is_some_and(|t| t < idle + ticks) {
            assert!(start.elapsed() < self.wait, "deriv did not start computing");
            std::thread::sleep(Duration::from_millis(20));
        }
        let sent = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        Instant::now()
    }

    /// The session's peak resident memory in KiB (VmHWM in /proc), if it can be read.
    fn peak_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Types `line` and expects the session to answer `answer` (it goes on, with its state),
    /// the interrupted line to have failed, and the session to end with exit 1 as any
    /// piped session with a failed line does.
    fn goes_on(mut self, line: &str, answer: &str, interrupted: Instant) {
        writeln!(self.stdin, "{line}").unwrap();
        let next = self.lines.recv_timeout(self.wait);
        let stopped_after = interrupted.elapsed();
        drop(self.stdin);
        let status = self.child.wait().expect("deriv ends");
        let errors = self.errors.join().unwrap();
        assert_eq!(
            next.as_deref(),
            Ok(answer),
            "the session must go on with its state after Ctrl-C; {status:?}\nstderr: {errors}"
        );
        assert!(errors.contains("interrupted"), "stderr: {errors}");
        assert_eq!(status.code(), Some(1), "{status:?}");
        eprintln!("the work stopped {stopped_after:?} after the signal");
    }
}

#[test]
fn ctrl_c_stops_the_computation_and_the_session_goes_on() {
    let Some(mut session) = Session::start() else {
        return;
    };
    // State to keep: a definition and `ans`.
    writeln!(session.stdin, ":let a = 2\nsimplify x").unwrap();
    assert_eq!(
        session.lines.recv_timeout(session.wait).expect("an answer"),
        "x"
    );
    // x^x differentiated 300 times builds nodes for a minute or more.
    let by_x = vec!["x"; 300].join(" ");
    let sent = session.interrupt_after(&format!("partial x^x {by_x}"), 20);
    session.goes_on("simplify a*ans", "2*x", sent);
}

/// Printing builds no node, so it looks for Ctrl-C itself: the derivative of sin nested
/// 19,000 deep is found in 0.1 s but prints as 180 million nodes (6 s); the signal after
/// 0.4 s of CPU finds it printing, and nothing of the cut text is shown. Printed to its end
/// (the text is 580 MB, written for the answer and again for `ans`) the session's peak is
/// 2.7 GB; stopped, it stays under 1 GB (measured as memory, not time, so a slow machine
/// does not change the verdict).
#[test]
fn ctrl_c_stops_printing_a_huge_result() {
    let Some(mut session) = Session::start() else {
        return;
    };
    let nested = format!("{}x{}", "sin(".repeat(19_000), ")".repeat(19_000));
    let sent = session.interrupt_after(&format!("partial {nested} x"), 40);
    writeln!(session.stdin, "simplify 2*y").unwrap();
    let next = session.lines.recv_timeout(session.wait);
    assert_eq!(next.as_deref(), Ok("2*y"));
    if let Some(peak) = session.peak_kib() {
        assert!(
            peak < 1 << 20,
            "peak {peak} KiB: printing went on after Ctrl-C"
        );
    }
    session.goes_on("simplify 3*y", "3*y", sent);
}
