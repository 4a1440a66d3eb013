"""Format v2 (V2-SPEC.md, docs/FORMAT.md section 8 onward): Ed25519 signatures over context strings, the v2 key
files, owner-signed recipient lists and device key certificates, the signed clip header with the clip key wrapped
by HPKE to every recipient, opening with an owner's or a viewer's directory, and shares of one clip.

Nothing here prints or logs a key; no class holding a secret has a repr that shows it. Python cannot erase memory:
"erasing" the clip key after the final frame drops every reference to it, which is all this runtime offers.
"""
import base64
import hashlib
import hmac
import os
import re
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import fmt, hpke, keyfiles, v3
from .protos import clip_pb2, keys_pb2, link_pb2

FORMAT_VERSION = 2
KEM_X25519 = hpke.KEM_X25519_SHA256
KEY_ID_LEN, SIG_LEN, ENC_LEN, WRAPPED_LEN = 8, 64, 32, 48
MAX_RECIPIENTS = 64

CONTEXT_DEVICE_KEY = "doorbell/v2/device-key"
CONTEXT_RECIPIENT_LIST = "doorbell/v2/recipient-list"
CONTEXT_CLIP_HEADER = "doorbell/v2/clip-header"
CONTEXT_SHARE = "doorbell/v2/share"
CONTEXT_FORGET_REQUEST = "doorbell/v3/forget-request"
KEY_FINGERPRINT_LABEL = b"doorbell/clip-key-fingerprint\x00"
INFO_OWNER_SIGNING = b"doorbell/v2/owner-signing-key"
INFO_OWNER_VIEWER = b"doorbell/v2/owner-viewer-key"
LABEL_CLIP_KEY = b"doorbell/v2/clip-key"
LABEL_WRAP = b"doorbell/v2/wrap"
OWNER_VIEWER_NAME = "owner"

OWNER_SECRET_MAGIC = "doorbell-owner-secret v2"
OWNER_PUBLIC_MAGIC = "doorbell-owner-public v2"
VIEWER_KEY_MAGIC = "doorbell-viewer-key v2"
VIEWER_PUBLIC_MAGIC = "doorbell-viewer-public v2"
DEVICE_SIGNING_MAGIC = "doorbell-device-signing-key v2"
SHARE_MAGIC = "doorbell-share v2"
DEVICE_FILES = ("signing.key", "owner.pub", "device-key.cert", "recipients.list")


# --- Ed25519 with context strings -------------------------------------------------------------------------------

def _signed_bytes(context, message):
  return context.encode("ascii") + b"\x00" + bytes(message)


class SigningKey:
  """An Ed25519 private key from its 32-byte seed (RFC 8032)."""

  def __init__(self, seed):
    if len(seed) != 32:
      raise ValueError("an Ed25519 seed is 32 bytes, got %d" % len(seed))
    self._key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
    self.public = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

  def __repr__(self):
    return "SigningKey(public=%s)" % self.public.hex()

  @property
  def seed(self):
    return self._key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())

  def sign(self, context, message):
    """Ed25519 over ASCII(context) || 0x00 || message."""
    return self._key.sign(_signed_bytes(context, message))


def verify(public_key, context, message, signature):
  """True when signature is a valid Ed25519 signature by public_key over ASCII(context) || 0x00 || message."""
  if len(public_key) != 32 or len(signature) != SIG_LEN:
    return False
  try:
    Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(signature), _signed_bytes(context, message))
    return True
  except (InvalidSignature, ValueError):
    return False


# --- keys derived from the owner's secret, recipients, key ids ---------------------------------------------------

def owner_signing_key(secret):
  return SigningKey(fmt.hkdf(secret, None, INFO_OWNER_SIGNING, 32))


def owner_viewer_key(secret):
  return hpke.derive_key_pair(fmt.hkdf(secret, None, INFO_OWNER_VIEWER, 32))


def key_id(public_key, kem=KEM_X25519):
  """SHA-256(u16be(kem) || public_key)[0..8)."""
  return hashlib.sha256(struct.pack(">H", kem) + bytes(public_key)).digest()[:KEY_ID_LEN]


class Recipient:
  """One key an opener holds: a name (for messages only) and an X25519 key pair."""

  def __init__(self, name, key_pair):
    self.name, self.key_pair = name, key_pair
    self.public = key_pair.public
    self.key_id = key_id(key_pair.public)

  def __repr__(self):
    return "Recipient(%s, key id %s)" % (self.name, self.key_id.hex())


# --- text key files (FORMAT.md section 5 layout) -------------------------------------------------------------------

def _b64(data):
  return base64.b64encode(bytes(data)).decode("ascii")


_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def _valid_name(name):
  """A recipient name (FORMAT.md §9): 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit."""
  return isinstance(name, str) and _NAME.fullmatch(name) is not None


def format_owner_secret(secret):
  return "%s\nkey: %s\n" % (OWNER_SECRET_MAGIC, _b64(secret))


def read_owner_secret(path):
  fields = keyfiles.parse_fields(keyfiles.read_text(path), OWNER_SECRET_MAGIC, ("key",), path)
  return keyfiles.decode_key(fields["key"], path)


def format_owner_public(signing_public, viewer_public):
  return "%s\nsigning: %s\nviewer: %s\n" % (OWNER_PUBLIC_MAGIC, _b64(signing_public), _b64(viewer_public))


