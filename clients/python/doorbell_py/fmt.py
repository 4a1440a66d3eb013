"""The sealing format of docs/FORMAT.md sections 1 to 4: epoch ratchet, clip key and commitment, nonce, AAD,
sealing a clip and opening it with a verdict.

Secrets are plain bytes here (Python cannot erase them reliably anyway); nothing in this module prints or logs
them, and no class holding one has a repr that shows it.
"""
import hashlib
import hmac
import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .protos import clip_pb2

FORMAT_VERSION = 1
MAX_EPOCH = 1 << 20
MAX_SEQ = (1 << 31) - 1
SALT_LEN, PREFIX_LEN, COMMIT_LEN, KEY_LEN, TAG_LEN = 32, 7, 32, 32, 16
EPOCH_LABEL = b"doorbell/v1/epoch-key"
CLIP_LABEL = b"doorbell/v1/clip-key"
_DEVICE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def valid_device_id(device_id):
  return isinstance(device_id, str) and _DEVICE_ID.fullmatch(device_id) is not None


def _require_device_id(device_id):
  if not valid_device_id(device_id):
    raise ValueError("invalid device id %r: 1 to 63 of a-z, 0-9, '-', not starting or ending with '-'" % device_id)


def hkdf(ikm, salt, info, length):
  """HKDF-SHA256 of RFC 5869; salt None is the RFC's default of HashLen zero bytes."""
  return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def epoch_info(device_id, epoch):
  _require_device_id(device_id)
  return EPOCH_LABEL + b"\x00" + device_id.encode("ascii") + b"\x00" + struct.pack(">I", epoch)


def next_epoch_key(key, device_id, next_epoch):
  """K_(e+1) from K_e, or K_0 from R when next_epoch is 0."""
  if len(key) != KEY_LEN:
    raise ValueError("key must be %d bytes" % KEY_LEN)
  return hkdf(key, None, epoch_info(device_id, next_epoch), KEY_LEN)


def epoch_key(root_key, device_id, epoch):
  """Derives K_epoch forward from the root key R."""
  if not 0 <= epoch <= MAX_EPOCH:
    raise ValueError("epoch %d outside 0..%d" % (epoch, MAX_EPOCH))
  key = next_epoch_key(root_key, device_id, 0)
  for e in range(1, epoch + 1):
    key = next_epoch_key(key, device_id, e)
  return key


def clip_info(device_id, clip_id):
  _require_device_id(device_id)
  return CLIP_LABEL + b"\x00" + device_id.encode("ascii") + b"\x00" + struct.pack(">Q", clip_id)


def clip_key(epoch_key_bytes, salt, device_id, clip_id):
  """Returns (clip key k, key commitment) of FORMAT.md section 2."""
  if len(salt) != SALT_LEN:
    raise ValueError("salt must be %d bytes" % SALT_LEN)
  okm = hkdf(epoch_key_bytes, salt, clip_info(device_id, clip_id), 64)
  return okm[:32], okm[32:]


def nonce(prefix, seq, last):
  if len(prefix) != PREFIX_LEN or not 0 <= seq <= MAX_SEQ:
    raise ValueError("bad nonce prefix or seq")
  return prefix + struct.pack(">IB", seq, 1 if last else 0)


def aad(header_sha256, seq, last, meta):
  return header_sha256 + struct.pack(">IB", seq, 1 if last else 0) + meta


class ClipSealer:
  """Seals one clip. It draws salt and nonce prefix itself (salt first, then prefix, from one source) and counts
  the frames itself, so that no caller can choose a nonce."""

  def __init__(self, epoch_key_bytes, epoch, device_id, clip_id, random_bytes=os.urandom, width=0, height=0, fps=0,
               start_time_unix_ms=0, pre_roll_ms=0, trigger=clip_pb2.TRIGGER_MANUAL, codec=clip_pb2.CODEC_MJPEG):
    _require_device_id(device_id)
    salt = random_bytes(SALT_LEN)
    prefix = random_bytes(PREFIX_LEN)
    key, commitment = clip_key(epoch_key_bytes, salt, device_id, clip_id)
    header = clip_pb2.ClipHeader(
        format_version=FORMAT_VERSION, device_id=device_id, clip_id=clip_id, key_epoch=epoch, salt=salt,
        nonce_prefix=prefix, trigger=trigger, codec=codec, width=width, height=height, fps=fps,
        start_time_unix_ms=start_time_unix_ms, key_commitment=commitment, pre_roll_ms=pre_roll_ms)
    self.device_id = device_id
    self.clip_id = clip_id
    self.header_bytes = header.SerializeToString()
    self._header_sha256 = hashlib.sha256(self.header_bytes).digest()
    self._prefix = prefix
    self._aead = AESGCM(key)
    self._next_seq = 0
    self._closed = False

  def __repr__(self):
    return "ClipSealer(device=%s, clip=%d, next_seq=%d)" % (self.device_id, self.clip_id, self._next_seq)

  def seal(self, plaintext, pts_us, last):
    """Returns (seq, last, meta bytes, sealed bytes) of the next frame."""
    if self._closed:
      raise ValueError("clip %d of %s: frame after the final frame" % (self.clip_id, self.device_id))
    seq = self._next_seq
    meta = clip_pb2.FrameMeta(pts_us=pts_us, plaintext_length=len(plaintext)).SerializeToString()
    sealed = self._aead.encrypt(nonce(self._prefix, seq, last), bytes(plaintext),
                                aad(self._header_sha256, seq, last, meta))
    self._next_seq += 1
    self._closed = bool(last)
    return seq, bool(last), meta, sealed


