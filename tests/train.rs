//! `deriv train` and `step --data` as a user runs them: the trajectory of SGD, mini-batches
//! and Adam checked step by step against one computed here from `deriv grad --at` and
//! `deriv eval` (a separate evaluation path: the symbolic gradient), the data file's forms,
//! the reports on stderr, Ctrl-C; and the numeric reproducers of non-finite values, each a
//! right value or a clear error with exit 1.

use crate::common::*;
use std::collections::HashMap;

/// A 2-2-1 network without biases; six parameters, so `grad --at` takes its exact and
/// symbolic path, not the compiled gradient `train` uses.
const E: &str =
    "(v[1]*phi(w[1,1]*x[1] + w[2,1]*x[2]) + v[2]*phi(w[1,2]*x[1] + w[2,2]*x[2]) - y)^2/2";
const PARAMS: [&str; 6] = ["w[1,1]", "w[1,2]", "w[2,1]", "w[2,2]", "v[1]", "v[2]"];
const PHI: &str = "phi(s) = 1/(1+exp(-s))";
const DATA: [[f64; 3]; 4] = [
    [0.0, 0.0, 0.0],
    [0.0, 1.0, 1.0],
    [1.0, 0.0, 1.0],
    [1.0, 1.0, 0.0],
];
const INIT: [f64; 6] = [0.5, -0.25, 0.75, 0.5, 1.0, -1.0];

fn params_text(theta: &[f64]) -> String {
    PARAMS
        .iter()
        .zip(theta)
        .map(|(n, v)| format!("{n} = {v:?}\n"))
        .collect()
}

fn data_csv() -> String {
    let mut s = String::from("x[1],x[2],y\n");
    for [a, b, y] in DATA {
        s += &format!("{a},{b},{y}\n");
    }
    s
}

fn sample_at(r: usize) -> String {
    let [a, b, y] = DATA[r];
    format!("x=[{a},{b}],y={y}")
}

/// E and its gradient at θ for sample r, by `deriv eval` and `deriv grad --at`.
fn loss_and_gradient(dir: &TempDir, theta: &[f64], r: usize) -> (f64, Vec<f64>) {
    let file = dir.write("theta.txt", params_text(theta));
    let f = file.to_str().unwrap();
    let at = sample_at(r);
    let wrt = PARAMS.join(",");
    let common = ["--let", PHI, "--at-file", f, "--at", &at];
    let mut g_args = vec!["grad", E, "--wrt", &wrt];
    g_args.extend(common);
    let o = deriv(&g_args).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let grad: Vec<f64> = o
        .stdout
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(", ")
        .map(number)
        .collect();
    let mut e_args = vec!["eval", E];
    e_args.extend(common);
    let o = deriv(&e_args).run();
    assert_eq!(o.code, 0, "{o:#?}");
    (number(&o.stdout), grad)
}

#[derive(Clone, Copy)]
enum Opt {
    Sgd,
    Adam,
}

/// The trajectory computed here: per epoch the mean loss, and the parameters at the end.
fn reference(batch: usize, epochs: usize, rate: f64, opt: Opt) -> (Vec<f64>, Vec<f64>) {
    let dir = TempDir::new();
    let mut theta = INIT.to_vec();
    let (mut m, mut v, mut t) = (vec![0.0; 6], vec![0.0; 6], 0);
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    let mut losses = Vec::new();
    for _ in 0..epochs {
        let mut total = 0.0;
        for rows in (0..DATA.len()).collect::<Vec<_>>().chunks(batch) {
            let mut g = [0.0; 6];
            for &r in rows {
                let (e, gr) = loss_and_gradient(&dir, &theta, r);
                total += e;
                for (a, b) in g.iter_mut().zip(gr) {
                    *a += b;
                }
            }
            t += 1;
            for i in 0..6 {
                let gi = g[i] * (1.0 / rows.len() as f64);
                theta[i] = match opt {
                    Opt::Sgd => theta[i] - rate * gi,
                    Opt::Adam => {
                        m[i] = b1 * m[i] + (1.0 - b1) * gi;
                        v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                        let mh = m[i] / (1.0 - b1.powi(t));
                        let vh = v[i] / (1.0 - b2.powi(t));
                        theta[i] - rate * mh / (vh.sqrt() + eps)
                    }
                };
            }
        }
        losses.push(total / DATA.len() as f64);
    }
    (losses, theta)
}

