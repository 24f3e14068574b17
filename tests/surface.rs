//! The whole command surface under attack: every computing command × its options
//! (formats, --cse, --at, --at-file, --given, --let, --defs, --strict, --check, --stats,
//! --explain, --emit, higher orders) × random and hostile expressions, plus step, train,
//! plot and the session. Whatever the mix, deriv keeps its promise: exit 0 or 1 (never a
//! signal, a panic or 101), an exit 1 explained by an `error` line on stderr, one output
//! line per input line in batch mode, and an end within a generous bound.
//!
//! The cases come from a fixed seed, so a failure is reproduced by running the test again;
//! every finding is collected and printed with the exact command before the test fails.
//! Batches carry many lines per process so the spawns stay few.

use crate::common::exprgen::expr_at;
use crate::common::*;
use crate::hostile::{hostile_expr, sample, token_soup};
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A run still going after this is killed and reported as unbounded.
fn bound() -> Duration {
    Duration::from_secs_f64(30.0 * slack())
}

/// Keeps the random blow-ups (x^x^x differentiated three times) quick; the budget itself is
/// tested in tests/limits.rs.
const MAX_NODES: &str = "50000";

/// Lines per batch process.
const LINES: usize = 60;

/// How a run ended, or `None` if it was killed at the bound.
struct Ended {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs deriv with `args` (and `stdin`), killed at the bound.
fn run(args: &[String], stdin: Option<&[u8]>) -> Option<Ended> {
    let mut cmd = deriv(args).command();
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the deriv binary runs");
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = pipe.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let err = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for deriv") {
            break Some(s);
        }
        if start.elapsed() > bound() {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    use std::os::unix::process::ExitStatusExt;
    status.map(|s| Ended {
        code: s.code(),
        signal: s.signal(),
        stdout,
        stderr,
    })
}

/// `deriv ARGS` as a person would type it (long arguments cut), for the report.
fn shown(args: &[String], stdin_lines: Option<usize>) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| {
            let head: String = a.chars().take(120).collect();
            format!("'{}'", head.replace('\'', r"'\''"))
        })
        .collect();
    match stdin_lines {
        Some(n) => format!("deriv {} < ({n} lines)", words.join(" ")),
        None => format!("deriv {}", words.join(" ")),
    }
}

/// What one run broke of the promise (empty: nothing).
fn judge(args: &[String], stdin: Option<&[String]>) -> Vec<String> {
    let input = stdin.map(|lines| {
        let mut t = lines.join("\n").into_bytes();
        t.push(b'\n');
        t
    });
    let what = shown(args, stdin.map(<[String]>::len));
    let Some(e) = run(args, input.as_deref()) else {
        let lines = stdin.map(|l| l.join("\n")).unwrap_or_default();
        return vec![format!(
            "{what}: unbounded (killed after {:.0} s)\n  stdin: {}",
            bound().as_secs_f64(),
            excerpt(&lines)
        )];
    };
    let mut found = Vec::new();
    let stderr = plain(&e.stderr);
    let tail = || format!("\n  stderr: {}", excerpt(&stderr));
    match (e.code, e.signal) {
        (Some(0 | 1), _) => {}
        (code, signal) => found.push(format!(
            "{what}: ended with exit {code:?}, signal {signal:?}{}",
            tail()
        )),
    }
    for bad in ["panicked", "internal failure", "overflowed"] {
        if stderr.contains(bad) {
            found.push(format!("{what}: `{bad}` on stderr{}", tail()));
        }
    }
    if e.code == Some(1) && !stderr.lines().any(|l| l.starts_with("error")) {
        found.push(format!("{what}: exit 1 without an `error` line{}", tail()));
    }
    if let Some(lines) = stdin {
        let got = e.stdout.split_terminator('\n').count();
        let ended = e.stdout.is_empty() || e.stdout.ends_with('\n');
        // An option refused (a circular --given, a --let that does not parse) refuses the
        // whole run before any line, with exit 1 and its error.
        let whole_run_refused = got == 0 && e.code == Some(1);
        if (got != lines.len() && !whole_run_refused) || !ended {
            found.push(format!(
                "{what}: {got} output lines for {} input lines{}",
                lines.len(),
                tail()
            ));
        }
        if args.iter().any(|a| a == "json") {
            for (l, text) in e.stdout.lines().zip(lines) {
                // A blank or comment line keeps its place with an empty line.
                let skipped = text.trim().is_empty() || text.trim_start().starts_with('#');
                if !skipped && serde_json::from_str::<serde_json::Value>(l).is_err() {
                    found.push(format!("{what}: not JSON: {}", excerpt(l)));
                }
            }
        }
    }
    found
}

/// `s` without the colour escapes of `--color always`.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let esc = &rest[i + 2..];
        let end = esc
            .find(|c: char| c.is_ascii_alphabetic())
            .map_or(esc.len(), |j| j + 1);
        rest = &esc[end..];
    }
    out.push_str(rest);
    out
}

