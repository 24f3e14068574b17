//! `--emit LANG`: the code deriv writes compiles and computes what `--at` computes.
//!
//! Kind: end-to-end. Each case (every command that has a result, every built-in function,
//! arrays, a gradient's deltas, definitions, the 10-10-10 network) is emitted in C, Rust,
//! Python with NumPy and JavaScript; the C is compiled with the system compiler (`cc`), the
//! Rust with `rustc`, both with warnings as errors, once per language for all cases; the
//! Python runs under `python3` with NumPy and the JavaScript under `node`. Each runs at
//! random points (the same for every language), and every entry must agree with
//! `deriv ... --at` at that point within 1e-12 relative. A language whose tool is missing
//! is skipped, and the skip is written to the test's output (not captured).
//!
//! Guarantees: the code of every command and function computes the derivative deriv
//! prints; the variables are where the comment says (arrays 0-based); the CLI's refusals.

use crate::common::*;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Points per case.
const POINTS: usize = 4;
/// The agreement asked of the code: relative to the larger of the two values.
const TOLERANCE: f64 = 1e-12;

/// One function to emit: deriv's arguments and where the random points lie.
struct Case {
    args: Vec<String>,
    lo: f64,
    hi: f64,
}

fn case(args: &[&str], lo: f64, hi: f64) -> Case {
    Case {
        args: args.iter().map(|a| a.to_string()).collect(),
        lo,
        hi,
    }
}

const NET: &str =
    "(sum(k=1..K, v[k]*phi(sum(j=1..J, u[j,k]*phi(sum(i=1..I, w[i,j]*x[i]))))) - y)^2/2";

/// Every command with a result, every built-in function, arrays, deltas, definitions.
fn cases() -> Vec<Case> {
    vec![
        case(&["partial", "x^3*y^2 + sin(x*y)/y", "x", "y"], 0.5, 2.0),
        case(
            &["total", "4*pi/3*t*x*y", "x", "--given", "t=x^2"],
            0.5,
            2.0,
        ),
        case(
            &[
                "grad",
                "sigmoid(w*x + b)*softplus(x - b) + log(sigmoid(w)) + log(1 - sigmoid(b))",
            ],
            -3.0,
            3.0,
        ),
        case(
            &[
                "hessian",
                "exp(-x^2/2)/sqrt(2*pi)*cos(y) + x^(1/3)*y^(2/5) + x^(3/2)",
            ],
            0.2,
            2.0,
        ),
        case(
            &[
                "jacobian",
                "r*cos(t)",
                "r*sin(t)",
                "atan2(t, r)",
                "--wrt",
                "r,t",
            ],
            0.5,
            2.0,
        ),
        case(
            &["differential", "x^2*y - log(x, 2) + log10(y) + log(x, y)"],
            1.5,
            3.0,
        ),
        case(
            &[
                "grad",
                "tan(x) + sec(x) + csc(y) + cot(y) + asin(x/3) + acos(y/3) + atan(x*y)",
            ],
            0.2,
            1.2,
        ),
        case(
            &[
                "grad",
                "sinh(x) + cosh(y) + tanh(x*y) + asinh(x) + acosh(y + 2) + atanh(x/2)",
            ],
            0.1,
            1.5,
        ),
        case(
            &[
                "grad",
                "erf(x*y) + abs(x - y) + relu(x - y) + max(x, y, 1/2)*min(x, y) + sign(x - 1) \
                 + heaviside(y - 1) + floor(x)*ceil(y)*x",
            ],
            0.1,
            3.0,
        ),
        case(
            &["grad", "logsumexp(x, y, z) + logsumexp(x, 2*y)*z"],
            -5.0,
            5.0,
        ),
        case(
            &[
                "partial",
                "phi(w*x)^2",
                "w",
                "--let",
                "phi(s) = 1/(1+exp(-s))",
                "--let",
            ],
            -2.0,
            2.0,
        ),
        case(
            &[
                "grad",
                "sum(i=1..3, w[i]*x[i])^2/2",
                "--wrt",
                "w[*]",
                "--let",
                "c = 7",
            ],
            -1.0,
            1.0,
        ),
        case(&["partial", "lambda*θ^2 + int*x[0]*x[2]", "θ"], -2.0, 2.0),
        case(
            &["simplify", "erf(x) + erf(x/4) + erf(2*x) + erf(6*x)"],
            -1.5,
            1.5,
        ),
        case(&["simplify", "erf(x) - erf(-x/3)"], 2.9, 7.0),
        net(),
    ]
    .into_iter()
    .map(|mut c| {
        // The rule for phi: kept by partial, expanded in code.
        if c.args.last().is_some_and(|a| a == "--let") {
            c.args.push("phi'(s) = phi(s)*(1-phi(s))".into());
        }
        c
    })
    .collect()
}

