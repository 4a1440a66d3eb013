"""Round trips, every single-bit mutation, and each verdict of FORMAT.md section 4, on clips sealed here."""
import hashlib
import os
import unittest

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import support
from doorbell_py import fmt
from doorbell_py.protos import clip_pb2

ROOT = bytes(range(32))
DEVICE = "front-door"


def open_frames(header, frames, device=DEVICE, clip_id=7, root=ROOT):
  return fmt.open_clip(header, frames, device, clip_id, lambda e: fmt.epoch_key(root, device, e))


class FmtTest(unittest.TestCase):
  def setUp(self):
    self.header, self.frames = support.seal_clip(ROOT, DEVICE, 7, [b"a", b"", b"x" * 9000, b"last"], epoch=2)

  def test_openClip_manySizes_roundTrips(self):
    for size in (0, 1, 15, 16, 17, 4096, 70000):
      plaintexts = [os.urandom(size) for _ in range(3)]
      header, frames = support.seal_clip(ROOT, DEVICE, 7, plaintexts)
      verdict = open_frames(header, frames)
      self.assertEqual("OK", verdict.status, str(verdict))
      self.assertEqual(plaintexts, [p for _, _, p in verdict.frames])
      self.assertTrue(all(len(f[3]) == size + 16 for f in frames))

  def test_seal_sameInputsTwice_neverRepeatsSaltOrPrefix(self):
    first = clip_pb2.ClipHeader.FromString(support.seal_clip(ROOT, DEVICE, 7, [b"a"])[0])
    second = clip_pb2.ClipHeader.FromString(support.seal_clip(ROOT, DEVICE, 7, [b"a"])[0])
    self.assertNotEqual(first.salt, second.salt)
    self.assertNotEqual(first.nonce_prefix, second.nonce_prefix)

  def test_seal_afterFinalFrame_raises(self):
    sealer = fmt.ClipSealer(fmt.epoch_key(ROOT, DEVICE, 0), 0, DEVICE, 1, random_bytes=support.Counter())
    sealer.seal(b"x", 0, True)
    with self.assertRaises(ValueError):
      sealer.seal(b"y", 1, False)

  def test_openClip_everyBitFlippedInSealedFrame_isAuthenticationFailed(self):
    seq, last, meta, sealed = self.frames[1]
    for bit in range(len(sealed) * 8):
      mutated = bytearray(sealed)
      mutated[bit // 8] ^= 1 << (bit % 8)
      frames = list(self.frames)
      frames[1] = (seq, last, meta, bytes(mutated))
      verdict = open_frames(self.header, frames)
      self.assertEqual(("TAMPERED", 1, "authentication failed"), (verdict.status, verdict.failed_seq, verdict.keyword))
      self.assertEqual(1, len(verdict.frames))

  def test_openClip_everyBitFlippedInHeader_isTampered(self):
    for bit in range(len(self.header) * 8):
      mutated = bytearray(self.header)
      mutated[bit // 8] ^= 1 << (bit % 8)
      verdict = open_frames(bytes(mutated), self.frames)
      self.assertEqual("TAMPERED", verdict.status, "bit %d" % bit)

  def test_openClip_metaAltered_isAuthenticationFailed(self):
    seq, last, meta, sealed = self.frames[2]
    frames = list(self.frames)
    frames[2] = (seq, last, meta + b"\x18\x01", sealed)
    self.assertEqual("authentication failed", open_frames(self.header, frames).keyword)

  def test_openClip_lengthDisagreesWithSealedMeta_isNamed(self):
    # A frame whose metadata is authentic but lies about the length: sealed here from the format's parts.
    header = clip_pb2.ClipHeader.FromString(self.header)
    key, _ = fmt.clip_key(fmt.epoch_key(ROOT, DEVICE, 2), header.salt, DEVICE, 7)
    meta = clip_pb2.FrameMeta(pts_us=0, plaintext_length=99).SerializeToString()
    aad = fmt.aad(hashlib.sha256(self.header).digest(), 0, False, meta)
    sealed = AESGCM(key).encrypt(fmt.nonce(header.nonce_prefix, 0, False), b"abc", aad)
    verdict = open_frames(self.header, [(0, False, meta, sealed)] + self.frames[1:])
    self.assertEqual(("TAMPERED", 0, "length disagrees with the metadata"),
                     (verdict.status, verdict.failed_seq, verdict.keyword))
    meta = b"\xff"
    aad = fmt.aad(hashlib.sha256(self.header).digest(), 0, False, meta)
    sealed = AESGCM(key).encrypt(fmt.nonce(header.nonce_prefix, 0, False), b"abc", aad)
    self.assertEqual("bad metadata", open_frames(self.header, [(0, False, meta, sealed)]).keyword)

  def test_openClip_framesAfterFinal_isNamed(self):
    verdict = open_frames(self.header, self.frames + [self.frames[0]])
    self.assertEqual(("TAMPERED", 0, "frames after the final frame"),
                     (verdict.status, verdict.failed_seq, verdict.keyword))
    self.assertEqual(4, len(verdict.frames))

  def test_openClip_gapReorderDuplicate_areNamed(self):
    f = self.frames
    cases = [([f[0], f[2], f[3]], 1, "frame missing"), ([f[0], f[2], f[1], f[3]], 1, "frames out of order"),
             ([f[0], f[1], f[1], f[2], f[3]], 1, "duplicate frame"), ([f[1], f[2], f[3]], 0, "frame missing")]
    for frames, seq, keyword in cases:
      verdict = open_frames(self.header, frames)
      self.assertEqual(("TAMPERED", seq, keyword), (verdict.status, verdict.failed_seq, verdict.keyword))

  def test_openClip_cutShort_isTruncatedWithVerifiedFrames(self):
    verdict = open_frames(self.header, self.frames[:2])
    self.assertEqual(("TRUNCATED", "no final frame"), (verdict.status, verdict.keyword))
    self.assertEqual([b"a", b""], [p for _, _, p in verdict.frames])

  def test_openClip_wrongStoredPlace_isNamed(self):
    self.assertEqual("header names another device", open_frames(self.header, self.frames, device="back-door").keyword)
    self.assertEqual("header names another clip", open_frames(self.header, self.frames, clip_id=8).keyword)

  def test_openClip_wrongRootOrBadHeader_isHeaderVerdict(self):
    self.assertEqual("key commitment mismatch", open_frames(self.header, self.frames, root=bytes(32)).keyword)
    self.assertEqual("bad header", open_frames(b"\xff\xff", self.frames).keyword)
    header = clip_pb2.ClipHeader.FromString(self.header)
    header.key_epoch = fmt.MAX_EPOCH + 1
    verdict = open_frames(header.SerializeToString(), self.frames)
    self.assertEqual(("TAMPERED", None, "bad header"), (verdict.status, verdict.failed_seq, verdict.keyword))
    self.assertIn("TAMPERED at header: bad header", str(verdict))

  def test_epochKey_ratchetStepByStep_equalsDirectDerivation(self):
    key = fmt.epoch_key(ROOT, DEVICE, 0)
    for e in range(1, 6):
      key = fmt.next_epoch_key(key, DEVICE, e)
    self.assertEqual(fmt.epoch_key(ROOT, DEVICE, 5), key)
    with self.assertRaises(ValueError):
      fmt.epoch_info("Front_Door", 0)


if __name__ == "__main__":
  unittest.main()
