"""Every test of testdata/vectors/*.json, one subTest each, and proof that the checker can fail."""
import copy
import os
import unittest

import support
from doorbell_py import vectors, vectors_v2, vectors_v3


class VectorsTest(unittest.TestCase):
  def test_check_everyVector_passes(self):
    tests = list(vectors.iter_tests(support.VECTORS_DIR))
    self.assertGreaterEqual(len(tests), 17)
    for name, group_type, t in tests:
      with self.subTest(file=name, tcId=t["tcId"], comment=t.get("comment")):
        self.assertEqual([], vectors.check(group_type, t, name))

  def test_check_everyGroupType_isCovered(self):
    found = {}
    for name, group_type, _ in vectors.iter_tests(support.VECTORS_DIR):
      found.setdefault(name.split(os.sep)[0] if os.sep in name else "", set()).add(group_type)
    self.assertEqual(set(vectors.V1_CHECKS), found[""])
    v2_dir = os.path.join(support.VECTORS_DIR, "v2")
    if os.path.isdir(v2_dir):
      expected = set(vectors_v2.CHECKS)
      if not any(n.startswith("xwing_") for n in os.listdir(v2_dir)):
        expected.discard("XWingKemTest")
      self.assertEqual(expected, found.get("v2", set()))
    if os.path.isdir(os.path.join(support.VECTORS_DIR, "v3")):
      self.assertEqual(set(vectors_v3.CHECKS), found.get("v3", set()))

  def test_check_alteredExpectedValues_fail(self):
    for name, group_type, t in vectors.iter_tests(support.VECTORS_DIR):
      bad = copy.deepcopy(t)
      if group_type == "EpochRatchetTest":
        bad["epochs"][-1]["epochKey"] = "00" * 32
      elif group_type == "ClipKeyTest":
        bad["commitment"] = bad["commitment"][:-2] + "00" if not bad["commitment"].endswith("00") else "11" * 32
      elif group_type == "OwnerKeyTest":
        bad["viewerKeyId"] = "00" * 8 if bad["viewerKeyId"] != "00" * 8 else "11" * 8
      elif group_type == "SignatureTest":
        bad["result"] = "invalid" if t["result"] == "valid" else "valid"
      elif group_type == "DeviceKeyCertificateTest":
        bad["result"] = "invalid" if t["result"] == "valid" else "valid"
      elif group_type == "XWingKemTest":
        bad["keyId"] = "00" * 8 if bad["keyId"] != "00" * 8 else "11" * 8
      elif group_type == "PaddingTest":
        bad["result"] = "invalid" if t["result"] == "valid" else "valid"
      elif group_type == "RecipientListTest":
        bad["expected"] = "REFUSED_VERSION" if t["expected"] != "REFUSED_VERSION" else "ACCEPTED"
      elif t["result"] == "valid" and group_type not in ("ShareTest", "ClipV3Test"):
        bad["frames"][0]["aad"] = "00" + bad["frames"][0]["aad"]
      else:
        bad["expected"]["status"] = "TAMPERED" if t["expected"].get("status") == "OK" else "OK"
      with self.subTest(file=name, tcId=t["tcId"]):
        self.assertNotEqual([], vectors.check(group_type, bad, name))

  def test_checkDir_vectorsDirectory_reportsCounts(self):
    passed, failures = vectors.check_dir(support.VECTORS_DIR)
    self.assertEqual([], failures)
    self.assertEqual(passed, len(list(vectors.iter_tests(support.VECTORS_DIR))))


if __name__ == "__main__":
  unittest.main()
