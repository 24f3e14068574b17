#!/usr/bin/env python3
"""Checks the diff corpus against SymPy, independently of deriv.

    python3 tests/cases/check_sympy.py tests/cases/diff/*.txt

Each line `EXPR | VAR [VAR...] | EXPECTED` passes when EXPECTED is mathematically equal
to SymPy's derivative of EXPR (symbolically, or else numerically at random points in
(0.1, 0.9)); the form may differ. Unknown functions are replaced by concrete ones
(f, h of one argument, g of two), and deriv's derivative notation (f'(u), f''(u),
D[i,j](g)(u, v)) by their concrete derivatives, so the chain rule itself is checked.
Run it whenever an expected answer in tests/cases/diff/ changes.
"""
import random
import re
import sys
import unicodedata

import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication,
                                        parse_expr, standard_transformations)

T = standard_transformations + (implicit_multiplication, convert_xor)
u, v = sp.symbols('u v')
F = sp.sin(3*u) + u**3 + sp.exp(u/2)
H = u*sp.cos(u) + u**4
G = sp.sin(u)*v**2 + sp.exp(u*v/3) + u**3*v
NS = {
    'e': sp.E, 'pi': sp.pi, 'π': sp.pi, 'ln': sp.log, 'log': sp.log, 'abs': sp.Abs,
    'sigmoid': sp.Lambda(u, 1/(1 + sp.exp(-u))),
    'sec': sp.sec, 'csc': sp.csc, 'cot': sp.cot,
    'sign': sp.sign, 'heaviside': sp.Heaviside, 'relu': sp.Lambda(u, sp.Max(u, 0)),
    'max': sp.Max, 'min': sp.Min, 'floor': sp.floor, 'ceil': sp.ceiling, 'erf': sp.erf,
    'atan2': sp.atan2, 'asinh': sp.asinh, 'acosh': sp.acosh, 'atanh': sp.atanh,
    'softplus': sp.Lambda(u, sp.log(1 + sp.exp(u))),
    'logsumexp': lambda *a: sp.log(sum(sp.exp(x) for x in a)),
    'log2': sp.Lambda(u, sp.log(u, 2)), 'log10': sp.Lambda(u, sp.log(u, 10)),
    'f': sp.Lambda(u, F), 'fp': sp.Lambda(u, F.diff(u)), 'fpp': sp.Lambda(u, F.diff(u, 2)),
    'h': sp.Lambda(u, H), 'hp': sp.Lambda(u, H.diff(u)),
    'g': sp.Lambda((u, v), G),
}
for combo in ['1', '2', '1_1', '1_2', '2_1', '2_2']:
    d = G
    for i in combo.split('_'):
        d = d.diff([u, v][int(i) - 1])
    NS['g' + combo] = sp.Lambda((u, v), d)


def spelled(text):
    """A Greek letter that is a whole name is that name, as in deriv: θ is theta."""
    def name(m):
        words = unicodedata.name(m.group(0)).split()
        return words[-1].lower() if words[1] == 'SMALL' else words[-1].capitalize()
    return re.sub(r"(?<!\w)[α-ωΑ-Ω](?![^\W\d_])", lambda m: m.group(0) if m.group(0) == 'π' else name(m), text)


def to_sympy(text):
    """deriv's plain syntax → a SymPy expression over real symbols."""
    s = spelled(text).replace("f''(", "fpp(").replace("f'(", "fp(").replace("h'(", "hp(")
    s = re.sub(r"D\[([0-9, ]+)\]\(g\)",
               lambda m: 'g' + '_'.join(x.strip() for x in m.group(1).split(',')), s)
    e = parse_expr(s, local_dict=dict(NS), transformations=T)
    return e.xreplace({x: sp.Symbol(x.name, real=True) for x in e.free_symbols})


def equal(a, b):
    diff = sp.simplify(sp.expand(a - b))
    if diff == 0:
        return True
    syms = sorted(diff.free_symbols, key=str)
    for _ in range(8):
        point = {s: sp.Rational(random.randint(11, 89), 100) for s in syms}
        if abs(complex(sp.N(diff.subs(point), 30))) > 1e-12:
            return False
    return True


def main(paths):
    bad = 0
    for path in paths:
        with open(path, encoding='utf-8') as lines:
            for n, line in enumerate(lines, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                expr, variables, expected = (p.strip() for p in line.rsplit('|', 2))
                d = to_sympy(expr)
                for name in variables.split():
                    d = sp.diff(d, sp.Symbol(spelled(name), real=True))
                # floor and ceil are constant away from their jumps (SymPy leaves them
                # unevaluated); the corpus checks derivatives away from kinks.
                d = d.replace(lambda e: isinstance(e, sp.Derivative)
                              and e.expr.func in (sp.floor, sp.ceiling), lambda e: 0)
                ok = equal(d, to_sympy(expected))
                bad += not ok
                print(f"{'ok ' if ok else 'BAD'} {path}:{n}: ∂/∂({variables}) {expr} = {expected}"
                      f"   [SymPy: {d}]")
    print(f"{bad} wrong" if bad else "all equal")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
