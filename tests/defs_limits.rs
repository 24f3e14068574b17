//! Definitions cost what their use costs (issue #17): a definition's body is unfolded only
//! where an expression uses it, chained definitions unfold in linear time and memory, and
//! an unfolding that would nest past the parser's limit (so that deriv could not read its
//! own output back, or a printer would overflow the stack) is refused, naming the
//! definition. The store itself refuses a node deeper than `expr::MAX_DEPTH`, so no
//! expression can overflow the worker's stack in any stage.

use crate::common::*;
use crate::definitions::doubling_defs;
use deriv::expr::{Builtin, ExprId, Fault, MAX_DEPTH, Store};
use deriv::print::{Style, render};
use std::time::Duration;

/// `deriv ARGS` under an address-space cap of `cap_kib` (the worker's 1 GiB stack counts),
/// as `(exit status, stdout, stderr)`; `None` where sh cannot cap.
fn capped(args: &str, cap_kib: u64, budget: f64) -> Option<(Option<i32>, String, String)> {
    if !shell("ulimit -v 4194304")
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("skipped: `ulimit -v` is not available in sh here");
        return None;
    }
    let mut cmd = shell(&format!(
        "ulimit -v {cap_kib} && exec timeout {budget} deriv {args}"
    ));
    let o = cmd.output().expect("sh runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some((o.status.code(), text(&o.stdout), text(&o.stderr)))
}

const CAP_KIB: u64 = 4 << 20;

fn budget(seconds: f64) -> f64 {
    seconds * slack()
}

/// `g1(x) = sin(x)`, `g_k(x) = sin(g_{k-1}(x))` up to `g_last`.
fn sine_chain(last: usize) -> String {
    let mut text = String::from("g1(x) = sin(x)\n");
    for k in 2..=last {
        text += &format!("g{k}(x) = sin(g{}(x))\n", k - 1);
    }
    text
}

const H16_TOO_DEEP: &str = "definition 17 (`h16(s) = h15(h15(s))`) unfolds to an expression \
                            nested more than 100000 levels deep";

/// `h_k(s) = h_{k-1}(h_{k-1}(s))` unfolds 2^(k+1) levels deep. `simplify 'h20(x)'` died
/// of a stack overflow in the printer (after 4 s and 1.8 GB), `h19(x)` printed an
/// expression nested 524,288 deep that deriv could not read back, and `eval` took 7 to
/// 10 s and 2 GB to refuse h21. Each is refused at once now, naming h16, the first
/// definition past the limit, whatever the command, format or option.
#[test]
fn definitions_nested_past_the_limit_are_refused_and_named() {
    let dir = TempDir::new();
    let file = dir.write("h.txt", doubling_defs(21));
    let defs = file.to_str().unwrap();
    let runs: [&[&str]; 8] = [
        &["simplify", "h20(x)"],
        &["simplify", "h20(x)", "--cse"],
        &["simplify", "h19(x)", "--format", "latex"],
        &["simplify", "h19(x)", "--format", "json"],
        &["partial", "h20(x)", "x"],
        &["eval", "h20(x)", "--at", "x=1"],
        &["eval", "h21(x)", "--at", "x=1"],
        &["total", "h17(t)", "x", "--given", "t=x^2"],
    ];
    for args in runs {
        let mut v = args.to_vec();
        v.extend(["--defs", defs]);
        deriv(&v)
            .within(Duration::from_secs_f64(budget(10.0)))
            .fails_with(1, H16_TOO_DEEP);
    }
    // A use too deep is named as a use: h15's body fits, h15 of h15 does not.
    deriv(&["simplify", "h15(h15(x))", "--defs", defs])
        .within(Duration::from_secs_f64(budget(10.0)))
        .fails_with(
            1,
            "a use of `h15` (definition 16) unfolds to an expression nested",
        );
    // Below the limit the result is printed, and reads back as itself.
    let out = deriv(&["simplify", "h15(x)", "--defs", defs]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.matches("^2 + 1").count(), 1 << 15);
    deriv(&["simplify", "-"])
        .stdin(&out.stdout)
        .within(Duration::from_secs_f64(budget(20.0)))
        .prints(out.stdout.trim_end());
}

