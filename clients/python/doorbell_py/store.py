"""Reads the uplink's directory store with the reader rules of FORMAT.md section 6 (read only: it never repairs,
cuts or locks anything it keeps).

It tests whether an uplink holds the store (a live store is read up to the checkpoint), reads every segment with
resynchronisation after a bad record, checks the start records and the checkpoint of a v2 store, and returns the
clips with, for each, the holes of the log (damaged ranges, missing or shortened segments) that may hold its missing
records. Store-level problems are findings; a store it cannot read at all raises StoreError.
"""
import bisect
import fcntl
import os
import re
import struct

from . import fmt, retention
from .protos import store_pb2

STORE_MARKERS = {"doorbell-store v1\n": 1, "doorbell-store v2\n": 2}
SEGMENT_MAGIC = b"DBSTORE1"
CHECKPOINT_MAGIC = b"DBCKPT01"
SLOT = 4096
MAX_RECORD = 64 * 1024 * 1024
PADDING_LIMIT = 65536
NO_LATER_FRAME = float("inf")
# The first byte of a StoredRecord body: field 1, 2, 3 or 4 (clip_open, frame, clip_close, segment_start), wire type 2.
_BODY_TAGS = (0x0A, 0x12, 0x1A, 0x22)


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


def name(number):
  return "%010d" % number


class Finding:
  """Something wrong with the store as a whole. kind is one of KINDS; segment, start and end locate it (for missing
  segments the first and last missing number, for a shortened segment its size and committed length)."""
  KINDS = ("damaged range", "missing segment", "shorter than committed", "damaged checkpoint", "bad start record")

  def __init__(self, kind, segment, start, end, message):
    assert kind in self.KINDS
    self.kind, self.segment, self.start, self.end, self.message = kind, segment, start, end, message

  def line(self):
    return "%s: %s" % (self.kind, self.message)

  def __repr__(self):
    return "Finding(%s)" % self.line()


class StoredClip:
  def __init__(self, device_id, clip_id):
    self.device_id, self.clip_id = device_id, clip_id
    self.header = None
    self.header_problem = None  # "bad header (...)": a second clip_open, or one after frames
    self.frames = []  # (seq, last, meta, sealed) in stored order
    self.close_frame_count = None
    self.header_hole = None  # where the missing clip_open may be
    self.uplink_flags = []  # "reason (detail)" of each keyless flag the uplink stored with the header; informative
    self.frame_holes = []  # (after_seq, before_seq, where): frames strictly between may be in that hole
    self._entries = []  # (position, kind, seq) in log order

  def __repr__(self):
    return "StoredClip(device=%s, clip=%d, frames=%d)" % (self.device_id, self.clip_id, len(self.frames))


class Snapshot:
  def __init__(self, store_dir, version):
    self.dir, self.version = store_dir, version
    self.live = None  # "uplink pid N" when an uplink holds the store
    self.checkpoint = None  # (sequence, segment, length, records)
    self.clips, self.findings, self.notes, self.warnings = [], [], [], []

  def headline(self):
    text = "store %s: doorbell-store v%d, %s" % (self.dir, self.version,
                                                   "live (%s)" % self.live if self.live else "stopped")
    if self.checkpoint:
      seq, segment, length, records = self.checkpoint
      text += ", checkpoint segment %s offset %d (%d records, sequence %d)" % (name(segment), length, records, seq)
    elif self.version == 2:
      text += ", checkpoint none"
    if self.findings:
      text += ", %d finding%s" % (len(self.findings), "" if len(self.findings) == 1 else "s")
    return text


def _record_problem(data, offset, end, segment, end_name):
  """(record, framed length, None) for a valid record at offset that ends by end, else (None, 0, reason)."""
  if end - offset < 8:
    return None, 0, "record header cut short: %d of 8 bytes before %s" % (end - offset, end_name)
  length, crc = struct.unpack_from(">II", data, offset)
  if not 1 <= length <= MAX_RECORD:
    return None, 0, "bad record length %d" % length
  if length > end - offset - 8:
    return None, 0, "record of %d bytes runs past %s" % (length, end_name)
  body = bytes(data[offset + 8:offset + 8 + length])
  if crc32c(body) != crc:
    return None, 0, "CRC32C mismatch in a record of %d bytes" % length
  record = store_pb2.StoredRecord()
  try:
    record.ParseFromString(body)
  except Exception:  # DecodeError, or others on malformed UTF-8
    return None, 0, "a body that does not parse as a StoredRecord"
  kind = record.WhichOneof("body")
  if kind is None:
    return None, 0, "a StoredRecord with no body case"
  if not _one_field(body):
    return None, 0, "a StoredRecord holding more than its one body field"
  if kind == "segment_start":
    if offset != len(SEGMENT_MAGIC):
      return None, 0, "a start record that is not the first record of its segment"
    if record.segment_start.segment != segment:
      return None, 0, "a start record naming segment %d in segment %d" % (record.segment_start.segment, segment)
  elif not fmt.valid_device_id(getattr(record, kind).device_id):
    return None, 0, "a %s record with %r, not a valid device id" % (kind, getattr(record, kind).device_id)
  return record, 8 + length, None


