#!/bin/sh
# Runs the parse_diff fuzz target for SECONDS (default 1800), niced, in fork mode: a
# finding is saved and fuzzing goes on. Usage: tests/fuzz/run.sh [SECONDS]
# A "timeout" (-timeout=10) on a busy machine is often just CPU contention: replay it
# with tests/fuzz/target/x86_64-unknown-linux-gnu/release/parse_diff FILE before trusting it.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); `-s none` builds without a sanitizer, so
# a stable toolchain works. Findings land in tests/fuzz/artifacts/parse_diff/; minimize
# one with `cargo fuzz tmin --fuzz-dir tests/fuzz -s none parse_diff FILE` and copy it to
# tests/fuzz/regressions/, where `cargo test --test hostile` replays it.
set -eu
cd "$(dirname "$0")/../.."
secs="${1:-1800}"
mkdir -p tests/fuzz/corpus/parse_diff
# Seed the corpus with the regressions and a few hostile shapes.
cp tests/fuzz/regressions/* tests/fuzz/corpus/parse_diff/ 2>/dev/null || true
i=0
for s in '4*pi/3*t*x*y' 'sin(x)^cos(x)/log(x)' "f'(g(x,y))" 'x^x^x' '2^99999999*x' \
         '1/0' '0^-1' 'log(0)*x' 'asin(x)+acos(x)+atan(x)+sigmoid(x)+abs(x)' '3(x+1)^-2.5e3' \
         'sqrt(exp(x))*sec(x)*csc(x)*cot(x)*sinh(x)*cosh(x)*tanh(x)' 'θ_1*x**2 - -x'; do
    printf '%s' "$s" > "tests/fuzz/corpus/parse_diff/seed$i"
    i=$((i + 1))
done
exec nice -n 19 cargo fuzz run --fuzz-dir tests/fuzz -s none parse_diff \
    tests/fuzz/corpus/parse_diff -- \
    -max_total_time="$secs" -timeout=10 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096 -max_len=4096 -print_final_stats=1