def read_owner_public(path):
  """Returns (signing public key, viewer public key) of an owner.pub."""
  return read_owner_public_text(keyfiles.read_text(path), path)


def read_owner_public_text(text, path):
  """(signing public key, the owner's listed viewer public key, its kem). An owner made with `--pq` names an x-wing
  viewer key (FORMAT.md §13: the optional `viewer-kem: x-wing` line, a 1216-byte key); absent means x25519."""
  fields = keyfiles.parse_fields(text, OWNER_PUBLIC_MAGIC, ("signing", "viewer"), path, optional=("viewer-kem",))
  kem = KEM_NAMES.get(fields.get("viewer-kem", "x25519"))
  if kem is None:
    raise keyfiles.KeyFileError("%s: viewer-kem %r is neither x25519 nor x-wing" % (path, fields["viewer-kem"]))
  return (keyfiles.decode_key(fields["signing"], path, "signing"),
          keyfiles.decode_key(fields["viewer"], path, "viewer", length=PUBLIC_KEY_LENS[kem]), kem)


def format_viewer_key(name, private_key):
  return "%s\nname: %s\nkey: %s\n" % (VIEWER_KEY_MAGIC, name, _b64(private_key))


KEM_NAMES = {"x25519": KEM_X25519, "x-wing": v3.KEM_XWING}
PUBLIC_KEY_LENS = {KEM_X25519: 32, v3.KEM_XWING: v3.XWING_PUBLIC_LEN}


def _kem(fields, path):
  name = fields.get("kem", "x25519")
  if name not in KEM_NAMES:
    raise keyfiles.KeyFileError("%s: kem %r is neither x25519 nor x-wing" % (path, name))
  return KEM_NAMES[name]


class XWingViewerKey:
  """An x-wing viewer's key file: this client cannot use the key (no ML-KEM), only name the clips it would open.
  key_id is None when the viewer.pub beside it is missing (the key id needs the public key, which only ML-KEM
  derives from the seed)."""

  def __init__(self, name, key_id):
    self.name, self.key_id = name, key_id

  def __repr__(self):
    return "XWingViewerKey(%s, key id %s)" % (self.name, self.key_id.hex() if self.key_id else "unknown")


def read_viewer_key(path):
  """Returns a Recipient from a viewer.key; an XWingViewerKey for one with `kem: x-wing` (FORMAT.md §13: a missing
  kem line is x25519)."""
  fields = keyfiles.parse_fields(keyfiles.read_text(path), VIEWER_KEY_MAGIC, ("name", "key"), path, ("kem",))
  if not _valid_name(fields["name"]):
    raise keyfiles.KeyFileError("%s: invalid viewer name %r" % (path, fields["name"]))
  key = keyfiles.decode_key(fields["key"], path)
  if _kem(fields, path) == v3.KEM_XWING:
    pub = os.path.join(os.path.dirname(path), "viewer.pub")
    kid = None
    if os.path.exists(pub):
      name, kem, public = read_viewer_public(pub)
      if kem != v3.KEM_XWING or name != fields["name"]:
        raise keyfiles.KeyFileError("%s: is not the public key of %s (x-wing viewer %s)" % (pub, path,
                                                                                           fields["name"]))
      kid = key_id(public, kem)
    return XWingViewerKey(fields["name"], kid)
  return Recipient(fields["name"], hpke.KeyPair(key))


def format_viewer_public(name, public_key):
  return "%s\nname: %s\nkem: x25519\nkey: %s\n" % (VIEWER_PUBLIC_MAGIC, name, _b64(public_key))


def read_viewer_public(path):
  """Returns (name, kem id, public key) of a viewer.pub: kem x25519 (32 bytes) or x-wing (1216)."""
  fields = keyfiles.parse_fields(keyfiles.read_text(path), VIEWER_PUBLIC_MAGIC, ("name", "kem", "key"), path)
  if not _valid_name(fields["name"]):
    raise keyfiles.KeyFileError("%s: invalid viewer name %r" % (path, fields["name"]))
  kem = _kem(fields, path)
  return fields["name"], kem, keyfiles.decode_key(fields["key"], path, length=PUBLIC_KEY_LENS[kem])


def format_device_signing_key(device_id, seed):
  return "%s\ndevice: %s\nkey: %s\n" % (DEVICE_SIGNING_MAGIC, device_id, _b64(seed))


def read_device_signing_key(path):
  """Returns (device id, SigningKey) of a device's signing.key."""
  fields = keyfiles.parse_fields(keyfiles.read_text(path), DEVICE_SIGNING_MAGIC, ("device", "key"), path)
  if not fmt.valid_device_id(fields["device"]):
    raise keyfiles.KeyFileError("%s: invalid device id %r" % (path, fields["device"]))
  return fields["device"], SigningKey(keyfiles.decode_key(fields["key"], path))


def _read_bytes(path):
  with open(path, "rb") as f:
    return f.read()


# --- device key certificates -----------------------------------------------------------------------------------

class CertificateRefused(Exception):
  pass


def issue_certificate(owner, device_id, device_public, paired_unix_ms):
  cert = keys_pb2.DeviceKeyCertificate(device_id=device_id, signing_public_key=device_public,
                                       paired_unix_ms=paired_unix_ms).SerializeToString()
  return keys_pb2.SignedDeviceKeyCertificate(certificate=cert,
                                             signature=owner.sign(CONTEXT_DEVICE_KEY, cert)).SerializeToString()


