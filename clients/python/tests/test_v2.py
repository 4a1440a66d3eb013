"""Format v2 in Python: key files, certificates, recipient lists, sealing and opening with every verdict keyword of
V2-SPEC §7 in its order, shares, and a device's handling of a list update, on real files."""
import hashlib
import os
import stat
import tempfile
import unittest

import support
from doorbell_py import fmt, hpke, keyfiles, v2
from doorbell_py.protos import clip_pb2, keys_pb2, link_pb2

RESULT = link_pb2.RecipientListResult
FRAMES = [os.urandom(n) for n in (700, 0, 1500, 90)]


def resign(header_bytes, device_key, mutate=None, signature=None):
  """The header with mutate applied to its ClipHeader and signed again by device_key: a clip a device holding that
  key could have made."""
  signed = keys_pb2.SignedClipHeader.FromString(header_bytes)
  header = clip_pb2.ClipHeader.FromString(signed.header)
  if mutate:
    mutate(header)
  data = header.SerializeToString()
  return keys_pb2.SignedClipHeader(header=data, signature=signature or device_key.sign(v2.CONTEXT_CLIP_HEADER, data)) \
      .SerializeToString()


class V2Test(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.owner_dir = os.path.join(self.root, "owner")
    self.secret = support.make_owner(self.owner_dir)
    self.viewer_dir = os.path.join(self.root, "phone")
    self.phone = support.make_viewer(self.viewer_dir, "phone", self.owner_dir)
    self.device_dir = os.path.join(self.root, "devices", "front-door")
    self.device_key = support.pair_device(self.owner_dir, self.secret, self.device_dir, "front-door",
                                          [("phone", self.phone)])
    self.owner = v2.load_identity(self.owner_dir)
    self.viewer = v2.load_identity(self.viewer_dir)

  def tearDown(self):
    self._tmp.cleanup()

  def seal(self, clip_id=7, plaintexts=FRAMES):
    return support.seal_clip_v2(self.device_dir, clip_id, plaintexts)

  def open(self, header, frames, identity=None, device="front-door", clip_id=7, share=None):
    return v2.open_clip(header, frames, device, clip_id, identity or self.owner, share)

  def assertHeaderVerdict(self, keyword, verdict):
    self.assertEqual(("TAMPERED", None), (verdict.status, verdict.failed_seq), str(verdict))
    self.assertEqual(keyword, verdict.keyword, str(verdict))

  # --- keys and files ---

  def test_ownerKeys_sameSecret_sameKeysAndFiles(self):
    again = os.path.join(self.root, "recovered")
    support.make_owner(again, self.secret)
    for name in ("owner.secret", "owner.pub"):
      with open(os.path.join(self.owner_dir, name), "rb") as a, open(os.path.join(again, name), "rb") as b:
        self.assertEqual(a.read(), b.read(), name)
    self.assertEqual(0o600, stat.S_IMODE(os.stat(os.path.join(self.owner_dir, "owner.secret")).st_mode))
    self.assertNotEqual(v2.owner_signing_key(self.secret).public, v2.owner_signing_key(os.urandom(32)).public)

  def test_keyFiles_roundTrip_andMalformedRefused(self):
    path = os.path.join(self.root, "x")
    keyfiles.write_atomically(path, v2.format_viewer_public("phone", self.phone.public))
    self.assertEqual(("phone", 0x20, self.phone.public), v2.read_viewer_public(path))
    good = v2.format_viewer_public("phone", self.phone.public)
    for bad in (good.replace("x25519", "x-wing"), good.replace("phone", "Phone"), good.replace("v2", "v1"),
                good + "name: again\n", good.replace("kem: x25519\n", "")):
      keyfiles.write_atomically(path, bad)
      with self.subTest(text=bad), self.assertRaises(keyfiles.KeyFileError):
        v2.read_viewer_public(path)
    self.assertNotIn(self.phone.private.hex(), repr(v2.read_viewer_key(os.path.join(self.viewer_dir, "viewer.key"))))

  def test_keyId_isSha256OfKemAndKey(self):
    self.assertEqual(hashlib.sha256(b"\x00\x20" + self.phone.public).digest()[:8], v2.key_id(self.phone.public))

  def test_signatures_contextIsBound(self):
    key = v2.SigningKey(os.urandom(32))
    sig = key.sign(v2.CONTEXT_SHARE, b"m")
    self.assertTrue(v2.verify(key.public, v2.CONTEXT_SHARE, b"m", sig))
    self.assertFalse(v2.verify(key.public, v2.CONTEXT_RECIPIENT_LIST, b"m", sig))
    self.assertFalse(v2.verify(key.public, v2.CONTEXT_SHARE, b"n", sig))

  def test_certificate_otherOwnerOrDevice_refused(self):
    owner = v2.owner_signing_key(self.secret)
    cert = v2.issue_certificate(owner, "front-door", self.device_key.public, 1)
    self.assertEqual(self.device_key.public, v2.verify_certificate(owner.public, "front-door", cert))
    with self.assertRaisesRegex(v2.CertificateRefused, "not signed by this owner"):
      v2.verify_certificate(v2.SigningKey(os.urandom(32)).public, "front-door", cert)
    with self.assertRaisesRegex(v2.CertificateRefused, "names device 'front-door'"):
      v2.verify_certificate(owner.public, "back-door", cert)

  # --- recipient lists and the device ---

  def signed_list(self, version, recipients=None, device_id="front-door", owner=None):
    owner = owner or v2.owner_signing_key(self.secret)
    return v2.sign_recipient_list(owner, device_id, version, recipients or support.owner_recipients(self.secret),
                                  1750000000000 + version)

  def test_device_listUpdate_acceptedOnlyWhenSignedForItAndNewer(self):
    device = v2.Device(self.device_dir)
    ghost = hpke.generate_key_pair()
    forged = v2.sign_recipient_list(v2.SigningKey(os.urandom(32)), "front-door", 5,
                                    support.owner_recipients(self.secret, [("ghost", ghost)]), 1)
    cases = [(forged, RESULT.REFUSED_SIGNATURE), (self.signed_list(2, device_id="back-door"), RESULT.REFUSED_DEVICE),
             (self.signed_list(1), RESULT.REFUSED_VERSION), (b"\xff\x01", RESULT.REFUSED_MALFORMED)]
    path = os.path.join(self.device_dir, "recipients.list")
    with open(path, "rb") as f:
      before = f.read()
    for data, status in cases:
      with self.subTest(status=RESULT.Status.Name(status)):
        result = device.accept_list(data)
        self.assertEqual(status, result.status, result.detail)
        with open(path, "rb") as f:
          self.assertEqual(before, f.read())
        self.assertEqual(1, v2.Device(self.device_dir).list_version)
    update = self.signed_list(2)
    result = device.accept_list(update)
    self.assertEqual((RESULT.ACCEPTED, 2), (result.status, result.version))
    with open(path, "rb") as f:
      self.assertEqual(update, f.read())
    self.assertEqual(2, v2.Device(self.device_dir).list_version)

  def test_recipientRules_brokenList_refusedAsMalformed(self):
    owner = v2.owner_signing_key(self.secret)
    key = self.phone.public
    for recipients in ([], [("a", key), ("a", os.urandom(32))], [("a", key), ("b", key)],
                       [("n%d" % i, os.urandom(32)) for i in range(65)]):
      rl = keys_pb2.RecipientList(device_id="front-door", version=9, recipients=[
          keys_pb2.Recipient(name=n, kem=0x20, public_key=k) for n, k in recipients]).SerializeToString()
      data = keys_pb2.SignedRecipientList(list=rl, signature=owner.sign(v2.CONTEXT_RECIPIENT_LIST, rl))
      with self.subTest(recipients=len(recipients)):
        with self.assertRaises(v2.RecipientListRefused) as caught:
          v2.verify_recipient_list(owner.public, "front-door", 1, data.SerializeToString())
        self.assertEqual(RESULT.REFUSED_MALFORMED, caught.exception.status)

  def test_device_unpaired_namesMissingFiles(self):
    os.remove(os.path.join(self.device_dir, "recipients.list"))
    with self.assertRaisesRegex(v2.DeviceNotPaired, "recipients.list missing; pair it"):
      v2.Device(self.device_dir)

  # --- sealing and opening ---

  def test_sealOpen_ownerAndViewer_okFrameForFrame(self):
    header, frames = self.seal()
    self.assertEqual(2, v2.header_version(header))
    for identity in (self.owner, self.viewer):
      with self.subTest(identity=identity.kind):
        verdict = self.open(header, frames, identity)
        self.assertEqual("OK", verdict.status, str(verdict))
        self.assertEqual(FRAMES, [p for _, _, p in verdict.frames])

  def test_sealedHeader_fieldsAsSpecified(self):
    header_bytes, _ = self.seal()
    signed = keys_pb2.SignedClipHeader.FromString(header_bytes)
    header = clip_pb2.ClipHeader.FromString(signed.header)
    self.assertEqual((2, "front-door", 7, b"", 0, 1), (header.format_version, header.device_id, header.clip_id,
                                                      header.salt, header.key_epoch, header.recipient_list_version))
    self.assertEqual([v2.key_id(v2.owner_viewer_key(self.secret).public), v2.key_id(self.phone.public)],
                     [w.recipient_key_id for w in header.wrapped_keys])
    self.assertEqual([(0x20, 32, 48)] * 2, [(w.kem, len(w.enc), len(w.ciphertext)) for w in header.wrapped_keys])
    self.assertTrue(v2.verify(self.device_key.public, v2.CONTEXT_CLIP_HEADER, signed.header, signed.signature))

  def test_sealer_deterministicRandom_drawsKeyPrefixThenEphemerals(self):
    a, _ = support.seal_clip_v2(self.device_dir, 7, [b"x"], support.Counter())
    b, _ = support.seal_clip_v2(self.device_dir, 7, [b"x"], support.Counter())
    self.assertEqual(a, b)
    header = clip_pb2.ClipHeader.FromString(keys_pb2.SignedClipHeader.FromString(a).header)
    self.assertEqual(bytes(range(33, 40)), header.nonce_prefix)
    self.assertEqual(hpke.KeyPair(bytes(range(40, 72))).public, header.wrapped_keys[0].enc)

  def test_open_eachHeaderFault_givesItsKeywordInOrder(self):
    header, frames = self.seal()
    key = self.device_key
    other_owner = v2.SigningKey(os.urandom(32))
    other_device = v2.SigningKey(os.urandom(32))

    def cert_by(owner, device_public, device_id="front-door"):
      return lambda h: setattr(h, "device_key_certificate",
                               v2.issue_certificate(owner, device_id, device_public, 2))

    owner = v2.owner_signing_key(self.secret)

    def corrupt_mine(h):
      h.wrapped_keys[0].ciphertext = h.wrapped_keys[0].ciphertext[:-1] + b"\x00"

    cases = [
        ("bad header", b"\x0a\x03abc", frames, None),
        ("bad header", resign(header, key, lambda h: setattr(h, "format_version", 3)), frames, None),
        ("bad header", resign(header, key, lambda h: setattr(h, "nonce_prefix", b"123456")), frames, None),
        ("bad header", resign(header, key, signature=b"\x01" * 63), frames, None),
        ("bad header", resign(header, key, lambda h: h.ClearField("device_key_certificate")), frames, None),
        ("bad header", resign(header, key, lambda h: setattr(h, "recipient_list_version", 0)), frames, None),
        ("bad header", resign(header, key, lambda h: h.ClearField("wrapped_keys")), frames, None),
        ("bad header", resign(header, key, lambda h: setattr(h.wrapped_keys[1], "kem", 0x647a)), frames, None),
        ("bad header", resign(header, key, lambda h: setattr(h, "key_epoch", 1)), frames, None),
        ("header names another device", header, frames, "back-door"),
        ("unknown device key", resign(header, other_device, cert_by(other_owner, other_device.public)), frames,
         None),
        ("unknown device key", resign(header, other_device, cert_by(owner, other_device.public, "back-door")),
         frames, None),
        ("signed with a key other than the one paired",
         resign(header, other_device, cert_by(owner, other_device.public)), frames, None),
        ("bad signature", resign(header, key, signature=b"\x01" * 64), frames, None),
        ("bad signature", resign(header, other_device), frames, None),
        ("key unwrap failed", resign(header, key, corrupt_mine), frames, None),
        ("key commitment mismatch", resign(header, key, lambda h: setattr(h, "key_commitment", bytes(32))), frames,
         None),
    ]
    for keyword, bad_header, bad_frames, device in cases:
      with self.subTest(keyword=keyword):
        self.assertHeaderVerdict(keyword, self.open(bad_header, bad_frames, device=device or "front-door"))
    self.assertHeaderVerdict("header names another clip", self.open(header, frames, clip_id=8))
    # The viewer holds no pairing records: for it that header passes every header check (step 3 has only the
    # certificate check); the frames then fail, since their AAD hashes the header bytes the device signed.
    verdict = self.open(resign(header, other_device, cert_by(owner, other_device.public)), frames, self.viewer)
    self.assertEqual(("TAMPERED", 0, "authentication failed"), (verdict.status, verdict.failed_seq, verdict.keyword))

  def test_open_viewerNotInList_notARecipient(self):
    stranger_dir = os.path.join(self.root, "stranger")
    support.make_viewer(stranger_dir, "stranger", self.owner_dir)
    header, frames = self.seal()
    self.assertHeaderVerdict("not a recipient of this clip", self.open(header, frames, v2.load_identity(stranger_dir)))

  def test_open_framesFaults_asV1(self):
    header, frames = self.seal()
    self.assertEqual(("TRUNCATED", 3), (self.open(header, frames[:3]).status, len(self.open(header, frames[:3]).frames)))
    bad = list(frames)
    seq, last, meta, sealed = bad[2]
    bad[2] = (seq, last, meta, sealed[:-1] + bytes([sealed[-1] ^ 1]))
    verdict = self.open(header, bad)
    self.assertEqual(("TAMPERED", 2, "authentication failed"), (verdict.status, verdict.failed_seq, verdict.keyword))
    other_header, _ = self.seal()
    verdict = self.open(other_header, frames)
    self.assertEqual(("TAMPERED", 0), (verdict.status, verdict.failed_seq), "frames of another clip of clip id 7")

  def test_removedViewer_newClipsClosedOldStayOpen(self):
    old_header, old_frames = self.seal(clip_id=1)
    device = v2.Device(self.device_dir)
    self.assertEqual(RESULT.ACCEPTED, device.accept_list(self.signed_list(2)).status)
    new_header, new_frames = self.seal(clip_id=2)
    self.assertEqual("OK", self.open(old_header, old_frames, self.viewer, clip_id=1).status)
    self.assertHeaderVerdict("not a recipient of this clip", self.open(new_header, new_frames, self.viewer, clip_id=2))
    self.assertEqual("OK", self.open(new_header, new_frames, clip_id=2).status)

  # --- shares ---

  def test_share_opensThatClipOnlyForTheThirdParty(self):
    header, frames = self.seal(clip_id=7)
    other_header, other_frames = self.seal(clip_id=8)
    police_dir = os.path.join(self.root, "police")
    police = support.make_viewer(police_dir, "police")
    third = v2.load_identity(police_dir, for_share=True)
    keys = []
    self.assertEqual("OK", v2.open_clip(header, frames, "front-door", 7, self.owner, keep_key=keys.append).status)
    data = v2.issue_share(v2.owner_signing_key(self.secret), keys[0], "front-door", 7, header, police.public, 1)
    share = v2.Share(data)
    verdict = self.open(header, frames, third, share=share)
    self.assertEqual("OK", verdict.status, str(verdict))
    self.assertEqual(FRAMES, [p for _, _, p in verdict.frames])
    self.assertHeaderVerdict("not a recipient of this clip", self.open(other_header, other_frames, third, clip_id=8,
                                                                     share=share))
    with self.assertRaisesRegex(fmt.NoKeyError, "no owner key"):
      self.open(header, frames, third)
    altered = resign(header, self.device_key, lambda h: setattr(h, "width", 999))
    self.assertHeaderVerdict("header differs from the shared one", self.open(altered, frames, third, share=share))
    self.assertHeaderVerdict("not a recipient of this clip", self.open(header, frames, self.viewer, share=share))
    tampered = keys_pb2.SignedShare.FromString(data)
    tampered.share = tampered.share[:-1] + bytes([tampered.share[-1] ^ 1])
    with self.assertRaisesRegex(keyfiles.KeyFileError, "signature does not verify"):
      v2.Share(tampered.SerializeToString())
    path = os.path.join(self.root, "clip.share")
    keyfiles.write_atomically(path, v2.format_share("front-door", 7, data))
    self.assertEqual((7, share.wrapped), (v2.read_share(path).clip_id, v2.read_share(path).wrapped))
    keyfiles.write_atomically(path, v2.format_share("front-door", 8, data))
    with self.assertRaisesRegex(keyfiles.KeyFileError, "the file says device front-door clip 0000000000000008"):
      v2.read_share(path)
    # A share signed by someone else's owner key: the clip's certificate does not verify under it.
    stranger = v2.SigningKey(os.urandom(32))
    forged = v2.Share(v2.issue_share(stranger, keys[0], "front-door", 7, header, police.public, 1))
    self.assertHeaderVerdict("unknown device key", self.open(header, frames, third, share=forged))


if __name__ == "__main__":
  unittest.main()
