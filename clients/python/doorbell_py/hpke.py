"""HPKE (RFC 9180) for one KEM and KDF, written from the RFC with python3-cryptography's primitives: DHKEM(X25519,
HKDF-SHA256) (kem 0x0020), HKDF-SHA256 (kdf 0x0001), AES-128-GCM (aead 0x0001, only for the RFC's own test suite)
and AES-256-GCM (aead 0x0002, what format v2 uses); mode_base and mode_auth; single-shot and multi-message contexts,
the secret export, and DeriveKeyPair (§7.1.3).

Extract is HMAC-SHA256 as RFC 5869 defines it (cryptography's HKDF class does extract and expand together and would
hide the labelled inputs RFC 9180 needs); Expand is cryptography's HKDFExpand.
"""
import hmac as _hmac
import hashlib
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

KEM_X25519_SHA256 = 0x0020
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
AEAD_AES_256_GCM = 0x0002
MODE_BASE = 0x00
MODE_AUTH = 0x02

N_SECRET = 32  # DHKEM(X25519): Nsecret, Nenc, Npk, Nsk are all 32
N_H = 32  # SHA-256
N_N = 12  # both AES-GCM AEADs
N_T = 16
_N_K = {AEAD_AES_128_GCM: 16, AEAD_AES_256_GCM: 32}
_VERSION_LABEL = b"HPKE-v1"


class HpkeError(Exception):
  """A failure RFC 9180 names: DecapError (a bad or low-order public key), OpenError (the AEAD refused), a
  message limit, or a key of the wrong size. The message never holds key material."""


def i2osp(value, length):
  if not 0 <= value < 1 << (8 * length):
    raise HpkeError("%d does not fit in %d bytes" % (value, length))
  return value.to_bytes(length, "big")


def extract(salt, ikm):
  """HKDF-Extract of RFC 5869 with SHA-256; an empty salt is HashLen zero bytes, which HMAC pads to the same key."""
  return _hmac.new(salt or bytes(N_H), ikm, hashlib.sha256).digest()


def expand(prk, info, length):
  return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(prk)


def labeled_extract(suite_id, salt, label, ikm):
  return extract(salt, _VERSION_LABEL + suite_id + label + ikm)


def labeled_expand(suite_id, prk, label, info, length):
  return expand(prk, i2osp(length, 2) + _VERSION_LABEL + suite_id + label + info, length)


_KEM_SUITE = b"KEM" + i2osp(KEM_X25519_SHA256, 2)


def _raw_public(public_key):
  return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(private_key):
  return private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())


class KeyPair:
  """An X25519 key pair: private is the 32-byte scalar as RFC 7748 encodes it (SerializePrivateKey), public the
  32-byte u-coordinate. repr never shows the private key."""

  def __init__(self, private_bytes):
    if len(private_bytes) != 32:
      raise HpkeError("an X25519 private key is 32 bytes, got %d" % len(private_bytes))
    self._key = X25519PrivateKey.from_private_bytes(bytes(private_bytes))
    self.public = _raw_public(self._key.public_key())

  def __repr__(self):
    return "KeyPair(public=%s)" % self.public.hex()

  @property
  def private(self):
    return _raw_private(self._key)

  def dh(self, public_bytes):
    """DH(sk, pk); an all-zero result (a low-order point) is refused, as RFC 9180 §7.1.4 requires."""
    if len(public_bytes) != 32:
      raise HpkeError("an X25519 public key is 32 bytes, got %d" % len(public_bytes))
    try:
      shared = self._key.exchange(X25519PublicKey.from_public_bytes(bytes(public_bytes)))
    except ValueError:
      raise HpkeError("DH with a low-order public key") from None
    if shared == bytes(32):
      raise HpkeError("DH with a low-order public key")
    return shared


def clamp(scalar):
  """RFC 7748 clamping: X25519 applies it anyway; stored random keys are kept clamped, as the Java side keeps them."""
  b = bytearray(scalar)
  b[0] &= 248
  b[31] = (b[31] & 127) | 64
  return bytes(b)


def generate_key_pair(random_bytes=os.urandom):
  """GenerateKeyPair: 32 random bytes as the X25519 private key (FORMAT.md §9), stored clamped."""
  return KeyPair(clamp(random_bytes(32)))


def derive_key_pair(ikm):
  """DeriveKeyPair(ikm) of RFC 9180 §7.1.3 for X25519: sk = LabeledExpand(dkp_prk, "sk", "", 32)."""
  if len(ikm) < N_SECRET:
    raise HpkeError("DeriveKeyPair needs at least %d bytes of input keying material" % N_SECRET)
  dkp_prk = labeled_extract(_KEM_SUITE, b"", b"dkp_prk", ikm)
  return KeyPair(labeled_expand(_KEM_SUITE, dkp_prk, b"sk", b"", 32))


def _extract_and_expand(dh, kem_context):
  eae_prk = labeled_extract(_KEM_SUITE, b"", b"eae_prk", dh)
  return labeled_expand(_KEM_SUITE, eae_prk, b"shared_secret", kem_context, N_SECRET)


def encap(pk_r, ephemeral):
  """Encap(pkR) with the ephemeral key pair given (random in use, fixed by the RFC's vectors): (shared_secret,
  enc)."""
  dh = ephemeral.dh(pk_r)
  enc = ephemeral.public
  return _extract_and_expand(dh, enc + pk_r), enc


def decap(enc, recipient):
  return _extract_and_expand(recipient.dh(enc), enc + recipient.public)


