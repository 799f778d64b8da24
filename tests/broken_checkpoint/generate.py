#!/usr/bin/env python3
"""Regenerate the broken checkpoints of this folder from a valid checkpoint
of examples/myciel5.col (docs/checkpoint.md has the format):

  ./build/prism color examples/myciel5.col -t 0.3 -s 1 --checkpoint base.ckp
  python3 tests/broken_checkpoint/generate.py base.ckp tests/broken_checkpoint

Files whose content is wrong but whose checksum is right ("re-signed") check
that the loader looks past the checksum. EXPECTED lists what prism says."""
import struct
import sys

MASK = (1 << 64) - 1


def checksum(b):
    h = 0xcbf29ce484222325
    b = b + bytes(-len(b) % 8)
    for i in range(0, len(b), 8):
        h = ((h ^ struct.unpack_from("<Q", b, i)[0]) * 0x100000001b3) & MASK
    return h


def resign(b):
    body = b[:-8]
    return body + struct.pack("<Q", checksum(body))


def put32(b, off, x):
    b = bytearray(b)
    struct.pack_into("<I", b, off, x)
    return bytes(b)


def main():
    base = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    assert base[:8] == b"PRISMCKP" and checksum(base[:-8]) == struct.unpack("<Q", base[-8:])[0]
    H = 24                                  # header bytes
    n = struct.unpack_from("<I", base, H)[0]
    best_k = struct.unpack_from("<I", base, H + 32)[0]
    best = H + 40                           # the best coloring's first color
    pop = best + 4 * n                      # the first population entry
    flipped = bytearray(base)
    flipped[best + 10] ^= 0x04
    files = {
        "empty.ckp": b"",
        "text.ckp": b"p edge 3 3\ne 1 2\ne 2 3\ne 1 3\n",
        "bad_magic.ckp": b"PRISMCKX" + base[8:],
        "truncated_header.ckp": base[:20],
        "truncated.ckp": base[: len(base) // 2],
        "no_checksum.ckp": base[:-8],
        "trailing_bytes.ckp": base + b"\0\0\0\0",
        "version_2.ckp": resign(put32(base, 8, 2)),
        "flipped_byte.ckp": bytes(flipped),
        "other_graph.ckp": resign(put32(base, H, n + 1)),
        "other_edges.ckp": resign(put32(base, H + 12, 0x12345678)),
        # vertices 1 and 2 are adjacent in myciel5: give them the same color
        "improper_best.ckp": resign(put32(base, best + 4, struct.unpack_from("<I", base, best)[0])),
        "best_color_out_of_range.ckp": resign(put32(base, best + 8, best_k)),
        "population_out_of_range.ckp": resign(put32(base, pop + 8 + 12, 1000)),
        "population_count.ckp": resign(put32(base, H + 36, 3)),
    }
    for name, data in files.items():
        open(f"{out}/{name}", "wb").write(data)


main()
