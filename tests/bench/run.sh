#!/usr/bin/env bash
# Benchmark for deriv: workloads W1-W6 (defined below), timed as whole processes.
#
#   tests/bench/run.sh                 all workloads, default repetitions
#   tests/bench/run.sh --quick         3 repetitions; rows slower than 5 s run once
#   tests/bench/run.sh W3              only W3 (several names allowed: W1 W4 ...; W1-W6)
#   tests/bench/run.sh --only W3/n=10000   only that row ("workload/size" as in the table)
#   tests/bench/run.sh --help          all options
#
# Prints one table row per workload and size: median wall seconds over N runs, the fastest
# run, mean CPU seconds (user+sys; steadier than wall time when the machine is shared), peak
# RSS (MB), output bytes, the workload's target time and whether the wall median meets it.
# Timing uses hyperfine when installed (apt-get install hyperfine), else repeated runs timed
# with $EPOCHREALTIME (bash >= 5) or `date +%s%N`. Peak memory uses GNU time (`/usr/bin/time
# -f %M`, apt package `time`) when installed. Needs bash, awk, coreutils; not Python.
#
# Workloads are generated deterministically into a temporary directory by gen.awk (its own
# random generator, so mawk and gawk produce the same files; the W2 checksum is printed).
# Whole-process times on a shared machine are noisy: compare medians, rerun when in doubt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

runs=10            # repetitions for ordinary rows
quick=0
build=1
keep=0
use_hyperfine=auto
timeout_s=120      # a single run longer than this is reported as TIMEOUT
bin=""
filters=()

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --quick            3 repetitions instead of 10
  --runs N           N repetitions (rows slower than 2 s use at most 3)
  --only NAME        run one workload (W3) or one row (W3/n=10000, "W4/sin depth 1000");
                     repeatable; a bare argument W1..W5 means the same
  --bin PATH         benchmark this binary instead of building target/release/deriv
  --no-build         do not run cargo build --release
  --no-hyperfine     time with the shell fallback even if hyperfine is installed
  --timeout S        give up on a run after S seconds (default 120)
  --keep             keep the temporary directory with workloads and outputs
EOF
}

while (($#)); do
    case $1 in
        --quick) quick=1; runs=3 ;;
        --runs) runs=$2; shift ;;
        --only) filters+=("$2"); shift ;;
        --bin) bin=$2; build=0; shift ;;
        --no-build) build=0 ;;
        --no-hyperfine) use_hyperfine=no ;;
        --timeout) timeout_s=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        W[0-9]*) filters+=("$1") ;;
        *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

if ((build)); then
    echo "# cargo build --release" >&2
    (cd "$root" && cargo build --release --quiet) >&2