def auth_encap(pk_r, sender, ephemeral):
  dh = ephemeral.dh(pk_r) + sender.dh(pk_r)
  enc = ephemeral.public
  return _extract_and_expand(dh, enc + pk_r + sender.public), enc


def auth_decap(enc, recipient, pk_s):
  dh = recipient.dh(enc) + recipient.dh(pk_s)
  return _extract_and_expand(dh, enc + recipient.public + pk_s)


class Context:
  """The encryption context of RFC 9180 §5.2: key, base nonce, sequence number, exporter secret. One object seals
  (sender) or opens (recipient), never both."""

  def __init__(self, suite_id, aead_id, key, base_nonce, exporter_secret):
    self._suite_id, self._aead = suite_id, AESGCM(key)
    self.aead_id, self.key, self.base_nonce, self.exporter_secret = aead_id, key, base_nonce, exporter_secret
    self.seq = 0

  def __repr__(self):
    return "Context(aead=0x%04x, seq=%d)" % (self.aead_id, self.seq)

  def _nonce(self):
    if self.seq >= (1 << (8 * N_N)) - 1:
      raise HpkeError("message limit reached")
    return bytes(a ^ b for a, b in zip(self.base_nonce, i2osp(self.seq, N_N)))

  def seal(self, aad, pt):
    ct = self._aead.encrypt(self._nonce(), bytes(pt), bytes(aad))
    self.seq += 1
    return ct

  def open(self, aad, ct):
    try:
      pt = self._aead.decrypt(self._nonce(), bytes(ct), bytes(aad))
    except Exception:  # InvalidTag, or a ciphertext shorter than the tag
      raise HpkeError("AEAD open failed") from None
    self.seq += 1
    return pt

  def export(self, exporter_context, length):
    if length > 255 * N_H:
      raise HpkeError("export length %d above %d" % (length, 255 * N_H))
    return labeled_expand(self._suite_id, self.exporter_secret, b"sec", exporter_context, length)


def suite_id(aead_id, kem_id=KEM_X25519_SHA256):
  return b"HPKE" + i2osp(kem_id, 2) + i2osp(KDF_HKDF_SHA256, 2) + i2osp(aead_id, 2)


def key_schedule_parts(mode, shared_secret, info, aead_id, kem_id=KEM_X25519_SHA256):
  """KeySchedule of §5.1 without a PSK (modes base and auth): (key_schedule_context, secret, key, base_nonce,
  exporter_secret), each exposed so that the RFC's vectors can check them one by one. kem_id only enters the
  suite id: the key schedule of another KEM's shared secret (X-Wing's, whose KEM this module lacks) is the same."""
  if aead_id not in _N_K:
    raise HpkeError("AEAD 0x%04x is not supported" % aead_id)
  if mode not in (MODE_BASE, MODE_AUTH):
    raise HpkeError("mode %d is not supported" % mode)
  sid = suite_id(aead_id, kem_id)
  psk_id_hash = labeled_extract(sid, b"", b"psk_id_hash", b"")
  info_hash = labeled_extract(sid, b"", b"info_hash", info)
  context = bytes([mode]) + psk_id_hash + info_hash
  secret = labeled_extract(sid, shared_secret, b"secret", b"")
  key = labeled_expand(sid, secret, b"key", context, _N_K[aead_id])
  base_nonce = labeled_expand(sid, secret, b"base_nonce", context, N_N)
  exporter_secret = labeled_expand(sid, secret, b"exp", context, N_H)
  return context, secret, key, base_nonce, exporter_secret


def _context(mode, shared_secret, info, aead_id):
  _, _, key, base_nonce, exporter_secret = key_schedule_parts(mode, shared_secret, info, aead_id)
  return Context(suite_id(aead_id), aead_id, key, base_nonce, exporter_secret)


def setup_base_s(pk_r, info, aead_id=AEAD_AES_256_GCM, ephemeral=None):
  """Returns (enc, sender context); ephemeral defaults to a fresh random key pair."""
  shared_secret, enc = encap(pk_r, ephemeral or generate_key_pair())
  return enc, _context(MODE_BASE, shared_secret, info, aead_id)


def setup_base_r(enc, recipient, info, aead_id=AEAD_AES_256_GCM):
  return _context(MODE_BASE, decap(enc, recipient), info, aead_id)


def setup_auth_s(pk_r, info, sender, aead_id=AEAD_AES_256_GCM, ephemeral=None):
  shared_secret, enc = auth_encap(pk_r, sender, ephemeral or generate_key_pair())
  return enc, _context(MODE_AUTH, shared_secret, info, aead_id)


def setup_auth_r(enc, recipient, info, pk_s, aead_id=AEAD_AES_256_GCM):
  return _context(MODE_AUTH, auth_decap(enc, recipient, pk_s), info, aead_id)


def seal(pk_r, info, aad, pt, ephemeral=None):
  """Single-shot base-mode Seal with AES-256-GCM: (enc, ct)."""
  enc, ctx = setup_base_s(pk_r, info, AEAD_AES_256_GCM, ephemeral)
  return enc, ctx.seal(aad, pt)


def open_(enc, recipient, info, aad, ct):
  """Single-shot base-mode Open with AES-256-GCM; raises HpkeError when it fails for any reason."""
  if len(enc) != 32:
    raise HpkeError("enc is %d bytes, expected 32" % len(enc))
  return setup_base_r(enc, recipient, info, AEAD_AES_256_GCM).open(aad, ct)