class SealedDataError(Exception):
  """A sealed part of a clip is wrong (format v3: the clip info, or a frame after its tag verified): the keyword of
  the verdict and its details."""

  def __init__(self, keyword, detail):
    super().__init__("%s (%s)" % (keyword, detail))
    self.keyword, self.detail = keyword, detail


class NoKeyError(Exception):
  """The keys at hand cannot open this clip: not a verdict about the clip (FORMAT.md section 4)."""


class Verdict:
  """OK, TRUNCATED, TAMPERED or DAMAGED (FORMAT.md section 6: records may lie in an unreadable part of the store);
  failed_seq is None for OK, TRUNCATED and a header verdict, else the failing or first missing frame. frames holds
  (seq, meta bytes, plaintext) of every frame verified (before the failure, for TAMPERED), in order; for v3,
  (seq, FrameInfo, image).

  Format v3 adds UNSUPPORTED (this client cannot unwrap the clip's key: not a finding about the clip) and MISSING
  (the owner's chain check: frames the uplink acknowledged are not in the store). A v3 clip whose header verified
  carries its public chain link (chain), the SHA-256 of its header bytes and, once the key opened it, its ClipInfo
  (info); those are None otherwise."""

  def __init__(self, status, failed_seq, reason, frames, keyword=None):
    self.status, self.failed_seq, self.reason, self.frames = status, failed_seq, reason, frames
    self._keyword = keyword
    self.info = self.chain = self.header_sha256 = None
    self.key_fingerprint = None  # v3: SHA-256 of the fingerprint label and k, to compare clips' keys in memory

  @property
  def keyword(self):
    return self._keyword if self._keyword is not None else self.reason.split(" (", 1)[0]

  @property
  def final_verified(self):
    return self.status == "OK"

  def __str__(self):
    if self.status == "OK":
      return "OK (%d frames)" % len(self.frames)
    if self.status == "TRUNCATED":
      return "TRUNCATED: %s; %d verified frames kept" % (self.reason, len(self.frames))
    if self.status == "UNSUPPORTED":
      return "UNSUPPORTED %s" % self.reason
    if self.status == "MISSING":
      return "MISSING at frame %d (%s); %d verified frames kept" % (self.failed_seq, self.reason, len(self.frames))
    where = "header" if self.failed_seq is None else "frame %d" % self.failed_seq
    return "%s at %s: %s; %d verified frames kept" % (self.status, where, self.reason, len(self.frames))