fi
[[ -n $bin ]] || bin=$root/target/release/deriv
[[ -x $bin ]] || { echo "run.sh: no binary at $bin" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

if [[ $use_hyperfine == auto ]]; then
    if command -v hyperfine >/dev/null; then use_hyperfine=yes; else use_hyperfine=no; fi
fi
gnu_time=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/deriv-bench.XXXXXX")
if ((keep)); then
    echo "# workloads and outputs kept in $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi

# The largest single argument Linux accepts (MAX_ARG_STRLEN = 32 pages); bigger
# expressions go through stdin batch mode, which is one line in, one line out.
arg_limit=131072

selected() {                          # selected NAME/SIZE
    ((${#filters[@]})) || return 0
    local f
    for f in "${filters[@]}"; do [[ $1 == "$f" || $1 == "$f/"* ]] && return 0; done
    return 1
}

now_ns() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        local t=${EPOCHREALTIME/[.,]/}     # microseconds
        echo $((10#$t * 1000))
    else
        date +%s%N
    fi
}

# One run outside the timing loop: exit status, output size, peak memory, a rough time.
# It also warms the page cache and tells us whether repetitions are affordable.
probe() {                      # probe INPUT ARGS... ; sets p_rc p_bytes p_rss p_secs p_cpu
    local input=$1; shift
    local t0 t1
    t0=$(now_ns)
    set +e
    if [[ -n $gnu_time ]]; then
        timeout "$timeout_s" "$gnu_time" -f '%M %U %S' -o "$tmp/rss" "$bin" "$@" \
            <"$input" >"$tmp/out" 2>"$tmp/err"
    else
        timeout "$timeout_s" "$bin" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
    fi
    p_rc=$?
    set -e
    t1=$(now_ns)
    p_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    p_bytes=$(wc -c <"$tmp/out" | tr -d ' ')
    p_rss=n/a; p_cpu=n/a
    if [[ -n $gnu_time && -s $tmp/rss ]]; then
        # GNU time may first write "Command exited with non-zero status"; ours is the last line.
        read -r p_rss p_cpu < <(awk 'END { printf "%.1f %.4f\n", $1 / 1024, $2 + $3 }' "$tmp/rss")
    fi
    # GNU time reports the child's status; timeout's own 124 means it was cut off.
}

# Children's user+sys seconds so far, from the `times` builtin (second line). `times` must
# run in this shell, not in a pipeline or $(...), whose fork starts with zero child times.
child_cpu() {                         # child_cpu VAR
    times >"$tmp/times_c"
    printf -v "$1" '%s' "$(awk 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.6f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$tmp/times_c")"
}

# Median and minimum wall time and mean CPU (user+sys) over n repetitions;
# sets t_med t_min t_cpu.
time_runs() {                         # time_runs N INPUT ARGS...
    local n=$1 input=$2; shift 2
    if [[ $use_hyperfine == yes ]]; then
        local cmd
        if [[ $input == /dev/null ]]; then
            # No shell: hyperfine execs the binary directly (right for millisecond runs).
            cmd=$(printf '%q ' "$bin" "$@")
            hyperfine -N --runs "$n" --warmup 1 -i --style none \
                --export-csv "$tmp/hf.csv" "$cmd" >/dev/null 2>&1
        else
            # Stdin redirection needs a shell; hyperfine subtracts the shell's own start-up.
            cmd="$(printf '%q ' "$bin" "$@") < $(printf '%q' "$input")"
            hyperfine --runs "$n" --warmup 0 -i --style none \
                --export-csv "$tmp/hf.csv" "$cmd" >/dev/null 2>&1
        fi
        # command,mean,stddev,median,user,system,min,max; the command may hold commas
        # (quoted), so the numbers are counted from the end of the line.
        read -r t_med t_min t_cpu < <(awk -F, 'NR == 2 {
            printf "%.4f %.4f %.4f\n", $(NF-4), $(NF-1), $(NF-3) + $(NF-2) }' "$tmp/hf.csv")
    else
        local i t0 t1 c0 c1
        : >"$tmp/times"
        child_cpu c0
        for ((i = 0; i < n; i++)); do
            t0=$(now_ns)
            "$bin" "$@" <"$input" >/dev/null 2>&1 || true
            t1=$(now_ns)
            echo $((t1 - t0)) >>"$tmp/times"
        done
        child_cpu c1
        t_cpu=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { printf "%.4f", (b - a) / n }')
        read -r t_med t_min < <(sort -n "$tmp/times" | awk '
            { v[NR] = $1 }
            END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                  printf "%.4f %.4f\n", m / 1e9, v[1] / 1e9 }')
    fi
}

fmt_row() { printf '%-4s %-22s %-6s %4s %9s %9s %9s %8s %11s %-18s %s\n' "$@"; }

declare -A median_of=()

# bench NAME SIZE TARGET_SECS TARGET_TEXT EXPECT_RC EXPR_FILE|- STDIN_FILE ARGS...
#   With EXPR_FILE the expression is passed as the EXPR argument when it fits, otherwise via
#   stdin with EXPR `-`; ARGS then follow the expression (e.g. the variable).
bench() {
    local name=$1 size=$2 target=$3 target_text=$4 expect_rc=$5 expr_file=$6 input=$7
    shift 7
    selected "$name/$size" || return 0
    local via args
    if [[ $expr_file == - ]]; then
        via=stdin; args=(partial - "$@")
    elif (($(wc -c <"$expr_file") < arg_limit)); then
        via=arg; input=/dev/null; args=(partial "$(cat "$expr_file")" "$@")
    else
        via=stdin; input=$expr_file; args=(partial - "$@")
    fi
    measure "$name" "$size" "$target" "$target_text" "$expect_rc" "$via" "$input" "${args[@]}"
}

# bench_cmd NAME SIZE TARGET_SECS TARGET_TEXT EXPECT_RC ARGS...
#   A whole command as given (deriv ARGS..., no stdin), for workloads that are not `partial`.
bench_cmd() {
    local name=$1 size=$2 target=$3 target_text=$4 expect_rc=$5
    shift 5
    selected "$name/$size" || return 0
    measure "$name" "$size" "$target" "$target_text" "$expect_rc" arg /dev/null "$@"
}

# measure NAME SIZE TARGET_SECS TARGET_TEXT EXPECT_RC VIA INPUT ARGS...: probe, time, one row.
measure() {
    local name=$1 size=$2 target=$3 target_text=$4 expect_rc=$5 via=$6 input=$7
    shift 7
    local args=("$@")
    probe "$input" "${args[@]}"
    local note=""
    if ((p_rc == 124)); then
        fmt_row "$name" "$size" "$via" 1 ">$timeout_s" - - "$p_rss" - "$target_text" "TIMEOUT"
        return 0
    fi
    if [[ " $expect_rc " != *" $p_rc "* ]]; then
        note=$(grep -m1 -i 'error\|panic\|overflow' "$tmp/err" | cut -c1-60 || true)
        fmt_row "$name" "$size" "$via" 1 "$p_secs" - "$p_cpu" "$p_rss" "$p_bytes" "$target_text" \
            "FAIL rc=$p_rc ${note}"
        return 0
    fi
    if [[ $input != /dev/null ]]; then
        local lines_in lines_out bad
        lines_in=$(wc -l <"$input"); lines_out=$(wc -l <"$tmp/out")
        bad=$(grep -c '^error' "$tmp/err" || true)
        ((lines_in == lines_out)) || note="lines in $lines_in != out $lines_out; "
        ((bad == 0)) || note+="$bad lines rejected; "
    fi
    local n=$runs
    if awk -v s="$p_secs" 'BEGIN { exit !(s > 2) }'; then ((n > 3)) && n=3; fi
    if ((quick)) && awk -v s="$p_secs" 'BEGIN { exit !(s > 5) }'; then n=1; fi
    if ((n == 1)); then
        t_med=$p_secs; t_min=$p_secs; t_cpu=$p_cpu
    else
        time_runs "$n" "$input" "${args[@]}"
    fi
    median_of[$name/$size]=$t_med
    local status=-
    if [[ $target != - ]]; then
        if awk -v m="$t_med" -v t="$target" 'BEGIN { exit !(m <= t) }'; then status=met
        elif awk -v m="$t_cpu" -v t="$target" 'BEGIN { exit !(m + 0 <= t) }'; then
            status="MISSED (cpu meets: machine busy?)"
        else status=MISSED; fi
    fi
    note=${note%; }
    fmt_row "$name" "$size" "$via" "$n" "$t_med" "$t_min" "$t_cpu" "$p_rss" "$p_bytes" \
        "$target_text" "$status${note:+ ($note)}"
}

# --- workloads ----------------------------------------------------------------------------

gen() { awk "$@" -f "$here/gen.awk"; }

echo "# deriv benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  host $(uname -n), $(nproc) cpus"
echo "# binary $bin ($(wc -c <"$bin" | tr -d ' ') bytes, built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'))"
echo "# timing: $([[ $use_hyperfine == yes ]] && hyperfine --version || echo 'shell loop')," \
     "memory: ${gnu_time:-n/a}, runs: $runs$( ((quick)) && echo ' (quick)')"
gen -v kind=random -v count=10000 -v seed=4 >"$tmp/w2.txt"
echo "# W2 input: $(wc -l <"$tmp/w2.txt") lines, cksum $(cksum <"$tmp/w2.txt" | cut -d' ' -f1)" \
     "(expected 10000 lines, cksum 1473276704)"
echo
fmt_row wl size via runs "median s" "min s" "cpu s" "RSS MB" "out bytes" target status
fmt_row ---- ---------------------- ------ ---- --------- --------- --------- -------- \
    ----------- ------------------ ------

# W1: start-up plus one small derivative.
printf '%s\n' '4*pi/3*t*x*y' >"$tmp/w1.txt"
bench W1 "4*pi/3*t*x*y" 0.003 "<= 3 ms" 0 "$tmp/w1.txt" /dev/null x

# W2: 10,000 random expressions (10-60 nodes; x y z t; + - * / ^, unary -, sin cos tan exp
# log sqrt) in one batch process. About 1.8% of the lines are rejected as division by
# zero or log(0) (e.g. a (z - z) subtree); that is part of the workload (exit status 1).
# Batch mode answers lines that have arrived together on every core, so on a machine with
# more than one the wall time (median) is below the CPU time (cpu s).
bench W2 "10000 lines" 0.1 "<= 0.1 s" "0 1" - "$tmp/w2.txt" x

# W3: one wide sum, sum_{i<n} (i+1)*x^i*y^(i mod 7)*sin(i*x + z).
for n in 1000 10000 100000; do
    if selected "W3/n=$n"; then gen -v kind=sum -v n=$n >"$tmp/w3-$n.txt"; fi
    case $n in
        100000) bench W3 "n=$n" 0.3 "<= 0.3 s, 200 MB" 0 "$tmp/w3-$n.txt" /dev/null x ;;
        *) bench W3 "n=$n" - "-" 0 "$tmp/w3-$n.txt" /dev/null x ;;
    esac
done
if [[ -n ${median_of[W3/n=10000]:-} && -n ${median_of[W3/n=100000]:-} ]]; then
    ratio=$(awk -v a="${median_of[W3/n=10000]}" -v b="${median_of[W3/n=100000]}" \
        'BEGIN { printf "%.1f", (a > 0 ? b / a : 0) }')
    status=$(awk -v r="$ratio" 'BEGIN { print (r <= 12 ? "met" : "MISSED") }')
    fmt_row W3 "ratio 100k/10k" - - "${ratio}x" - - - - "<= 12x" "$status"
fi

# W4: deep nesting with full output (the output grows as depth^2), and a long product.
for d in 100 1000 10000; do
    if selected "W4/sin depth $d"; then gen -v kind=nest -v d=$d >"$tmp/w4-$d.txt"; fi
    case $d in
        1000) bench W4 "sin depth $d" 0.1 "<= 0.1 s" 0 "$tmp/w4-$d.txt" /dev/null x ;;
        *) bench W4 "sin depth $d" - "-" 0 "$tmp/w4-$d.txt" /dev/null x ;;
    esac
