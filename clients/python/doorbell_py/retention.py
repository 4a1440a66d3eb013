"""What the uplink's retention did to a store (docs/FORMAT.md §6, "Retention: the ledger, tombstones and compaction"),
and which of the chain's gaps it explains (§17.4, rule 9).

Every word of STORE/retention/ is the uplink's claim. A deletion counts as the owner's only through a request kept in
STORE/retention/requests/ that verifies under the owner's signing key (context doorbell/v3/forget-request) and covers
every position of the gap: DELETED. A deletion by the uplink's policy is the operator's statement, said as such:
EXPIRED. Anything else stays MISSING, a failure, so that an operator cannot fake the owner's consent.
"""
import base64
import binascii
import datetime
import os
import re

from . import v2

LEDGER_V1 = "doorbell-retention v1"
LEDGER_V2 = "doorbell-retention v2"
_GENERATION = re.compile(r"generation [0-9]{1,18} \S+", re.ASCII)
REQUEST_FIRST_LINE = "doorbell-forget v1"
COMPACTED_SOURCE = "the retention ledger (compacted)"
_U64 = 1 << 64
_S64 = 1 << 63


def _unsigned(text):
  """Java's Long.parseUnsignedLong of a decimal: digits (an optional '+'), below 2^64; else ValueError."""
  if not re.fullmatch(r"\+?[0-9]+", text, re.ASCII) or int(text) >= _U64:
    raise ValueError(text)
  return int(text)


def _signed(text):
  """Java's Long.parseLong: an optional sign and digits, within 64 bits; else ValueError."""
  if not re.fullmatch(r"[+-]?[0-9]+", text, re.ASCII) or not -_S64 <= int(text) < _S64:
    raise ValueError(text)
  return int(text)


def _hex32(text):
  if not re.fullmatch(r"\+?[0-9a-fA-F]+", text, re.ASCII) or int(text, 16) >= 1 << 32:
    raise ValueError(text)
  return int(text, 16)


class Deletion:
  """One `delete` line: reason "policy" (detail: the operator's limit) or "request" (detail: a file of requests/)."""

  def __init__(self, device_id, clip_id, reason, detail, time):
    self.device_id, self.clip_id, self.reason, self.detail, self.time = device_id, clip_id, reason, detail, time

  def __repr__(self):
    return "Deletion(%s %d %s %s)" % (self.device_id, self.clip_id, self.reason, self.detail)


class Watermark:
  """A v2 `deleted-through` line: every clip of the device at chain positions 1 to `position` is deleted; the clip at
  `position` was deleted for `reason detail` at `time`; it stands for `clips` delete lines a rewrite folded."""

  def __init__(self, device_id, position, clips, reason, detail, time):
    self.device_id, self.position, self.clips = device_id, position, clips
    self.reason, self.detail, self.time = reason, detail, time


