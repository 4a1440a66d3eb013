"""Reads the uplink's directory store of FORMAT.md section 6 (read only: it never repairs or cuts anything).

A bad record at the tail of the newest segment with no valid record after it is a torn write that was never
acknowledged: it is skipped and reported. A bad record anywhere else is corruption: StoreError names the segment
and offset.
"""
import os
import struct

from .protos import store_pb2

STORE_MARKER = "doorbell-store v1"
STORE_MARKERS = (STORE_MARKER, "doorbell-store v2")
SEGMENT_MAGIC = b"DBSTORE1"
MAX_RECORD = 64 * 1024 * 1024


def _crc32c_table():
  table = []
  for n in range(256):
    c = n
    for _ in range(8):
      c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    table.append(c)
  return table


_TABLE = _crc32c_table()


def crc32c(data, crc=0):
  """Castagnoli CRC (reflected polynomial 0x82F63B78), as java.util.zip.CRC32C; no CRC32C in the stdlib."""
  crc ^= 0xFFFFFFFF
  table = _TABLE
  for b in data:
    crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
  return crc ^ 0xFFFFFFFF


class StoreError(Exception):
  pass


class StoredClip:
  def __init__(self, device_id, clip_id):
    self.device_id, self.clip_id = device_id, clip_id
    self.header = None
    self.misplaced_open = False
    self.frames = []  # (seq, last, meta, sealed) in stored order
    self.close_frame_count = None

  def __repr__(self):
    return "StoredClip(device=%s, clip=%d, frames=%d)" % (self.device_id, self.clip_id, len(self.frames))


# The first byte of a StoredRecord body: field 1, 2 or 3 (clip_open, frame, clip_close), wire type 2.
_BODY_STARTS = (0x0A, 0x12, 0x1A)


def _record_at(data, offset):
  """Returns the body of a valid record at offset, or None."""
  if offset + 8 > len(data):
    return None
  length, crc = struct.unpack_from(">II", data, offset)
  if not 1 <= length <= MAX_RECORD or offset + 8 + length > len(data):
    return None
  body = data[offset + 8:offset + 8 + length]
  return body if crc32c(body) == crc else None


def _any_valid_record_after(data, offset):
  """FORMAT.md section 6: a valid record has a sane length, lies inside the file, has a body that starts as a
  StoredRecord field and a matching CRC; the cheap tests run first, so the CRC runs on few candidates."""
  for o in range(offset + 1, len(data) - 8):
    if data[o + 8] in _BODY_STARTS and _record_at(data, o) is not None:
      return True
  return False


def read_segment(path, newest):
  """Returns (bodies, torn tail offset or None)."""
  with open(path, "rb") as f:
    data = f.read()
  if data[:len(SEGMENT_MAGIC)] != SEGMENT_MAGIC:
    if newest and len(data) < len(SEGMENT_MAGIC) and SEGMENT_MAGIC.startswith(data):
      return [], 0
    raise StoreError("%s: does not start with DBSTORE1" % path)
  bodies = []
  offset = len(SEGMENT_MAGIC)
  while offset < len(data):
    body = _record_at(data, offset)
    if body is None:
      if newest and not _any_valid_record_after(data, offset):
        return bodies, offset
      raise StoreError("%s: corrupt record at offset %d (bad length or CRC32C, valid data follows)" % (path, offset))
    bodies.append(body)
    offset += 8 + len(body)
  return bodies, None


def segments(store_dir):
  marker = os.path.join(store_dir, "doorbell-store")
  try:
    with open(marker, encoding="utf-8") as f:
      if f.read() not in tuple(m + "\n" for m in STORE_MARKERS):
        raise StoreError("%s: not one of %r" % (marker, STORE_MARKERS))
  except FileNotFoundError:
    raise StoreError("%s: missing; %s is not a doorbell store" % (marker, store_dir)) from None
  seg_dir = os.path.join(store_dir, "segments")
  # 10 decimal digits then ".seg"; a "*.seg.tmp" is a segment still being made and holds nothing acknowledged.
  names = sorted(n for n in os.listdir(seg_dir) if len(n) == 14 and n.endswith(".seg") and n[:10].isdigit())
  return [os.path.join(seg_dir, n) for n in names]


def read_store(store_dir, warn=lambda message: None):
  """Returns the clips of the store as StoredClip objects, in order of first appearance."""
  clips = {}
  paths = segments(store_dir)
  for index, path in enumerate(paths):
    bodies, torn = read_segment(path, newest=index == len(paths) - 1)
    if torn is not None:
      warn("%s: torn tail at offset %d skipped (never acknowledged)" % (path, torn))
    for number, body in enumerate(bodies):
      record = store_pb2.StoredRecord()
      try:
        record.ParseFromString(body)
      except Exception as e:
        raise StoreError("%s: record %d does not parse as StoredRecord: %s" % (path, number, e)) from None
      _add(clips, record, path, number)
  return list(clips.values())


def _clip(clips, device_id, clip_id):
  key = (device_id, clip_id)
  if key not in clips:
    clips[key] = StoredClip(device_id, clip_id)
  return clips[key]


def _add(clips, record, path, number):
  kind = record.WhichOneof("body")
  if kind == "clip_open":
    r = record.clip_open
    clip = _clip(clips, r.device_id, r.clip_id)
    if clip.header is None and not clip.frames:
      clip.header = r.header
    else:
      clip.misplaced_open = True  # the uplink never writes a second clip_open, nor one after frames
  elif kind == "frame":
    r = record.frame
    _clip(clips, r.device_id, r.clip_id).frames.append((r.seq, r.last, r.meta, r.sealed))
  elif kind == "clip_close":
    r = record.clip_close
    _clip(clips, r.device_id, r.clip_id).close_frame_count = r.frame_count
  elif kind == "segment_start":
    pass  # a v2 segment's first record: it belongs to the log, not to a clip
  else:
    raise StoreError("%s: record %d has no body" % (path, number))