/// The 10-10-10 network's gradient (tests/bench W5), φ kept by its rule.
fn net() -> Case {
    let mut args = vec!["grad".to_string(), NET.to_string()];
    for a in [
        "--wrt",
        "w[*,*],u[*,*],v[*]",
        "--let",
        "I=10",
        "--let",
        "J=10",
        "--let",
        "K=10",
        "--let",
        "a=1",
        "--let",
        "phi(s) = 1/(1+exp(-a*s))",
        "--let",
        "phi'(s) = a*phi(s)*(1-phi(s))",
    ] {
        args.push(a.into());
    }
    Case {
        args,
        lo: -1.0,
        hi: 1.0,
    }
}

/// A parameter of an emitted function, as its JSON says.
struct Param {
    /// The variable, or the array's name.
    base: String,
    shape: Vec<usize>,
    first: Vec<i64>,
}

impl Param {
    fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The expression's variable names of the flat elements, row-major.
    fn names(&self) -> Vec<String> {
        if self.shape.is_empty() {
            return vec![self.base.clone()];
        }
        (0..self.len())
            .map(|mut flat| {
                let mut idx = vec![0i64; self.shape.len()];
                for d in (0..self.shape.len()).rev() {
                    idx[d] = (flat % self.shape[d]) as i64 + self.first[d];
                    flat /= self.shape[d];
                }
                let idx: Vec<String> = idx.iter().map(i64::to_string).collect();
                format!("{}[{}]", self.base, idx.join(","))
            })
            .collect()
    }
}

/// What a function returns.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    Scalar,
    Vector(usize),
    Matrix(usize, usize),
}

/// A case emitted in one language.
struct Code {
    text: String,
    function: String,
    params: Vec<Param>,
    out: Out,
    /// The differential's variables, in the order of its coefficients.
    differential: Option<Vec<String>>,
}

fn emit(case: &Case, lang: &str) -> Code {
    let mut args = case.args.clone();
    args.extend([
        "--emit".into(),
        lang.into(),
        "--format".into(),
        "json".into(),
    ]);
    let o = deriv(&args).run();
    assert_eq!(o.code, 0, "{args:?}\n{}", o.stderr);
    let v = json(&o.stdout);
    let code = &v["code"];
    assert_eq!(
        code["language"],
        if lang == "js" { "javascript" } else { lang }
    );
    let params = code["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Param {
            base: p["variables"]
                .as_str()
                .unwrap()
                .split('[')
                .next()
                .unwrap()
                .to_string(),
            shape: p["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect(),
            first: p["first_index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_i64().unwrap())
                .collect(),
        })
        .collect();
    let result = &v["result"];
    let (out, differential) = match result {
        Value::Array(rows) if rows.first().is_some_and(Value::is_array) => (
            Out::Matrix(rows.len(), rows[0].as_array().unwrap().len()),
            None,
        ),
        Value::Array(items) if v["operation"] == "differential" => (
            Out::Vector(items.len()),
            Some(
                items
                    .iter()
                    .map(|t| t["variable"].as_str().unwrap().to_string())
                    .collect(),
            ),
        ),
        Value::Array(items) => (Out::Vector(items.len()), None),
        _ => (Out::Scalar, None),
    };
    Code {
        text: code["text"].as_str().unwrap().to_string(),
        function: code["function"].as_str().unwrap().to_string(),
        params,
        out,
        differential,
    }
}

/// The points (flat, in the parameters' order) and `--at`'s values there, per case.
struct Expected {
    points: Vec<Vec<f64>>,
    values: Vec<Vec<f64>>,
}

fn expected() -> &'static Vec<Expected> {
    static CELL: OnceLock<Vec<Expected>> = OnceLock::new();
    CELL.get_or_init(|| {
        cases()
            .iter()
            .enumerate()
            .map(|(i, c)| expect(i, c))
            .collect()
    })
}