class Ledger:
  """STORE/retention/ledger as read (v1 or v2): the first `delete` line of each clip, each device's highest
  `deleted-through` watermark, the removed segments, the `compacted` lines per segment, and a warning per line this
  reader does not know (none of them is applied)."""

  def __init__(self, store_dir):
    self.dir = store_dir
    self.version = 1
    self.deleted = {}  # (device id, clip id) -> the first Deletion
    self.watermarks = {}  # device id -> the Watermark with the highest position
    self.removed = _Ranges()
    self.compactions = {}  # segment -> [(length, records, crc32c, time)]
    self.warnings = []
    self._folded_open = set()  # (device id, clip id) whose clip_open a watermark deleted, in this reading

  @classmethod
  def read(cls, store_dir):
    ledger = cls(store_dir)
    try:
      with open(os.path.join(store_dir, "retention", "ledger"), "rb") as f:
        text = f.read().decode("ascii", "replace")
    except FileNotFoundError:
      return ledger
    end = text.rfind("\n")
    if end < 0:
      return ledger  # not even the first line is whole: nothing was acted on
    # A last line without its newline is an append cut short, on which nothing was acted.
    lines = text[:end].split("\n")
    if lines[0] == LEDGER_V2:
      ledger.version = 2
    elif lines[0] != LEDGER_V1:
      ledger.warnings.append("retention ledger of %s: unknown first line; the ledger is ignored" % store_dir)
      return ledger
    for number, line in enumerate(lines[1:], start=2):
      known = (_GENERATION.fullmatch(line) is not None if ledger.version == 2 and number == 2
               else ledger._apply(line.split(" ")))
      if not known:
        ledger.warnings.append("retention ledger of %s line %d does not parse; ignored" % (store_dir, number))
    return ledger

  def _apply(self, f):
    """Applies one entry's fields; False for a line of a kind, or a shape, this reader does not know."""
    try:
      if f[0] == "delete":
        # The 9-field form (v2) adds the clip's chain position and first and last segment, which only a rewrite uses.
        if not (len(f) == 6 or (self.version == 2 and len(f) == 9)) or f[3] not in ("policy", "request"):
          return False
        d = Deletion(f[1], _unsigned(f[2]), f[3], f[4], f[5])
        for number in f[6:]:
          _signed(number)
        self.deleted.setdefault((d.device_id, d.clip_id), d)
      elif f[0] == "deleted-through":
        if self.version != 2 or len(f) != 7 or f[4] not in ("policy", "request"):
          return False
        w = Watermark(f[1], _signed(f[2]), _signed(f[3]), f[4], f[5], f[6])
        before = self.watermarks.get(w.device_id)
        if before is None or w.position > before.position:
          self.watermarks[w.device_id] = w
      elif f[0] == "removed":
        if len(f) != 3:
          return False
        first_text, dots, last_text = f[1].partition("..")
        if dots and self.version != 2:
          return False
        first = _signed(first_text)
        last = _signed(last_text) if dots else first
        if last < first or last - first > 1000000000:
          return False
        self.removed.add(first, last)
      elif f[0] == "compacted":
        if len(f) != 6:
          return False
        self.compactions.setdefault(_signed(f[1]), []).append((_signed(f[2]), _signed(f[3]), _hex32(f[4]), f[5]))
      else:
        return False
    except ValueError:
      return False
    return True

  def deletion(self, device_id, clip_id, position=0):
    """The clip's deletion (FORMAT.md §6, "A clip's deletion"): its first delete line or, for a chain `position`
    (0: not known) at or below the device's watermark, that watermark's words; else None."""
    d = self.deleted.get((device_id, clip_id))
    if d is not None or position <= 0:
      return d
    w = self.watermarks.get(device_id)
    if w is None or position > w.position:
      return None
    return Deletion(device_id, clip_id, w.reason, w.detail, w.time)

  def deleted_record(self, record):
    """Whether a StoredRecord belongs to a deleted clip, asked in log order: by the clip's delete line, or by its
    device's watermark for a clip whose clip_open (which comes first) has a chain position at or below it."""
    kind = record.WhichOneof("body")
    if kind not in ("clip_open", "frame", "clip_close"):
      return False
    body = getattr(record, kind)
    key = (body.device_id, body.clip_id)
    if key in self.deleted:
      return True
    if body.device_id not in self.watermarks:
      return False
    if kind != "clip_open":
      return key in self._folded_open
    if self.deletion(key[0], key[1], _header_position(body.header)) is None:
      return False
    self._folded_open.add(key)
    return True

  def compacted(self, segment, path):
    """(length, records, source) when the file of `segment` is the compacted one a line names (its size and
    CRC32C), else None: no line, or the original file (a stop before the rename), read by the usual rules."""
    lines = self.compactions.get(segment)
    if not lines:
      return None
    size = os.path.getsize(path)
    crc = None
    for length, records, line_crc, _time in lines:
      if length != size:
        continue
      if crc is None:
        from .store import crc32c  # the store reader imports this module
        with open(path, "rb") as f:
          crc = crc32c(f.read())
      if crc == line_crc:
        return length, records, COMPACTED_SOURCE
    return None