def _one_field(body):
  """The body is one field of number 1 to 4, wire type 2, whose length runs exactly to its end."""
  if body[0] not in _BODY_TAGS:
    return False
  inner, shift = 0, 0
  for i in range(1, len(body)):
    if shift >= 64:
      return False
    inner |= (body[i] & 0x7F) << shift
    if not body[i] & 0x80:
      return i + 1 + inner == len(body)
    shift += 7
  return False


_BODY_TAG = re.compile(b"[\x0a\x12\x1a\x22]")


def _resync(data, start, end, segment, end_name):
  """The first offset in [start, end) where a valid record starts, or None. Candidates are found by their body's
  first byte (a C-speed search), then the length is tested, and only then the CRC."""
  for match in _BODY_TAG.finditer(data, start + 8, max(start + 8, end)):
    at = match.start() - 8
    length = struct.unpack_from(">I", data, at)[0]
    if not 1 <= length <= MAX_RECORD or length > end - at - 8:
      continue
    if _record_problem(data, at, end, segment, end_name)[0] is not None:
      return at
  return None


def _zeros(data, start, end):
  return data.count(0, start, end) == end - start


class _SegmentScan:
  """One segment read with the rules of FORMAT.md section 6, "Reading a segment"."""

  def __init__(self, path, number, data, committed, newest, live_newest, v1):
    self.number, self.data, self.size = number, data, len(data)
    self.committed, self.newest, self.live_newest, self.v1 = committed, newest, live_newest, v1
    self.records, self.damaged, self.warnings = [], [], []  # records: (offset, StoredRecord)
    self.committed_records = 0
    self.damage_before_committed = False
    self._run()

  def _damage(self, start, end, problem):
    reason = "%d zero bytes" % (end - start) if _zeros(self.data, start, end) else problem
    self.damaged.append(Finding("damaged range", self.number, start, end, "segment %s offsets %d..%d, %d bytes "
                                "skipped (%s)" % (name(self.number), start, end, end - start, reason)))

  def _tail_warning(self, at, problem, known):
    tail = "segment %s: %d bytes after offset %d " % (name(self.number), self.size - at, at)
    if known:
      self.warnings.append(tail + "were never acknowledged (torn tail: %s)" % problem)
    else:
      self.warnings.append(tail + "are a torn tail (%s); with no valid checkpoint, whether they were acknowledged "
                           "cannot be told" % problem)

  def _run(self):
    data, size = self.data, self.size
    if size < len(SEGMENT_MAGIC):
      self._damage(0, size, "a segment shorter than its 8-byte magic")
      return
    if data[:8] != SEGMENT_MAGIC:
      self._damage(0, 8, "a bad segment magic, not DBSTORE1")
    if self.committed is None:
      self._without_committed_length()
      return
    length, _records, _source = self.committed
    end = min(length, size)
    end_name = ("the committed length %d" % length if length <= size
                else "the end of the segment (%d bytes)" % size)
    at = 8
    while at < end:
      record, framed, problem = _record_problem(data, at, end, self.number, end_name)
      if record is not None:
        self.records.append((at, record))
        self.committed_records += 1
        at += framed
        continue
      found = _resync(data, at + 1, end, self.number, end_name)
      self._damage(at, end if found is None else found, problem)
      self.damage_before_committed = True
      at = end if found is None else found
    if size > length and not self.live_newest:
      self._past_committed(length)

  def _without_committed_length(self):
    data, size = self.data, self.size
    end_name = "the end of the segment (%d bytes)" % size
    at = 8
    while at < size:
      record, framed, problem = _record_problem(data, at, size, self.number, end_name)
      if record is not None:
        self.records.append((at, record))
        self.committed_records += 1
        at += framed
        continue
      if _zeros(data, at, size):
        if not self.newest or size - at >= PADDING_LIMIT:
          self._damage(at, size, problem)
        return
      found = _resync(data, at + 1, size, self.number, end_name)
      if found is None and self.newest:
        self._tail_warning(at, problem, self.v1)
        return
      self._damage(at, size if found is None else found, problem)
      at = size if found is None else found

  def _past_committed(self, start):
    data, size = self.data, self.size
    end_name = "the end of the segment (%d bytes)" % size
    at, unacknowledged = start, 0
    while at < size:
      record, framed, problem = _record_problem(data, at, size, self.number, end_name)
      if record is not None:
        self.records.append((at, record))
        unacknowledged += 1
        at += framed
        continue
      if _zeros(data, at, size):
        if not self.newest or size - at >= PADDING_LIMIT:
          self._damage(at, size, problem)
      else:
        self._tail_warning(at, problem, True)
      break
    if unacknowledged:
      self.warnings.append("segment %s: %d records after offset %d were never acknowledged (past the committed "
                           "length given by %s)" % (name(self.number), unacknowledged, start, self.committed[2]))


