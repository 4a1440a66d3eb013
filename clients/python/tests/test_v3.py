"""Format v3 in Python (V3-SPEC §A-§C): the sealer's clip opens with its images, FrameInfo and ClipInfo; every
header, clip-info, frame-info and padding rule gives its keyword; the device's chain state file; an x-wing clip is
UNSUPPORTED, not TAMPERED."""
import hashlib
import os
import struct
import tempfile
import unittest

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import support
from doorbell_py import fmt, hpke, keyfiles, v2, v3
from doorbell_py.protos import clip_pb2, keys_pb2

DEVICE = "front-door"
CLIP = 0x1234_5678_9ABC
IMAGES = [os.urandom(n) for n in (700, 0, 1500, 90)]


def clip_info(**fields):
  values = dict(trigger=clip_pb2.TRIGGER_RING, codec=clip_pb2.CODEC_MJPEG, width=160, height=120, fps=15,
                start_time_unix_ms=1_750_000_000_000, pre_roll_ms=2000, ring_unix_ms=[1_750_000_002_000])
  values.update(fields)
  return clip_pb2.ClipInfo(**values)


def frame_plain(image, pad_to=0, **fields):
  info = clip_pb2.FrameInfo(image_length=len(image), **fields).SerializeToString()
  return v3.frame_plaintext(info, image, pad_to)


