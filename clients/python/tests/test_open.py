"""`doorbell-py open` on whole and damaged stores: what it prints, what it writes and its exit status."""
import contextlib
import io
import os
import tempfile
import unittest

import support
from doorbell_py import cli, keyfiles

DEVICE = "front-door"


class OpenTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.dir = self._tmp.name
    self.root = os.urandom(32)
    self.keyring = self.write_keyring("keyring", self.root)
    self.store = os.path.join(self.dir, "store")
    self.out = os.path.join(self.dir, "out")

  def tearDown(self):
    self._tmp.cleanup()

  def write_keyring(self, directory, root):
    path = os.path.join(self.dir, directory)
    os.makedirs(path)
    keyfiles.write_atomically(os.path.join(path, DEVICE + ".root"), keyfiles.format_root_key(DEVICE, root))
    return path

  def clip(self, clip_id, frames):
    header, sealed = support.seal_clip(self.root, DEVICE, clip_id, [b"frame %d" % i for i in range(frames)])
    return support.clip_records(DEVICE, clip_id, header, sealed)

  def run_open(self, *more, keyring=None):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
      code = cli.main(["open", "--store", self.store, "--keyring", keyring or self.keyring, "--out", self.out]
                      + list(more))
    return code, out.getvalue(), err.getvalue()

  def test_open_damagedRecord_exitOneRangeListedOtherClipsOk(self):
    w = support.StoreWriter(self.store, 2)
    w.add_clip(self.clip(1, 3))
    damaged = w.add_clip(self.clip(2, 3))
    w.add_clip(self.clip(3, 3))
    w.checkpoint()
    w.write()
    support.flip_byte(w.path(1), damaged[2] + 12)
    code, out, _err = self.run_open()
    self.assertEqual(1, code, out)
    self.assertIn("  damaged range: segment 0000000001 offsets %d..%d" % (damaged[2], damaged[3]), out)
    self.assertIn("front-door 0000000000000002 DAMAGED at frame 1: frame missing", out)
    self.assertEqual(2, out.count(" OK ("), out)
    self.assertIn("store %s is not whole: damaged range (listed above)" % self.store, out)
    with open(os.path.join(self.out, DEVICE, "%016x" % 2, "verdict.txt")) as f:
      self.assertTrue(f.read().startswith("DAMAGED at frame 1"))

  def test_open_clipWithUplinkFlags_flagLinesPrintedAndInVerdictExitStatusUnchanged(self):
    w = support.StoreWriter(self.store, 2)
    w.add_clip(self.clip(1, 2))
    flagged = self.clip(2, 2)
    flagged[0].clip_open.uplink_flags.add(reason="nonce_prefix_reused", detail="the nonce prefix of clip 0000000000000001")
    # The store is hostile: a flag is shown as printable ASCII only, at most 300 characters, as Java's open shows it.
    flagged[0].clip_open.uplink_flags.add(reason="chain_broken", detail="bell\u00e9\n\U0001f514" + "x" * 400)
    w.add_clip(flagged)
    w.checkpoint()
    w.write()
    code, out, _err = self.run_open()
    self.assertEqual(0, code, out)
    self.assertIn("front-door           0000000000000002  UPLINK FLAG nonce_prefix_reused (the nonce prefix of clip"
                  " 0000000000000001)\n", out)
    hostile = "chain_broken (bell????" + "x" * (300 - len("chain_broken (bell????"))
    self.assertIn("front-door           0000000000000002  UPLINK FLAG %s\n" % hostile, out)
    self.assertNotIn("0000000000000001  UPLINK FLAG", out)
    self.assertEqual(2, out.count("  UPLINK FLAG "), out)
    with open(os.path.join(self.out, DEVICE, "%016x" % 2, "verdict.txt")) as f:
      lines = f.read().splitlines()
    self.assertTrue(lines[0].startswith("OK"), lines)
    self.assertEqual(["UPLINK FLAG nonce_prefix_reused (the nonce prefix of clip 0000000000000001)",
                      "UPLINK FLAG " + hostile], lines[1:])

  def test_open_framesWithoutHeader_verdictFileWritten(self):
    support.write_store(self.store, [self.clip(1, 2)[1:]])
    code, out, _err = self.run_open()
    self.assertEqual(1, code)
    self.assertIn("TAMPERED at header: no header", out)
    with open(os.path.join(self.out, DEVICE, "%016x" % 1, "verdict.txt")) as f:
      self.assertTrue(f.read().startswith("TAMPERED at header: no header"))

  def test_open_deviceMatchingNothing_exitOneSaysSo(self):
    support.write_store(self.store, [self.clip(1, 2)])
    code, out, _err = self.run_open("--device", "nobody")
    self.assertEqual(1, code)
    self.assertIn("no clip matched --device nobody", out)

  def test_open_anotherFleetsKeyring_saysTheKeyDoesNotMatch(self):
    support.write_store(self.store, [self.clip(1, 2) + self.clip(2, 2)])
    other = self.write_keyring("other-fleet", os.urandom(32))
    code, out, _err = self.run_open(keyring=other)
    self.assertEqual(1, code)
    self.assertIn("key commitment mismatch", out)
    self.assertIn("the key does not match this header: a wrong keyring", out)
    self.assertIn("device front-door: the keyring's root key matches none of its 2 clips", out)

  def test_open_wholeV2Store_exitZero(self):
    w = support.StoreWriter(self.store, 2)
    w.add_clip(self.clip(1, 2))
    w.checkpoint()
    w.write()
    code, out, err = self.run_open()
    self.assertEqual(0, code, out + err)
    self.assertEqual("", err)


if __name__ == "__main__":
  unittest.main()