def _marker(store_dir):
  marker = os.path.join(store_dir, "doorbell-store")
  try:
    with open(marker, "rb") as f:
      text = f.read().decode("ascii", "replace")
  except FileNotFoundError:
    raise StoreError("%s: missing; %s is not a doorbell store" % (marker, store_dir)) from None
  if text not in STORE_MARKERS:
    raise StoreError("unsupported store %s: its marker says %r; this reader knows doorbell-store v1 and v2"
                     % (store_dir, text.strip()))
  return STORE_MARKERS[text]


def segment_numbers(store_dir):
  """10 ASCII digits then ".seg", numbers from 1; a "*.seg.tmp" is a segment still being made, not one."""
  seg_dir = os.path.join(store_dir, "segments")
  if not os.path.isdir(seg_dir):
    return []
  numbers = [int(n[:10]) for n in os.listdir(seg_dir) if re.fullmatch(r"[0-9]{10}\.seg", n, re.ASCII)]
  return sorted(n for n in numbers if n >= 1)


def _segment_path(store_dir, number):
  return os.path.join(store_dir, "segments", name(number) + ".seg")


def _live(store_dir):
  """(holder name or None, problem or None): a refused shared lock on STORE/lock means an uplink holds it."""
  path = os.path.join(store_dir, "lock")
  try:
    f = open(path, "rb")
  except FileNotFoundError:
    return None, None
  except OSError as e:
    return None, "cannot test whether an uplink holds %s (%s): read as a stopped store" % (path, e.strerror)
  with f:
    try:
      fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
      match = re.search(rb"(?:^|\s)pid=(\d+)(?:\s|$)", f.read(512))
      return "uplink pid %s" % (match.group(1).decode() if match else "unknown"), None
    fcntl.lockf(f, fcntl.LOCK_UN)
  return None, None


def read_checkpoint(store_dir):
  """((sequence, segment, length, records) or None, problem or None): the valid slot with the higher sequence."""
  try:
    with open(os.path.join(store_dir, "checkpoint"), "rb") as f:
      data = f.read()
  except FileNotFoundError:
    return None, "STORE/checkpoint is missing"
  best, problems = None, []
  for slot in (0, 1):
    at = slot * SLOT
    if len(data) < at + 44:
      problems.append("slot %d cut short (the file has %d bytes)" % (slot, len(data)))
      continue
    if data[at:at + 8] != CHECKPOINT_MAGIC:
      problems.append("slot %d has no DBCKPT01 magic" % slot)
      continue
    if crc32c(data[at:at + 40]) != struct.unpack_from(">I", data, at + 40)[0]:
      problems.append("slot %d fails its CRC32C" % slot)
      continue
    value = struct.unpack_from(">QQQQ", data, at + 8)
    # Equal sequences cannot come from the uplink; the slot the sequence belongs in wins, so every reader agrees.
    if best is None or value[0] > best[0] or (value[0] == best[0] and value[0] % 2 == slot):
      best = value
  if best is None:
    return None, "no valid slot in STORE/checkpoint (%s)" % "; ".join(problems)
  return best, None