class _Ranges:
  """Removed segments as ranges (a v2 `removed A..B` stands for B-A+1 segments, up to a billion): `k in ranges`, and
  the numbers within [first, last]."""

  def __init__(self):
    self._ranges = []

  def add(self, first, last):
    self._ranges.append((first, last))

  def __contains__(self, k):
    return any(first <= k <= last for first, last in self._ranges)

  def within(self, first, last):
    numbers = set()
    for a, b in self._ranges:
      numbers.update(range(max(a, first), min(b, last) + 1))
    return sorted(numbers)


def _header_position(header_bytes):
  """The public chain position of a v3 header; 0 for a v1 or v2 header, or bytes that do not parse."""
  from google.protobuf.message import DecodeError
  from .protos import clip_pb2, keys_pb2
  try:
    signed = keys_pb2.SignedClipHeader.FromString(header_bytes)
    return clip_pb2.ClipHeader.FromString(signed.header).chain.position
  except DecodeError:
    return 0


def ledger_stamp(store_dir):
  """The ledger's size and file identity: an append makes it longer, a rewrite (FORMAT.md §6) renames a new file in
  place; either one during a read makes the read start again. None when there is no ledger."""
  try:
    st = os.stat(os.path.join(store_dir, "retention", "ledger"))
  except OSError:
    return None
  return st.st_size, st.st_dev, st.st_ino, st.st_mtime_ns


# --- the owner's requests --------------------------------------------------------------------------------------

_INSTANT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z",
                      re.ASCII)


