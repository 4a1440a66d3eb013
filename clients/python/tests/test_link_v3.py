"""A paired Python device uploads format v3 to the loopback uplink over real TLS: random clip ids, padded frames, its
chain state advanced before each header and updated by the uplink's acknowledgements, continued across a restart;
the owner's open sees one whole chain; an x-wing viewer's open is UNSUPPORTED per clip with exit status 3 (1 when
something else failed)."""
import contextlib
import hashlib
import io
import os
import tempfile
import unittest

import support
from loopback_uplink import LoopbackUplink
from doorbell_py import cli, keyfiles, store, v2, v3
from doorbell_py.protos import clip_pb2, keys_pb2

DEVICE = "front-door"


class LinkV3Test(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.fleet = os.path.join(self.root, "fleet")
    support.make_fleet(self.fleet, [DEVICE])
    self.device_dir = os.path.join(self.fleet, "devices", DEVICE)
    os.remove(os.path.join(self.device_dir, "epoch.key"))
    self.owner_dir = os.path.join(self.root, "owner")
    self.secret = support.make_owner(self.owner_dir)
    support.pair_device(self.owner_dir, self.secret, self.device_dir, DEVICE)
    self.store_dir = os.path.join(self.root, "store")

  def tearDown(self):
    self._tmp.cleanup()

  def cli(self, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
      code = cli.main(list(args))
    return code, out.getvalue()

  def upload(self, uplink, *more):
    return self.cli("upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:%d" % uplink.port,
                    "--synthetic", "5", "--timeout", "20", *more)

  def open(self, identity, *more):
    return self.cli("open", "--store", self.store_dir, "--identity", identity, "--out",
                    os.path.join(self.root, "opened"), *more)

  def chain_state(self):
    return v3.read_chain_state(os.path.join(self.device_dir, "chain.state"), DEVICE)

  def test_upload_v3PaddedChainAcrossARestart_ownerOpensOneWholeChain(self):
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      code, out = self.upload(uplink, "--clips", "2", "--pad", "4096", "--ring")
      self.assertEqual(0, code, out)
      self.assertIn("format v3, chain position 1, pad 4096", out)
      self.assertIn("format v3, chain position 2, pad 4096", out)
      head = self.chain_state()
      self.assertEqual((2, 5, True), (head.position, head.acknowledged, head.final))
      code, out = self.upload(uplink)  # a new process: the chain continues from chain.state
      self.assertEqual(0, code, out)
      self.assertIn("format v3, chain position 3, pad 0", out)
    clips = store.read_store(self.store_dir)
    self.assertEqual(3, len(clips))
    self.assertEqual(3, len({c.clip_id for c in clips}))
    self.assertTrue(all(0 < c.clip_id < 2 ** 63 for c in clips))
    for clip in clips[:2]:
      self.assertEqual([0] * 5, [len(sealed) % 4096 for _, _, _, sealed in clip.frames])
      self.assertEqual([b""] * 5, [meta for _, _, meta, _ in clip.frames])
    links = [clip_pb2.ClipHeader.FromString(keys_pb2.SignedClipHeader.FromString(c.header).header).chain
             for c in clips]
    self.assertEqual([1, 2, 3], [link.position for link in links])
    self.assertEqual((clips[1].clip_id, 5, True), (links[2].prev_clip_id, links[2].prev_acknowledged_frames,
                                                   links[2].prev_final_acknowledged))
    code, out = self.open(self.owner_dir)
    self.assertEqual(0, code, out)
    self.assertEqual(3, out.count(" OK (5 frames)"), out)
    self.assertIn("device front-door: HEAD clip %016x at position 3" % clips[2].clip_id, out)
    verdict = v2.open_clip(clips[0].header, clips[0].frames, DEVICE, clips[0].clip_id, v2.load_identity(self.owner_dir))
    self.assertEqual((clip_pb2.TRIGGER_RING, 4096, 1), (verdict.info.trigger, verdict.info.pad_to,
                                                        len(verdict.info.ring_unix_ms)))
    self.assertEqual([True, False, False, False, False], [f.ring_pressed for _, f, _ in verdict.frames])

  def test_upload_brokenChainState_refusedNamingTheFile_nothingSent(self):
    path = os.path.join(self.device_dir, "chain.state")
    with open(path, "w") as f:
      f.write("doorbell-device-chain v3\ndevice: back-door\n")
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      code, out = self.upload(uplink)
    self.assertEqual(2, code, out)
    self.assertIn(path, out)
    self.assertEqual([], store.read_store(self.store_dir))

  def test_upload_badPad_refusedBeforeConnecting(self):
    for pad in ("100", "32", "2097152"):
      with self.subTest(pad=pad), self.assertRaises(SystemExit):
        with contextlib.redirect_stderr(io.StringIO()):
          cli.main(["upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:1", "--synthetic", "1",
                    "--pad", pad])

  def xwing_viewer(self):
    directory = os.path.join(self.root, "tablet")
    os.makedirs(directory)
    public = os.urandom(v3.XWING_PUBLIC_LEN)
    keyfiles.write_atomically(os.path.join(directory, "viewer.key"), "%s\nname: tablet\nkem: x-wing\nkey: %s\n" % (
        v2.VIEWER_KEY_MAGIC, v2._b64(os.urandom(32))))
    keyfiles.write_atomically(os.path.join(directory, "viewer.pub"), "%s\nname: tablet\nkem: x-wing\nkey: %s\n" % (
        v2.VIEWER_PUBLIC_MAGIC, v2._b64(public)))
    with open(os.path.join(self.owner_dir, "owner.pub")) as f:
      keyfiles.write_atomically(os.path.join(directory, "owner.pub"), f.read())
    return directory, v2.key_id(public, v3.KEM_XWING)

  def test_open_xwingViewer_unsupportedPerClip_exit3_or1WhenSomethingFailed(self):
    directory, key_id = self.xwing_viewer()
    device = v2.Device(self.device_dir)
    key = v2.read_device_signing_key(os.path.join(self.device_dir, "signing.key"))[1]
    writer = support.StoreWriter(self.store_dir, 2)
    clips = []
    for n in range(2):
      sealer, frames = support.seal_clip_v3(self.device_dir, [b"a", b"b"], device=device)
      device.chain.acknowledged(sealer.clip_id, 2, True)
      # The device's list as the Java owner would make it with an x-wing viewer: the header then also carries an
      # x-wing wrapped key (its enc and ciphertext are opaque here: this client never uses them).
      signed = keys_pb2.SignedClipHeader.FromString(sealer.header_bytes)
      header = clip_pb2.ClipHeader.FromString(signed.header)
      header.wrapped_keys.add(recipient_key_id=key_id, kem=v3.KEM_XWING, enc=os.urandom(1120),
                              ciphertext=os.urandom(48))
      data = header.SerializeToString()
      header_bytes = keys_pb2.SignedClipHeader(header=data, signature=key.sign(v2.CONTEXT_CLIP_HEADER, data)) \
          .SerializeToString()
      device.chain.head.header_sha256 = hashlib.sha256(header_bytes).digest()  # the header the device sent
      clips.append((sealer.clip_id, header_bytes))
      writer.add_clip(support.clip_records(DEVICE, sealer.clip_id, header_bytes, []))
    writer.checkpoint()
    writer.write()
    code, out = self.open(directory)
    self.assertEqual(3, code, out)
    for clip_id, _ in clips:
      self.assertIn("front-door %016x UNSUPPORTED clip %016x: kem 0x647a (x-wing) is not supported by this client"
                    % (clip_id, clip_id), out)
    self.assertIn("HEAD clip %016x at position 2" % clips[1][0], out)
    self.assertIn("summary: UNSUPPORTED 2; chain: HEAD 1", out)
    code, out = self.open(self.owner_dir)
    self.assertEqual(1, code, "the owner opens both; they hold no frames, so TRUNCATED: " + out)
    self.assertEqual(2, out.count("TRUNCATED"), out)
    support.truncate(writer.path(1), os.path.getsize(writer.path(1)) - 1)  # shorter than its checkpoint says
    code, out = self.open(directory)
    self.assertEqual(1, code, "a damaged store fails, UNSUPPORTED or not: " + out)

  def test_share_toAnXwingViewer_refused(self):
    directory, _ = self.xwing_viewer()
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      code, out = self.upload(uplink, "--clip-id", "77")
      self.assertEqual(0, code, out)
    code, out = self.cli("share", "--owner", self.owner_dir, "--store", self.store_dir,
                         "--clip", "%s/%x" % (DEVICE, 77), "--to", os.path.join(directory, "viewer.pub"),
                         "--out", os.path.join(self.root, "s"))
    self.assertEqual(2, code, out)
    self.assertIn("cannot wrap to x-wing", out)
    self.assertFalse(os.path.exists(os.path.join(self.root, "s")))


if __name__ == "__main__":
  unittest.main()