def verify_certificate(owner_public, device_id, signed_certificate):
  """Returns the device's signing public key that the owner certified; raises CertificateRefused naming why."""
  try:
    signed = keys_pb2.SignedDeviceKeyCertificate.FromString(bytes(signed_certificate))
    cert = keys_pb2.DeviceKeyCertificate.FromString(signed.certificate)
  except Exception as e:
    raise CertificateRefused("the device key certificate does not parse: %s" % e) from None
  if not verify(owner_public, CONTEXT_DEVICE_KEY, signed.certificate, signed.signature):
    raise CertificateRefused("the device key certificate is not signed by this owner")
  if cert.device_id != device_id:
    raise CertificateRefused("the device key certificate names device %r" % cert.device_id)
  if len(cert.signing_public_key) != 32:
    raise CertificateRefused("the certified key is %d bytes" % len(cert.signing_public_key))
  return cert.signing_public_key


# --- recipient lists ---------------------------------------------------------------------------------------------

RESULT = link_pb2.RecipientListResult


class RecipientListRefused(Exception):
  """status is a RecipientListResult.Status value; str(e) is the detail sent to the uplink."""

  def __init__(self, status, detail):
    super().__init__(detail)
    self.status = status

  @property
  def status_name(self):
    return RESULT.Status.Name(self.status)


def _ml_kem_modulus_ok(xwing_public_key):
  """FIPS 203 section 7.2's modulus check of the ML-KEM-768 encapsulation key at the start of an x-wing public key:
  every 12-bit coefficient of its first 1152 bytes is below q = 3329 (no ML-KEM is needed for that)."""
  ek = xwing_public_key[:1152]
  for i in range(0, len(ek), 3):
    b0, b1, b2 = ek[i], ek[i + 1], ek[i + 2]
    if (b0 | (b1 & 0x0F) << 8) >= 3329 or (b1 >> 4 | b2 << 4) >= 3329:
      return False
  return True


def check_recipients(recipients):
  """The rules of a list's recipients: 1 to 64, names valid and unique, X25519 keys of 32 bytes or x-wing keys of
  1216, unique. Returns None or what is wrong."""
  if not 1 <= len(recipients) <= MAX_RECIPIENTS:
    return "%d recipients, expected 1 to %d" % (len(recipients), MAX_RECIPIENTS)
  names, keys = set(), set()
  for r in recipients:
    if not _valid_name(r.name):
      return "invalid recipient name %r" % r.name
    if PUBLIC_KEY_LENS.get(r.kem) != len(r.public_key):
      return "recipient %s: kem 0x%04x with a %d-byte key, expected x25519 (0x0020) and 32 or x-wing (0x647a) and " \
          "1216" % (r.name, r.kem, len(r.public_key))
    if r.kem == v3.KEM_XWING and not _ml_kem_modulus_ok(r.public_key):
      return "recipient %s: its x-wing key's ML-KEM-768 part fails the modulus check of FIPS 203 section 7.2" % r.name
    if r.name in names:
      return "recipient name %s appears twice" % r.name
    if r.public_key in keys:
      return "recipient %s repeats another recipient's key" % r.name
    names.add(r.name)
    keys.add(r.public_key)
  return None


def sign_recipient_list(owner, device_id, version, recipients, issued_unix_ms):
  """recipients: (name, public key) pairs. Returns SignedRecipientList bytes."""
  rl = keys_pb2.RecipientList(device_id=device_id, version=version, issued_unix_ms=issued_unix_ms, recipients=[
      keys_pb2.Recipient(name=n, kem=KEM_X25519, public_key=k) for n, k in recipients])
  problem = check_recipients(rl.recipients)
  if problem:
    raise ValueError("recipient list for %s: %s" % (device_id, problem))
  data = rl.SerializeToString()
  return keys_pb2.SignedRecipientList(list=data, signature=owner.sign(CONTEXT_RECIPIENT_LIST, data)).SerializeToString()


def verify_recipient_list(owner_public, device_id, current_version, signed_list):
  """Returns the RecipientList a device may adopt, or raises RecipientListRefused. Order: the wrapper parses, the
  signature verifies (before anything signed is trusted), the list parses and keeps the rules, it names this
  device, its version is above current_version."""
  try:
    signed = keys_pb2.SignedRecipientList.FromString(bytes(signed_list))
  except Exception as e:
    raise RecipientListRefused(RESULT.REFUSED_MALFORMED, "not a SignedRecipientList: %s" % e) from None
  if not verify(owner_public, CONTEXT_RECIPIENT_LIST, signed.list, signed.signature):
    raise RecipientListRefused(RESULT.REFUSED_SIGNATURE, "the list is not signed by this device's owner")
  try:
    rl = keys_pb2.RecipientList.FromString(signed.list)
  except Exception as e:
    raise RecipientListRefused(RESULT.REFUSED_MALFORMED, "the signed bytes are not a RecipientList: %s" % e) \
        from None
  problem = check_recipients(rl.recipients)
  if not fmt.valid_device_id(rl.device_id):
    problem = "invalid device id %r" % rl.device_id
  elif rl.version < 1:
    problem = "version 0"
  if problem:
    raise RecipientListRefused(RESULT.REFUSED_MALFORMED, "list version %d: %s" % (rl.version, problem))
  if rl.device_id != device_id:
    raise RecipientListRefused(RESULT.REFUSED_DEVICE, "the list is for device %r, this is %s" % (
        rl.device_id, device_id))
  if rl.version <= current_version:
    raise RecipientListRefused(RESULT.REFUSED_VERSION, "list version %d is not above the current version %d" % (
        rl.version, current_version))
  return rl