/// 200,000 chained definitions aborted under a 4 GiB cap ("memory allocation of
/// 1073741824 bytes failed"; without the cap 12.6 s and 2.74 GB): the k-th stored k
/// nodes. Now each unfolds to one new node, and g100001 is named as the first past the
/// nesting limit, in every command; a million definitions give the same error in seconds.
#[test]
fn a_chain_of_200000_definitions_unfolds_in_linear_time() {
    let dir = TempDir::new();
    let file = dir.write("g.txt", sine_chain(200_000));
    let f = file.display();
    let message = "definition 100001 (`g100001(x) = sin(g100000(x))`) unfolds to an \
                   expression nested more than 100000 levels deep";
    for run in [
        "simplify 'g200000(x)'",
        "partial 'g200000(x)' x",
        "eval 'g200000(x)' --at x=1",
    ] {
        let Some((code, out, err)) = capped(&format!("{run} --defs '{f}'"), CAP_KIB, budget(30.0))
        else {
            return;
        };
        assert_eq!(code, Some(1), "{run}: {err}");
        assert!(
            err.starts_with("error") && err.contains(message),
            "{run}: {err}"
        );
        assert_eq!(out, "");
    }
    // 100,000 sines nest as deep as the parser reads: printed, and read back.
    let (code, out, err) = capped(
        &format!("simplify 'g100000(x)' --defs '{f}'"),
        CAP_KIB,
        budget(30.0),
    )
    .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.matches("sin(").count(), 100_000);
    deriv(&["simplify", "-"])
        .stdin(&out)
        .within(Duration::from_secs_f64(budget(20.0)))
        .prints(out.trim_end());
    let million = dir.write("g1m.txt", sine_chain(1_000_000));
    let run = format!("eval 'g1000000(x)' --at x=1 --defs '{}'", million.display());
    let (code, _, err) = capped(&run, CAP_KIB, budget(60.0)).unwrap();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(message), "{err}");
}

/// Every definition in a file was expanded when it was read: `simplify 'h3(1)'` with h0 to
/// h20 in the file took 1 s and 600 MB, and with h0 to h23 (the node budget raised so
/// that the file is accepted) it aborted under the 4 GiB cap after 3 s. Unused
/// definitions are only parsed and checked now.
#[test]
fn unused_definitions_cost_nothing() {
    let dir = TempDir::new();
    let file = dir.write("h.txt", doubling_defs(23));
    let run = format!(
        "simplify 'h3(1)' --defs '{}' --max-nodes 70000000",
        file.display()
    );
    let Some((code, out, err)) = capped(&run, CAP_KIB, budget(10.0)) else {
        return;
    };
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "1947270476915296449559703445493848930452791205\n");
}

/// Parameters of the same name and position share one bound name in every definition
/// (so chains share their unfoldings); arguments are put in at once, so a caller's
/// parameter passed where the callee has the same one is not captured, also through a
/// derivative of a definition. Checked against the functions written out in Rust.
#[test]
fn shared_parameter_names_capture_nothing() {
    let f = |a: f64, b: f64| a * a * b.powi(3) + (a - 2.0 * b).sin();
    let fa = |a: f64, b: f64| 2.0 * a * b.powi(3) + (a - 2.0 * b).cos();
    let g = |a: f64, b: f64| f(b, a) + fa(b, a * b);
    let h = |a: f64, b: f64| g(b, f(a, b)) * a;
    let defs = [
        "--let",
        "f(a, b) = a^2*b^3 + sin(a - 2*b)",
        "--let",
        "g(a, b) = f(b, a) + D[1](f)(b, a*b)",
        "--let",
        "h(b, a) = g(a, f(b, a))*b",
    ];
    for (x, y) in [(0.3, 0.7), (-1.1, 0.4), (0.9, -0.6)] {
        let point = format!("x={x},y={y}");
        let mut args = vec!["eval", "h(x, y)", "--at", &point];
        args.extend(defs);
        let got = number(&deriv(&args).run().stdout);
        let want = h(x, y);
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{x},{y}: {got} vs {want}"
        );
    }
}

/// The store builds nodes up to `MAX_DEPTH` deep and refuses a deeper one (the printers,
/// differentiation and evaluation recurse per level; the plain printer overflowed the
/// 1 GiB stack near 2,000,000 levels). At the limit, every stage works on the worker's
/// stack.
#[test]
fn the_store_refuses_nodes_past_its_depth_and_every_stage_works_at_it() {
    let work = || {
        let mut s = Store::new();
        let x = s.sym("x");
        let mut e: ExprId = x;
        for _ in 1..MAX_DEPTH {
            e = s.builtin(Builtin::Sin, e);
        }
        assert_eq!(s.depth(e), MAX_DEPTH);
        let past = s.builtin(Builtin::Sin, e);
        assert!(s.is_undefined(past));
        assert_eq!(s.fault(), Some(&Fault::TooDeep { limit: MAX_DEPTH }));
        s.clear_fault();
        for style in [Style::Plain, Style::Unicode, Style::Latex] {
            let text = render(&s, e, style);
            assert!(text.len() > MAX_DEPTH as usize, "{style:?}");
        }
        let v = deriv::eval::eval(&s, e, &|_| Some(0.5)).expect("a value");
        assert!(v.is_finite() && v.abs() < 1.0);
        let Some(name) = s.lookup_name("x") else {
            panic!("x is a name")
        };
        // Differentiated where only the top depends on x (the chain rule through every
        // level of sines is quadratic work, whatever the depth limit).
        let y = s.sym("y");
        let mut w = y;
        for _ in 2..MAX_DEPTH {
            w = s.builtin(Builtin::Sin, w);
        }
        let xw = s.mul(vec![x, w]);
        assert_eq!(s.depth(xw), MAX_DEPTH);
        let d = deriv::calculus::partial(&mut s, xw, name);
        assert_eq!(d, w);
        let plan = deriv::print::cse::plan(&s, &[d], &[]);
        drop(plan);
    };
    std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(work)
        .unwrap()
        .join()
        .unwrap();
}
