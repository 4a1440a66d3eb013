"""Format v3 (V3-SPEC.md §A-§C, docs/FORMAT.md §17): format v2 with the event metadata sealed. The public header
keeps only what routing, storage and key lookup need, plus the signed chain link; what happened (trigger, times,
size, codec, ring presses, the padding bucket) is in a ClipInfo sealed under a third key of the clip's OKM; each
frame's plaintext carries its own FrameInfo (pts, motion, ring) before the image, then zero padding up to the
clip's bucket. The opener is v2's one walk (v2.open_clip); this module holds what v3 adds to it, and the sealer.

Nothing here prints or logs a key, an image or a ClipInfo's contents.
"""
import base64
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import fmt, hpke, keyfiles
from .protos import clip_pb2, keys_pb2

FORMAT_VERSION = 3
LABEL_CLIP_KEY = b"doorbell/v3/clip-key"
LABEL_CLIP_INFO = b"doorbell/v3/clip-info"
OKM_LEN = 96
INFO_BLOCK = 64
INFO_NONCE = bytes(12)  # the info key seals exactly one message, so a fixed nonce never repeats under it
PAD_MIN, PAD_MAX, PAD_STEP = 64, 1 << 20, 16
MAX_MOTION = 1000
KEM_XWING = 0x647A
XWING_ENC_LEN = 1120
XWING_PUBLIC_LEN = 1216
# ClipHeader fields of v1/v2 that say what happened: absent (proto3 default) in a v3 header (V3-SPEC §A).
PUBLIC_EVENT_FIELDS = (4, 5, 7, 8, 9, 10, 11, 12, 14)
KNOWN_TRIGGERS = (clip_pb2.TRIGGER_MOTION, clip_pb2.TRIGGER_RING, clip_pb2.TRIGGER_MANUAL)
KNOWN_CODECS = (clip_pb2.CODEC_MJPEG,)


SealedDataError = fmt.SealedDataError


def _label(label, device_id, clip_id):
  fmt._require_device_id(device_id)
  return label + b"\x00" + device_id.encode("ascii") + b"\x00" + struct.pack(">Q", clip_id)


def clip_key_info(device_id, clip_id):
  return _label(LABEL_CLIP_KEY, device_id, clip_id)


def info_aad(device_id, clip_id):
  return _label(LABEL_CLIP_INFO, device_id, clip_id)


def clip_keys(k, device_id, clip_id):
  """(AES-256-GCM frame key, key commitment, info key) from the 32-byte clip key k: OKM bytes 0-32, 32-64, 64-96."""
  if len(k) != 32:
    raise ValueError("a clip key is 32 bytes")
  okm = fmt.hkdf(k, None, clip_key_info(device_id, clip_id), OKM_LEN)
  return okm[:32], okm[32:64], okm[64:]


def random_clip_id(random_bytes=os.urandom):
  """63 random bits, drawn again while 0: opaque, unlike the v1/v2 clip ids that were the start time."""
  while True:
    clip_id = struct.unpack(">Q", random_bytes(8))[0] & ((1 << 63) - 1)
    if clip_id:
      return clip_id


# --- padding -------------------------------------------------------------------------------------------------------

def check_pad(pad_to):
  """Returns pad_to when it is 0 (off) or in 64..1048576 and a multiple of 16; raises ValueError naming the rule."""
  if pad_to == 0 or (PAD_MIN <= pad_to <= PAD_MAX and pad_to % PAD_STEP == 0):
    return pad_to
  raise ValueError("pad %d: 0 (off) or %d..%d and a multiple of %d (4096 is the recommended bucket)" % (
      pad_to, PAD_MIN, PAD_MAX, PAD_STEP))