# --- the clip key and its wrapping -------------------------------------------------------------------------------

def _clip_label(label, device_id, clip_id):
  fmt._require_device_id(device_id)
  return label + b"\x00" + device_id.encode("ascii") + b"\x00" + struct.pack(">Q", clip_id)


def clip_key_info(device_id, clip_id):
  return _clip_label(LABEL_CLIP_KEY, device_id, clip_id)


def wrap_info(device_id, clip_id):
  return _clip_label(LABEL_WRAP, device_id, clip_id)


def clip_keys(k, device_id, clip_id):
  """(AES-256-GCM key, key commitment) from the 32-byte clip key k."""
  if len(k) != 32:
    raise ValueError("a clip key is 32 bytes")
  okm = fmt.hkdf(k, None, clip_key_info(device_id, clip_id), 64)
  return okm[:32], okm[32:]


def wrap(k, device_id, clip_id, public_key, ephemeral=None):
  """The clip key wrapped to one X25519 recipient: a WrappedKey message."""
  kid = key_id(public_key)
  enc, ct = hpke.seal(public_key, wrap_info(device_id, clip_id), kid, k, ephemeral)
  return keys_pb2.WrappedKey(recipient_key_id=kid, kem=KEM_X25519, enc=enc, ciphertext=ct)


def unwrap(wrapped, recipient, device_id, clip_id):
  """Returns k or raises hpke.HpkeError."""
  k = hpke.open_(wrapped.enc, recipient.key_pair, wrap_info(device_id, clip_id), wrapped.recipient_key_id,
                 wrapped.ciphertext)
  if len(k) != 32:
    raise hpke.HpkeError("the unwrapped clip key is %d bytes" % len(k))
  return k


# --- sealing -----------------------------------------------------------------------------------------------------

class DeviceNotPaired(Exception):
  pass


class Device:
  """A paired device directory: signing.key, owner.pub (the trust anchor), device-key.cert, recipients.list. Every
  file is checked against the others when loaded: the certificate under the owner's key for this device and this
  signing key, the list under the owner's key for this device."""

  def __init__(self, directory):
    self.dir = directory
    missing = [n for n in DEVICE_FILES if not os.path.exists(os.path.join(directory, n))]
    if missing:
      raise DeviceNotPaired("%s is not paired: %s missing; pair it with `doorbell pair --owner OWNER --device %s`"
                            % (directory, ", ".join(missing), directory))
    self.device_id, self.signing_key = read_device_signing_key(os.path.join(directory, "signing.key"))
    self.owner_public = read_owner_anchor(os.path.join(directory, "owner.pub"))
    self.certificate = _read_bytes(os.path.join(directory, "device-key.cert"))
    try:
      certified = verify_certificate(self.owner_public, self.device_id, self.certificate)
    except CertificateRefused as e:
      raise DeviceNotPaired("%s: device-key.cert: %s" % (directory, e)) from None
    if certified != self.signing_key.public:
      raise DeviceNotPaired("%s: device-key.cert certifies another key than signing.key" % directory)
    signed = _read_bytes(os.path.join(directory, "recipients.list"))
    try:
      self.recipient_list = verify_recipient_list(self.owner_public, self.device_id, 0, signed)
    except RecipientListRefused as e:
      raise DeviceNotPaired("%s: recipients.list refused (%s): %s" % (directory, e.status_name, e)) from None
    self.chain = None  # format v3: DEVICE_DIR/chain.state, read when the first v3 clip starts

  def __repr__(self):
    return "Device(%s, list version %d)" % (self.device_id, self.recipient_list.version)

  @property
  def list_version(self):
    return self.recipient_list.version

  def accept_list(self, signed_list):
    """Handles a RecipientListUpdate: verifies it, makes it durable (temporary file, fsync, rename, directory fsync)
    before any later clip uses it, and returns the RecipientListResult to send. A refused list changes nothing."""
    try:
      rl = verify_recipient_list(self.owner_public, self.device_id, self.recipient_list.version, signed_list)
    except RecipientListRefused as e:
      version = _claimed_version(signed_list)
      return RESULT(version=version, status=e.status, detail=str(e))
    unsupported = _unsupported_recipients(rl)
    if unsupported:
      # The list keeps the rules, but this device could seal no clip with it: refusing keeps the list it has, so
      # clips go on being recorded, and the owner reads why in the uplink's log.
      return RESULT(version=rl.version, status=RESULT.REFUSED_MALFORMED,
                    detail="list version %d names %s, x-wing (kem 0x647a): this device (the Python client) cannot "
                    "seal to it" % (rl.version, ", ".join(unsupported)))
    keyfiles.write_atomically(os.path.join(self.dir, "recipients.list"), bytes(signed_list))
    self.recipient_list = rl
    return RESULT(version=rl.version, status=RESULT.ACCEPTED,
                  detail="%d recipients" % len(rl.recipients))

  def sealer(self, clip_id, random_bytes=os.urandom, **params):
    return ClipSealerV2(self.device_id, self.signing_key, self.certificate, self.recipient_list, clip_id,
                        random_bytes, **params)

  def start_clip_v3(self, random_bytes=os.urandom, clip_id=None, **params):
    """A v3 sealer for the next clip of this device's chain: a random clip id (unless given) drawn before the
    sealer's own draws, the link from the chain head, and the new head made durable in chain.state before this
    returns, so before the header can be sent. A chain.state that does not parse or names another device raises
    v3.ChainStateError: no clip is started."""
    if self.chain is None:
      self.chain = v3.DeviceChain(self.dir, self.device_id)
    if clip_id is None:
      clip_id = v3.random_clip_id(random_bytes)
    link = self.chain.head.next_link()
    sealer = v3.ClipSealerV3(self.device_id, self.signing_key, self.certificate, self.recipient_list, clip_id, link,
                             random_bytes, **params)
    self.chain.start(clip_id, sealer.header_sha256, link)
    return sealer


