"""HPKE (RFC 9180) against the RFC's own vectors, every entry of the suite, and the refusals HPKE must make."""
import json
import os
import tempfile
import unittest

import support  # noqa: F401  (puts the package on sys.path)
from doorbell_py import hpke, hpke_vectors


class HpkeVectorsTest(unittest.TestCase):
  def test_rfc9180Vectors_everyEntryOfTheSuite_matchesByteForByte(self):
    vectors = hpke_vectors.load()
    entries = [(v["mode"], v["aead_id"]) for v in vectors]
    self.assertEqual(sorted(hpke_vectors.EXPECTED), sorted(entries))
    total = 0
    for v in vectors:
      with self.subTest(mode=v["mode"], aead=v["aead_id"]):
        errors, encryptions, exports = hpke_vectors.check(v)
        self.assertEqual([], errors)
        self.assertEqual((257, 3), (encryptions, exports))
        total += encryptions
    self.assertEqual(3 * 257, total)

  def test_rfc9180Vectors_alteredValue_fails(self):
    for field in ("shared_secret", "key", "base_nonce", "exporter_secret", "pkRm"):
      v = dict(hpke_vectors.load()[1])
      v[field] = ("00" if not v[field].startswith("00") else "11") + v[field][2:]
      with self.subTest(field=field):
        self.assertNotEqual([], hpke_vectors.check(v)[0])
    v = json.loads(json.dumps(hpke_vectors.load()[2]))
    v["encryptions"][100]["ct"] = v["encryptions"][100]["ct"][:-2] + "00"
    self.assertTrue(any("encryption 100" in e for e in hpke_vectors.check(v)[0]))

  def test_checkAll_fileWithoutAnEntry_failsNamingIt(self):
    vectors = [v for v in hpke_vectors.load() if v["mode"] != hpke.MODE_AUTH]
    with tempfile.TemporaryDirectory() as d:
      path = os.path.join(d, hpke_vectors.FILE_NAME)
      with open(path, "w") as f:
        json.dump({"vectors": vectors}, f)
      _, failures = hpke_vectors.check_all(path)
    self.assertEqual(["no entry for mode 2 aead 2 in the file"], failures)


class HpkeTest(unittest.TestCase):
  def setUp(self):
    self.recipient = hpke.generate_key_pair()

  def test_sealOpen_roundTrip_andEveryInputBound(self):
    enc, ct = hpke.seal(self.recipient.public, b"info", b"aad", b"k" * 32)
    self.assertEqual((32, 48), (len(enc), len(ct)))
    self.assertEqual(b"k" * 32, hpke.open_(enc, self.recipient, b"info", b"aad", ct))
    other = hpke.generate_key_pair()
    bad = [(enc, other, b"info", b"aad", ct), (enc, self.recipient, b"infx", b"aad", ct),
           (enc, self.recipient, b"info", b"aax", ct), (enc, self.recipient, b"info", b"aad", ct[:-1] + b"\0"),
           (other.public, self.recipient, b"info", b"aad", ct), (enc[:31], self.recipient, b"info", b"aad", ct)]
    for args in bad:
      with self.subTest(args=[a.hex() if isinstance(a, bytes) else a for a in args]):
        with self.assertRaises(hpke.HpkeError):
          hpke.open_(*args)

  def test_open_lowOrderEnc_refusedAsDecapError(self):
    _, ct = hpke.seal(self.recipient.public, b"", b"", b"x")
    for point in (bytes(32), b"\x01" + bytes(31)):
      with self.subTest(point=point.hex()):
        with self.assertRaisesRegex(hpke.HpkeError, "low-order"):
          hpke.open_(point, self.recipient, b"", b"", ct)

  def test_deriveKeyPair_shortIkm_refused(self):
    with self.assertRaises(hpke.HpkeError):
      hpke.derive_key_pair(bytes(31))

  def test_keyPair_repr_showsNoPrivateKey(self):
    self.assertNotIn(self.recipient.private.hex(), repr(self.recipient))


if __name__ == "__main__":
  unittest.main()