def sealed_length(pad_to, info_len, image_len):
  """The sealed length of a frame whose FrameInfo is info_len bytes and image image_len: plaintext + tag, rounded up
  to the smallest multiple of pad_to that fits (no rounding when pad_to is 0)."""
  natural = 4 + info_len + image_len + fmt.TAG_LEN
  if pad_to == 0:
    return natural
  return -(-natural // pad_to) * pad_to


# --- the sealed clip info ------------------------------------------------------------------------------------------

def info_plaintext(clip_info_bytes):
  """u32be(n) || ClipInfo || zero bytes up to the smallest multiple of 64."""
  body = struct.pack(">I", len(clip_info_bytes)) + bytes(clip_info_bytes)
  return body + bytes(-len(body) % INFO_BLOCK)


def seal_info(info_key, device_id, clip_id, clip_info_bytes):
  return AESGCM(info_key).encrypt(INFO_NONCE, info_plaintext(clip_info_bytes), info_aad(device_id, clip_id))


def open_info(info_key, device_id, clip_id, sealed):
  """The ClipInfo of a v3 header's sealed_info, with the checks of V3-SPEC §B in order; raises SealedDataError
  ("bad clip info") naming the first that fails."""
  def bad(detail):
    return SealedDataError("bad clip info", detail)

  try:
    plain = AESGCM(info_key).decrypt(INFO_NONCE, bytes(sealed), info_aad(device_id, clip_id))
  except (InvalidTag, ValueError):
    raise bad("the sealed clip info does not authenticate (%d bytes)" % len(sealed)) from None
  if len(plain) < 4:
    raise bad("%d bytes of plaintext, less than its length prefix" % len(plain))
  n = struct.unpack(">I", plain[:4])[0]
  if n > len(plain) - 4:
    raise bad("length prefix %d, but only %d bytes follow" % (n, len(plain) - 4))
  try:
    info = clip_pb2.ClipInfo.FromString(plain[4:4 + n])
  except Exception as e:
    raise bad("the ClipInfo does not parse: %s" % e) from None
  if any(plain[4 + n:]):
    raise bad("a padding byte after the ClipInfo is not zero")
  if len(plain) % INFO_BLOCK:
    raise bad("%d bytes of plaintext, not a multiple of %d" % (len(plain), INFO_BLOCK))
  problem = clip_info_problem(info)
  if problem:
    raise bad(problem)
  return info


def clip_info_problem(info):
  """None, or what breaks the ClipInfo rules of V3-SPEC §B (after it parsed)."""
  if info.trigger not in KNOWN_TRIGGERS:
    return "trigger %d is unspecified or unknown" % info.trigger
  if info.codec not in KNOWN_CODECS:
    return "codec %d is unspecified or unknown" % info.codec
  if not (info.width and info.height and info.fps):
    return "width %d, height %d, fps %d: none may be 0" % (info.width, info.height, info.fps)
  try:
    check_pad(info.pad_to)
  except ValueError as e:
    return str(e)
  return None


# --- frames ----------------------------------------------------------------------------------------------------------

def frame_plaintext(frame_info_bytes, image, pad_to):
  """u32be(n) || FrameInfo || image || zero padding, so that plaintext + tag is sealed_length(...)."""
  body = struct.pack(">I", len(frame_info_bytes)) + bytes(frame_info_bytes) + bytes(image)
  return body + bytes(sealed_length(pad_to, len(frame_info_bytes), len(image)) - fmt.TAG_LEN - len(body))


def open_frame(pad_to):
  """The frame check of a v3 clip for fmt._walk, after the tag verified: public meta empty, then the FrameInfo and
  the padding (V3-SPEC §C). Returns (FrameInfo, image) or raises SealedDataError."""
  def check(meta, plaintext, sealed_len):
    if meta:
      raise SealedDataError("bad metadata", "v3 frames carry no public metadata; %d bytes of it" % len(meta))
    if len(plaintext) < 4:
      raise SealedDataError("bad frame info", "%d bytes of plaintext, less than its length prefix" % len(plaintext))
    n = struct.unpack(">I", plaintext[:4])[0]
    if n > len(plaintext) - 4:
      raise SealedDataError("bad frame info", "length prefix %d, but only %d bytes follow" % (n, len(plaintext) - 4))
    try:
      info = clip_pb2.FrameInfo.FromString(plaintext[4:4 + n])
    except Exception as e:
      raise SealedDataError("bad frame info", "the FrameInfo does not parse: %s" % e) from None
    if info.image_length > len(plaintext) - 4 - n:
      raise SealedDataError("bad frame info", "image_length %d, but only %d bytes follow the FrameInfo" % (
          info.image_length, len(plaintext) - 4 - n))
    if info.motion_permille > MAX_MOTION:
      raise SealedDataError("bad frame info", "motion_permille %d above %d" % (info.motion_permille, MAX_MOTION))
    start = 4 + n + info.image_length
    if any(plaintext[start:]):
      raise SealedDataError("bad padding", "a padding byte after the image is not zero")
    padding = len(plaintext) - start
    if pad_to:
      expected = sealed_length(pad_to, n, info.image_length)
      if sealed_len != expected:
        raise SealedDataError("bad padding", "sealed length %d, expected %d (the smallest multiple of pad_to %d "
                              "that fits)" % (sealed_len, expected, pad_to))
    elif padding:
      raise SealedDataError("bad padding", "%d padding bytes in a clip without padding (pad_to 0)" % padding)
    return info, plaintext[4 + n:start]
  return check


# --- the header -------------------------------------------------------------------------------------------------------

def public_event_field(header):
  """The v3 part of step 1 where v2 checks salt and key_epoch: the first public event field present, or None."""
  present = sorted((f.number, f.name) for f, _ in header.ListFields() if f.number in PUBLIC_EVENT_FIELDS)
  if present:
    return "public event field %d present in a v3 header: %s" % present[0]
  return None


def chain_problem(link, clip_id):
  """None, or why a chain link does not hold (§17.4)."""
  if link.position == 0:
    return "chain position 0 (positions start at 1)"
  if link.position == 1:
    if link.prev_clip_id or link.prev_header_sha256 or link.prev_acknowledged_frames or link.prev_final_acknowledged:
      return "chain position 1 names a predecessor"
    return None
  if link.prev_clip_id in (0, clip_id):
    return "chain position %d: predecessor clip id %d" % (link.position, link.prev_clip_id)
  if len(link.prev_header_sha256) != 32:
    return "chain position %d: predecessor header hash of %d bytes, expected 32" % (
        link.position, len(link.prev_header_sha256))
  if link.prev_final_acknowledged and not link.prev_acknowledged_frames:
    return "chain position %d: the predecessor's final frame acknowledged with no frame acknowledged" % link.position
  return None


def header_problem(header):
  """The v3 checks that end step 1 (after the wrapped keys): a clip id, a chain link that holds, sealed info. None or
  the detail of "bad header"."""
  if header.clip_id == 0:
    return "clip id 0"
  if not header.HasField("chain"):
    return "no chain link (required in v3)"
  problem = chain_problem(header.chain, header.clip_id)
  if problem:
    return problem
  if not header.sealed_info:
    return "no sealed clip info (required in v3)"
  return None


# --- sealing ---------------------------------------------------------------------------------------------------------

class ChainHead:
  """What the device knows of the clip it started last (V3-SPEC §D): its position, id and header hash, and how many
  of its frames, from seq 0 without gaps, the uplink acknowledged PERSISTED (and whether the final one)."""

  def __init__(self, position=0, clip_id=0, header_sha256=b"", acknowledged=0, final=False):
    self.position, self.clip_id, self.header_sha256 = position, clip_id, header_sha256
    self.acknowledged, self.final = acknowledged, final

  def __repr__(self):
    return "ChainHead(position %d, clip %016x, acknowledged %d%s)" % (
        self.position, self.clip_id, self.acknowledged, ", final" if self.final else "")

  def __eq__(self, other):
    return isinstance(other, ChainHead) and vars(self) == vars(other)

  def next_link(self):
    """The ChainLink of the clip started after this head."""
    if self.position == 0:
      return clip_pb2.ChainLink(position=1)
    return clip_pb2.ChainLink(position=self.position + 1, prev_clip_id=self.clip_id,
                              prev_header_sha256=self.header_sha256, prev_acknowledged_frames=self.acknowledged,
                              prev_final_acknowledged=self.final)


class ClipSealerV3:
  """Seals one v3 clip. Draws, in v2's order: the clip key (32 bytes), the nonce prefix (7), then one X25519
  ephemeral private key (32) per recipient in list order; nothing for the clip info (its key is used once). The
  clip id is the caller's (random_clip_id, drawn before the sealer's own draws). An x-wing recipient cannot be
  sealed to by this client: ValueError before anything is drawn."""

  def __init__(self, device_id, signing_key, certificate, recipient_list, clip_id, chain_link, random_bytes=os.urandom,
               width=0, height=0, fps=0, start_time_unix_ms=0, pre_roll_ms=0, trigger=clip_pb2.TRIGGER_MANUAL,
               codec=clip_pb2.CODEC_MJPEG, ring_unix_ms=(), pad_to=0):
    from . import v2  # v2's opener imports this module; the sealer needs v2's wrapping and signature context
    fmt._require_device_id(device_id)
    if recipient_list.device_id != device_id:
      raise ValueError("recipient list of %s used by %s" % (recipient_list.device_id, device_id))
    unsupported = [r.name for r in recipient_list.recipients if r.kem != v2.KEM_X25519]
    if unsupported:
      raise ValueError("recipient list version %d of %s names %s, of a kem this client cannot seal to (x-wing needs "
                       "ML-KEM, which python3-cryptography lacks)" % (
                           recipient_list.version, device_id, ", ".join(unsupported)))
    check_pad(pad_to)
    info = clip_pb2.ClipInfo(trigger=trigger, codec=codec, width=width, height=height, fps=fps,
                             start_time_unix_ms=start_time_unix_ms, pre_roll_ms=pre_roll_ms, pad_to=pad_to,
                             ring_unix_ms=list(ring_unix_ms))
    problem = clip_info_problem(info)
    if problem:
      raise ValueError("clip %016x of %s: %s" % (clip_id, device_id, problem))
    k = random_bytes(32)
    prefix = random_bytes(fmt.PREFIX_LEN)
    aes_key, commitment, info_key = clip_keys(k, device_id, clip_id)
    wrapped = [v2.wrap(k, device_id, clip_id, r.public_key, hpke.KeyPair(random_bytes(32)))
               for r in recipient_list.recipients]
    header = clip_pb2.ClipHeader(
        format_version=FORMAT_VERSION, device_id=device_id, clip_id=clip_id, nonce_prefix=prefix,
        key_commitment=commitment, wrapped_keys=wrapped, recipient_list_version=recipient_list.version,
        device_key_certificate=certificate, chain=chain_link,
        sealed_info=seal_info(info_key, device_id, clip_id, info.SerializeToString())).SerializeToString()
    self.device_id, self.clip_id, self.pad_to = device_id, clip_id, pad_to
    self.recipient_list_version = recipient_list.version
    self.chain_link = chain_link
    self.header_bytes = keys_pb2.SignedClipHeader(
        header=header, signature=signing_key.sign(v2.CONTEXT_CLIP_HEADER, header)).SerializeToString()
    self.header_sha256 = hashlib.sha256(self.header_bytes).digest()
    self._prefix = prefix
    self._aead = AESGCM(aes_key)
    self._next_seq = 0
    self._closed = False

  def __repr__(self):
    return "ClipSealerV3(device=%s, clip=%016x, next_seq=%d)" % (self.device_id, self.clip_id, self._next_seq)

  def seal(self, image, pts_us, last, motion_permille=0, ring_pressed=False):
    """Returns (seq, last, meta bytes (empty in v3), sealed bytes) of the next frame."""
    if self._closed:
      raise ValueError("clip %016x of %s: frame after the final frame" % (self.clip_id, self.device_id))
    if not 0 <= motion_permille <= MAX_MOTION:
      raise ValueError("motion_permille %d outside 0..%d" % (motion_permille, MAX_MOTION))
    seq = self._next_seq
    info = clip_pb2.FrameInfo(pts_us=pts_us, image_length=len(image), motion_permille=motion_permille,
                              ring_pressed=ring_pressed).SerializeToString()
    sealed = self._aead.encrypt(fmt.nonce(self._prefix, seq, last), frame_plaintext(info, image, self.pad_to),
                                fmt.aad(self.header_sha256, seq, last, b""))
    self._next_seq += 1
    if last:
      self._closed = True
      self._aead = None
    return seq, bool(last), b"", sealed


# --- the device's chain state (V3-SPEC §D) ---------------------------------------------------------------------------

CHAIN_MAGIC = "doorbell-device-chain v3"
CHAIN_FILE = "chain.state"


class ChainStateError(ValueError):
  """The chain state file does not parse or names another device: the device must not start a clip (restarting
  at position 1 would fork its chain)."""


def _decimal(value, path, name):
  if not value.isdigit() or (len(value) > 1 and value[0] == "0") or int(value) >= 1 << 64:
    raise ChainStateError("%s: %s %r is not a decimal number without sign or leading zeros" % (path, name, value))
  return int(value)


def format_chain_state(device_id, head):
  return "%s\ndevice: %s\nposition: %d\nclip: %016x\nheader: %s\nacknowledged: %d\nfinal: %s\n" % (
      CHAIN_MAGIC, device_id, head.position, head.clip_id, base64.b64encode(head.header_sha256).decode("ascii"),
      head.acknowledged, "yes" if head.final else "no")


def read_chain_state(path, device_id):
  """The ChainHead of DEVICE_DIR/chain.state; position 0 (no clip started) when the file does not exist. Raises
  ChainStateError naming the file when it does not parse or names another device."""
  if not os.path.exists(path):
    return ChainHead()
  try:
    fields = keyfiles.parse_fields(keyfiles.read_text(path), CHAIN_MAGIC,
                                   ("device", "position", "clip", "header", "acknowledged", "final"), path)
    header = keyfiles.decode_key(fields["header"], path, "header")
  except keyfiles.KeyFileError as e:
    raise ChainStateError("chain state %s" % e) from None
  if fields["device"] != device_id:
    raise ChainStateError("%s: chain state of device %r, this is %s" % (path, fields["device"], device_id))
  position = _decimal(fields["position"], path, "position")
  if position == 0:
    raise ChainStateError("%s: position 0 (a device that started no clip has no chain state file)" % path)
  clip = fields["clip"]
  if len(clip) != 16 or any(ch not in "0123456789abcdef" for ch in clip):
    raise ChainStateError("%s: clip %r is not 16 lower-case hex digits" % (path, clip))
  if fields["final"] not in ("yes", "no"):
    raise ChainStateError("%s: final %r is neither yes nor no" % (path, fields["final"]))
  return ChainHead(position, int(clip, 16), header, _decimal(fields["acknowledged"], path, "acknowledged"),
                   fields["final"] == "yes")


class DeviceChain:
  """A device's chain head: loaded from DEVICE_DIR/chain.state, advanced (and made durable) before each clip's
  header is sent, and told of the uplink's PERSISTED acknowledgements. The file is rewritten when a clip's first
  frame is acknowledged and when its final frame is; later acknowledgements stay in memory, which is what the next
  clip's link uses when the device did not restart."""

  def __init__(self, device_dir, device_id):
    self.path = os.path.join(device_dir, CHAIN_FILE)
    self.device_id = device_id
    self.head = read_chain_state(self.path, device_id)

  def __repr__(self):
    return "DeviceChain(%s, %r)" % (self.device_id, self.head)

  def start(self, clip_id, header_sha256, link):
    """Records the clip about to be sent at link.position, durably, before its header leaves the device."""
    if link.position != self.head.position + 1:
      raise ValueError("chain link at position %d, the head is at %d" % (link.position, self.head.position))
    head = ChainHead(link.position, clip_id, header_sha256)
    keyfiles.write_atomically(self.path, format_chain_state(self.device_id, head))
    self.head = head

  def acknowledged(self, clip_id, frames, final):
    """The uplink acknowledged PERSISTED frames 0..frames-1 of clip_id (final: the clip's final frame among them)."""
    head = self.head
    if clip_id != head.clip_id or (frames, final) <= (head.acknowledged, head.final):
      return
    write = (head.acknowledged == 0 and frames > 0) or (final and not head.final)
    head.acknowledged, head.final = frames, final
    if write:
      keyfiles.write_atomically(self.path, format_chain_state(self.device_id, head))