def _unsupported_recipients(recipient_list):
  return [r.name for r in recipient_list.recipients if r.kem != KEM_X25519]


def read_owner_anchor(path):
  """A device's owner.pub: the owner's signing public key. The owner's file carries the viewer key as well; a file
  with only `signing:` is accepted, since the device needs nothing else (V2-SPEC §3 does not say which it gets)."""
  text = keyfiles.read_text(path)
  try:
    return read_owner_public_text(text, path)[0]
  except keyfiles.KeyFileError:
    fields = keyfiles.parse_fields(text, OWNER_PUBLIC_MAGIC, ("signing",), path)
    return keyfiles.decode_key(fields["signing"], path, "signing")


def _claimed_version(signed_list):
  """The version a refused list claims, for the result message: unauthenticated, 0 when it does not parse."""
  try:
    return keys_pb2.RecipientList.FromString(keys_pb2.SignedRecipientList.FromString(bytes(signed_list)).list).version
  except Exception:
    return 0


class ClipSealerV2:
  """Seals one v2 clip: draws the clip key (32 bytes), then the nonce prefix (7), then one X25519 ephemeral private
  key (32) per recipient in list order, all from random_bytes; signs the header with the device's key. Frames as v1.
  After the final frame the clip key and the AES key are dropped."""

  def __init__(self, device_id, signing_key, certificate, recipient_list, clip_id, random_bytes=os.urandom,
               width=0, height=0, fps=0, start_time_unix_ms=0, pre_roll_ms=0, trigger=clip_pb2.TRIGGER_MANUAL,
               codec=clip_pb2.CODEC_MJPEG):
    fmt._require_device_id(device_id)
    if recipient_list.device_id != device_id:
      raise ValueError("recipient list of %s used by %s" % (recipient_list.device_id, device_id))
    k = random_bytes(32)
    prefix = random_bytes(fmt.PREFIX_LEN)
    aes_key, commitment = clip_keys(k, device_id, clip_id)
    wrapped = [wrap(k, device_id, clip_id, r.public_key, hpke.KeyPair(random_bytes(32)))
               for r in recipient_list.recipients]
    header = clip_pb2.ClipHeader(
        format_version=FORMAT_VERSION, device_id=device_id, clip_id=clip_id, nonce_prefix=prefix,
        trigger=trigger, codec=codec, width=width, height=height, fps=fps, start_time_unix_ms=start_time_unix_ms,
        key_commitment=commitment, pre_roll_ms=pre_roll_ms, wrapped_keys=wrapped,
        recipient_list_version=recipient_list.version, device_key_certificate=certificate).SerializeToString()
    self.device_id, self.clip_id = device_id, clip_id
    self.recipient_list_version = recipient_list.version
    self.header_bytes = keys_pb2.SignedClipHeader(
        header=header, signature=signing_key.sign(CONTEXT_CLIP_HEADER, header)).SerializeToString()
    self._header_sha256 = hashlib.sha256(self.header_bytes).digest()
    self._prefix = prefix
    self._aead = AESGCM(aes_key)
    self._next_seq = 0
    self._closed = False

  def __repr__(self):
    return "ClipSealerV2(device=%s, clip=%d, next_seq=%d)" % (self.device_id, self.clip_id, self._next_seq)

  def seal(self, plaintext, pts_us, last):
    """Returns (seq, last, meta bytes, sealed bytes) of the next frame."""
    if self._closed:
      raise ValueError("clip %d of %s: frame after the final frame" % (self.clip_id, self.device_id))
    seq = self._next_seq
    meta = clip_pb2.FrameMeta(pts_us=pts_us, plaintext_length=len(plaintext)).SerializeToString()
    sealed = self._aead.encrypt(fmt.nonce(self._prefix, seq, last), bytes(plaintext),
                                fmt.aad(self._header_sha256, seq, last, meta))
    self._next_seq += 1
    if last:
      self._closed = True
      self._aead = None
    return seq, bool(last), meta, sealed


# --- opening -----------------------------------------------------------------------------------------------------

def header_version(header_bytes):
  """1 for a v1 ClipHeader, 2 for a SignedClipHeader (format v2 or v3: the version is inside the signed bytes), 0
  when it is neither. A v1 header starts with field 1 as a varint (byte 0x08, format_version); a signed header
  starts with field 1 as bytes (0x0A, the signed ClipHeader)."""
  if not header_bytes:
    return 0
  if header_bytes[0] == 0x08:
    return 1
  if header_bytes[0] == 0x0A:
    return 2
  return 0