class V3Test(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.owner_dir = os.path.join(self.root, "owner")
    self.secret = support.make_owner(self.owner_dir)
    self.device_dir = os.path.join(self.root, "devices", DEVICE)
    self.device_key = support.pair_device(self.owner_dir, self.secret, self.device_dir, DEVICE)
    self.owner = v2.load_identity(self.owner_dir)
    self.certificate = v2.Device(self.device_dir).certificate

  def tearDown(self):
    self._tmp.cleanup()

  def open(self, header, frames, identity=None, clip_id=CLIP):
    return v2.open_clip(header, frames, DEVICE, clip_id, identity or self.owner)

  def build(self, frames, info=None, info_plain=None, mutate=None, link=None, wrapped=None):
    """A v3 clip made here from the spec's parts, not by the sealer, so that each part can be made wrong: frames
    are (plaintext, meta) pairs sealed as given; info_plain replaces the clip info plaintext."""
    k = os.urandom(32)
    aes_key, commitment, info_key = v3.clip_keys(k, DEVICE, CLIP)
    if info_plain is None:
      info_plain = v3.info_plaintext((info or clip_info()).SerializeToString())
    sealed_info = AESGCM(info_key).encrypt(bytes(12), info_plain, v3.info_aad(DEVICE, CLIP))
    header = clip_pb2.ClipHeader(
        format_version=3, device_id=DEVICE, clip_id=CLIP, nonce_prefix=os.urandom(7), key_commitment=commitment,
        wrapped_keys=wrapped or [v2.wrap(k, DEVICE, CLIP, v2.owner_viewer_key(self.secret).public)],
        recipient_list_version=1, device_key_certificate=self.certificate,
        chain=link or clip_pb2.ChainLink(position=1), sealed_info=sealed_info)
    if mutate:
      mutate(header)
    data = header.SerializeToString()
    header_bytes = keys_pb2.SignedClipHeader(header=data, signature=self.device_key.sign(
        v2.CONTEXT_CLIP_HEADER, data)).SerializeToString()
    sha = hashlib.sha256(header_bytes).digest()
    aead = AESGCM(aes_key)
    sealed = []
    for i, (plaintext, meta) in enumerate(frames):
      last = i == len(frames) - 1
      sealed.append((i, last, meta, aead.encrypt(fmt.nonce(header.nonce_prefix, i, last), plaintext,
                                                 fmt.aad(sha, i, last, meta))))
    return header_bytes, sealed

  def assertVerdict(self, status, where, keyword, verdict):
    self.assertEqual((status, where, keyword), (verdict.status, verdict.failed_seq, verdict.keyword), str(verdict))

  # --- the sealer and the opener agree ---

  def test_sealAndOpen_imagesFrameInfoAndClipInfo(self):
    for pad in (0, 64, 4096):
      with self.subTest(pad=pad):
        facts = [(0, False), (1000, True), (37, False), (999, False)]
        sealer, frames = support.seal_clip_v3(self.device_dir, IMAGES, facts=facts, pad_to=pad,
                                              trigger=clip_pb2.TRIGGER_RING, ring_unix_ms=[5, 6],
                                              start_time_unix_ms=77, pre_roll_ms=1500)
        verdict = self.open(sealer.header_bytes, frames, clip_id=sealer.clip_id)
        self.assertEqual("OK", verdict.status, str(verdict))
        self.assertEqual(IMAGES, [image for _, _, image in verdict.frames])
        self.assertEqual([(66_000 * i, len(IMAGES[i]), m, r) for i, (m, r) in enumerate(facts)],
                         [(f.pts_us, f.image_length, f.motion_permille, f.ring_pressed) for _, f, _ in verdict.frames])
        info = verdict.info
        self.assertEqual((clip_pb2.TRIGGER_RING, 160, 120, 15, 77, 1500, pad, [5, 6]),
                         (info.trigger, info.width, info.height, info.fps, info.start_time_unix_ms, info.pre_roll_ms,
                          info.pad_to, list(info.ring_unix_ms)))
        self.assertEqual(sealer.chain_link, verdict.chain)
        self.assertEqual(hashlib.sha256(sealer.header_bytes).digest(), verdict.header_sha256)
        for seq, _, meta, sealed in frames:
          self.assertEqual(b"", meta)
          if pad:
            self.assertEqual(0, len(sealed) % pad, "frame %d: %d bytes" % (seq, len(sealed)))
        if pad == 0:
          self.assertEqual([4 + len(clip_pb2.FrameInfo(pts_us=66_000 * i, image_length=len(p), motion_permille=m,
                                                       ring_pressed=r).SerializeToString()) + len(p) + 16
                            for i, (p, (m, r)) in enumerate(zip(IMAGES, facts))], [len(f[3]) for f in frames])

  def test_header_holdsNoEventMetadata(self):
    sealer, _ = support.seal_clip_v3(self.device_dir, IMAGES[:1], trigger=clip_pb2.TRIGGER_RING,
                                     start_time_unix_ms=1_750_000_000_000, pre_roll_ms=1500)
    header = clip_pb2.ClipHeader.FromString(keys_pb2.SignedClipHeader.FromString(sealer.header_bytes).header)
    self.assertEqual([1, 2, 3, 6, 13, 20, 21, 22, 23, 24], [f.number for f, _ in header.ListFields()])
    self.assertEqual(0, (len(header.sealed_info) - 16) % 64)

  def test_sealer_drawsClipIdThenV2Order_andRandomIdsAre63Bits(self):
    recording = support.Recording()
    sealer, _ = support.seal_clip_v3(self.device_dir, IMAGES[:1], recording)
    self.assertEqual([8, 32, 7, 32], [len(d) for d in recording.draws])
    self.assertEqual(struct.unpack(">Q", recording.draws[0])[0] & (2 ** 63 - 1), sealer.clip_id)
    high_bit_only = iter([b"\x80" + bytes(7), bytes(7) + b"\x01"])
    self.assertEqual(1, v3.random_clip_id(lambda n: next(high_bit_only)), "a draw that masks to 0 is drawn again")
    zero_then_high = iter([bytes(8), b"\xff" * 8])
    self.assertEqual(2 ** 63 - 1, v3.random_clip_id(lambda n: next(zero_then_high)))

  def test_keys_okm96_andInfoLayout(self):
    k = bytes(range(32))
    aes_key, commitment, info_key = v3.clip_keys(k, DEVICE, CLIP)
    okm = fmt.hkdf(k, None, b"doorbell/v3/clip-key\x00front-door\x00" + struct.pack(">Q", CLIP), 96)
    self.assertEqual(okm, aes_key + commitment + info_key)
    self.assertEqual(okm[:64], fmt.hkdf(k, None, v3.clip_key_info(DEVICE, CLIP), 64))  # HKDF: a prefix of L=96
    self.assertEqual(b"doorbell/v3/clip-info\x00front-door\x00" + struct.pack(">Q", CLIP), v3.info_aad(DEVICE, CLIP))
    for n in (0, 59, 60, 61, 124, 200):
      plain = v3.info_plaintext(bytes([8]) * n)
      self.assertEqual(max(64, -(-(4 + n) // 64) * 64), len(plain), n)

  def test_padding_sealedLengthAndRules(self):
    self.assertEqual(4096, v3.sealed_length(4096, 10, 100))
    self.assertEqual(8192, v3.sealed_length(4096, 10, 4096 - 4 - 10 - 16 + 1))
    self.assertEqual(4096, v3.sealed_length(4096, 10, 4096 - 4 - 10 - 16))
    self.assertEqual(4 + 10 + 100 + 16, v3.sealed_length(0, 10, 100))
    for good in (0, 64, 80, 4096, 1 << 20):
      self.assertEqual(good, v3.check_pad(good))
    for bad in (1, 16, 48, 63, 65, 100, (1 << 20) + 16, -16):
      with self.assertRaises(ValueError):
        v3.check_pad(bad)

  # --- header rules (step 1) ---

  def test_header_publicEventFieldPresent_badHeaderNamingIt(self):
    for number, name, value in ((4, "key_epoch", 1), (5, "salt", b"s"), (7, "trigger", 2), (8, "codec", 1),
                                (9, "width", 1), (10, "height", 1), (11, "fps", 1), (12, "start_time_unix_ms", 1),
                                (14, "pre_roll_ms", 1)):
      with self.subTest(field=name):
        header, frames = self.build([(frame_plain(b"x"), b"")], mutate=lambda h: setattr(h, name, value))
        verdict = self.open(header, frames)
        self.assertVerdict("TAMPERED", None, "bad header", verdict)
        self.assertIn("public event field %d present in a v3 header" % number, verdict.reason)

  def test_header_chainOrSealedInfoMissingOrWrong_badHeader(self):
    cases = {"no chain link": lambda h: h.ClearField("chain"),
             "no sealed clip info": lambda h: h.ClearField("sealed_info"),
             "chain position 0": lambda h: setattr(h.chain, "position", 0)}
    for detail, mutate in cases.items():
      with self.subTest(detail):
        verdict = self.open(*self.build([(frame_plain(b"x"), b"")], mutate=mutate))
        self.assertVerdict("TAMPERED", None, "bad header", verdict)
        self.assertIn(detail, verdict.reason)
    sha = bytes(32)
    for detail, link in (
        ("hash of 5 bytes", clip_pb2.ChainLink(position=2, prev_clip_id=5, prev_header_sha256=b"short")),
        ("position 1 names a predecessor", clip_pb2.ChainLink(position=1, prev_acknowledged_frames=1)),
        ("predecessor clip id 0", clip_pb2.ChainLink(position=2, prev_header_sha256=sha)),
        ("predecessor clip id %d" % CLIP, clip_pb2.ChainLink(position=2, prev_clip_id=CLIP, prev_header_sha256=sha)),
        ("final frame acknowledged with no frame", clip_pb2.ChainLink(position=2, prev_clip_id=5,
                                                                      prev_header_sha256=sha,
                                                                      prev_final_acknowledged=True))):
      with self.subTest(detail):
        verdict = self.open(*self.build([(frame_plain(b"x"), b"")], link=link))
        self.assertVerdict("TAMPERED", None, "bad header", verdict)
        self.assertIn(detail, verdict.reason)
    verdict = self.open(*self.build([(frame_plain(b"x"), b"")], mutate=lambda h: setattr(h, "clip_id", 0)),
                        clip_id=0)
    self.assertIn("clip id 0", verdict.reason)

  def test_header_unknownFieldAccepted(self):
    def unknown(h):
      h.MergeFromString(b"\xa8\x06\x01")  # field 101, varint 1
    verdict = self.open(*self.build([(frame_plain(b"x"), b"")], mutate=unknown))
    self.assertEqual("OK", verdict.status, str(verdict))

  # --- the clip info (step 7b) ---

  def test_clipInfo_everyRule_badClipInfo(self):
    good = clip_info().SerializeToString()
    body = struct.pack(">I", len(good)) + good
    cases = {
        "does not authenticate": dict(mutate=lambda h: setattr(h, "sealed_info", h.sealed_info[:-1] + bytes(
            [h.sealed_info[-1] ^ 1]))),
        "length prefix": dict(info_plain=struct.pack(">I", 61) + good + bytes(60 - len(good))),
        "does not parse": dict(info_plain=v3.info_plaintext(b"\xff\xff\xff")),
        "padding byte": dict(info_plain=body + b"\x01" + bytes(63 - len(body) % 64)),
        "not a multiple of 64": dict(info_plain=body + bytes(65 - len(body))),
        "trigger 0": dict(info=clip_info(trigger=0)),
        "trigger 9": dict(info=clip_info(trigger=9)),
        "codec 0": dict(info=clip_info(codec=0)),
        "codec 2": dict(info=clip_info(codec=2)),
        "width 0": dict(info=clip_info(width=0)),
        "fps 0": dict(info=clip_info(fps=0)),
        "pad 100": dict(info=clip_info(pad_to=100)),
        "pad 48": dict(info=clip_info(pad_to=48)),
    }
    for detail, kwargs in cases.items():
      with self.subTest(detail):
        verdict = self.open(*self.build([(frame_plain(b"x"), b"")], **kwargs))
        self.assertVerdict("TAMPERED", None, "bad clip info", verdict)
        self.assertIn(detail.split(" ")[0], verdict.reason)

  # --- frames ---

  def test_frame_everyFrameInfoAndPaddingRule(self):
    image = b"jpeg" * 10
    info = clip_pb2.FrameInfo(image_length=len(image)).SerializeToString()
    cases = {
        ("bad metadata", "no public metadata"): (frame_plain(image), b"\x08\x01", 0),
        ("bad frame info", "less than its length prefix"): (b"\x00\x00", b"", 0),
        ("bad frame info", "length prefix 99"): (struct.pack(">I", 99) + info + image, b"", 0),
        ("bad frame info", "does not parse"): (struct.pack(">I", 2) + b"\xff\xff" + image, b"", 0),
        ("bad frame info", "image_length 40, but only 39"): (frame_plain(image)[:-1], b"", 0),
        ("bad frame info", "motion_permille 1001"): (frame_plain(image, motion_permille=1001), b"", 0),
        ("bad padding", "not zero"): (frame_plain(image, 64)[:-1] + b"\x01", b"", 64),
        ("bad padding", "sealed length 128, expected 64"): (frame_plain(image, 64) + bytes(64), b"", 64),
        ("bad padding", "sealed length 192, expected 256"): (frame_plain(image * 3, 128)[:-64], b"", 128),
        ("bad padding", "pad_to 0"): (frame_plain(image) + bytes(3), b"", 0),
    }
    for (keyword, detail), (plaintext, meta, pad) in cases.items():
      with self.subTest(detail):
        frames = [(frame_plain(b"ok", pad), b""), (plaintext, meta), (frame_plain(b"end", pad), b"")]
        verdict = self.open(*self.build(frames, info=clip_info(pad_to=pad)))
        self.assertVerdict("TAMPERED", 1, keyword, verdict)
        self.assertIn(detail, verdict.reason)
        self.assertEqual([b"ok"], [image for _, _, image in verdict.frames])

  def test_frame_emptyImageAndExactBucket_ok(self):
    fill = 64 - 4 - 2 - 16  # FrameInfo of image_length 42 is 2 bytes: plaintext + tag is exactly 64
    frames = [(frame_plain(b"", 64), b""), (frame_plain(b"i" * fill, 64), b"")]
    verdict = self.open(*self.build(frames, info=clip_info(pad_to=64)))
    self.assertEqual("OK", verdict.status, str(verdict))
    self.assertEqual([b"", b"i" * fill], [image for _, _, image in verdict.frames])

  def test_frame_flippedBits_authenticationFailed(self):
    sealer, frames = support.seal_clip_v3(self.device_dir, IMAGES, pad_to=64)
    seq, last, meta, sealed = frames[2]
    for bit in range(0, len(sealed) * 8, 97):
      flipped = bytearray(sealed)
      flipped[bit // 8] ^= 1 << (bit % 8)
      verdict = self.open(sealer.header_bytes, frames[:2] + [(seq, last, meta, bytes(flipped))] + frames[3:],
                          clip_id=sealer.clip_id)
      self.assertVerdict("TAMPERED", 2, "authentication failed", verdict)

  def test_truncatedClip_truncatedWithChainLink(self):
    sealer, frames = support.seal_clip_v3(self.device_dir, IMAGES)
    verdict = self.open(sealer.header_bytes, frames[:2], clip_id=sealer.clip_id)
    self.assertEqual(("TRUNCATED", 2), (verdict.status, len(verdict.frames)))
    self.assertEqual(1, verdict.chain.position)

  def test_v2ClipStillOpens_infoFromItsPublicHeader(self):
    header, frames = support.seal_clip_v2(self.device_dir, 7, IMAGES)
    verdict = v2.open_clip(header, frames, DEVICE, 7, self.owner)
    self.assertEqual("OK", verdict.status, str(verdict))
    self.assertIsNone(verdict.chain)
    self.assertEqual(clip_pb2.TRIGGER_MANUAL, verdict.info.trigger)

  # --- x-wing ---

  def xwing_viewer(self, with_public=True):
    """A viewer directory holding an x-wing key as the Java tools write it (viewer.key with `kem: x-wing` and the
    32-byte seed, viewer.pub with the 1216-byte public key). The key is random bytes: this client cannot use it
    anyway."""
    directory = os.path.join(self.root, "pq-viewer")
    os.makedirs(directory, exist_ok=True)
    public = os.urandom(v3.XWING_PUBLIC_LEN)
    keyfiles.write_atomically(os.path.join(directory, "viewer.key"), "%s\nname: tablet\nkem: x-wing\nkey: %s\n" % (
        v2.VIEWER_KEY_MAGIC, v2._b64(os.urandom(32))))
    if with_public:
      keyfiles.write_atomically(os.path.join(directory, "viewer.pub"), "%s\nname: tablet\nkem: x-wing\nkey: %s\n" % (
          v2.VIEWER_PUBLIC_MAGIC, v2._b64(public)))
    with open(os.path.join(self.owner_dir, "owner.pub")) as f:
      keyfiles.write_atomically(os.path.join(directory, "owner.pub"), f.read())
    return directory, v2.key_id(public, v3.KEM_XWING)

  def xwing_wrapped(self, key_id):
    return keys_pb2.WrappedKey(recipient_key_id=key_id, kem=v3.KEM_XWING, enc=os.urandom(v3.XWING_ENC_LEN),
                               ciphertext=os.urandom(48))

  def test_xwingRecipient_unsupportedNotTampered_ownerStillOpens(self):
    directory, key_id = self.xwing_viewer()
    header, frames = self.build([(frame_plain(b"x"), b"")])
    signed = keys_pb2.SignedClipHeader.FromString(header)
    inner = clip_pb2.ClipHeader.FromString(signed.header)
    owner_wrapped = inner.wrapped_keys[0]
    header, frames = self.build([(frame_plain(b"x"), b"")], wrapped=[owner_wrapped, self.xwing_wrapped(key_id)])
    viewer = v2.load_identity(directory)
    self.assertEqual(frozenset([key_id]), viewer.xwing_key_ids)
    verdict = self.open(header, frames, viewer)
    self.assertEqual("UNSUPPORTED", verdict.status, str(verdict))
    self.assertEqual("UNSUPPORTED clip %016x: kem 0x647a (x-wing) is not supported by this client" % CLIP,
                     str(verdict))
    self.assertEqual(1, verdict.chain.position, "the signed chain link still counts")
    other, _ = self.build([(frame_plain(b"x"), b"")], wrapped=[self.xwing_wrapped(os.urandom(8))])
    self.assertVerdict("TAMPERED", None, "not a recipient of this clip", self.open(other, frames, viewer))
    os.remove(os.path.join(directory, "viewer.pub"))
    self.assertEqual("UNSUPPORTED", self.open(other, frames, v2.load_identity(directory)).status,
                     "without viewer.pub the key id is unknown: any x-wing key may be ours")

  def test_xwingWrappedKeySizes_checkedInHeader(self):
    for enc, ciphertext in ((32, 48), (1119, 48), (1120, 47)):
      with self.subTest(enc=enc, ciphertext=ciphertext):
        wrapped = keys_pb2.WrappedKey(recipient_key_id=bytes(8), kem=v3.KEM_XWING, enc=bytes(enc),
                                      ciphertext=bytes(ciphertext))
        header, frames = self.build([(frame_plain(b"x"), b"")])
        inner = clip_pb2.ClipHeader.FromString(keys_pb2.SignedClipHeader.FromString(header).header)
        header, frames = self.build([(frame_plain(b"x"), b"")], wrapped=[inner.wrapped_keys[0], wrapped])
        self.assertVerdict("TAMPERED", None, "bad header", self.open(header, frames))

  def test_xwingInList_rulesAcceptIt_butThisDeviceRefusesToSealToIt(self):
    owner = v2.owner_signing_key(self.secret)
    rl = keys_pb2.RecipientList(device_id=DEVICE, version=2, issued_unix_ms=1, recipients=[
        keys_pb2.Recipient(name="owner", kem=0x20, public_key=v2.owner_viewer_key(self.secret).public),
        # an ML-KEM part whose coefficients are all 0 passes the modulus check; the rest is random
        keys_pb2.Recipient(name="tablet", kem=v3.KEM_XWING, public_key=bytes(1152) + os.urandom(64))]) \
        .SerializeToString()
    signed = keys_pb2.SignedRecipientList(list=rl, signature=owner.sign(v2.CONTEXT_RECIPIENT_LIST, rl)) \
        .SerializeToString()
    self.assertEqual(2, v2.verify_recipient_list(owner.public, DEVICE, 1, signed).version)
    device = v2.Device(self.device_dir)
    result = device.accept_list(signed)
    self.assertEqual(v2.RESULT.REFUSED_MALFORMED, result.status)
    self.assertIn("tablet, x-wing", result.detail)
    self.assertEqual(1, device.list_version)
    with self.assertRaisesRegex(ValueError, "tablet, of a kem this client cannot seal to"):
      v3.ClipSealerV3(DEVICE, self.device_key, self.certificate, v2.verify_recipient_list(
          owner.public, DEVICE, 1, signed), CLIP, clip_pb2.ChainLink(position=1), width=1, height=1, fps=1)


class ChainStateTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    owner_dir = os.path.join(self.root, "owner")
    secret = support.make_owner(owner_dir)
    self.device_dir = os.path.join(self.root, "devices", DEVICE)
    support.pair_device(owner_dir, secret, self.device_dir, DEVICE)
    self.path = os.path.join(self.device_dir, "chain.state")

  def tearDown(self):
    self._tmp.cleanup()

  def read(self):
    with open(self.path) as f:
      return f.read()

  def test_chain_firstClipPosition1_thenLinksEachToThePrevious_acrossARestart(self):
    self.assertFalse(os.path.exists(self.path), "pairing creates no chain file")
    device = v2.Device(self.device_dir)
    first, _ = support.seal_clip_v3(self.device_dir, IMAGES, device=device)
    self.assertEqual(clip_pb2.ChainLink(position=1), first.chain_link)
    self.assertEqual("doorbell-device-chain v3\ndevice: front-door\nposition: 1\nclip: %016x\nheader: %s\n"
                     "acknowledged: 0\nfinal: no\n" % (first.clip_id, v2._b64(first.header_sha256)), self.read())
    self.assertEqual(0o600, os.stat(self.path).st_mode & 0o777)
    device.chain.acknowledged(first.clip_id, 2, False)
    self.assertIn("acknowledged: 2\nfinal: no\n", self.read())
    device.chain.acknowledged(first.clip_id, 3, False)
    self.assertIn("acknowledged: 2\n", self.read(), "later acknowledgements stay in memory")
    second, _ = support.seal_clip_v3(self.device_dir, IMAGES, device=device)
    self.assertEqual(clip_pb2.ChainLink(position=2, prev_clip_id=first.clip_id,
                                        prev_header_sha256=first.header_sha256, prev_acknowledged_frames=3),
                     second.chain_link)
    device.chain.acknowledged(second.clip_id, 4, True)
    self.assertIn("position: 2\nclip: %016x\n" % second.clip_id, self.read())
    self.assertIn("acknowledged: 4\nfinal: yes\n", self.read())
    restarted = v2.Device(self.device_dir)
    third, _ = support.seal_clip_v3(self.device_dir, IMAGES, device=restarted)
    self.assertEqual(clip_pb2.ChainLink(position=3, prev_clip_id=second.clip_id,
                                        prev_header_sha256=second.header_sha256, prev_acknowledged_frames=4,
                                        prev_final_acknowledged=True), third.chain_link)

  def test_chainFileBrokenOrOtherDevice_noClipStarted(self):
    support.seal_clip_v3(self.device_dir, IMAGES[:1])
    good = self.read()
    for bad in (good.replace("front-door", "back-door"), good.replace("position: 1", "position: 01"),
                good.replace("position: 1", "position: 0"), good.replace("final: no", "final: maybe"),
                good.replace("acknowledged: 0\n", ""), good[:-10], "", good.replace("clip: ", "clip: X")):
      with self.subTest(bad=bad):
        with open(self.path, "w") as f:
          f.write(bad)
        with self.assertRaises(v3.ChainStateError) as caught:
          support.seal_clip_v3(self.device_dir, IMAGES[:1])
        self.assertIn(self.path, str(caught.exception))
        with open(self.path) as f:
          self.assertEqual(bad, f.read(), "the file is left as it was")


if __name__ == "__main__":
  unittest.main()


class PostQuantumOwnerTest(unittest.TestCase):
  """An owner made with `doorbell owner init --pq` names an x-wing key on its lists (FORMAT.md §13 `viewer-kem`)."""

  def test_loadOwner_xWingOwnerPub_readsItAndKnowsTheKeyIdItCannotUse(self):
    with tempfile.TemporaryDirectory() as directory:
      secret = support.make_owner(directory)
      signing = v2.owner_signing_key(secret)
      listed = bytes(1152) + os.urandom(64)
      text = "%s\nsigning: %s\nviewer: %s\nviewer-kem: x-wing\n" % (v2.OWNER_PUBLIC_MAGIC, v2._b64(signing.public),
                                                                   v2._b64(listed))
      keyfiles.write_atomically(os.path.join(directory, "owner.pub"), text)
      identity = v2.load_owner(directory)
      self.assertEqual(frozenset([v2.key_id(listed, v3.KEM_XWING)]), identity.xwing_key_ids)
      self.assertEqual(v2.owner_viewer_key(secret).public, identity.recipients[0].key_pair.public)

  def test_readOwnerPublic_unknownViewerKem_refusedNamingIt(self):
    with self.assertRaisesRegex(keyfiles.KeyFileError, "viewer-kem 'kyber'"):
      v2.read_owner_public_text("%s\nsigning: %s\nviewer: %s\nviewer-kem: kyber\n"
                                % (v2.OWNER_PUBLIC_MAGIC, v2._b64(bytes(32)), v2._b64(bytes(32))), "owner.pub")
