#!/usr/bin/env python3
"""gen_graph.py - graphs for tuning and benchmarks beyond the DIMACS files.

  bench/gen_graph.py gnp N P SEED            G(n, p)
  bench/gen_graph.py planted N K P SEED      k equal classes, edges between
                                             classes with probability P (a
                                             planted k-coloring, "flat"-like)
  bench/gen_graph.py leighton N K M SEED     a planted k-coloring with
                                             cliques of sizes K..2 planted
                                             (Leighton 1979 in spirit) and
                                             filled up to M edges
  bench/gen_graph.py geometric N R SEED      points in the unit square, an
                                             edge when closer than R

Writes DIMACS .col to stdout; the first comment line says how it was made.
Deterministic for the arguments (Python's random.Random(SEED)).
"""
import math
import random
import sys


def emit(name, n, edges):
    out = sys.stdout
    out.write("c %s\n" % name)
    out.write("p edge %d %d\n" % (n, len(edges)))
    for u, v in sorted(edges):
        out.write("e %d %d\n" % (u + 1, v + 1))


def gnp(n, p, rng):
    return {(u, v) for u in range(n) for v in range(u + 1, n) if rng.random() < p}


def planted(n, k, p, rng):
    cls = [v % k for v in range(n)]
    rng.shuffle(cls)
    return {(u, v) for u in range(n) for v in range(u + 1, n)
            if cls[u] != cls[v] and rng.random() < p}


def leighton(n, k, m, rng):
    cls = [v % k for v in range(n)]
    rng.shuffle(cls)
    members = [[v for v in range(n) if cls[v] == c] for c in range(k)]
    edges = set()
    # cliques of every size from k down to 2, each on distinct classes
    for size in range(k, 1, -1):
        for _ in range(max(1, n // (k * size))):
            cs = rng.sample(range(k), size)
            vs = [rng.choice(members[c]) for c in cs]
            for i in range(size):
                for j in range(i + 1, size):
                    a, b = sorted((vs[i], vs[j]))
                    edges.add((a, b))
            if len(edges) >= m:
                return edges
    while len(edges) < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v and cls[u] != cls[v]:
            edges.add((min(u, v), max(u, v)))
    return edges


def geometric(n, r, rng):
    pts = [(rng.random(), rng.random()) for _ in range(n)]
    cell = max(r, 1e-9)
    grid = {}
    for i, (x, y) in enumerate(pts):
        grid.setdefault((int(x / cell), int(y / cell)), []).append(i)
    edges = set()
    for i, (x, y) in enumerate(pts):
        cx, cy = int(x / cell), int(y / cell)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in grid.get((cx + dx, cy + dy), ()):
                    if j > i and math.hypot(x - pts[j][0], y - pts[j][1]) < r:
                        edges.add((i, j))
    return edges


def main(a):
    if len(a) < 2:
        sys.exit(__doc__)
    kind = a[0]
    name = " ".join(["gen_graph.py"] + a)
    if kind == "gnp" and len(a) == 4:
        n, p, s = int(a[1]), float(a[2]), int(a[3])
        emit(name, n, gnp(n, p, random.Random(s)))
    elif kind == "planted" and len(a) == 5:
        n, k, p, s = int(a[1]), int(a[2]), float(a[3]), int(a[4])
        emit(name, n, planted(n, k, p, random.Random(s)))
    elif kind == "leighton" and len(a) == 5:
        n, k, m, s = int(a[1]), int(a[2]), int(a[3]), int(a[4])
        emit(name, n, leighton(n, k, m, random.Random(s)))
    elif kind == "geometric" and len(a) == 4:
        n, r, s = int(a[1]), float(a[2]), int(a[3])
        emit(name, n, geometric(n, r, random.Random(s)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