def signed_format_version(header_bytes):
  """The format_version inside a signed header (2 or 3 when well formed), without any check; 0 if it does not
  parse. For messages only: the opener checks everything in its order."""
  try:
    return clip_pb2.ClipHeader.FromString(keys_pb2.SignedClipHeader.FromString(bytes(header_bytes)).header) \
        .format_version
  except Exception:
    return 0


class Identity:
  """What an opener holds: the owner's signing public key, the recipient keys to try by key id, and, for an owner's
  directory, the device keys it certified at pairing (OWNER/devices/<id>.cert)."""

  def __init__(self, kind, owner_public, recipients, paired=None, xwing_key_ids=()):
    self.kind, self.owner_public, self.recipients = kind, owner_public, list(recipients)
    self._paired = paired or {}
    self.xwing_key_ids = frozenset(xwing_key_ids)

  def __repr__(self):
    return "Identity(%s, %d keys)" % (self.kind, len(self.recipients))

  def paired_device_key(self, device_id):
    return self._paired.get(device_id)


def load_identity(directory, for_share=False):
  """An owner's directory (owner.secret) or a viewer's (viewer.key and owner.pub). For a share, a viewer's directory
  needs no owner.pub: the share names the owner's key."""
  if os.path.exists(os.path.join(directory, "owner.secret")):
    return load_owner(directory)
  if os.path.exists(os.path.join(directory, "viewer.key")):
    return load_viewer(directory, need_owner=not for_share)
  raise keyfiles.KeyFileError("%s is neither an owner's directory (owner.secret) nor a viewer's (viewer.key)"
                              % directory)


def load_owner(directory):
  secret = read_owner_secret(os.path.join(directory, "owner.secret"))
  signing = owner_signing_key(secret)
  viewer = owner_viewer_key(secret)
  pub = os.path.join(directory, "owner.pub")
  xwing_key_ids = []
  if os.path.exists(pub):
    listed_signing, listed_viewer, kem = read_owner_public(pub)
    # An x-wing owner key cannot be derived here (no ML-KEM): its key id only lets clips wrapped to it say
    # UNSUPPORTED; the x25519 key the secret derives still opens the clips of lists that named it.
    if listed_signing != signing.public or (kem == KEM_X25519 and listed_viewer != viewer.public):
      raise keyfiles.KeyFileError("%s: does not hold the keys owner.secret derives" % pub)
    if kem == v3.KEM_XWING:
      xwing_key_ids.append(key_id(listed_viewer, kem))
  paired = {}
  devices = os.path.join(directory, "devices")
  if os.path.isdir(devices):
    for name in sorted(os.listdir(devices)):
      if name.endswith(".cert"):
        device_id = name[:-len(".cert")]
        try:
          paired[device_id] = verify_certificate(signing.public, device_id,
                                                 _read_bytes(os.path.join(devices, name)))
        except CertificateRefused as e:
          raise keyfiles.KeyFileError("%s: %s" % (os.path.join(devices, name), e)) from None
  return Identity("owner", signing.public, [Recipient(OWNER_VIEWER_NAME, viewer)], paired,
                  xwing_key_ids=xwing_key_ids)


def load_viewer(directory, need_owner=True):
  recipient = read_viewer_key(os.path.join(directory, "viewer.key"))
  if isinstance(recipient, XWingViewerKey):
    keys = dict(recipients=[], xwing_key_ids=[recipient.key_id])
  else:
    keys = dict(recipients=[recipient])
  pub = os.path.join(directory, "owner.pub")
  if not os.path.exists(pub):
    if need_owner:
      raise keyfiles.KeyFileError("%s: missing; a viewer needs the owner's public key to check devices" % pub)
    return Identity("viewer " + recipient.name, None, **keys)
  return Identity("viewer " + recipient.name, read_owner_anchor(pub), **keys)


def format_share(device_id, clip_id, signed_share):
  """The share file (V2-SPEC-NOTES, owner helper): device and clip for people, the SignedShare in base64."""
  return "%s\ndevice: %s\nclip: %016x\nshare: %s\n" % (SHARE_MAGIC, device_id, clip_id, _b64(signed_share))


def read_share(path):
  """Reads and verifies a share file; its device and clip lines must equal the signed Share's."""
  fields = keyfiles.parse_fields(keyfiles.read_text(path), SHARE_MAGIC, ("device", "clip", "share"), path)
  try:
    data = base64.b64decode(fields["share"], validate=True)
  except ValueError:
    raise keyfiles.KeyFileError("%s: share is not standard base64" % path) from None
  share = Share(data, path)
  if (fields["device"], fields["clip"]) != (share.device_id, "%016x" % share.clip_id):
    raise keyfiles.KeyFileError("%s: the file says device %s clip %s, the signed share %s clip %016x" % (
        path, fields["device"], fields["clip"], share.device_id, share.clip_id))
  return share


