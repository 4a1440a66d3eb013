"""The link client against a loopback uplink over real TLS 1.3 with client certificates, then the store it wrote
opened by the owner: the whole Python path, device to owner."""
import contextlib
import hashlib
import io
import os
import tempfile
import unittest

import support
from loopback_uplink import LoopbackUplink
from doorbell_py import cli, fmt, keyfiles, link, store
from doorbell_py.protos import link_pb2


class LinkTest(unittest.TestCase):
  @classmethod
  def setUpClass(cls):
    cls._tmp = tempfile.TemporaryDirectory()
    cls.fleet = os.path.join(cls._tmp.name, "fleet")
    cls.roots = support.make_fleet(cls.fleet, ["front-door", "back-door"])

  @classmethod
  def tearDownClass(cls):
    cls._tmp.cleanup()

  def setUp(self):
    self.store_dir = tempfile.mkdtemp(dir=self._tmp.name)
    self.device_dir = os.path.join(self.fleet, "devices", "front-door")

  def client(self, uplink, device_id="front-door", device_dir=None):
    return link.UplinkClient("127.0.0.1", uplink.port, device_id, link.tls_context(device_dir or self.device_dir),
                             timeout_s=20)

  def test_uploadClip_windowSmallerThanClip_persistsEverySealedByteUnchanged(self):
    header, frames = support.seal_clip(self.roots["front-door"], "front-door", 42, [os.urandom(n) for n in
                                                                                   range(0, 3000, 300)])
    with LoopbackUplink(self.fleet, self.store_dir, window_frames=3, ack_every=2) as uplink, \
        self.client(uplink) as client:
      welcome = client.connect()
      self.assertEqual(("front-door", 3), (welcome.device_id, welcome.window_frames))
      ack = client.upload_clip(42, header, frames)
    self.assertEqual(0, uplink.window_violations)
    self.assertEqual((42, link_pb2.ACK_KIND_PERSISTED, 10, True), (ack.clip_id, ack.kind, ack.frames, ack.closed))
    [clip] = store.read_store(self.store_dir)
    self.assertEqual([hashlib.sha256(f[3]).digest() for f in frames],
                     [hashlib.sha256(f[3]).digest() for f in clip.frames])
    verdict = fmt.open_clip(clip.header, clip.frames, clip.device_id, clip.clip_id,
                            lambda e: fmt.epoch_key(self.roots["front-door"], "front-door", e))
    self.assertEqual(("OK", 10), (verdict.status, len(verdict.frames)))

  def test_uploadClip_clientIgnoringWindow_isRefusedByUplink(self):
    header, frames = support.seal_clip(self.roots["front-door"], "front-door", 43, [b"x"] * 6)
    with LoopbackUplink(self.fleet, self.store_dir, window_frames=3, ack_every=10) as uplink, \
        self.client(uplink) as client:
      client.connect()
      client.welcome.window_frames = 0  # pretend no window was announced: the uplink must refuse frame 3
      with self.assertRaises(link.LinkError) as caught:
        client.upload_clip(43, header, frames)
    self.assertEqual(("WINDOW_EXCEEDED", False), (caught.exception.code, caught.exception.fatal))
    self.assertGreaterEqual(uplink.window_violations, 1)

  def test_connect_helloNamesAnotherDevice_raisesIdentityMismatch(self):
    with LoopbackUplink(self.fleet, self.store_dir) as uplink, self.client(uplink, device_id="back-door") as client:
      with self.assertRaises(link.LinkError) as caught:
        client.connect()
    self.assertEqual("IDENTITY_MISMATCH", caught.exception.code)

  def test_uploadClip_uplinkRefusesFrame_raisesWithCode(self):
    header, frames = support.seal_clip(self.roots["front-door"], "front-door", 1, [b"a", b"b"])
    with LoopbackUplink(self.fleet, self.store_dir, fail_code=link_pb2.STORAGE_UNAVAILABLE) as uplink, \
        self.client(uplink) as client:
      client.connect()
      with self.assertRaises(link.LinkError) as caught:
        client.upload_clip(1, header, frames)
    self.assertEqual(("STORAGE_UNAVAILABLE", True), (caught.exception.code, caught.exception.fatal))

  def test_uploadClip_tooManyErrors_raisesRetriableWithTheWaitTheUplinkAsked(self):
    header, frames = support.seal_clip(self.roots["front-door"], "front-door", 2, [b"a"])
    refusing = LoopbackUplink(self.fleet, self.store_dir, fail_code=link_pb2.TOO_MANY_ERRORS, retry_after_ms=10000)
    with refusing as uplink, self.client(uplink) as client:
      client.connect()
      with self.assertRaises(link.LinkError) as caught:
        client.upload_clip(2, header, frames)
    e = caught.exception
    self.assertEqual(("TOO_MANY_ERRORS", True, True, 10000), (e.code, e.fatal, e.retriable, e.retry_after_ms))
    self.assertIn("connect again in 10000 ms", str(e))

  def test_uploadClip_clipIdZero_refusedBeforeSending(self):
    header, frames = support.seal_clip(self.roots["front-door"], "front-door", 0, [b"a"])
    with LoopbackUplink(self.fleet, self.store_dir) as uplink, self.client(uplink) as client:
      client.connect()
      with self.assertRaises(link.LinkError) as caught:
        client.upload_clip(0, header, frames)
    self.assertIn("clip id 0", str(caught.exception))

  def test_cli_uploadThenOpen_printsPersistedAckAndWritesJpegs(self):
    out = io.StringIO()
    with LoopbackUplink(self.fleet, self.store_dir) as uplink, contextlib.redirect_stdout(out):
      code = cli.main(["upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:%d" % uplink.port,
                       "--synthetic", "5", "--clip-id", "255"])
    self.assertEqual(0, code)
    self.assertIn("ack PERSISTED clip 00000000000000ff frames 5 closed true", out.getvalue())
    opened = os.path.join(self.store_dir, "..", os.path.basename(self.store_dir) + "-opened")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
      code = cli.main(["open", "--store", self.store_dir, "--keyring", os.path.join(self.fleet, "owner", "keyring"),
                       "--out", opened])
    self.assertEqual(0, code, out.getvalue())
    self.assertIn("front-door 00000000000000ff OK (5 frames)", out.getvalue())
    written = sorted(os.listdir(os.path.join(opened, "front-door", "00000000000000ff")))
    self.assertEqual(["%06d.jpg" % i for i in range(5)] + ["verdict.txt"], written)
    jpegs = written[:5]
    with open(os.path.join(opened, "front-door", "00000000000000ff", jpegs[0]), "rb") as f:
      data = f.read()
    self.assertEqual((b"\xff\xd8", b"\xff\xd9"), (data[:2], data[-2:]))

  def test_cli_openTamperedStore_exitsOneAndNamesFrame(self):
    root = self.roots["front-door"]
    header, frames = support.seal_clip(root, "front-door", 9, [b"a", b"b", b"c"])
    support.write_store(self.store_dir, [support.clip_records("front-door", 9, header, [frames[0], frames[2]])])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
      code = cli.main(["open", "--store", self.store_dir, "--keyring", os.path.join(self.fleet, "owner", "keyring"),
                       "--out", os.path.join(self.store_dir, "opened"), "--clip", "9"])
    self.assertEqual(1, code)
    self.assertIn("TAMPERED at frame 1: frame missing", out.getvalue())
    clip_dir = os.path.join(self.store_dir, "opened", "front-door", "0000000000000009")
    self.assertEqual(["000000.jpg", "verdict.txt"], sorted(os.listdir(clip_dir)))
    with open(os.path.join(clip_dir, "verdict.txt")) as f:
      self.assertTrue(f.read().startswith("TAMPERED at frame 1: frame missing"))

  def test_cli_vectors_printsCounts(self):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
      code = cli.main(["vectors", "--dir", support.VECTORS_DIR])
    self.assertEqual(0, code)
    self.assertRegex(out.getvalue(), r"^\d+ passed, 0 failed\n$")

  def test_readEpochKey_provisionedDeviceDir_isK0OfRoot(self):
    key = keyfiles.read_epoch_key(os.path.join(self.device_dir, "epoch.key"))
    self.assertEqual(fmt.epoch_key(self.roots["front-door"], "front-door", 0), key.key)


if __name__ == "__main__":
  unittest.main()
