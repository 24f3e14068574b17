#!/usr/bin/env python3
"""Compares the length of deriv's derivatives with SymPy's `diff` (issue #15).

    awk -v kind=random -v count=10000 -v seed=4 -f tests/bench/gen.awk > /tmp/w2.txt
    python3 tests/bench/vs_sympy.py /tmp/w2.txt                  # W2, by x
    python3 tests/bench/vs_sympy.py --limit 2000 --worst 10 /tmp/w2.txt

Each line is one expression. deriv answers all of them in one batch run (`deriv partial -
VAR`); SymPy parses the same text (real symbols, `^` as power), differentiates it with
`sp.diff` and prints it with `str`. Both texts are measured the same way: spaces removed
and `**` counted as `^` (one character), so only the form differs. A line is left out
when deriv rejects it (an undefined expression such as `1/(x - x)`), when SymPy's result
is not finite (`zoo`, `nan`) or when SymPy takes longer than --timeout seconds.

Prints how many lines were compared, the share where deriv's output is no longer than
SymPy's, the median and mean of the length ratio deriv/SymPy, and with --worst the lines
where deriv is longest relative to SymPy. With --simplify it also runs SymPy's own
`simplify()` on its derivative (the shorter of the two is kept) and prints the same
figures for it against `diff`: how far a full simplifier gets on the same lines. Not run by the tests (it needs Python and
SymPy); the targets of issue #15 are share >= 90% and median <= 0.85.
"""
import argparse
import signal
import statistics
import subprocess
import sys

import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

T = standard_transformations + (convert_xor,)
NS = {'e': sp.E, 'pi': sp.pi, 'ln': sp.log, 'log': sp.log, 'abs': sp.Abs,
      'sigmoid': sp.Lambda(sp.Symbol('u'), 1 / (1 + sp.exp(-sp.Symbol('u'))))}


class Timeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Timeout()


def measure(text):
    return len(text.replace(' ', '').replace('**', '^'))


def sympy_diff(line, var, timeout, simplify=False):
    """SymPy's derivative as text, or with `simplify` the pair (diff, shortest of diff
    and simplify(diff)); None when there is none."""
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    try:
        e = parse_expr(line, local_dict=dict(NS), transformations=T)
        e = e.xreplace({s: sp.Symbol(s.name, real=True) for s in e.free_symbols})
        d = sp.diff(e, sp.Symbol(var, real=True))
        if d.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
    except (Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError):
        return None
    finally:
        signal.alarm(0)
    if not simplify:
        return str(d)
    signal.alarm(timeout)
    try:
        best = min(str(d), str(sp.simplify(d)), key=measure)
    except (Timeout, RecursionError, ValueError, TypeError, ZeroDivisionError):
        best = str(d)
    finally:
        signal.alarm(0)
    return str(d), best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('file')
    ap.add_argument('--deriv', default='target/release/deriv')
    ap.add_argument('--var', default='x')
    ap.add_argument('--limit', type=int, default=0, help='only the first N lines')
    ap.add_argument('--timeout', type=int, default=10)
    ap.add_argument('--worst', type=int, default=0, help='show the N worst lines')
    ap.add_argument('--simplify', action='store_true',
                    help="also measure SymPy's simplify() against its diff")
    a = ap.parse_args()
    with open(a.file, encoding='utf-8') as f:
        lines = [l.rstrip('\n') for l in f]
    if a.limit:
        lines = lines[:a.limit]
    run = subprocess.run([a.deriv, 'partial', '-', a.var], input='\n'.join(lines) + '\n',
                         capture_output=True, text=True, check=False)
    outs = run.stdout.split('\n')[:len(lines)]
    rows = []
    for line, out in zip(lines, outs):
        if not out.strip():
            continue
        got = sympy_diff(line, a.var, a.timeout, a.simplify)
        if got is None:
            continue
        theirs, best = got if a.simplify else (got, got)
        rows.append((measure(out) / max(1, measure(theirs)), line, out, theirs,
                     measure(best) / max(1, measure(theirs))))
    if not rows:
        print('nothing compared')
        return 1
    ratios = [r[0] for r in rows]
    share = sum(r <= 1 for r in ratios) / len(ratios)
    print(f'compared {len(rows)} of {len(lines)} lines (by {a.var})')
    print(f'deriv no longer than SymPy: {share:.1%}')
    print(f'length ratio deriv/SymPy: median {statistics.median(ratios):.3f}, '
          f'mean {statistics.mean(ratios):.3f}')
    if a.simplify:
        simp = [r[4] for r in rows]
        print(f"SymPy simplify()/diff: median {statistics.median(simp):.3f}, "
              f"share <= 0.85: {sum(r <= 0.85 for r in simp) / len(simp):.1%} "
              f"(deriv: {sum(r <= 0.85 for r in ratios) / len(ratios):.1%})")
    for ratio, line, ours, theirs, _ in sorted(rows, reverse=True)[:a.worst]:
        print(f'\n{ratio:.2f}  {line}\n  deriv: {ours}\n  sympy: {theirs}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