def _peek_start(path, number):
  with open(path, "rb") as f:
    head = f.read(16)
    if len(head) < 16 or head[:8] != SEGMENT_MAGIC:
      return None
    length = struct.unpack_from(">I", head, 8)[0]
    if length > 4096:
      return None
    data = head + f.read(length)
  record, framed, _problem = _record_problem(data, 8, len(data), number, "the end of the segment")
  return (record.segment_start, framed) if record is not None and record.HasField("segment_start") else None


class _Reader:
  def __init__(self, store_dir):
    self.snapshot = Snapshot(store_dir, _marker(store_dir))
    self.dir = store_dir
    self.snapshot.live, self.lock_problem = _live(store_dir)
    # The checkpoint before the listing: a live uplink creates a segment before any checkpoint names it, so every
    # segment the checkpoint read here names is in the listing made after it.
    self.checkpoint = read_checkpoint(store_dir) if self.snapshot.version == 2 else (None, None)
    self.numbers = segment_numbers(store_dir)
    if self.snapshot.live and self.checkpoint[0]:
      # Segments the uplink made after that checkpoint are past the consistent prefix: not read, not checked.
      self.numbers = [k for k in self.numbers if k <= self.checkpoint[0][1]]
    self.starts, self.committed, self.holes = {}, {}, []  # holes: ((segment, offset), where)
    self.ledger = retention.Ledger.read(store_dir)

  def finding(self, kind, segment, start, end, message):
    self.snapshot.findings.append(Finding(kind, segment, start, end, message))

  def missing(self, first, last, why=""):
    """Segments first..last are missing, but those retention removed (FORMAT.md §6, "Removed segments") are not:
    one finding per run between them. Only the first million numbers are looked at, as the Java reader does."""
    start = first
    for k in self.ledger.removed.within(first, min(last, first + 999999)):
      if k > start:
        self._missing_run(start, k - 1, why)
      start = k + 1
    if start <= last:
      self._missing_run(start, last, why)

  def _missing_run(self, first, last, why):
    what = ("segment %s is missing" % name(first) if first == last
            else "segments %s..%s are missing" % (name(first), name(last)))
    self.finding("missing segment", first, first, last, what + why)
    self.holes.append(((first, 0), "missing " + (
        "segment %s" % name(first) if first == last else "segments %s..%s" % (name(first), name(last)))))

  def read(self):
    s = self.snapshot
    if self.lock_problem:
      s.notes.append(self.lock_problem)
    checkpoint, checkpoint_problem = self.checkpoint
    s.checkpoint = checkpoint
    newest = self.numbers[-1] if self.numbers else 0
    if s.version == 1:
      s.notes.append("v1 store (no checkpoint, no start records): a store shorter than what was acknowledged "
                     "cannot be detected")
    else:
      for k in self.numbers:
        start = _peek_start(_segment_path(self.dir, k), k)
        if start is not None:
          self.starts[k] = start
      self._committed_lengths(checkpoint)
      for k in self.numbers:
        # A compacted file has the length and records of its ledger line, not those of the start record after it.
        compacted = self.ledger.compacted(k, _segment_path(self.dir, k))
        if compacted is not None:
          self.committed[k] = compacted
    s.warnings.extend(self.ledger.warnings)
    self._numbering()
    if s.live:
      s.notes.append("live store (%s): read up to the last group commit, segment %s offset %d"
                     % (s.live, name(checkpoint[1]), checkpoint[2]) if checkpoint else
                     "live store (%s): no checkpoint to read up to; the newest segment's tail may be in mid-write"
                     % s.live)
    scans, records, clip_records = {}, [], False
    for k in self.numbers:
      with open(_segment_path(self.dir, k), "rb") as f:
        data = f.read()
      scan = _SegmentScan(_segment_path(self.dir, k), k, data, self.committed.get(k), k == newest,
                          bool(s.live and checkpoint and k == checkpoint[1]), s.version == 1)
      scans[k] = scan
      for offset, record in scan.records:
        records.append((k, offset, record))
        clip_records |= not record.HasField("segment_start")
      for d in scan.damaged:
        s.findings.append(d)
        self.holes.append(((k, d.start), "damaged range segment %s offsets %d..%d" % (name(k), d.start, d.end)))
      s.warnings.extend(scan.warnings)
    if s.version == 2:
      self._start_records(scans)
      self._checkpoint(checkpoint, checkpoint_problem, newest, clip_records)
      self._check_committed(scans)
    s.findings.sort(key=lambda f: (f.segment, f.start))
    # Retention deleted these clips; their records wait in the newest segment or in one not compacted yet (or, past a
    # watermark, in a bucket lagging behind its ledger). Asked in log order: a clip_open decides its later records.
    s.clips = _assemble([r for r in records if not self.ledger.deleted_record(r[2])], self.holes)
    return s

  def _committed_lengths(self, checkpoint):
    for k, following in zip(self.numbers, self.numbers[1:]):
      start = self.starts.get(following)
      if start is None or start[0].previous_segment != k:
        continue
      if start[0].previous_length < 8:
        self.finding("bad start record", following, 0, 0, "segment %s's start record gives segment %s a "
                     "committed length of %d bytes, less than its magic"
                     % (name(following), name(k), start[0].previous_length))
        continue
      self.committed[k] = (start[0].previous_length, start[0].previous_records,
                           "segment %s's start record" % name(following))
    if checkpoint is None:
      return
    _seq, c, length, records = checkpoint
    if length < 8:
      self.finding("damaged checkpoint", 0, 0, 0, "the checkpoint gives segment %s a committed length of %d bytes, "
                   "less than its magic" % (name(c), length))
      return
    if c in self.numbers:
      by_successor = self.committed.get(c)
      if by_successor is None:
        self.committed[c] = (length, records, "the checkpoint")
      elif by_successor[:2] != (length, records):
        self.finding("damaged checkpoint", 0, 0, 0, "the checkpoint gives segment %s %d bytes and %d records, %s "
                     "%d bytes and %d records" % (name(c), length, records, by_successor[2], by_successor[0],
                                                  by_successor[1]))
    above = self.starts.get(c + 1)
    if above is not None and c + 1 not in self.committed:
      self.committed[c + 1] = (8 + above[1], 1, "the checkpoint, which names the segment before it")

  def _numbering(self):
    if not self.numbers:
      return
    lowest = self.numbers[0]
    first = self.starts.get(lowest)
    if first is None:
      if lowest > 1:
        self.missing(1, lowest - 1)
    else:
      previous = first[0].previous_segment
      if previous and previous >= lowest:
        self.finding("bad start record", lowest, 0, 0, "segment %s's start record names segment %d before it"
                     % (name(lowest), previous))
      elif previous:
        self.missing(1, previous)
    for a, b in zip(self.numbers, self.numbers[1:]):
      if b > a + 1:
        self.missing(a + 1, b - 1)

  def _start_records(self, scans):
    """From the first segment that has a start record (or whose start record is unreadable, being in a damaged
    range) on, each must begin with one naming the segment before it; those below are v1 segments."""
    def unreadable(k):
      return k not in self.starts and k in scans and any(d.start <= 8 for d in scans[k].damaged)

    firsts = [k for k in self.numbers if k in self.starts or unreadable(k)]
    if not firsts:
      if self.numbers:
        self.finding("bad start record", self.numbers[0], 0, 0, "no segment begins with a start record")
      return
    first = firsts[0]
    older = [k for k in self.numbers if k < first]
    if older:
      what = ("segment %s was" % name(older[0]) if len(older) == 1
              else "segments %s..%s were" % (name(older[0]), name(older[-1])))
      self.snapshot.notes.append("%s written by a v1 uplink before the upgrade: start records and the checkpoint "
                                 "are checked from segment %s on" % (what, name(first)))
    index = self.numbers.index(first)
    for i in range(index, len(self.numbers)):
      k = self.numbers[i]
      q = self.numbers[i - 1] if i else None
      if unreadable(k):
        self.snapshot.notes.append("segment %s begins with a damaged range: its start record cannot be read%s"
                                   % (name(k), "" if q is None else ", so segment %s's committed length cannot be "
                                      "checked" % name(q)))
        continue
      start = self.starts.get(k)
      if start is None:
        self.finding("bad start record", k, 0, 0, "segment %s does not begin with a start record" % name(k))
        continue
      if q is None:
        continue  # what the lowest segment's start record says came before it is checked with the numbering
      p = start[0].previous_segment
      if p == 0:
        self.finding("bad start record", k, 0, 0, "segment %s's start record says it is the first segment, but "
                     "segment %s comes before it" % (name(k), name(q)))
      elif p != q and not q < p < k:
        self.finding("bad start record", k, 0, 0, "segment %s's start record names segment %d before it, but "
                     "segment %s comes before it" % (name(k), p, name(q)))

  def _checkpoint(self, checkpoint, problem, newest, clip_records):
    if checkpoint is None:
      # A store created just before a crash has segments holding only their start records and no checkpoint yet.
      if clip_records or len(self.numbers) > 1:
        self.finding("damaged checkpoint", 0, 0, 0, problem)
      return
    c = checkpoint[1]
    names = "checkpoint names segment %s" % name(c)
    if not self.numbers:
      if c >= 1:
        self.missing(1, c, " (%s)" % names)
    elif c > newest:
      self.finding("missing segment", newest + 1, newest + 1, c, "segments after %s are missing (%s)"
                   % (name(newest), names))
      self.holes.append(((newest + 1, 0), "missing segments after %s (%s)" % (name(newest), names)))
    elif c < newest - 1:
      self.finding("damaged checkpoint", 0, 0, 0, "the %s, but segments up to %s exist" % (names, name(newest)))

  def _check_committed(self, scans):
    for k in self.numbers:
      committed, scan = self.committed.get(k), scans.get(k)
      if committed is None or scan is None:
        continue
      length, records, source = committed
      if scan.size < length:
        self.finding("shorter than committed", k, scan.size, length, "segment %s is shorter than committed: %d of %d "
                     "bytes, %d of %d records" % (name(k), scan.size, length, scan.committed_records, records))
        self.holes.append(((k, scan.size), "segment %s bytes %d..%d (shorter than committed)"
                           % (name(k), scan.size, length)))
      elif not scan.damage_before_committed and scan.committed_records != records:
        self.finding("damaged checkpoint" if source == "the checkpoint" else "bad start record", k, 0, 0,
                     "segment %s holds %d records up to offset %d, %s says %d"
                     % (name(k), scan.committed_records, length, source, records))