done
# With --cse the output of depth 10000 stays linear in the depth.
bench W4 "sin depth 10000 --cse" 0.1 "<= 0.1 s" 0 "$tmp/w4-10000.txt" /dev/null x --cse
if selected "W4/product 1000"; then gen -v kind=prod -v n=1000 >"$tmp/w4-prod.txt"; fi
bench W4 "product 1000" 0.1 "<= 0.1 s" 0 "$tmp/w4-prod.txt" /dev/null x

# W5: a neural network's gradient: the perceptron with two hidden layers of docs/backprop.md,
# I = J = K = 10 (210 parameters), E = (f - y)^2/2 with phi kept by its derivative rule.
# The full symbolic gradient printed with --cse, and the numeric gradient at a point given
# with --at-file (every parameter and input), each as a whole command.
net_defs=(--let I=10 --let J=10 --let K=10 --let a=1 --let 'phi(s) = 1/(1+exp(-a*s))'
          --let "phi'(s) = a*phi(s)*(1-phi(s))")
net_wrt=(--wrt 'w[*,*],u[*,*],v[*]')
net_e=$(gen -v kind=net)
gen -v kind=netpoint -v I=10 -v J=10 -v K=10 -v seed=5 >"$tmp/w5-point.txt"
bench_cmd W5 "10-10-10 grad --cse" 0.05 "<= 50 ms" 0 \
    grad "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --cse
