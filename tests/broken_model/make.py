#!/usr/bin/env python3
# make.py VALID.wm - write the broken world-model files of this folder from a
# valid (tiny) model file, e.g. one written by
#   prism color G.col --controller mbrl --model VALID.wm -p mbrl_ensemble=1 -p mbrl_hidden=4
# Each file's expected error is in EXPECTED (test_mbrl.c: mbrl_model_fixtures).
import struct, sys, zlib, os

src = open(sys.argv[1], 'rb').read()
here = os.path.dirname(os.path.abspath(__file__))
layout_len = struct.unpack_from('<I', src, 28)[0]
header = 32 + layout_len + 4

def w(name, data):
    open(os.path.join(here, name), 'wb').write(data)

def fix_header_crc(b):
    b = bytearray(b)
    struct.pack_into('<I', b, header - 4, zlib.crc32(bytes(b[:header - 4])) & 0xffffffff)
    return bytes(b)

def fix_body_crc(b):
    b = bytearray(b)
    struct.pack_into('<I', b, len(b) - 4, zlib.crc32(bytes(b[header:-4])) & 0xffffffff)
    return bytes(b)

w('empty.wm', b'')
w('text.wm', b'not a model\n')
w('magic_only.wm', src[:8])
v2 = bytearray(src); struct.pack_into('<I', v2, 8, 2); w('version2.wm', bytes(v2))
hb = bytearray(src); hb[40] ^= 0x20; w('header_checksum.wm', bytes(hb))
bb = bytearray(src); bb[header + 60] ^= 0x01; w('body_checksum.wm', bytes(bb))
w('truncated_body.wm', src[:len(src) - 9])
w('trailing.wm', src + b'\0\0\0\0')
sh = bytearray(src); struct.pack_into('<I', sh, 16, 3); w('shape_in3.wm', fix_header_crc(sh))
lay = bytearray(src); lay[32] ^= 0x01; w('layout.wm', fix_header_crc(lay))
nan = bytearray(src); struct.pack_into('<d', nan, header + 24 + 80, float('nan'))
w('nan_weight.wm', fix_body_crc(nan))