/// `deriv train` on the same problem: each epoch's loss (from its JSON Lines) and the
/// parameters it writes.
fn trained(batch: &str, epochs: usize, rate: &str, optimizer: &str) -> (Vec<f64>, Vec<f64>) {
    let dir = TempDir::new();
    let init = dir.write("init.txt", params_text(&INIT));
    let data = dir.write("data.csv", data_csv());
    let epochs = epochs.to_string();
    let o = deriv(&[
        "train",
        E,
        "--wrt",
        "w[*,*],v[*]",
        "--let",
        PHI,
        "--at-file",
        init.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--batch",
        batch,
        "--epochs",
        &epochs,
        "--rate",
        rate,
        "--optimizer",
        optimizer,
        "--format",
        "json",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    let mut losses = Vec::new();
    for line in o.stderr.lines() {
        let j = json(line);
        assert_eq!(j["operation"], "train", "{line}");
        if j["end"] == true {
            assert_eq!(j["interrupted"], false);
            assert_eq!(j["samples"], 4);
        } else {
            losses.push(j["loss"].as_f64().unwrap());
        }
    }
    let values: HashMap<String, f64> = o
        .stdout
        .lines()
        .map(|l| {
            let (n, v) = l.split_once(" = ").unwrap();
            (n.to_string(), number(v))
        })
        .collect();
    let theta = PARAMS.iter().map(|p| values[*p]).collect();
    (losses, theta)
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}: {got:?}\nvs the reference {want:?}"
        );
    }
}

#[test]
fn sgd_follows_the_trajectory_of_grad_steps() {
    let (losses, theta) = trained("1", 2, "0.5", "sgd");
    let (want_losses, want_theta) = reference(1, 2, 0.5, Opt::Sgd);
    assert_close("losses", &losses, &want_losses);
    assert_close("parameters", &theta, &want_theta);
}

#[test]
fn mini_batches_follow_the_trajectory_of_mean_gradients() {
    let (losses, theta) = trained("2", 3, "1", "sgd");
    let (want_losses, want_theta) = reference(2, 3, 1.0, Opt::Sgd);
    assert_close("losses", &losses, &want_losses);
    assert_close("parameters", &theta, &want_theta);
    // Full batch: one step per epoch on the mean gradient.
    let (losses, theta) = trained("all", 2, "1", "sgd");
    let (want_losses, want_theta) = reference(4, 2, 1.0, Opt::Sgd);
    assert_close("full-batch losses", &losses, &want_losses);
    assert_close("full-batch parameters", &theta, &want_theta);
}

#[test]
fn adam_follows_the_trajectory_of_its_update_rule() {
    let (losses, theta) = trained("2", 2, "0.1", "adam");
    let (want_losses, want_theta) = reference(2, 2, 0.1, Opt::Adam);
    assert_close("losses", &losses, &want_losses);
    assert_close("parameters", &theta, &want_theta);
}

#[test]
fn the_values_file_comes_back_with_its_comments_and_forms() {
    let dir = TempDir::new();
    let init = dir.write(
        "init.txt",
        "# a line\nw = [0.5, -1]   # weights\nlr = 0.3\nb = 1/4\n",
    );
    let data = dir.write("d.tsv", "x\ty\n1\t2\n2\t3\n");
    let o = deriv(&[
        "train",
        "(w[1]*x + w[2]*x^2 + b - y)^2/2",
        "--wrt",
        "w[*],b",
        "--at-file",
        init.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "3",
        "--rate",
        "0.01",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines[0], "# a line");
    assert!(
        lines[1].starts_with("w = [0.") && lines[1].ends_with("# weights"),
        "{o:#?}"
    );
    assert_eq!(
        lines[2], "lr = 0.3",
        "a value that is not trained stays as written"
    );
    assert!(
        lines[3].starts_with("b = ") && lines[3] != "b = 1/4",
        "{o:#?}"
    );
    assert_eq!(lines.len(), 4, "x and y are data, not written back: {o:#?}");
    // One line per epoch on stderr when it is not a terminal.
    assert_eq!(o.stderr.lines().count(), 3, "{o:#?}");
    assert!(o.stderr.starts_with("epoch 1/3: loss "), "{o:#?}");
}

#[test]
fn xor_is_learned_from_a_seeded_start() {
    let dir = TempDir::new();
    let data = dir.write("xor.csv", data_csv());
    let e = "(v[1]*phi(w[1,1]*x[1] + w[2,1]*x[2] + b[1]) + v[2]*phi(w[1,2]*x[1] + w[2,2]*x[2] + b[2]) + v[3]*phi(w[1,3]*x[1] + w[2,3]*x[2] + b[3]) + c - y)^2/2";
    let args = |seed: &str| {
        deriv(&[
            "train",
            e,
            "--wrt",
            "w[*,*],v[*],b[*],c",
            "--let",
            PHI,
            "--data",
            data.to_str().unwrap(),
            "--seed",
            seed,
            "--init",
            "1",
            "--epochs",
            "1500",
            "--rate",
            "0.5",
            "--every",
            "500",
        ])
        .run()
    };
    let o = args("3");
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stderr.lines().count(), 3, "every 500th epoch: {o:#?}");
    // The same seed gives the same run; another seed another.
    assert_eq!(args("3").stdout, o.stdout);
    assert_ne!(args("4").stdout, o.stdout);
    let trained = dir.write("trained.txt", &o.stdout);
    let f = e.split(" - y").next().unwrap().trim_start_matches('(');
    for [a, b, y] in DATA {
        let out = deriv(&[
            "eval",
            f,
            "--let",
            PHI,
            "--at-file",
            trained.to_str().unwrap(),
            "--at",
            &format!("x=[{a},{b}]"),
        ])
        .run();
        let v = number(&out.stdout);
        assert!((v - y).abs() < 0.1, "xor({a}, {b}) = {v}: {o:#?}");
    }
}

