"""NumPy reference for W6 of tests/bench/run.sh (not a test): one epoch of per-sample SGD on
the 10-10-10 sigmoid network, E = (f - y)^2/2, over the samples of a CSV (x[1..10], y),
from the parameters of a values file (w[i,j], u[j,k], v[k] = value lines). Prints the
epoch's mean loss, as `deriv train` reports it, and the seconds the loop took.

    python3 numpy_ref.py PARAMS DATA RATE
"""
import sys
import time

import numpy as np


def main():
    params, data, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = time.perf_counter()
    vals = {}
    for line in open(params):
        line = line.split("#")[0].strip()
        if line:
            name, value = (t.strip() for t in line.split("="))
            vals[name] = float(value)
    w = np.array([[vals[f"w[{i},{j}]"] for j in range(1, 11)] for i in range(1, 11)])
    u = np.array([[vals[f"u[{j},{k}]"] for k in range(1, 11)] for j in range(1, 11)])
    v = np.array([vals[f"v[{k}]"] for k in range(1, 11)])
    d = np.loadtxt(data, delimiter=",", skiprows=1)
    xs, ys = d[:, :10], d[:, 10]
    total = 0.0
    for x, y in zip(xs, ys):
        h = 1 / (1 + np.exp(-(x @ w)))
        g = 1 / (1 + np.exp(-(h @ u)))
        r = g @ v - y
        total += r * r / 2
        dg = r * v * g * (1 - g)
        dh = (u @ dg) * h * (1 - h)
        v -= rate * r * g
        u -= rate * np.outer(h, dg)
        w -= rate * np.outer(x, dh)
    print(f"loss {total / len(ys)!r}; {time.perf_counter() - start:.3f} s")


main()