bench_cmd W5 "10-10-10 grad at-file" 0.005 "<= 5 ms" 0 \
    grad "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --at-file "$tmp/w5-point.txt"
bench_cmd W5 "10-10-10 step" - "-" 0 \
    step "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --at-file "$tmp/w5-point.txt"

# W5, the gradient as code: `grad --emit c` of the same network, compiled with cc -O2 and
# called many times in one process (tests/bench/net_main.c varies an input between calls
# and keeps every output, so nothing is hoisted or dropped). The row gives seconds per
# gradient, the median and the fastest of 5 rounds of 100,000 calls; the target is 2 µs.
if selected "W5/10-10-10 emitted C"; then
    if command -v cc >/dev/null; then
        "$bin" grad "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --emit c >"$tmp/net.c"
        cc -O2 -o "$tmp/net-bench" "$tmp/net.c" "$here/net_main.c" -lm
        read -r per_med per_min _ < <("$tmp/net-bench")
        status=$(awk -v m="$per_med" 'BEGIN { print (m <= 2e-6 ? "met" : "MISSED") }')
        fmt_row W5 "10-10-10 emitted C" cc 5 "$per_med" "$per_min" - - \
            "$(wc -c <"$tmp/net.c" | tr -d ' ')" "<= 2 us/gradient" "$status"
    else
        fmt_row W5 "10-10-10 emitted C" - - - - - - - "<= 2 us/gradient" "skipped: no cc"
    fi