#[test]
fn train_reports_and_draws() {
    let dir = TempDir::new();
    let data = dir.write("d.csv", "x,y\n1,2\n2,4\n3,6\n");
    let svg = dir.file("loss.svg");
    let out = dir.file("p.txt");
    let o = deriv(&[
        "train",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--at",
        "w=0",
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "20",
        "--rate",
        "0.05",
        "--svg",
        svg.to_str().unwrap(),
        "--plot",
        "--out",
        out.to_str().unwrap(),
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "", "--out takes the parameters");
    let w = std::fs::read_to_string(&out).unwrap();
    let w = number(w.trim().strip_prefix("w = ").unwrap());
    assert!((w - 2.0).abs() < 1e-3, "{w}");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    assert!(
        o.stderr.contains("loss (the mean of E over the epoch)"),
        "{o:#?}"
    );
    assert!(
        o.stderr
            .chars()
            .any(|c| ('\u{2800}'..='\u{28FF}').contains(&c)),
        "braille: {o:#?}"
    );
}

#[test]
fn train_without_data_fits_the_one_sample_of_its_values() {
    let o = deriv(&[
        "train",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--at",
        "w=0,x=1,y=2",
        "--epochs",
        "50",
        "--rate",
        "0.5",
        "--optimizer",
        "momentum",
        "--momentum",
        "0.5",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(
        o.stdout.starts_with("w = 1.99") || o.stdout.starts_with("w = 2"),
        "{o:#?}"
    );
    assert!(o.stdout.ends_with("x = 1\ny = 2\n"), "{o:#?}");
}

#[test]
fn train_errors_name_what_is_wrong() {
    let dir = TempDir::new();
    let data = dir.write("d.csv", "x,y\n1,2\n-3,4\n");
    let d = data.to_str().unwrap();
    // A sample where E has no value: its line in the file.
    deriv(&[
        "train",
        "(sqrt(w + x) - y)^2",
        "--wrt",
        "w",
        "--at",
        "w=1",
        "--data",
        d,
    ])
    .fails_with(1, "sample 2 (");
    // A variable with no value anywhere.
    deriv(&[
        "train",
        "(w*x - y + z)^2",
        "--wrt",
        "w",
        "--at",
        "w=1",
        "--data",
        d,
    ])
    .fails_with(1, "no value for `z`");
    // A parameter without a value, and no seed.
    deriv(&["train", "(w*x - y)^2", "--wrt", "w", "--data", d]).fails_with(1, "no value for `w`");
    // Data and values kept apart.
    deriv(&[
        "train",
        "(w*x - y)^2",
        "--wrt",
        "w",
        "--at",
        "w=1,x=2",
        "--data",
        d,
    ])
    .fails_with(1, "`x` is a column of");
    // A step that overflows names the parameter and the step.
    let o = deriv(&[
        "train",
        "(w*x - y)^2",
        "--wrt",
        "w",
        "--at",
        "w=1",
        "--data",
        d,
        "--rate",
        "1e308",
    ])
    .fails(1);
    assert!(o.stderr.contains("takes `w` to"), "{o:#?}");
    // A broken data file.
    let bad = dir.write("bad.csv", "x,y\n1,2\n3\n");
    deriv(&[
        "train",
        "(w*x - y)^2",
        "--wrt",
        "w",
        "--at",
        "w=1",
        "--data",
        bad.to_str().unwrap(),
    ])
    .fails_with(1, "line 3 of");
    deriv(&["train", "-", "--wrt", "w"]).fails(2);
    deriv(&["train", "w^2", "--wrt", "w", "--at", "w=1", "--batch", "0"]).fails(2);
}

#[test]
fn ctrl_c_ends_training_and_still_writes_the_parameters() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let d = deriv(&[
        "train",
        "(w*x - y)^2/2",
        "--wrt",
        "w",
        "--at",
        "w=0,x=1,y=2",
        "--epochs",
        "1000000000",
        "--rate",
        "0.001",
        "--format",
        "json",
        "--every",
        "100000",
    ]);
    let mut child = d
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(first.contains("\"epoch\":100000"), "{first}");
    // The rest of stderr is read meanwhile, so that the run never waits on a full pipe.
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
        rest
    });
    let pid = child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let rest = drain.join().unwrap();
    assert_eq!(out.status.code(), Some(130), "{rest}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("w = "), "{stdout}");
    let end = json(rest.lines().last().unwrap());
    assert_eq!(end["interrupted"], true, "{rest}");
}

#[test]
fn step_takes_data_and_keeps_its_file() {
    let dir = TempDir::new();
    let p = dir.write("p.txt", "# start\nw = 0.5   # weight\nlr = 0.3\nb = 1/2\n");
    let data = dir.write("d.csv", "x,y\n1,2\n2,3\n");
    let o = deriv(&[
        "step",
        "(w*x + b - y)^2/2",
        "--wrt",
        "w,b",
        "--at-file",
        p.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ])
    .run();
    assert_eq!(o.code, 0, "{o:#?}");
    // residuals −1 and −1.5: E = (1/2 + 9/8)/2, ∂E/∂w = (−1·1 − 1.5·2)/2 = −2, ∂E/∂b = −1.25
    assert_eq!(
        o.stdout,
        "# start\nw = 0.7   # weight\nlr = 0.3\nb = 0.625\n"
    );
    assert_eq!(
        o.stderr,
        format!(
            "note: E = 0.8125 before the step, the mean over the 2 samples of {} (rate 0.1)\n",
            data.display()
        )
    );
    // --at-file - reads standard input; `-` as the expression is refused.
    deriv(&["step", "w^2", "--wrt", "w", "--at-file", "-"])
        .stdin("w = 1 # one\n")
        .run();
    let o = deriv(&[
        "step",
        "w^2",
        "--wrt",
        "w",
        "--at-file",
        "-",
        "--rate",
        "0.25",
    ])
    .stdin("w = 1 # one\n")
    .run();
    assert_eq!(o.stdout, "w = 0.5 # one\n", "{o:#?}");
    deriv(&["step", "-", "--wrt", "w", "--at", "w=1"])
        .stdin("w^2\n")
        .fails_with(2, "not `-`");
}

#[test]
fn stats_say_what_they_count() {
    let args = |extra: &[&str]| {
        let mut a = vec![
            "grad",
            "(v[1]*phi(w[1,1]*x[1] + w[2,1]*x[2]) + v[2]*phi(w[1,2]*x[1] + w[2,2]*x[2]) - y)^2/2",
            "--wrt",
            "w[*,*],v[*]",
            "--let",
            "phi(s) = 1/(1+exp(-s))",
            "--let",
            "phi'(s) = phi(s)*(1-phi(s))",
            "--stats",
        ];
        a.extend(extra);
        deriv(&a).run().stderr
    };
    let cse = args(&["--cse"]);
    assert!(cse.contains("(the --cse form), has"), "{cse}");
    assert_eq!(args(&[]), cse, "without --cse the same form is counted");
    let o = deriv(&["step", "w^2/2", "--wrt", "w", "--at", "w=1", "--stats"]).run();
    assert!(o.stderr.contains("instructions per sample"), "{o:#?}");
    assert!(!o.stderr.contains("0.00×"), "{o:#?}");
    // More than 16 entries at a point: the numbers, and the stats all the same.
    let e: Vec<String> = (1..=17).map(|i| format!("w{i}^2")).collect();
    let at: Vec<String> = (1..=17).map(|i| format!("w{i}=1")).collect();
    let o = deriv(&["grad", &e.join("+"), "--at", &at.join(","), "--stats"]).run();
    assert!(o.stderr.contains("stats:"), "{o:#?}");
}

/// The inputs of the numeric reproducers: n parameters w1..wn of E = Σ f(wi), each at x.
fn many(f: &str, n: usize, x: &str) -> (String, String) {
    let e: Vec<String> = (1..=n).map(|i| f.replace('w', &format!("w{i}"))).collect();
    let at: Vec<String> = (1..=n).map(|i| format!("w{i}={x}")).collect();
    (e.join(" + "), at.join(","))
}

#[test]
fn tiny_and_huge_values_give_right_answers_or_clear_errors() {
    // d(b^2)/db = 2b, not b^2·2/b (b^2 underflows at 1e-170).
    let o = deriv(&[
        "step", "w^2/2", "--wrt", "w", "--rate", "0.5", "--at", "w=1e-170",
    ])
    .run();
    assert_eq!(o.stdout, "w = 5e-171\n", "{o:#?}");
    let o = deriv(&[
        "step", "w^2/2", "--wrt", "w", "--rate", "0.5", "--at", "w=1e-160",
    ])
    .run();
    assert_eq!(o.stdout, "w = 5e-161\n", "{o:#?}");
    // The same answers with 16 parameters (exact) and 17 (the compiled gradient).
    for n in [16, 17] {
        let (e, at) = many("w^2/2", n, "1e-170");
        let o = deriv(&["grad", &e, "--at", &at]).run();
        assert_eq!(o.code, 0, "{o:#?}");
        for v in o.stdout.trim().trim_matches(['[', ']']).split(", ") {
            assert!((number(v) - 1e-170).abs() < 1e-184, "{n}: {v}");
        }
        // An infinite derivative is an error with either path, never inf or NaN.
        let (e, at) = many("sqrt(w)", n, "0");
        let o = deriv(&["grad", &e, "--at", &at]).fails(1);
        assert!(
            !o.stderr.contains("NaN") && !o.stderr.contains("inf,"),
            "{o:#?}"
        );
    }
    // A step to or from a non-finite value is an error naming the parameter.
    deriv(&["step", "sqrt(w)", "--wrt", "w", "--at", "w=0"]).fails_with(1, "∂E/∂w");
    // (sqrt(w^2) is abs(w), whose step at 0 takes the subgradient 0, as abs does.)
    deriv(&["step", "sqrt(w^2 + w^4)", "--wrt", "w", "--at", "w=0"]).fails_with(1, "∂E/∂w");
    deriv(&["step", "w^2", "--wrt", "w", "--at", "w=1e200"]).fails_with(1, "too large");
    // IEEE inside: an overflow the rest of the expression tames, down to a subnormal
    // (1/(1 + e^710) = 4.4762862256751298e-309; it was the error "exp(710) is too large").
    deriv(&[
        "eval",
        "phi(s)",
        "--let",
        "phi(s) = 1/(1+exp(-s))",
        "--at",
        "s=-710",
    ])
    .prints("4.47628622567513e-309");
    deriv(&[
        "eval",
        "phi(s)*exp(-s)",
        "--let",
        "phi(s) = 1/(1+exp(-s))",
        "--at",
        "s=-710",
    ])
    .prints("1");
    deriv(&["eval", "log(sigmoid(s))", "--at", "s=-800"]).prints("-800");
    deriv(&["eval", "softplus(s) + logsumexp(s, 2*s)", "--at", "s=1000"]).prints("3000");
    // ... in the gradient too: φ'(−710) is about 0, not 0·∞.
    let (e, at) = many("1/(1+exp(-w))", 17, "-710");
    let o = deriv(&["grad", &e, "--at", &at]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    // (about e^-710, below the smallest normal double)
    assert!(
        o.stdout
            .trim()
            .trim_matches(['[', ']'])
            .split(", ")
            .all(|v| number(v).abs() < 1e-300),
        "{o:#?}"
    );
    let (e, at) = many("log(sigmoid(w))", 17, "-800");
    let o = deriv(&["grad", &e, "--at", &at]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    assert!(
        o.stdout
            .trim()
            .trim_matches(['[', ']'])
            .split(", ")
            .all(|v| number(v) == 1.0),
        "{o:#?}"
    );
}
