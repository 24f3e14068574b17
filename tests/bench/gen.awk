# Workload generators for tests/bench/run.sh. POSIX awk (mawk, gawk, busybox).
# Deterministic on every awk: uses its own Park-Miller generator instead of
# rand(), whose sequence differs between mawk and gawk for the same srand seed.
#
#   awk -v kind=random -v count=10000 -v seed=4 -f gen.awk   # W2: one expression per line
#   awk -v kind=sum    -v n=1000                -f gen.awk   # W3: one line
#   awk -v kind=nest   -v d=1000                -f gen.awk   # W4: sin(sin(...(x)...))
#   awk -v kind=prod   -v n=1000                -f gen.awk   # W4: x*(x+1)*...*(x+n-1)
#   awk -v kind=net                             -f gen.awk   # W5: E of the network
#   awk -v kind=netpoint -v I=10 -v J=10 -v K=10 -v seed=5 -f gen.awk
#                                       # W5: a values file (--at-file): w, u, v, x, y
#                                       # (-v params=1: the parameters w, u, v only)
#   awk -v kind=netdata -v I=10 -v count=10000 -v seed=6 -f gen.awk
#                                       # W6: samples (--data): x[1..I], y, CSV

function rnd() {            # uniform in [0,1); 16807*s < 2^46, exact in a double
    state = (state * 16807) % 2147483647
    return state / 2147483647
}
function pick(n) { return int(rnd() * n) }          # 0 .. n-1

function leaf(   r) {
    r = pick(10)
    if (r < 6) return vars[pick(4)]
    if (r < 9) return (1 + pick(9)) ""
    return (1 + pick(9)) "/" (2 + pick(5))
}

# An expression with exactly n nodes (leaves, operators and function calls all count 1).
function gen(n,   r, k, op) {
    if (n <= 1) return leaf()
    r = rnd()
    if (n == 2 || r < 0.3) {                           # unary: minus or a function
        if (pick(8) == 0) return "(-" gen(n - 1) ")"
        return funcs[pick(6)] "(" gen(n - 1) ")"
    }
    op = ops[pick(5)]
    if (op == "^") {                                   # mostly small integer powers
        if (pick(4) != 0) return "(" gen(n - 2) ")^" (2 + pick(4))
        if (n >= 4) return "(" gen(n - 3) ")^(-" (1 + pick(3)) ")"   # ^, unary minus, leaf
    }
    if (op == "^") op = "*"
    k = 1 + pick(n - 2)                                # left gets k nodes, right n-1-k
    return "(" gen(k) " " op " " gen(n - 1 - k) ")"
}

BEGIN {
    vars[0] = "x"; vars[1] = "y"; vars[2] = "z"; vars[3] = "t"
    funcs[0] = "sin"; funcs[1] = "cos"; funcs[2] = "tan"
    funcs[3] = "exp"; funcs[4] = "log"; funcs[5] = "sqrt"
    ops[0] = "+"; ops[1] = "-"; ops[2] = "*"; ops[3] = "/"; ops[4] = "^"
    if (seed == "") seed = 4
    state = seed % 2147483646 + 1

    if (kind == "random") {
        for (i = 0; i < count; i++) print gen(10 + pick(51))
    } else if (kind == "sum") {
        for (i = 0; i < n; i++)
            printf "%s%d*x^%d*y^%d*sin(%d*x + z)", (i ? " + " : ""), i + 1, i, i % 7, i
        printf "\n"
    } else if (kind == "nest") {
        s = ""
        for (i = 0; i < d; i++) printf "sin("
        printf "x"
        for (i = 0; i < d; i++) printf ")"
        printf "\n"
    } else if (kind == "prod") {
        printf "x"
        for (i = 1; i < n; i++) printf "*(x + %d)", i
        printf "\n"
    } else if (kind == "net") {
        # E = (f - y)^2/2 for f(x, theta) = sum_k v_k phi(sum_j u_jk phi(sum_i w_ij x_i));
        # the bounds I, J, K and phi come from --let.
        print "(sum(k=1..K, v[k]*phi(sum(j=1..J, u[j,k]*phi(sum(i=1..I, w[i,j]*x[i]))))) - y)^2/2"
    } else if (kind == "netpoint") {
        # One value a line, uniform in [-1, 1) with 4 decimals (exact in the file).
        print "# parameters and one data point of an " I "-" J "-" K " network"
        for (i = 1; i <= I; i++) for (j = 1; j <= J; j++) printf "w[%d,%d] = %.4f\n", i, j, 2 * rnd() - 1
        for (j = 1; j <= J; j++) for (k = 1; k <= K; k++) printf "u[%d,%d] = %.4f\n", j, k, 2 * rnd() - 1
        for (k = 1; k <= K; k++) printf "v[%d] = %.4f\n", k, 2 * rnd() - 1
        if (params) exit 0
        for (i = 1; i <= I; i++) printf "x[%d] = %.4f\n", i, 2 * rnd() - 1
        printf "y = %.4f\n", 2 * rnd() - 1
    } else if (kind == "netdata") {
        # A header, then one sample a line: inputs and target uniform in [-1, 1).
        for (i = 1; i <= I; i++) printf "x[%d],", i
        print "y"
        for (r = 0; r < count; r++) {
            for (i = 1; i <= I; i++) printf "%.4f,", 2 * rnd() - 1
            printf "%.4f\n", 2 * rnd() - 1
        }
    } else {
        print "gen.awk: unknown kind '" kind "'" > "/dev/stderr"
        exit 2
    }
}