fi

# W6: training. One epoch of per-sample SGD over 10,000 samples of the same network
# (`deriv train`, whole process: parsing, compiling E and its gradient, the loop), and one
# gradient over all 10,000 points (`step --data`: the mean gradient, full batch). The
# samples are a CSV apart from the parameters (gen.awk kind=netdata, netpoint params=1).
if selected W6; then
    gen -v kind=netdata -v I=10 -v count=10000 -v seed=6 >"$tmp/w6-data.csv"
    gen -v kind=netpoint -v I=10 -v J=10 -v K=10 -v seed=5 -v params=1 >"$tmp/w6-params.txt"
fi
bench_cmd W6 "10-10-10 train 1 epoch" 0.05 "<= 50 ms" 0 \
    train "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --at-file "$tmp/w6-params.txt" \
    --data "$tmp/w6-data.csv" --epochs 1 --rate 0.01
bench_cmd W6 "10-10-10 grad at 10k points" 0.05 "<= 50 ms" 0 \
    step "$net_e" "${net_wrt[@]}" "${net_defs[@]}" --at-file "$tmp/w6-params.txt" \
    --data "$tmp/w6-data.csv" --rate 0.01
# The same epoch as a NumPy loop, for comparison (when python3 and numpy are installed;
# not part of the tests). It prints the epoch's loss, which deriv's must match.
if selected W6 && python3 -c 'import numpy' 2>/dev/null; then
    echo
    echo "# W6 reference, NumPy per-sample loop: $(python3 "$here/numpy_ref.py" \
        "$tmp/w6-params.txt" "$tmp/w6-data.csv" 0.01)"
    echo "# W6 deriv train: $("$bin" train "$net_e" "${net_wrt[@]}" "${net_defs[@]}" \
        --at-file "$tmp/w6-params.txt" --data "$tmp/w6-data.csv" --epochs 1 --rate 0.01 \
        2>&1 >/dev/null)"
fi
