//! Terms, columns and `--cse` bindings follow the order a person counts (issue #16):
//! numbers inside names and indices compare as numbers, z1 before z2 before z10 and
//! w[1,2] before w[2,1] before w[10,1], and exponentials by their exponents in that order.

use crate::common::*;

#[test]
fn numbered_names_sort_by_their_numbers() {
    deriv(&["simplify", "z10 + z2 + z1 + w[10,1] + w[2,1] + w[1,2]"])
        .prints("w[1,2] + w[2,1] + w[10,1] + z1 + z2 + z10");
    // Columns of a gradient are the variables in that order.
    deriv(&["grad", "z10 + 2*z2 + 3*z1"]).prints("[3, 2, 1]");
    // Unknown functions and indexed names with symbolic indices too.
    deriv(&["simplify", "f10(x) + f2(x) + w10[i] + w2[i]"])
        .prints("f2(x) + f10(x) + w2[i] + w10[i]");
}

#[test]
fn exponentials_sort_by_their_exponents() {
    deriv(&["simplify", "exp(z2) + exp(z1) + exp(z10)"]).prints("exp(z1) + exp(z2) + exp(z10)");
    deriv(&["simplify", "2^b + 2^a"]).prints("2^a + 2^b");
    // Numeric exponents: the higher power first, as before.
    deriv(&["simplify", "x + x^2 + x^3"]).prints("x^3 + x^2 + x");
}

/// A softmax's log-sum-exp: the first binding is exp(z[1]), not exp(z[3]).
#[test]
fn cse_bindings_follow_the_indices() {
    deriv(&["grad", "log(exp(z[1]) + exp(z[2]) + exp(z[3]))", "--cse"]).prints(
        "c1 = exp(z[1])\nc2 = exp(z[2])\nc3 = exp(z[3])\ndelta1 = 1/(c1 + c2 + c3)\n\
         [delta1*c1, delta1*c2, delta1*c3]",
    );
}

/// A mean squared error: delta1 belongs to sample 1 (it was sample 3), and a delta still
/// comes after the deltas it uses.
#[test]
fn deltas_are_numbered_the_way_a_person_counts() {
    deriv(&[
        "grad",
        "sum(i=1..3, (w*x[i] + b - y[i])^2)/3",
        "--wrt",
        "w,b",
        "--cse",
    ])
    .prints(
        "delta1 = 2*(w*x[1] + b - y[1])/3\ndelta2 = 2*(w*x[2] + b - y[2])/3\n\
         delta3 = 2*(w*x[3] + b - y[3])/3\n\
         [delta1*x[1] + delta2*x[2] + delta3*x[3], delta1 + delta2 + delta3]",
    );
    // Two hidden units: the output delta first, then unit 1's, then unit 2's.
    let o = deriv(&[
        "grad",
        "(v[1]*phi(u[1,1]*phi(w[1,1]*x[1] + w[2,1]*x[2]) \
         + u[2,1]*phi(w[1,2]*x[1] + w[2,2]*x[2])) - y)^2/2",
        "--wrt",
        "w[*,*]",
        "--let",
        "phi(s) = 1/(1+exp(-s))",
        "--let",
        "phi'(s) = phi(s)*(1-phi(s))",
        "--cse",
    ])
    .run();
    assert_eq!(o.code, 0, "{o:?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines.contains(&"delta2 = delta1*u[1,1]*c1*(1 - c1)"),
        "{}",
        o.stdout
    );
    assert!(
        lines.contains(&"delta3 = delta1*u[2,1]*c2*(1 - c2)"),
        "{}",
        o.stdout
    );
    assert_eq!(
        lines.last(),
        Some(&"[delta2*x[1], delta3*x[1], delta2*x[2], delta3*x[2]]"),
        "{}",
        o.stdout
    );
}