def _instant(text):
  """An ISO-8601 UTC instant as Java's Instant.parse takes it, shown as Instant.toString shows it (the fraction in
  groups of three digits, none when zero); ValueError when it is not one."""
  m = _INSTANT.fullmatch(text)
  if not m:
    raise ValueError("not an ISO-8601 UTC instant: %r" % text)
  year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
  datetime.datetime(year, month, day, hour, minute, second)  # raises ValueError on a date that does not exist
  shown = "%04d-%02d-%02dT%02d:%02d:%02d" % (year, month, day, hour, minute, second)
  fraction = (m.group(7) or "").ljust(9, "0").rstrip("0")
  if fraction:
    shown += "." + fraction.ljust(-(-len(fraction) // 3) * 3, "0")
  return shown + "Z"


class Request:
  """An owner's request to forget clips of one device, checked (FORMAT.md §6, "The owner's request")."""

  def __init__(self, device_id, issued, clips_by_position, clip_ids, before_position):
    self.device_id, self.issued = device_id, issued
    self.clips_by_position, self.clip_ids, self.before_position = clips_by_position, clip_ids, before_position

  def __repr__(self):
    return "Request(%s, issued %s)" % (self.device_id, self.issued)

  def covers(self, position, clip_id):
    """Whether the request covers the clip at `position` (with `clip_id`, 0 when not known)."""
    return (0 < position < self.before_position or position in self.clips_by_position
            or (clip_id != 0 and clip_id in self.clip_ids))


def check_request(data, owner_public):
  """(Request, None) when `data` is a request signed by the owner's key, else (None, what failed)."""
  try:
    text = bytes(data).decode("ascii")
  except UnicodeDecodeError:
    return None, "not ASCII"
  at = text.rfind("\nsignature: ")
  if not text.startswith(REQUEST_FIRST_LINE + "\n") or at < 0 or not text.endswith("\n"):
    return None, "not a doorbell-forget v1 request with a signature line"
  encoded = text[at + len("\nsignature: "):-1]
  try:
    signature = base64.b64decode(encoded + "=" * (-len(encoded) % 4 if "=" not in encoded else 0), validate=True)
  except (binascii.Error, ValueError):
    return None, "the signature is not base64"
  if not v2.verify(owner_public, v2.CONTEXT_FORGET_REQUEST, text[:at + 1].encode("ascii"), signature):
    return None, "the signature does not verify under the owner's key"
  device, issued, clips, ids, before = None, None, {}, [], 0
  lines = text[:at].split("\n")
  try:
    for i in range(1, len(lines)):
      f = lines[i].split(": ", 1)
      key = f[0] if len(f) == 2 else ""
      if key == "device":
        device = f[1]
      elif key == "issued":
        issued = _instant(f[1])
      elif key == "clip":
        v = f[1].split(" ")
        clip_id = _unsigned(v[0])
        ids.append(clip_id)
        if len(v) == 2:
          clips[_signed(v[1])] = clip_id
      elif key == "before-position":
        before = _signed(f[1])
      else:
        return None, "line %d of a signed request is not one this reader knows" % (i + 1)
  except ValueError as e:
    return None, "a signed line does not parse: %s" % e
  if device is None or issued is None:
    return None, "the request names no device or no issued time"
  return Request(device, issued, clips, ids, before), None


def requests(store_dirs, owner_public):
  """The requests kept in the stores that verify under `owner_public` (none without it), in store order and, within a
  store, in file-name order, which decides whose `issued` a DELETED line names when several cover a gap."""
  valid = []
  if owner_public is None:
    return valid
  for store_dir in store_dirs:
    directory = os.path.join(store_dir, "retention", "requests")
    if not os.path.isdir(directory):
      continue
    for name in sorted(os.listdir(directory)):
      if not name.endswith(".req"):
        continue
      with open(os.path.join(directory, name), "rb") as f:
        request, _problem = check_request(f.read(), owner_public)
      if request is not None:
        valid.append(request)
  return valid


# --- the chain's gaps ------------------------------------------------------------------------------------------

def explain(report, opened, ledgers, valid_requests, from_position):
  """Rewrites each MISSING gap of `report` (a chain.Report) that retention explains, in place: DELETED when valid
  requests of the device cover every position of the gap, EXPIRED when the first ledger (in store order) that deleted
  the clip the gap's successor names says its policy did, else MISSING, with a note when a ledger claims a request.
  opened: (device id, clip id, verdict) in the order the clips were opened."""
  from . import chain
  for index, f in enumerate(report.findings):
    if f.keyword != "MISSING" or f.clip_id is None:
      continue
    by_position = {}
    for device_id, clip_id, verdict in opened:
      if device_id == f.device_id and verdict is not None and verdict.chain is not None:
        by_position.setdefault(verdict.chain.position, (clip_id, verdict.chain))
    after = next(((c, link) for c, link in by_position.values() if c == f.clip_id), None)
    if after is None:
      continue
    after_id, link = after
    below = [p for p in by_position if p < link.position]
    first = max(below) + 1 if below else from_position
    last = link.position - 1
    named = link.prev_clip_id
    asked, covered = None, first <= last
    p = first
    while p <= last and covered:
      clip_id = named if p == last else 0
      covering = next((r for r in valid_requests if r.device_id == f.device_id and r.covers(p, clip_id)), None)
      covered = covering is not None
      asked = asked or covering
      p += 1
    gap = "%d clip(s) at positions %d..%d before %016x" % (last - first + 1, first, last, after_id)
    if covered:
      report.findings[index] = chain.Finding(f.device_id, "DELETED", "DELETED %s (your signed request of %s)"
                                             % (gap, asked.issued), False, after_id)
      continue
    claim = next((d for d in (ledger.deletion(f.device_id, named, last) for ledger in ledgers) if d is not None), None)
    if claim is not None and claim.reason == "policy":
      report.findings[index] = chain.Finding(
          f.device_id, "EXPIRED", "EXPIRED %s (the uplink's retention policy: %s, %s; operator's statement)"
          % (gap, claim.detail, claim.time), False, after_id)
    elif claim is not None:
      report.findings[index] = chain.Finding(
          f.device_id, f.keyword, "%s (the store says an owner's request %s deleted it, but no request that verifies "
          "under your key covers it)" % (f.text, claim.detail), True, after_id)
  return report
