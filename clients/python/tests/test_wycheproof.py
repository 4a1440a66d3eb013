"""The crypto layer under the format (cryptography's AES-GCM and HKDF-SHA256) against the Wycheproof copies in
testdata/wycheproof: AES-GCM with the 96-bit nonces the format uses, and every HKDF-SHA256 test."""
import json
import os
import unittest

import support
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from doorbell_py import fmt

WYCHEPROOF = os.path.join(support.VECTORS_DIR, "..", "wycheproof")


def load(name):
  with open(os.path.join(WYCHEPROOF, name), encoding="utf-8") as f:
    return json.load(f)["testGroups"]


class WycheproofTest(unittest.TestCase):
  def test_aesGcm_96BitNonceGroups_matchEveryVerdict(self):
    count = 0
    for group in load("wycheproof_aes_gcm_test.json"):
      if group["ivSize"] != 96 or group["tagSize"] != 128:
        continue
      for t in group["tests"]:
        count += 1
        key, iv, aad, msg = (bytes.fromhex(t[k]) for k in ("key", "iv", "aad", "msg"))
        sealed = bytes.fromhex(t["ct"] + t["tag"])
        with self.subTest(tcId=t["tcId"]):
          if t["result"] == "invalid":
            with self.assertRaises(InvalidTag):
              AESGCM(key).decrypt(iv, sealed, aad)
          else:
            self.assertEqual(sealed, AESGCM(key).encrypt(iv, msg, aad))
            self.assertEqual(msg, AESGCM(key).decrypt(iv, sealed, aad))
    self.assertGreater(count, 100)

  def test_hkdfSha256_everyTest_matchesVerdict(self):
    count = 0
    for group in load("wycheproof_hkdf_sha256_test.json"):
      for t in group["tests"]:
        count += 1
        ikm, salt, info = (bytes.fromhex(t[k]) for k in ("ikm", "salt", "info"))
        with self.subTest(tcId=t["tcId"]):
          if t["result"] == "invalid":
            with self.assertRaises(ValueError):
              fmt.hkdf(ikm, salt, info, t["size"])
          else:
            self.assertEqual(bytes.fromhex(t["okm"]), fmt.hkdf(ikm, salt, info, t["size"]))
    self.assertEqual(86, count)


if __name__ == "__main__":
  unittest.main()