class Share:
  """A verified SignedShare: the clip it opens, the SHA-256 of that clip's header, the wrapped key, the owner."""

  def __init__(self, data, path="share"):
    try:
      signed = keys_pb2.SignedShare.FromString(bytes(data))
      share = keys_pb2.Share.FromString(signed.share)
    except Exception as e:
      raise keyfiles.KeyFileError("%s: not a SignedShare: %s" % (path, e)) from None
    if len(signed.owner_signing_public_key) != 32:
      raise keyfiles.KeyFileError("%s: the share's owner key is %d bytes" % (path, len(signed.owner_signing_public_key)))
    if not verify(signed.owner_signing_public_key, CONTEXT_SHARE, signed.share, signed.signature):
      raise keyfiles.KeyFileError("%s: the share's signature does not verify under the owner key it names" % path)
    problem = None
    if not fmt.valid_device_id(share.device_id):
      problem = "invalid device id %r" % share.device_id
    elif len(share.header_sha256) != 32:
      problem = "header hash of %d bytes" % len(share.header_sha256)
    elif not share.HasField("wrapped") or _wrapped_problem(share.wrapped):
      problem = "wrapped key: %s" % (_wrapped_problem(share.wrapped) or "absent")
    if problem:
      raise keyfiles.KeyFileError("%s: the share is malformed: %s" % (path, problem))
    self.owner_public = signed.owner_signing_public_key
    self.device_id, self.clip_id = share.device_id, share.clip_id
    self.header_sha256, self.wrapped = share.header_sha256, share.wrapped

  def __repr__(self):
    return "Share(%s, clip %d)" % (self.device_id, self.clip_id)


def issue_share(owner, k, device_id, clip_id, header_bytes, to_public, issued_unix_ms, ephemeral=None):
  """The owner's share of one clip to a third party's X25519 key: SignedShare bytes."""
  share = keys_pb2.Share(device_id=device_id, clip_id=clip_id, header_sha256=hashlib.sha256(header_bytes).digest(),
                         wrapped=wrap(k, device_id, clip_id, to_public, ephemeral),
                         issued_unix_ms=issued_unix_ms).SerializeToString()
  return keys_pb2.SignedShare(share=share, signature=owner.sign(CONTEXT_SHARE, share),
                              owner_signing_public_key=owner.public).SerializeToString()


def open_clip(header_bytes, frames, stored_device_id, stored_clip_id, identity, share=None, frame_holes=(),
              keep_key=None):
  """Opens a stored v2 or v3 clip with the checks of V2-SPEC §7 in order (FORMAT.md §15, and §17 for v3), then the
  frames: v2 exactly as v1; v3 with empty public metadata, each plaintext's FrameInfo and padding checked and the
  image kept. identity holds the recipient keys (for a share: the third party's); share, when given, replaces the
  owner's key by the share's and the header's wrapped keys by the share's one. keep_key, when given, receives the
  unwrapped clip key (the owner's share command needs it). Returns a fmt.Verdict; a v3 clip whose header verified
  carries its chain link, header hash and ClipInfo."""
  where = "device %s, clip %d" % (stored_device_id, stored_clip_id)

  def header_fail(keyword, detail):
    return fmt.Verdict("TAMPERED", None, "%s (%s: %s)" % (keyword, where, detail), [])

  try:
    signed = keys_pb2.SignedClipHeader.FromString(bytes(header_bytes))
    header = clip_pb2.ClipHeader.FromString(signed.header)
  except Exception as e:
    return header_fail("bad header", "does not parse as SignedClipHeader and ClipHeader: %s" % e)
  problem = _header_problem(signed, header)
  if problem:
    return header_fail("bad header", problem)
  if header.device_id != stored_device_id:
    return header_fail("header names another device", "header says %r" % header.device_id)
  if header.clip_id != stored_clip_id:
    return header_fail("header names another clip", "header says %d" % header.clip_id)
  owner_public = share.owner_public if share is not None else identity.owner_public
  if owner_public is None:
    raise fmt.NoKeyError("%s: no owner key to check the device's certificate (a viewer needs owner.pub, a third "
                         "party a share)" % where)
  if share is not None and (share.device_id, share.clip_id) != (stored_device_id, stored_clip_id):
    # FORMAT.md §14: a share does not open other clips at all; the caller never passes one. Kept as a verdict for
    # callers that do.
    return header_fail("not a recipient of this clip", "the share opens %s clip %d only" % (
        share.device_id, share.clip_id))
  if share is not None and not hmac.compare_digest(share.header_sha256, hashlib.sha256(header_bytes).digest()):
    return header_fail("header differs from the shared one", "SHA-256 of the stored header is not the share's")
  try:
    device_key = verify_certificate(owner_public, stored_device_id, header.device_key_certificate)
  except CertificateRefused as e:
    return header_fail("unknown device key", str(e))
  paired = identity.paired_device_key(stored_device_id) if share is None else None
  if paired is not None and paired != device_key:
    return header_fail("signed with a key other than the one paired",
                       "the header's certificate names key %s, the device was paired with %s" % (
                           device_key.hex()[:16], paired.hex()[:16]))
  if not verify(device_key, CONTEXT_CLIP_HEADER, signed.header, signed.signature):
    return header_fail("bad signature", "the header signature does not verify under the certified device key")
  v3_clip = header.format_version == v3.FORMAT_VERSION
  header_sha256 = hashlib.sha256(header_bytes).digest()

  def verified(verdict):
    if v3_clip:
      verdict.chain, verdict.header_sha256 = header.chain, header_sha256
    return verdict

  candidates = [share.wrapped] if share is not None else list(header.wrapped_keys)
  mine = [(w, r) for w in candidates for r in identity.recipients
          if w.kem == KEM_X25519 and w.recipient_key_id == r.key_id]
  if not mine and _xwing_only(candidates, identity):
    # This client has no ML-KEM: the clip is not tampered with and the store is not failed; the user needs the
    # Java opener (or an x25519 key of the list) for it.
    return verified(fmt.Verdict("UNSUPPORTED", None, "clip %016x: kem 0x%04x (x-wing) is not supported by this "
                                "client" % (stored_clip_id, v3.KEM_XWING), [],
                                keyword="kem 0x%04x (x-wing) is not supported by this client" % v3.KEM_XWING))
  if not mine:
    # A header that verified up to here still places the clip in its device's chain (FORMAT.md §17.4), as in Java.
    return verified(header_fail("not a recipient of this clip", "no wrapped key for %s (list version %d, %d wrapped "
                                "keys)" % (", ".join("%s %s" % (r.name, r.key_id.hex()) for r in identity.recipients),
                                           header.recipient_list_version, len(header.wrapped_keys))))
  k = None
  for wrapped, recipient in mine:
    try:
      k = unwrap(wrapped, recipient, stored_device_id, stored_clip_id)
      break
    except hpke.HpkeError:
      continue
  if k is None:
    return verified(header_fail("key unwrap failed", "HPKE open of the wrapped key for %s failed"
                                % mine[0][1].name))
  if v3_clip:
    aes_key, commitment, info_key = v3.clip_keys(k, stored_device_id, stored_clip_id)
  else:
    aes_key, commitment = clip_keys(k, stored_device_id, stored_clip_id)
  if not hmac.compare_digest(commitment, header.key_commitment):
    return verified(header_fail("key commitment mismatch",
                                "the unwrapped clip key does not match the header's commitment"))
  if v3_clip:
    try:
      info = v3.open_info(info_key, stored_device_id, stored_clip_id, header.sealed_info)
    except fmt.SealedDataError as e:
      return verified(header_fail(e.keyword, e.detail))
    check_frame = v3.open_frame(info.pad_to)
  else:
    info = clip_pb2.ClipInfo(trigger=header.trigger, codec=header.codec, width=header.width, height=header.height,
                             fps=header.fps, start_time_unix_ms=header.start_time_unix_ms,
                             pre_roll_ms=header.pre_roll_ms)
    check_frame = fmt._check_frame_meta
  if keep_key is not None:
    keep_key(k)
  verdict = fmt._walk(header_sha256, header.nonce_prefix, AESGCM(aes_key), list(frames), where, list(frame_holes),
                      check_frame)
  verdict.info = info
  if v3_clip:
    # Only the fingerprint is kept: two clips of a device with the same one share k (FORMAT.md §17.4, rule 7).
    verdict.key_fingerprint = hashlib.sha256(KEY_FINGERPRINT_LABEL + k).digest()
  return verified(verdict)