fn expect(index: usize, case: &Case) -> Expected {
    let code = emit(case, "c");
    let mut rng = deriv::eval::Rng::new(1000 + index as u64);
    let n: usize = code.params.iter().map(Param::len).sum();
    let names: Vec<String> = code.params.iter().flat_map(Param::names).collect();
    let mut points = Vec::new();
    let mut values = Vec::new();
    for _ in 0..POINTS {
        let p: Vec<f64> = (0..n).map(|_| rng.uniform(case.lo, case.hi)).collect();
        let at: Vec<String> = names
            .iter()
            .zip(&p)
            .map(|(name, v)| format!("{name}={v:?}"))
            .collect();
        let mut args = case.args.clone();
        args.extend([
            "--at".into(),
            at.join(","),
            "--format".into(),
            "json".into(),
        ]);
        let o = deriv(&args).run();
        assert_eq!(o.code, 0, "{:?}\n{}", case.args, o.stderr);
        values.push(flatten(&json(&o.stdout)["result"], &code));
        points.push(p);
    }
    Expected { points, values }
}

/// `--at`'s result as the emitted function's outputs, in order.
fn flatten(result: &Value, code: &Code) -> Vec<f64> {
    let value = |v: &Value| v["value"].as_f64().unwrap();
    if let Some(vars) = &code.differential {
        // At a point, a zero term is left out and a term's sign is in `negative`.
        return vars
            .iter()
            .map(|var| {
                let t = result
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["variable"].as_str() == Some(var));
                t.map_or(0.0, |t| {
                    let x = value(&t["coefficient"]);
                    if t["negative"] == true { -x } else { x }
                })
            })
            .collect();
    }
    match result {
        Value::Array(items) => items
            .iter()
            .flat_map(|i| match i {
                Value::Array(row) => row.iter().map(value).collect(),
                v => vec![value(v)],
            })
            .collect(),
        v => vec![value(v)],
    }
}

/// Runs every case's code in `lang` through `run` (the points on stdin, one line each:
/// the case and the flat values; one line of outputs back) and compares with `--at`.
fn check_language(lang: &str, run: impl FnOnce(&[Code], &str) -> String) {
    let all = cases();
    let codes: Vec<Code> = all.iter().map(|c| emit(c, lang)).collect();
    let exp = expected();
    let mut input = String::new();
    for (i, e) in exp.iter().enumerate() {
        for p in &e.points {
            let vals: Vec<String> = p.iter().map(|v| format!("{v:?}")).collect();
            input.push_str(&format!("{i} {}\n", vals.join(" ")));
        }
    }
    let output = run(&codes, &input);
    let mut lines = output.lines();
    for (i, e) in exp.iter().enumerate() {
        for (p, want) in e.points.iter().zip(&e.values) {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("{lang}: no output for case {i}"));
            let got: Vec<f64> = line
                .split_whitespace()
                .map(|t| t.parse().unwrap_or(f64::NAN))
                .collect();
            assert_eq!(got.len(), want.len(), "{lang}: {:?}: outputs", all[i].args);
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                let scale = g.abs().max(w.abs()).max(1e-300);
                assert!(
                    (g - w).abs() <= TOLERANCE * scale,
                    "{lang}: {:?} at {p:?}: entry {k}: code {g:e}, --at {w:e}\n{}",
                    all[i].args,
                    codes[i].text
                );
            }
        }
    }
}

/// Says on the test's output (not captured) that a language was not run.
fn skip(what: &str) {
    let _ = writeln!(std::io::stderr(), "emit: skipped: {what}");
}