def open_clip(header_bytes, frames, stored_device_id, stored_clip_id, key_for_epoch, header_hole=None,
              frame_holes=()):
  """Opens a stored clip with the checks of FORMAT.md section 4, in its order, and the store reader's holes of
  section 6: header_hole names where a missing header may be; frame_holes are (after_seq, before_seq, where), the
  frames strictly between may lie there.

  frames: (seq, last, meta, sealed) in stored order. key_for_epoch(epoch) returns K_epoch of the stored device or
  raises NoKeyError, which propagates: lacking a key is not a verdict."""
  where = "device %s, clip %d" % (stored_device_id, stored_clip_id)

  def header_fail(keyword, detail):
    return Verdict("TAMPERED", None, "%s (%s: %s)" % (keyword, where, detail), [])

  if header_bytes is None:
    if header_hole is not None:
      return Verdict("DAMAGED", None, "no header (%s: its clip_open record may be in %s; %d frames stored)"
                     % (where, header_hole, len(frames)), [])
    return header_fail("no header", "no clip_open record stored, %d frames stored" % len(frames))
  header = clip_pb2.ClipHeader()
  try:
    header.ParseFromString(header_bytes)
  except Exception as e:  # protobuf raises DecodeError, or others on malformed UTF-8
    return header_fail("bad header", "does not parse as ClipHeader: %s" % e)
  if header.format_version != FORMAT_VERSION:
    return header_fail("bad header", "format_version %d, expected 1" % header.format_version)
  if header.device_id != stored_device_id:
    return header_fail("header names another device", "header says %r" % header.device_id)
  if header.clip_id != stored_clip_id:
    return header_fail("header names another clip", "header says %d" % header.clip_id)
  if len(header.salt) != SALT_LEN or len(header.nonce_prefix) != PREFIX_LEN \
      or len(header.key_commitment) != COMMIT_LEN:
    return header_fail("bad header", "salt %d, nonce prefix %d, commitment %d bytes" % (
        len(header.salt), len(header.nonce_prefix), len(header.key_commitment)))
  if header.key_epoch > MAX_EPOCH:
    return header_fail("bad header", "key_epoch %d above %d" % (header.key_epoch, MAX_EPOCH))
  key, commitment = clip_key(key_for_epoch(header.key_epoch), header.salt, stored_device_id, stored_clip_id)
  if not hmac.compare_digest(commitment, header.key_commitment):
    return header_fail("key commitment mismatch", "epoch %d: the key does not match this header: a wrong keyring, "
                       "such as another fleet's, or a forged or altered header" % header.key_epoch)
  return _walk(hashlib.sha256(header_bytes).digest(), header.nonce_prefix, AESGCM(key), list(frames), where,
               list(frame_holes))


def _covering(holes, first, end):
  """The first hole that may hold every frame from first up to, not including, end."""
  for after, before, hole in holes:
    if after < first and end <= before:
      return hole
  return None


def _check_frame_meta(meta, plaintext, _sealed_len):
  """The frame check of v1 and v2 after the tag verified: the public FrameMeta parses and gives the length."""
  frame_meta = clip_pb2.FrameMeta()
  try:
    frame_meta.ParseFromString(meta)
  except Exception:
    raise SealedDataError("bad metadata", "") from None
  if frame_meta.plaintext_length != len(plaintext):
    raise SealedDataError("length disagrees with the metadata", "metadata says %d, plaintext is %d bytes" % (
        frame_meta.plaintext_length, len(plaintext)))
  return meta, plaintext


def _walk(header_sha256, prefix, aead, frames, where, holes=(), check_frame=_check_frame_meta):
  """The frame walk of section 4 step 3, shared by every format: order, gaps (holes of the store), the tag, then
  check_frame(meta, plaintext, sealed length), which returns (what to keep beside the frame, the frame's bytes) or
  raises SealedDataError. verified holds (seq, that, bytes)."""
  verified = []
  expected = 0
  final_seen = False
  first_gap, gaps = None, 0

  def fail(seq, keyword, detail=""):
    reason = "%s (%s, frame %d%s)" % (keyword, where, seq, detail and ": " + detail)
    return Verdict("TAMPERED", seq, reason, verified)

  for index, (seq, last, meta, sealed) in enumerate(frames):
    if final_seen:
      return fail(seq, "frames after the final frame")
    if seq < expected:
      return fail(seq, "duplicate frame")
    if seq > expected:
      later = any(f[0] == expected for f in frames[index + 1:])
      hole = None if later else _covering(holes, expected, seq)
      if hole is None:
        return fail(expected, "frames out of order" if later else "frame missing", "found frame %d" % seq)
      if first_gap is None:
        first_gap = (expected, "frame %d" % expected if seq - expected == 1
                     else "frames %d..%d" % (expected, seq - 1), hole)
      gaps += 1
      expected = seq
    try:
      plaintext = aead.decrypt(nonce(prefix, seq, last), bytes(sealed), aad(header_sha256, seq, last, meta))
    except (InvalidTag, ValueError):
      return fail(seq, "authentication failed")
    try:
      kept, data = check_frame(meta, plaintext, len(sealed))
    except SealedDataError as e:
      return fail(seq, e.keyword, e.detail)
    verified.append((seq, kept, data))
    expected += 1
    final_seen = bool(last)
  if first_gap is not None:
    seq, frames_text, hole = first_gap
    more = "; %d more gaps" % (gaps - 1) if gaps > 1 else ""
    return Verdict("DAMAGED", seq, "frame missing (%s: %s may be in %s%s%s)" % (
        where, frames_text, hole, more, "" if final_seen else "; no final frame"), verified)
  if final_seen:
    return Verdict("OK", None, "", verified)
  hole = _covering(holes, expected, float("inf"))
  if hole is not None:
    return Verdict("DAMAGED", expected, "no final frame (%s: frames from %d on may be in %s)"
                   % (where, expected, hole), verified)
  return Verdict("TRUNCATED", None, "no final frame (%s, %d frames verified)" % (where, len(verified)), verified)