fn excerpt(s: &str) -> String {
    let head: String = s.chars().take(600).collect();
    if head.len() < s.len() {
        format!("{head}… ({} bytes)", s.len())
    } else {
        head
    }
}

/// Random expressions of every kind the generators make: well-formed ones over every
/// built-in, hostile ones (undefined operations, huge numbers, towers) and token soup.
/// Newlines would split a batch line, and argv cannot carry NUL.
fn expressions(n: usize, seed: u8) -> Vec<String> {
    let mut v: Vec<String> = sample(expr_at(4), n / 2, seed)
        .into_iter()
        .map(|g| g.text)
        .collect();
    v.extend(sample(hostile_expr(), n / 3, seed.wrapping_add(101)));
    v.extend(sample(
        token_soup(),
        n - n / 2 - n / 3,
        seed.wrapping_add(202),
    ));
    v.into_iter()
        .map(|s| s.replace(['\n', '\r', '\0'], " "))
        .collect()
}

/// Files the options read, written once per test.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = TempDir::new();
        dir.write("defs.txt", "h(s) = exp(-s^2)/(1 + s^2)\nk = 3/7\nphi(s) = sigmoid(s)\nphi'(s) = phi(s)*(1 - phi(s))\n");
        dir.write(
            "point.txt",
            "x = 1/3\ny = -2\nz = 0.5\nt = 3\ntheta_1 = 1e-3\nalpha = 2\n",
        );
        dir.write("data.txt", "x y\n0 1.1\n1 2.9\n2 5.2\n3 6.8\n");
        Files { dir }
    }
    fn path(&self, name: &str) -> String {
        self.dir.file(name).to_string_lossy().into_owned()
    }
}

const POINT: &str = "x=1/3,y=-2,z=1/2,t=3,theta_1=1e-3,alpha=2,w2_3=10^22+1";

/// The option sets every batch command is run with.
fn option_sets(f: &Files) -> Vec<Vec<String>> {
    let sets: Vec<Vec<String>> = vec![
        vec![],
        vec!["--format".into(), "unicode".into()],
        vec!["--format".into(), "latex".into()],
        vec!["--format".into(), "json".into()],
        vec!["--cse".into()],
        vec!["--at".into(), POINT.into()],
        vec!["--at-file".into(), f.path("point.txt")],
        vec![
            "--given".into(),
            "t=x^2".into(),
            "--given".into(),
            "alpha=sin(t)".into(),
        ],
        vec![
            "--let".into(),
            "f(s)=s^2 + sin(s)".into(),
            "--let".into(),
            "alpha=3".into(),
        ],
        vec!["--defs".into(), f.path("defs.txt")],
        vec!["--strict".into()],
        vec!["--check".into()],
        vec!["--stats".into()],
        vec!["--color".into(), "always".into(), "--strict".into()],
        // Points where doubles fail: zero, beyond them, below them, poles.
        vec![
            "--at".into(),
            "x=0,y=0,z=0,t=0,theta_1=0,alpha=0,w2_3=0".into(),
        ],
        vec![
            "--at".into(),
            "x=1e-400,y=1e400,z=-1e308,t=10^22+1,alpha=-1/3".into(),
        ],
        vec![
            "--at".into(),
            "x=pi/2,y=-1,z=1,t=pi,theta_1=-pi/4,alpha=e".into(),
        ],
        // Mixtures, where options meet.
        vec![
            "--format".into(),
            "json".into(),
            "--cse".into(),
            "--given".into(),
            "t=x^2".into(),
        ],
        vec![
            "--format".into(),
            "latex".into(),
            "--at".into(),
            POINT.into(),
            "--let".into(),
            "g(a, b)=a*b - exp(a)".into(),
            "--strict".into(),
        ],
    ];
    // Random right-hand sides for --given and --let (a definition's body in its parameter).
    let mut sets = sets;
    for (i, e) in expressions(6, 250).into_iter().enumerate() {
        let e = e.replace(',', " , ");
        sets.push(match i % 2 {
            0 => vec!["--given".into(), format!("t={e}")],
            _ => vec!["--let".into(), format!("f(x)={e}")],
        });
    }
    sets
}

/// The batch commands, each reading its expressions from stdin (`-`).
fn batch_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["partial", "-", "x"],
        vec!["partial", "-", "x", "y"],
        vec!["partial", "-", "x", "x", "x"],
        vec!["total", "-", "x", "--given", "u=x*y"],
        vec!["differential", "-"],
        vec!["grad", "-"],
        vec!["hessian", "-", "--wrt", "x,y"],
        vec!["jacobian", "-", "--wrt", "x,z"],
        vec!["simplify", "-"],
        vec!["eval", "-"],
    ]
}

fn report(found: Vec<String>) {
    assert!(
        found.is_empty(),
        "{} findings:\n\n{}",
        found.len(),
        found.join("\n\n")
    );
}