fn on_path(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `cmd`, which must succeed.
fn must(cmd: &mut Command, what: &str) -> String {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Runs `program` with `input` on stdin.
fn run_with_input(program: &mut Command, input: &str, what: &str) -> String {
    let mut child = program
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let text = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        o.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn c_code_compiles_and_agrees_with_at() {
    if !on_path("cc") {
        return skip("no C compiler (cc) on PATH");
    }
    check_language("c", |codes, input| {
        let dir = TempDir::new();
        let mut files = vec![dir.write("main.c", c_main(codes))];
        for (i, c) in codes.iter().enumerate() {
            // Every case's function in its own name (`grad` is in several cases).
            let text = format!(
                "#define {0} {0}_{i}\n{1}\n{2}",
                c.function,
                c.text,
                c_adapter(i, c)
            );
            files.push(dir.write(&format!("case{i}.c"), text));
        }
        let exe = dir.file("run");
        must(
            Command::new("cc")
                .args(["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-o"])
                .arg(&exe)
                .args(&files)
                .arg("-lm"),
            "cc",
        );
        run_with_input(&mut Command::new(&exe), input, "the C program")
    });
}

/// `void run_N(const double *in, double *out)`, calling the case's function.
fn c_adapter(i: usize, c: &Code) -> String {
    let mut k = 0;
    let mut args = Vec::new();
    for p in &c.params {
        args.push(match p.shape.len() {
            0 => format!("in[{k}]"),
            1 => format!("in + {k}"),
            _ => {
                let rest: String = p.shape[1..].iter().map(|d| format!("[{d}]")).collect();
                format!("(const double (*){rest})(in + {k})")
            }
        });
        k += p.len();
    }
    let call = |extra: Option<&str>| {
        let mut a = args.clone();
        a.extend(extra.map(str::to_string));
        format!("{}({})", c.function, a.join(", "))
    };
    let body = match c.out {
        Out::Scalar => format!("out[0] = {};", call(None)),
        Out::Vector(_) => format!("{};", call(Some("out"))),
        Out::Matrix(_, cols) => format!("{};", call(Some(&format!("(double (*)[{cols}])out")))),
    };
    format!(
        "void run{i}(const double *in, double *out);\nvoid run{i}(const double *in, double *out)\n{{\n    {body}\n}}\n"
    )
}

fn outputs(c: &Code) -> usize {
    match c.out {
        Out::Scalar => 1,
        Out::Vector(n) => n,
        Out::Matrix(r, k) => r * k,
    }
}

fn c_main(codes: &[Code]) -> String {
    let mut s = String::from("#include <stdio.h>\n");
    for i in 0..codes.len() {
        s.push_str(&format!("void run{i}(const double *in, double *out);\n"));
    }
    let runs: Vec<String> = (0..codes.len()).map(|i| format!("run{i}")).collect();
    let ins: Vec<String> = codes
        .iter()
        .map(|c| c.params.iter().map(Param::len).sum::<usize>().to_string())
        .collect();
    let outs: Vec<String> = codes.iter().map(|c| outputs(c).to_string()).collect();
    s.push_str(&format!(
        "static void (*const runs[])(const double *, double *) = {{{}}};
static const int n_in[] = {{{}}};
static const int n_out[] = {{{}}};
int main(void)
{{
    static double in[4096], out[4096];
    int c, i;
    while (scanf(\"%d\", &c) == 1) {{
        for (i = 0; i < n_in[c]; i++)
            if (scanf(\"%lf\", &in[i]) != 1)
                return 1;
        runs[c](in, out);
        for (i = 0; i < n_out[c]; i++)
            printf(\"%.17g \", out[i]);
        printf(\"\\n\");
    }}
    return 0;
}}
",
        runs.join(", "),
        ins.join(", "),
        outs.join(", ")
    ));
    s
}

#[test]
fn rust_code_compiles_and_agrees_with_at() {
    if !on_path("rustc") {
        return skip("no rustc on PATH");
    }
    check_language("rust", |codes, input| {
        let dir = TempDir::new();
        let mut src = String::from("use std::io::BufRead;\n");
        for (i, c) in codes.iter().enumerate() {
            src.push_str(&format!(
                "mod case{i} {{\n{}\n{}}}\n",
                c.text,
                rust_adapter(c)
            ));
        }
        let runs: Vec<String> = (0..codes.len()).map(|i| format!("case{i}::run")).collect();
        src.push_str(&format!(
            "fn main() {{
    let runs: [fn(&[f64]) -> Vec<f64>; {}] = [{}];
    for line in std::io::stdin().lock().lines() {{
        let line = line.unwrap();
        let mut w = line.split_whitespace();
        let c: usize = w.next().unwrap().parse().unwrap();
        let input: Vec<f64> = w.map(|t| t.parse().unwrap()).collect();
        let out: Vec<String> = runs[c](&input).iter().map(|v| format!(\"{{v:?}}\")).collect();
        println!(\"{{}}\", out.join(\" \"));
    }}
}}
",
            runs.len(),
            runs.join(", ")
        ));
        let file = dir.write("main.rs", src);
        let exe = dir.file("run");
        must(
            Command::new("rustc")
                .args([
                    "--edition",
                    "2021",
                    "-D",
                    "warnings",
                    "-C",
                    "opt-level=1",
                    "-o",
                ])
                .arg(&exe)
                .arg(&file),
            "rustc",
        );
        run_with_input(&mut Command::new(&exe), input, "the Rust program")
    });
}

/// `pub fn run(input: &[f64]) -> Vec<f64>`, building the arrays from the flat input.
fn rust_adapter(c: &Code) -> String {
    let mut k = 0;
    let mut lets = String::new();
    let mut args = Vec::new();
    for (n, p) in c.params.iter().enumerate() {
        if p.shape.is_empty() {
            lets.push_str(&format!("    let p{n} = input[{k}];\n"));
            args.push(format!("p{n}"));
        } else {
            // Nested from_fn, row-major: element [i0][i1]... is input[k + i0*s0 + ...].
            let strides: Vec<usize> = (0..p.shape.len())
                .map(|d| p.shape[d + 1..].iter().product())
                .collect();
            let offset: Vec<String> = (0..p.shape.len())
                .map(|d| format!("i{d}*{}", strides[d]))
                .collect();
            let mut e = format!("input[{k} + {}]", offset.join(" + "));
            for d in (0..p.shape.len()).rev() {
                e = format!("std::array::from_fn(|i{d}| {e})");
            }
            lets.push_str(&format!("    let p{n} = {e};\n"));
            args.push(format!("&p{n}"));
        }
        k += p.len();
    }
    let call = format!("{}({})", c.function, args.join(", "));
    let flat = match c.out {
        Out::Scalar => format!("vec![{call}]"),
        Out::Vector(_) => format!("{call}.to_vec()"),
        Out::Matrix(..) => format!("{call}.iter().flatten().copied().collect()"),
    };
    format!("pub fn run(input: &[f64]) -> Vec<f64> {{\n{lets}    {flat}\n}}\n")
}

/// A script that runs every case's code: its arguments are a JSON file of the cases.
const PYTHON_RUNNER: &str = r#"
import json, sys
import numpy as np
cases = json.load(open(sys.argv[1]))
fns = []
for c in cases:
    ns = {}
    exec(c["code"], ns)
    fns.append((ns[c["function"]], c["shapes"]))
for line in sys.stdin:
    parts = line.split()
    f, shapes = fns[int(parts[0])]
    vals = [float(v) for v in parts[1:]]
    args, k = [], 0
    for sh in shapes:
        n = int(np.prod(sh)) if sh else 1
        args.append(np.array(vals[k:k + n]).reshape(sh) if sh else vals[k])
        k += n
    r = np.asarray(f(*args), dtype=float).ravel()
    print(" ".join(repr(float(x)) for x in r))
"#;

const JS_RUNNER: &str = r#"
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const fns = cases.map(c => [new Function(c.code + "\nreturn " + c.function + ";")(), c.shapes]);
function nest(vals, shape) {
  if (shape.length === 0) return vals[0];
  const n = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(vals.slice(i * n, (i + 1) * n), shape.slice(1)));
}
const out = [];
for (const line of fs.readFileSync(0, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const parts = line.trim().split(/\s+/);
  const [f, shapes] = fns[Number(parts[0])];
  const vals = parts.slice(1).map(Number);
  const args = [];
  let k = 0;
  for (const sh of shapes) {
    const n = sh.reduce((a, b) => a * b, 1);
    args.push(nest(vals.slice(k, k + n), sh));
    k += n;
  }
  const r = [f(...args)].flat(Infinity);
  out.push(r.map(v => String(v)).join(" "));
}
console.log(out.join("\n"));
"#;

/// The cases as the runners read them.
fn cases_json(codes: &[Code]) -> String {
    let v: Vec<Value> = codes
        .iter()
        .map(|c| {
            let shapes: Vec<&Vec<usize>> = c.params.iter().map(|p| &p.shape).collect();
            serde_json::json!({"code": c.text, "function": c.function, "shapes": shapes})
        })
        .collect();
    Value::Array(v).to_string()
}

fn interpreted(runner: &str, tool: &str, codes: &[Code], input: &str) -> String {
    let dir = TempDir::new();
    let script = dir.write("runner", runner);
    let data = dir.write("cases.json", cases_json(codes));
    run_with_input(
        Command::new(tool).arg(&script).arg(&data),
        input,
        &format!("{tool} running the code"),
    )
}

fn python_with_numpy() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn python_code_runs_and_agrees_with_at() {
    if !python_with_numpy() {
        return skip("python3 with NumPy not found (pip install numpy to run the Python code)");
    }
    check_language("python", |codes, input| {
        interpreted(PYTHON_RUNNER, "python3", codes, input)
    });
}

#[test]
fn javascript_code_runs_and_agrees_with_at() {
    if !on_path("node") {
        return skip("no node on PATH (the JavaScript code was not run)");
    }
    check_language("js", |codes, input| {
        interpreted(JS_RUNNER, "node", codes, input)
    });
}

// ---- the command line ------------------------------------------------------------------

#[test]
fn a_function_without_a_body_is_refused_by_name() {
    deriv(&["partial", "f(x)*g(x)", "x", "--emit", "c"])
        .fails_with(1, "cannot emit code: f, f', g, g' have no definition");
    // A derivative rule alone leaves phi itself to compute.
    deriv(&[
        "partial",
        "phi(x)",
        "x",
        "--let",
        "phi'(s) = phi(s)*(1 - phi(s))",
        "--emit",
        "py",
    ])
    .fails_with(1, "cannot emit code: phi has no definition");
    // With a body it is expanded.
    let o = deriv(&[
        "partial",
        "phi(x)",
        "x",
        "--let",
        "phi(s) = 1/(1 + exp(-s))",
        "--let",
        "phi'(s) = phi(s)*(1 - phi(s))",
        "--emit",
        "c",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains("exp(-x)"), "{}", o.stdout);
}

#[test]
fn emit_refuses_what_it_cannot_write() {
    deriv(&["eval", "x", "--emit", "c"]).fails_with(2, "not `eval`");
    deriv(&["partial", "-", "x", "--emit", "c"])
        .stdin("x^2\n")
        .fails_with(2, "not `-`");
    deriv(&["partial", "x^2", "x", "--emit", "c", "--at", "x=1"])
        .fails_with(2, "use one or the other");
    deriv(&["partial", "x^2", "x", "--emit", "c", "--explain"]).fails_with(2, "use one");
    deriv(&["partial", "x^2", "x", "--emit", "fortran"]).fails_with(2, "fortran");
}

#[test]
fn emit_with_json_wraps_the_code() {
    let o = deriv(&[
        "grad",
        "w[1]*x + w[2]",
        "--emit",
        "rust",
        "--format",
        "json",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:?}");
    let v = json(&o.stdout);
    assert_eq!(v["operation"], "grad");
    assert_eq!(v["result"][0]["plain"], "x");
    assert_eq!(v["code"]["language"], "rust");
    assert_eq!(v["code"]["function"], "grad");
    assert_eq!(v["code"]["parameters"][0]["name"], "w");
    assert_eq!(v["code"]["parameters"][0]["variables"], "w[1..2]");
    assert_eq!(v["code"]["parameters"][0]["shape"], serde_json::json!([2]));
    assert_eq!(
        v["code"]["parameters"][0]["first_index"],
        serde_json::json!([1])
    );
    let text = v["code"]["text"].as_str().unwrap();
    assert!(
        text.contains("pub fn grad(w: &[f64; 2], x: f64) -> [f64; 3]"),
        "{text}"
    );
}

#[test]
fn the_comment_says_which_variable_is_which() {
    // A name that is not an identifier of the language is spelt in ASCII (θ is the
    // variable theta itself, so é stands for such a name).
    let o = deriv(&["grad", "w[1,2]*x[0] + é", "--emit", "c"]).run();
    assert_eq!(o.code, 0, "{o:?}");
    for want in [
        "w: the array w[1..1,1..2], 1×2, 0-based: w[i,j] of the expression is w[i-1][j-1] here",
        "x: the array x[0..0], length 1, 0-based: x[i] of the expression is x[i] here",
        "u00e9: a number, the variable é",
        "void grad(const double w[1][2], const double x[1], double u00e9, double out[3])",
        "(void)u00e9;",
        "out[2] = 1.0; /* d/dé */",
    ] {
        assert!(o.stdout.contains(want), "{want}\n{}", o.stdout);
    }
}

/// `numpy` may be missing: this test only reads the Python text.
#[test]
fn python_code_is_numpy_with_the_stated_choices() {
    let o = deriv(&["partial", "erf(x)*relu(x)", "x", "--emit", "python"]).run();
    assert_eq!(o.code, 0, "{o:?}");
    for want in [
        "import numpy as np",
        "_erf = np.vectorize(math.erf",
        "erf is Python's math.erf through np.vectorize",
        "np.heaviside(x, 0.0)",
        "heaviside(0) = 0 (so relu'(0) = 0)",
    ] {
        assert!(o.stdout.contains(want), "{want}\n{}", o.stdout);
    }
}

#[test]
fn the_page_is_a_help_topic() {
    let page = deriv(&["help", "codegen"]).run();
    assert_eq!(page.code, 0);
    let file = std::fs::read_to_string("docs/codegen.md").unwrap();
    assert_eq!(page.stdout, file, "deriv help codegen is docs/codegen.md");
}
