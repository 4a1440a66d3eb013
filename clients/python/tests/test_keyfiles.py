"""The key files of FORMAT.md section 5 and the owner keyring, on real files."""
import os
import stat
import tempfile
import unittest

import support  # noqa: F401  (puts the package on sys.path)
from doorbell_py import fmt, keyfiles

KEY = bytes(range(32))
KEY_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


class KeyfilesTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.dir = self._tmp.name

  def tearDown(self):
    self._tmp.cleanup()

  def write(self, name, text):
    path = os.path.join(self.dir, name)
    with open(path, "w") as f:
      f.write(text)
    return path

  def test_readEpochKey_linesInAnyOrder_parses(self):
    path = self.write("epoch.key", "doorbell-epoch-key v1\nkey: %s\nepoch: 3\ndevice: front-door\n" % KEY_B64)
    key = keyfiles.read_epoch_key(path)
    self.assertEqual(("front-door", 3, KEY), (key.device_id, key.epoch, key.key))
    self.assertNotIn(KEY_B64, repr(key))

  def test_readEpochKey_malformed_raisesNamedError(self):
    good = "doorbell-epoch-key v1\ndevice: front-door\nepoch: 0\nkey: %s\n" % KEY_B64
    bad = [good.replace("v1", "v2"), good + "colour: blue\n", good + "epoch: 1\n", good.replace("epoch: 0\n", ""),
           good.replace(KEY_B64, KEY_B64[:-4]), good.replace(KEY_B64, KEY_B64.rstrip("=")),
           good.replace("epoch: 0", "epoch: -1"), good.replace("front-door", "Front-Door"), good + "\n"]
    for text in bad:
      with self.subTest(text=text):
        with self.assertRaises(keyfiles.KeyFileError):
          keyfiles.read_epoch_key(self.write("epoch.key", text))

  def test_writeAtomically_roundTrip_isPrivateAndReadable(self):
    path = os.path.join(self.dir, "epoch.key")
    keyfiles.write_atomically(path, keyfiles.format_epoch_key("front-door", 2, KEY))
    self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
    self.assertEqual(KEY, keyfiles.read_epoch_key(path).key)
    self.assertEqual(["epoch.key"], os.listdir(self.dir))

  def test_readRootKey_fileNamedAfterAnotherDevice_raises(self):
    path = self.write("back-door.root", keyfiles.format_root_key("front-door", KEY))
    with self.assertRaises(keyfiles.KeyFileError):
      keyfiles.read_root_key(path)

  def test_keyring_derivesForwardAndBack_matchesRatchet(self):
    self.write("front-door.root", keyfiles.format_root_key("front-door", KEY))
    ring = keyfiles.Keyring(self.dir)
    self.assertEqual(["front-door"], ring.devices())
    for epoch in (4, 9, 1, 0):
      self.assertEqual(fmt.epoch_key(KEY, "front-door", epoch), ring.key_for("front-door", epoch))
    with self.assertRaises(fmt.NoKeyError):
      ring.key_for("back-door", 0)

  def test_epochKey_earlierEpoch_isOutOfReach(self):
    device_key = keyfiles.EpochKey("front-door", 5, fmt.epoch_key(KEY, "front-door", 5))
    self.assertEqual(fmt.epoch_key(KEY, "front-door", 7), device_key.key_for_epoch(7))
    with self.assertRaisesRegex(fmt.NoKeyError, "clip is from epoch 2, key is epoch 5"):
      device_key.key_for_epoch(2)


if __name__ == "__main__":
  unittest.main()