MAX_FLAG_CHARS = 300


def printable_flag(text):
  """A stored flag as the owner's open shows it (FORMAT.md section 6): the store is hostile, so printable ASCII only,
  every other UTF-16 unit as '?', at most 300 characters, as Java's open does (a character beyond the BMP is two
  units there, so two '?' here)."""
  out = []
  for ch in text:
    if len(out) >= MAX_FLAG_CHARS:
      break
    if 0x20 <= ord(ch) < 0x7f:
      out.append(ch)
    else:
      out.extend("?" * (2 if ord(ch) > 0xFFFF else 1))
  return "".join(out[:MAX_FLAG_CHARS])


def _assemble(records, holes):
  """Groups records by (device, clip) in log order and gives each clip the holes that may hold its other records
  (FORMAT.md section 6, "Holes and per-clip verdicts")."""
  holes = sorted(holes)
  positions = [h[0] for h in holes]
  clips = {}
  for segment, offset, record in records:
    kind = record.WhichOneof("body")
    if kind == "segment_start":
      continue
    r = getattr(record, kind)
    key = (r.device_id, r.clip_id)
    if key not in clips:
      clips[key] = StoredClip(r.device_id, r.clip_id)
    clip = clips[key]
    position = (segment, offset)
    at = "segment %s offset %d" % (name(segment), offset)
    if kind == "clip_open":
      if clip.header is not None:
        clip.header_problem = "bad header (a second clip_open record of the clip at %s)" % at
      elif clip.frames:
        clip.header_problem = "bad header (the clip_open record at %s comes after frames of the clip)" % at
      else:
        clip.header = r.header
        clip.uplink_flags = [printable_flag("%s (%s)" % (f.reason, f.detail)) for f in r.uplink_flags]
      clip._entries.append((position, "open", -1))
    elif kind == "frame":
      clip.frames.append((r.seq, r.last, r.meta, r.sealed))
      clip._entries.append((position, "frame", r.seq))
    else:
      clip.close_frame_count = r.frame_count
      clip._entries.append((position, "close", -1))
  for clip in clips.values():
    entries = clip._entries
    if clip.header is None:
      before = bisect.bisect_left(positions, entries[0][0])
      clip.header_hole = holes[before - 1][1] if before else None
    max_seq = -1
    for i, (position, kind, seq) in enumerate(entries):
      if i:
        first = bisect.bisect_right(positions, entries[i - 1][0])
        if first < bisect.bisect_left(positions, position):
          clip.frame_holes.append((max_seq, seq if kind == "frame" else NO_LATER_FRAME, holes[first][1]))
      if kind == "frame":
        max_seq = max(max_seq, seq)
    after = bisect.bisect_right(positions, entries[-1][0])
    if entries[-1][1] != "close" and after < len(holes):
      clip.frame_holes.append((max_seq, NO_LATER_FRAME, holes[after][1]))
  return list(clips.values())