def _xwing_only(wrapped_keys, identity):
  """True when the clip's key is wrapped to an x-wing key the identity holds (by key id; any x-wing key when the
  identity's x-wing key id is unknown, a viewer.key without its viewer.pub): a key this client cannot use."""
  ids = identity.xwing_key_ids
  return any(w.kem == v3.KEM_XWING and (w.recipient_key_id in ids or None in ids) for w in wrapped_keys)


def _header_problem(signed, header):
  """Step 1 of FORMAT.md §15 (v2 and v3, §17.5), in its order."""
  if header.format_version not in (FORMAT_VERSION, v3.FORMAT_VERSION):
    return "format_version %d, expected 2 or 3" % header.format_version
  if len(signed.signature) != SIG_LEN:
    return "signature is %d bytes, expected 64" % len(signed.signature)
  if len(header.nonce_prefix) != fmt.PREFIX_LEN or len(header.key_commitment) != fmt.COMMIT_LEN:
    return "nonce prefix %d, commitment %d bytes" % (len(header.nonce_prefix), len(header.key_commitment))
  if header.format_version == v3.FORMAT_VERSION:
    problem = v3.public_event_field(header)
    if problem:
      return problem
  elif header.salt or header.key_epoch:
    return "a v2 header has no salt and key_epoch 0 (salt %d bytes, key_epoch %d)" % (
        len(header.salt), header.key_epoch)
  if not header.device_key_certificate:
    return "no device key certificate"
  if header.recipient_list_version == 0:
    return "recipient list version 0"
  if not 1 <= len(header.wrapped_keys) <= MAX_RECIPIENTS:
    return "%d wrapped keys, expected 1 to %d" % (len(header.wrapped_keys), MAX_RECIPIENTS)
  for i, w in enumerate(header.wrapped_keys):
    problem = _wrapped_problem(w)
    if problem:
      return "wrapped key %d: %s" % (i, problem)
  if header.format_version == v3.FORMAT_VERSION:
    return v3.header_problem(header)
  return None


ENC_LENS = {KEM_X25519: ENC_LEN, v3.KEM_XWING: v3.XWING_ENC_LEN}


def _wrapped_problem(w):
  if len(w.recipient_key_id) != KEY_ID_LEN or ENC_LENS.get(w.kem) != len(w.enc) or len(w.ciphertext) != WRAPPED_LEN:
    return ("key id %d bytes, kem 0x%04x, enc %d bytes, ciphertext %d bytes (expected 8, 0x0020 with 32 or 0x647a "
            "with 1120, 48)" % (len(w.recipient_key_id), w.kem, len(w.enc), len(w.ciphertext)))
  return None
