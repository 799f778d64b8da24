"""prism.py - color graphs with libprism from Python (ctypes; nothing outside
the standard library, networkx optional).

    import networkx as nx, prism
    colors = prism.color(nx.petersen_graph(), time_limit=5)   # {node: color}
    assert all(colors[u] != colors[v] for u, v in nx.petersen_graph().edges)

The library is found through $PRISM_LIB (a path to libprism.so), then next
to this module, then in ../build/ (a source tree), then on the system's
library path.
"""

import array
import ctypes
import ctypes.util
import os
import signal
import threading

__all__ = ["color", "version", "PrismError"]


class PrismError(Exception):
    """A failure reported by libprism (its error line is the message)."""


class _Progress(ctypes.Structure):
    _fields_ = [("seconds", ctypes.c_double), ("batches", ctypes.c_uint64),
                ("k", ctypes.c_uint32), ("conflicts", ctypes.c_uint32),
                ("best_k", ctypes.c_uint32), ("lower_bound", ctypes.c_uint32)]


_PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_Progress))
_IMPROVE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32,
                               ctypes.POINTER(ctypes.c_uint32), ctypes.c_uint32,
                               ctypes.c_double)
_RESULT_UNKNOWN, _RESULT_SAT, _RESULT_OPTIMUM, _RESULT_UNSAT = 0, 1, 2, 3
_lib = None


def _candidates():
    env = os.environ.get("PRISM_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(here, name) for name in ("libprism.so", "libprism.so.0")]
    paths.append(os.path.join(here, os.pardir, "build", "libprism.so"))
    system = ctypes.util.find_library("prism")
    if system:
        paths.append(system)
    return paths


def _load():
    global _lib
    if _lib is not None:
        return _lib
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    else:
        raise PrismError("libprism not found (set PRISM_LIB); tried: " + ", ".join(tried))
    P, u32, u64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64
    sigs = {
        "prism_version": (ctypes.c_char_p, []),
        "prism_new": (P, []),
        "prism_free": (None, [P]),
        "prism_error": (ctypes.c_char_p, [P]),
        "prism_load_edges": (ctypes.c_int, [P, u32, ctypes.POINTER(u32), u64]),
        "prism_set_param": (ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_double]),
        "prism_on_progress": (None, [P, _PROGRESS_FN, P]),
        "prism_on_improve": (None, [P, _IMPROVE_FN, P]),
        "prism_run": (ctypes.c_int, [P]),
        "prism_result_status": (ctypes.c_int, [P]),
        "prism_result_k": (u32, [P]),
        "prism_result_colors": (ctypes.POINTER(u32), [P]),
        "prism_result_lower_bound": (u32, [P]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    _lib = lib
    return lib


def version():
    """The library's version, e.g. "0.1.0"."""
    return _load().prism_version().decode()


def _edges_of(graph):
    """(nodes, pairs of indices) of a networkx graph or an iterable of pairs."""
    if hasattr(graph, "nodes") and hasattr(graph, "edges"):
        nodes = list(graph.nodes)
        pairs = list(graph.edges())
    else:
        try:
            pairs = [tuple(e) for e in graph]
        except TypeError:
            raise TypeError("prism.color: a networkx graph or a list of (u, v) pairs") from None
        if any(len(e) != 2 for e in pairs):
            raise TypeError("prism.color: every edge must be a pair (u, v)")
        nodes = list(dict.fromkeys(v for e in pairs for v in e))
    for u, v in pairs:
        if u == v:
            raise PrismError("self-loop on vertex %r: no coloring is proper" % (u,))
    index = {v: i for i, v in enumerate(nodes)}
    flat = array.array("I", [0]) if not pairs else array.array(
        "I", (index[v] for e in pairs for v in e[:2]))
    return nodes, flat, len(pairs)


def color(graph, k=None, time_limit=60, seed=1, threads=1, params=None, on_improve=None):
    """Color `graph` (a networkx graph, any hashable node labels, or an edge
    list of (u, v) pairs) and return {vertex: color} with colors 0 .. k-1.

    k: find a coloring with at most k colors (stop there); None: as few
    colors as possible within time_limit seconds (0: no limit). params: a
    dict of engine parameters (`prism params`). on_improve(k, seconds) is
    called with each better (verified) coloring's size. Ctrl-C stops the
    solve and raises KeyboardInterrupt. Raises PrismError on a failure,
    including a k that cannot be reached (below the clique bound, or not
    found within the time limit)."""
    lib = _load()
    nodes, flat, m = _edges_of(graph)
    if array.array("I").itemsize != 4:
        flat = array.array("L", flat)  # pragma: no cover (unusual platforms)
    p = lib.prism_new()
    if not p:
        raise MemoryError("prism_new")
    state = {"interrupted": False}

    def progress(user, q):  # after each batch: stop on Ctrl-C
        return 1 if state["interrupted"] else 0

    def improve(user, kk, colors, n, seconds):
        if on_improve is not None:
            on_improve(kk, seconds)

    def on_sigint(signum, frame):  # runs in the callbacks, while C code runs
        state["interrupted"] = True

    progress_cb, improve_cb = _PROGRESS_FN(progress), _IMPROVE_FN(improve)
    old_sigint = None
    if threading.current_thread() is threading.main_thread():
        old_sigint = signal.signal(signal.SIGINT, on_sigint)
    try:
        def setp(name, value):
            if lib.prism_set_param(p, name.encode(), float(value)):
                raise PrismError(lib.prism_error(p).decode())

        setp("time_limit", time_limit)
        setp("seed", seed)
        setp("threads", threads)
        setp("target_k", k or 0)
        for name, value in (params or {}).items():
            setp(name, value)
        edges = (ctypes.c_uint32 * len(flat)).from_buffer(flat)
        if lib.prism_load_edges(p, len(nodes), edges, m):
            raise PrismError(lib.prism_error(p).decode())
        lib.prism_on_progress(p, progress_cb, None)
        lib.prism_on_improve(p, improve_cb, None)
        if lib.prism_run(p):
            raise PrismError(lib.prism_error(p).decode())
        if state["interrupted"]:
            raise KeyboardInterrupt
        status = lib.prism_result_status(p)
        if status == _RESULT_UNSAT:
            raise PrismError("no coloring with %d colors: the graph has a clique of %d vertices"
                             % (k, lib.prism_result_lower_bound(p)))
        if status == _RESULT_UNKNOWN:
            raise PrismError("no coloring with at most %d colors found within %g s (best: %d)"
                             % (k, time_limit, lib.prism_result_k(p)))
        colors = lib.prism_result_colors(p)
        return {v: colors[i] for i, v in enumerate(nodes)}
    finally:
        lib.prism_free(p)
        if old_sigint is not None:
            signal.signal(signal.SIGINT, old_sigint)