def _clip_key(record):
  kind = record.WhichOneof("body")
  if kind == "segment_start":
    return None
  r = getattr(record, kind)
  return r.device_id, r.clip_id


def read(store_dir):
  """The whole reading of one store: a Snapshot with clips, findings, notes and warnings. Retention may remove or
  compact a closed segment of a live store meanwhile; its ledger line comes first, so a reading during which the
  ledger neither grew nor was rewritten (and no segment vanished) is consistent: tried 5 times, as the Java reader
  does."""
  last = None
  for _attempt in range(5):
    stamp = retention.ledger_stamp(store_dir)
    try:
      snapshot = _Reader(store_dir).read()
    except FileNotFoundError as e:
      last = e
      continue
    if retention.ledger_stamp(store_dir) == stamp:
      return snapshot
  raise StoreError("store %s kept changing under retention while it was read%s"
                   % (store_dir, " (%s)" % last if last else ""))


def read_store(store_dir, warn=lambda message: None):
  """The clips of the store, in order of first appearance; notes, warnings and findings go to warn."""
  snapshot = read(store_dir)
  for message in snapshot.notes + snapshot.warnings:
    warn(message)
  for finding in snapshot.findings:
    warn(finding.line())
  return snapshot.clips


def merge(snapshots):
  """The clips of several stores as one (FORMAT.md §6, "Shipped to S3"; docs/PROTOCOL.md, "Several uplink processes
  on one port"), with the warnings the merge adds, each store's own prefixed by its directory. A clip that two
  uplinks stored is one clip: identical copies of a frame (seq, last flag, metadata and sealed bytes) count once,
  different copies are both kept, side by side, so that the opener calls the clip TAMPERED at that frame; a copy whose
  frames are not in increasing order within its store is passed on unmerged, so that its disorder is still seen. The
  holes of each store around a clip are kept, named with their store."""
  if len(snapshots) == 1:
    return list(snapshots[0].clips), list(snapshots[0].notes + snapshots[0].warnings)
  warnings, by_clip = [], {}
  for s in snapshots:
    warnings.extend("%s: %s" % (s.dir, w) for w in s.notes)
  for s in snapshots:
    warnings.extend("%s: %s" % (s.dir, w) for w in s.warnings)
    for clip in s.clips:
      by_clip.setdefault((clip.device_id, clip.clip_id), []).append((s.dir, clip))
  return [copies[0][1] if len(copies) == 1 else _merge_clip(copies, warnings) for copies in by_clip.values()], warnings