#[test]
fn every_batch_command_with_every_option_keeps_the_promise() {
    let files = Files::new();
    let mut found = Vec::new();
    let mut seed = 0u8;
    for command in batch_commands() {
        for options in option_sets(&files) {
            seed = seed.wrapping_add(1);
            let has = |o: &str| options.iter().any(|a| a == o);
            let derives = !matches!(command[0], "simplify" | "eval");
            if has("--check") && !derives {
                continue; // refused as a usage error: --check needs derivatives
            }
            let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
            if command[0] == "eval" && !has("--at") && !has("--at-file") {
                // Values for the variables no option set constrains.
                args.extend(["--at".into(), "x=1/3,z=1/2,theta_1=1e-3".into()]);
            }
            args.extend(options);
            args.extend(["--max-nodes".into(), MAX_NODES.into()]);
            found.extend(judge(&args, Some(&expressions(LINES, seed))));
        }
    }
    report(found);
}

/// The options that take one expression (several output lines each), one process a case.
#[test]
fn single_expression_options_keep_the_promise() {
    let options: [&[&str]; 8] = [
        &["--explain"],
        &["--explain", "--format", "latex", "--given", "t=x^2"],
        &["--explain", "--format", "json", "--cse"],
        &["--emit", "c"],
        &["--emit", "python", "--cse"],
        &["--emit", "rust"],
        &["--emit", "js", "--given", "t=x^2"],
        &[
            "--substitute-first",
            "--given",
            "t=x^2",
            "--format",
            "unicode",
        ],
    ];
    let commands: [&[&str]; 3] = [&["partial"], &["differential"], &["grad"]];
    let mut found = Vec::new();
    let mut seed = 60u8;
    for option in options {
        for command in commands {
            let refused = match option[0] {
                "--substitute-first" => command[0] != "partial",
                "--explain" => command[0] == "grad",
                _ => false,
            };
            if refused {
                continue; // a usage error, exit 2, as documented
            }
            seed = seed.wrapping_add(1);
            for e in expressions(4, seed) {
                let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
                args.extend(option.iter().map(|s| s.to_string()));
                args.extend(["--max-nodes".into(), MAX_NODES.into(), "--".into(), e]);
                if command[0] == "partial" {
                    args.push("x".into());
                }
                found.extend(judge(&args, None));
            }
        }
    }
    report(found);
}

/// step, train and plot (the terminal and an SVG file), on random objectives.
#[test]
fn step_train_and_plot_keep_the_promise() {
    let files = Files::new();
    let mut found = Vec::new();
    for (i, e) in expressions(12, 90).into_iter().enumerate() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let data = files.path("data.txt");
        let svg = files.path(&format!("plot{i}.svg"));
        let runs = [
            s(&[
                "step",
                "--wrt",
                "x,y",
                "--at",
                "x=1/2,y=2,z=1",
                "--rate",
                "0.1",
            ]),
            s(&["step", "--wrt", "alpha", "--at", "alpha=1", "--data", &data]),
            s(&[
                "train", "--wrt", "alpha,z", "--data", &data, "--epochs", "3", "--seed", "1",
            ]),
            s(&[
                "plot", "--width", "30", "--height", "8", "--from", "-3", "--to", "3",
            ]),
            s(&["plot", "--svg", &svg, "--from", "-1e308", "--to", "1e308"]),
        ];
        for mut args in runs {
            args.extend([
                "--max-nodes".into(),
                MAX_NODES.into(),
                "--".into(),
                e.clone(),
            ]);
            if args[0] == "plot" {
                args.push("x".into());
            }
            found.extend(judge(&args, None));
        }
    }
    report(found);
}

/// The session reads its lines from a pipe: commands, state and expressions at random.
#[test]
fn the_session_keeps_the_promise() {
    let quote = |e: &str| format!("\"{}\"", e.replace('\\', r"\\").replace('"', "\\\""));
    let mut lines = Vec::new();
    for (i, e) in expressions(60, 120).into_iter().enumerate() {
        let q = quote(&e);
        lines.push(match i % 6 {
            0 => format!("partial {q} x"),
            1 => e.clone(),
            2 => format!(":let k{i}(s) = {e}"),
            3 => format!("grad {q} --at x=1,y=2"),
            4 => format!(":given t{i} = {e}"),
            _ => "simplify ans^2 + 1".into(),
        });
    }
    lines.extend([":at x=1/2".into(), "eval \"x^2\"".into(), ":clear".into()]);
    let input = {
        let mut t = lines.join("\n").into_bytes();
        t.push(b'\n');
        t
    };
    let args = vec!["repl".to_string()];
    let what = format!("deriv repl < ({} lines)", lines.len());
    match run(&args, Some(&input)) {
        None => report(vec![format!("{what}: unbounded")]),
        Some(e) => {
            assert!(
                matches!(e.code, Some(0 | 1)),
                "{what}: {:?} {:?}",
                e.code,
                e.signal
            );
            assert!(
                !e.stderr.contains("panicked"),
                "{what}: {}",
                excerpt(&e.stderr)
            );
        }
    }
}
