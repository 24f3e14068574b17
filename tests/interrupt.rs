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

#[test]
fn ctrl_c_stops_the_computation_and_the_session_goes_on() {
    if cpu_ticks(std::process::id()).is_none() {
        eprintln!(
            "skipped: /proc/PID/stat cannot be read, so the test cannot tell when deriv computes"
        );
        return;
    }
    let mut child = deriv(&["repl"])
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("deriv repl runs");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
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

    // State to keep: a definition and `ans`.
    writeln!(stdin, ":let a = 2\nsimplify x").unwrap();
    assert_eq!(rx.recv_timeout(wait).expect("an answer"), "x");
    // x^x differentiated 60 times builds nodes for minutes; wait until deriv has used CPU
    // on it (at the prompt it uses none), so the signal finds it computing.
    let idle = cpu_ticks(pid).expect("deriv's CPU time");
    let by_x = vec!["x"; 60].join(" ");
    writeln!(stdin, "partial x^x {by_x}").unwrap();
    let start = Instant::now();
    while cpu_ticks(pid).is_some_and(|t| t < idle + 20) {
        assert!(start.elapsed() < wait, "deriv did not start computing");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let interrupted = Instant::now();
    writeln!(stdin, "simplify a*ans").unwrap();
    let next = rx.recv_timeout(wait);
    let stopped_after = interrupted.elapsed();
    drop(stdin);
    let status = child.wait().expect("deriv ends");
    let errors = errors.join().unwrap();
    assert_eq!(
        next.as_deref(),
        Ok("2*x"),
        "the session must go on with its state after Ctrl-C; {status:?}\nstderr: {errors}"
    );
    assert!(errors.contains("interrupted"), "stderr: {errors}");
    // The failed line makes the exit status 1, as any failed line of a piped session.
    assert_eq!(status.code(), Some(1), "{status:?}");
    eprintln!("the computation stopped {stopped_after:?} after the signal");
}