def _merge_clip(copies, warnings):
  first = copies[0][1]
  label = "%s/%016x" % (first.device_id, first.clip_id)
  merged = StoredClip(first.device_id, first.clip_id)
  header_from, header_hole, ordered = None, None, True
  for where, c in copies:
    ordered &= all(a[0] < b[0] for a, b in zip(c.frames, c.frames[1:]))
    merged.uplink_flags += [f for f in c.uplink_flags if f not in merged.uplink_flags]
    merged.frame_holes += [(a, b, "%s of %s" % (hole, where)) for a, b, hole in c.frame_holes]
    merged.header_problem = merged.header_problem or c.header_problem
    if header_hole is None and c.header_hole is not None:
      header_hole = "%s of %s" % (c.header_hole, where)
    if merged.close_frame_count is None:
      merged.close_frame_count = c.close_frame_count
    if c.header is None:
      continue
    if merged.header is None:
      merged.header, header_from = c.header, where
    elif merged.header != c.header:
      warnings.append("clip %s has different headers in %s and %s; the first is used, so the other store's frames "
                      "cannot verify" % (label, header_from, where))
  if not ordered:
    merged.frames = [f for _, c in copies for f in c.frames]
  else:
    kept = {}
    for where, c in copies:
      for f in c.frames:
        earlier = kept.get(f[0])
        if earlier is None:
          kept[f[0]] = (f, where)
          merged.frames.append(f)
        elif earlier[0][1:] != f[1:]:
          warnings.append("clip %s frame %d differs between %s and %s" % (label, f[0], earlier[1], where))
          merged.frames.append(f)
    merged.frames.sort(key=lambda f: f[0])
  merged.header_hole = header_hole if merged.header is None else None
  return merged
