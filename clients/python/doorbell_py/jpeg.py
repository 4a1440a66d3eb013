"""A tiny baseline JPEG encoder for synthetic frames, so that --synthetic clips hold real JPEG images (FORMAT.md:
one complete JPEG per frame) without an imaging library. Grayscale, flat 8x8 blocks (DC only), which is all a
synthetic porch needs: a door and a figure that walks across."""
import struct

_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)  # the standard luminance DC table (ITU T.81 K.3)
_DC_VALUES = tuple(range(12))
_AC_BITS = (1,) + (0,) * 15  # one code, "0", for the only AC symbol used: end of block
_AC_VALUES = (0x00,)


def _codes(bits, values):
  codes, code, k = {}, 0, 0
  for length, count in enumerate(bits, start=1):
    for _ in range(count):
      codes[values[k]] = (code, length)
      code, k = code + 1, k + 1
    code <<= 1
  return codes


_DC_CODES = _codes(_DC_BITS, _DC_VALUES)
_EOB = _codes(_AC_BITS, _AC_VALUES)[0x00]


class _BitWriter:
  def __init__(self):
    self.out, self.acc, self.n = bytearray(), 0, 0

  def put(self, value, length):
    self.acc, self.n = (self.acc << length) | (value & ((1 << length) - 1)), self.n + length
    while self.n >= 8:
      self.n -= 8
      byte = (self.acc >> self.n) & 0xFF
      self.out.append(byte)
      if byte == 0xFF:
        self.out.append(0x00)  # byte stuffing
    self.acc &= (1 << self.n) - 1

  def flush(self):
    if self.n:
      self.put((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with one bits
    return bytes(self.out)


def _segment(marker, payload):
  return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def encode_blocks(levels):
  """levels: rows of 8x8 block brightness 0..255; returns the JPEG bytes of that image."""
  rows, cols = len(levels), len(levels[0])
  bits = _BitWriter()
  prev = 0
  for row in levels:
    for level in row:
      dc = (max(0, min(255, level)) - 128) * 8  # DC of a flat block with quantizer 1
      diff, prev = dc - prev, dc
      size = abs(diff).bit_length()
      bits.put(*_DC_CODES[size])
      if size:
        bits.put(diff if diff > 0 else diff + (1 << size) - 1, size)
      bits.put(*_EOB)
  out = b"\xff\xd8"
  out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
  out += _segment(0xDB, b"\x00" + b"\x01" * 64)
  out += _segment(0xC0, struct.pack(">BHHB", 8, rows * 8, cols * 8, 1) + b"\x01\x11\x00")
  out += _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES))
  out += _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES))
  out += _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
  return out + bits.flush() + b"\xff\xd9"


def porch_frame(index, cols=20, rows=15):
  """Frame index of a synthetic porch (cols*8 x rows*8 pixels): a door, and a figure walking left to right."""
  levels = [[90 + 4 * r for _ in range(cols)] for r in range(rows)]
  for r in range(3, rows):
    for c in range(cols // 2 - 2, cols // 2 + 2):
      levels[r][c] = 40
  x = index % cols
  for r in range(rows // 3, rows):
    levels[r][x] = 230
  return encode_blocks(levels)
