#!/usr/bin/env python3
"""Generates the test server's images with nothing but the standard library.

    python3 make-images.py [OUTPUT_DIR]      (default: this script's folder)

favicon.ico  a 16x16 and a 32x32 icon (classic BMP-in-ICO, 32 bits/pixel):
             a white "W" on a round blue badge.
leaf.png     a 512x512 RGB picture of a leaf.  Its pixels carry a fine grain
             of brightness noise on purpose, so zlib cannot shrink it much: the file stays
             around 250 KB, big enough that the server has to send it over
             many writable rounds (libwebsockets_serve_http_file's
             asynchronous path).

The output is deterministic (fixed random seed), so regenerating the files
reproduces the committed bytes exactly.
"""

import math
import os
import random
import struct
import sys
import zlib


# ---------------------------------------------------------------- favicon.ico

def _inside_w(u, v):
    """True if (u, v) in [0,1)^2, y down, lies on the strokes of a 'W'."""
    if not 0.2 <= v <= 0.8:
        return False
    t = (v - 0.2) / 0.6               # 0 at the top, 1 at the bottom
    # Four strokes: down-right, up-right, down-right, up-right.
    xs = (0.2 + 0.15 * t, 0.5 - 0.15 * t, 0.5 + 0.15 * t, 0.8 - 0.15 * t)
    return any(abs(u - x) < 0.07 for x in xs)


def icon_pixels(size):
    """Rows (top first) of (b, g, r, a) tuples for one icon image."""
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            u, v = (x + 0.5) / size, (y + 0.5) / size
            r = math.hypot(u - 0.5, v - 0.5)
            if r > 0.48:
                row.append((0, 0, 0, 0))                  # transparent
            elif _inside_w(u, v):
                row.append((255, 255, 255, 255))          # white W
            else:
                row.append((200, 110, 30, 255))           # blue (BGR)
        rows.append(row)
    return rows


def icon_image(size):
    """One ICO image: BITMAPINFOHEADER, BGRA pixels bottom-up, AND mask."""
    rows = icon_pixels(size)
    header = struct.pack(
        "<IiiHHIIiiII",
        40,             # header size
        size,           # width
        size * 2,       # height: XOR bitmap + AND mask, as ICO requires
        1,              # planes
        32,             # bits per pixel
        0,              # BI_RGB
        size * size * 4,
        0, 0, 0, 0)
    xor = b"".join(bytes(px) for row in reversed(rows) for px in row)
    mask_row_bytes = ((size + 31) // 32) * 4
    mask = bytearray()
    for row in reversed(rows):
        bits = bytearray(mask_row_bytes)
        for x, px in enumerate(row):
            if px[3] == 0:                    # 1 = transparent
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    return header + xor + bytes(mask)


def make_favicon():
    sizes = (16, 32)
    images = [icon_image(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))        # ICONDIR
    offset = 6 + 16 * len(images)
    for size, image in zip(sizes, images):
        out += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32,
                           len(image), offset)          # ICONDIRENTRY
        offset += len(image)
    return out + b"".join(images)


# ------------------------------------------------------------------- leaf.png

def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + \
        struct.pack(">I", zlib.crc32(body) & 0xffffffff)


def png(width, height, rows):
    """A truecolour PNG from rows of bytes (RGB, no filter byte yet)."""
    raw = b"".join(b"\x00" + row for row in rows)       # filter: None
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                              8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(raw, 9))
            + _png_chunk(b"IEND", b""))


def leaf_colour(x, y, size):
    """Noise-free colour of the leaf picture at pixel (x, y)."""
    # Leaf axis runs diagonally; (a, b) are along / across it, in [-1, 1].
    cx = cy = size / 2
    dx, dy = (x - cx) / (size * 0.45), (y - cy) / (size * 0.45)
    a = (dx + dy) / math.sqrt(2)
    b = (dy - dx) / math.sqrt(2)
    half_width = 0.42 * math.sqrt(max(0.0, 1 - a * a)) * (1.1 - 0.3 * a)
    stem = a > 0.9 and abs(b) < 0.02 and a < 1.15
    if stem:
        return (95, 75, 40)
    if abs(b) >= half_width or abs(a) >= 1:
        # Background: warm paper, lighter towards the top-left.
        shade = 1 - 0.25 * (x + y) / (2 * size)
        return (int(238 * shade), int(228 * shade), int(200 * shade))
    # Midrib and side veins are lighter; the blade darkens to its edge.
    vein = abs(b) < 0.012 or abs(((a + abs(b) * 1.2) * 7) % 1 - 0.5) < 0.04
    edge = abs(b) / half_width
    g = 150 - 50 * edge
    if vein:
        return (150, 200, 110)
    return (int(50 - 20 * edge), int(g), int(40 - 10 * edge))


def make_leaf(size=512, grain=3, seed=0x1eaf):
    """The leaf with +-grain of brightness noise on every pixel."""
    rng = random.Random(seed)
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            noise = rng.randint(-grain, grain)
            for c in leaf_colour(x, y, size):
                row.append(max(0, min(255, c + noise)))
        rows.append(bytes(row))
    return png(size, size, rows)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    for name, data in (("favicon.ico", make_favicon()),
                       ("leaf.png", make_leaf())):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
