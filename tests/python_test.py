"""python_test.py - python/prism.py over libprism.so (PRISM_LIB), checked with
networkx itself. Run by `make test` with Debian's /usr/bin/python3 and
python3-networkx (.ci/run installs both); skipped, not failed, without
networkx."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python"))

try:
    import networkx as nx
except ImportError:
    print("python test: skipped (no networkx; .ci/run installs python3-networkx)")
    sys.exit(0)

import prism  # noqa: E402

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("python test: FAIL:", what)
        sys.exit(1)


def check_coloring(g, colors, k, what):
    """Every node colored, colors exactly 0..k-1, proper (networkx's edges)."""
    check(set(colors) == set(g.nodes), what + ": every node has a color")
    check(set(colors.values()) == set(range(k)), what + ": colors are 0..%d" % (k - 1))
    bad = [(u, v) for u, v in g.edges if colors[u] == colors[v]]
    check(not bad, what + ": proper (conflicts on %s)" % bad[:3])
    # networkx's own check of the same: each color class is independent
    for c in range(k):
        cls = [v for v in g.nodes if colors[v] == c]
        check(nx.number_of_edges(g.subgraph(cls)) == 0, what + ": class %d independent" % c)


check(prism.version() == "0.1.0", "version")

# Petersen graph: chromatic number 3
g = nx.petersen_graph()
colors = prism.color(g, k=3, time_limit=30)
check_coloring(g, colors, 3, "petersen k=3")
colors = prism.color(g, time_limit=1)
check_coloring(g, colors, 3, "petersen minimised")

# a random graph with labels that are not integers
r = nx.relabel_nodes(nx.gnp_random_graph(70, 0.3, seed=4),
                     {i: ("v", i) if i % 2 else "n%d" % i for i in range(70)})
colors = prism.color(r, time_limit=1, seed=3)
k = len(set(colors.values()))
check_coloring(r, colors, k, "random graph")
check(k <= max(d for _, d in r.degree) + 1, "random graph: at most max degree + 1 colors")
# same seed, same coloring
check(prism.color(r, time_limit=0, seed=3, params={"max_batches": 5}) ==
      prism.color(r, time_limit=0, seed=3, params={"max_batches": 5}), "same seed")

# an edge list: a triangle with a pendant vertex, repeated edges
edges = [(1, 2), (2, 3), (3, 1), (3, "x"), (2, 1)]
colors = prism.color(edges, time_limit=5)
h = nx.Graph(edges)
check_coloring(h, colors, 3, "edge list")
seen = []
prism.color(edges, on_improve=lambda kk, s: seen.append(kk))
check(seen and seen[-1] == 3, "on_improve reports the final k")

# errors carry the library's (or the binding's) message
for bad, args, text in [
        (edges, {"k": 2}, "clique of 3 vertices"),
        ([(1, 1)], {}, "self-loop on vertex 1"),
        (edges, {"params": {"no_such_param": 1}}, "unknown parameter 'no_such_param'"),
        (edges, {"params": {"replicas": -3}}, "out of range"),
        (edges, {"threads": 0}, "threads")]:
    try:
        prism.color(bad, **args)
        check(False, "%s %s: no error" % (bad, args))
    except prism.PrismError as e:
        check(text in str(e), "error text '%s' in '%s'" % (text, e))
try:
    prism.color(42)
    check(False, "an int is not a graph")
except TypeError:
    check(True, "TypeError")

print("python test: %d checks OK (networkx %s, libprism %s)" % (checks, nx.__version__,
                                                              prism.version()))
