"""The owner's chain check (V3-SPEC §D) through `doorbell-py open` on real stores of v3 clips sealed by a device
with its chain state: a deleted middle clip is MISSING, a clip that never reached the uplink is UNSENT, a rolled
back chain file is CHAIN BROKEN, clips missing before the first are MISSING unless --from-position says otherwise,
acknowledged frames gone are MISSING at frame M, the newest clip is the HEAD."""
import contextlib
import io
import os
import shutil
import tempfile
import unittest

import support
from doorbell_py import chain, cli, fmt, v2
from doorbell_py.protos import clip_pb2

DEVICE = "front-door"
IMAGES = [b"frame %d" % i for i in range(4)]


class ChainTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.owner_dir = os.path.join(self.root, "owner")
    secret = support.make_owner(self.owner_dir)
    self.device_dir = os.path.join(self.root, "devices", DEVICE)
    support.pair_device(self.owner_dir, secret, self.device_dir, DEVICE)
    self.device = v2.Device(self.device_dir)
    self.store = os.path.join(self.root, "store")

  def tearDown(self):
    self._tmp.cleanup()

  def record(self, acknowledged=None, final=None):
    """A clip as the device records and uploads it: the uplink acknowledges `acknowledged` frames (all by default)
    and the final one when `final`."""
    sealer, frames = support.seal_clip_v3(self.device_dir, IMAGES, device=self.device)
    acknowledged = len(frames) if acknowledged is None else acknowledged
    if acknowledged:
      self.device.chain.acknowledged(sealer.clip_id, acknowledged, acknowledged == len(frames) if final is None
                                     else final)
    return sealer.clip_id, sealer.header_bytes, frames

  def write(self, clips):
    w = support.StoreWriter(self.store, 2)
    for clip_id, header, frames in clips:
      w.add_clip(support.clip_records(DEVICE, clip_id, header, frames, close=frames and frames[-1][1]))
    w.checkpoint()
    w.write()

  def open(self, *more):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
      code = cli.main(["open", "--store", self.store, "--identity", self.owner_dir,
                       "--out", os.path.join(self.root, "opened")] + list(more))
    return code, out.getvalue()

  def chain_lines(self, out):
    return [line for line in out.splitlines() if line.startswith("device %s: " % DEVICE)]

  def test_wholeChain_onlyHead_exit0(self):
    clips = [self.record() for _ in range(3)]
    self.write(clips)
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertEqual(["device front-door: HEAD clip %016x at position 3; clips started after it, if any, have not "
                      "arrived" % clips[2][0]], self.chain_lines(out))
    self.assertIn("summary: OK 3; chain: HEAD 1", out)

  def test_middleClipDeleted_missingNamingBothNeighboursAndTheGoneClip(self):
    clips = [self.record() for _ in range(4)]
    self.write([clips[0], clips[3]])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("device front-door: MISSING 2 clip(s) between %016x (position 1) and %016x (position 4): %016x names "
                  "its predecessor %016x, of which the uplink had acknowledged 4 frames including its final frame"
                  % (clips[0][0], clips[3][0], clips[3][0], clips[2][0]), out)
    self.write([clips[0], clips[2], clips[3]])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("MISSING 1 clip(s) between %016x (position 1) and %016x (position 3)" % (clips[0][0], clips[2][0]),
                  out)

  def test_clipNeverAcknowledged_unsentNotMissing(self):
    first = self.record()
    unsent = self.record(acknowledged=0)
    third = self.record()
    self.write([first, third])
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("device front-door: UNSENT clip %016x (position 2, between %016x and %016x): the device had no frame "
                  "of it acknowledged (power loss or a dropped link before upload)" % (unsent[0], first[0], third[0]),
                  out)
    self.assertIn("summary: OK 2; chain: UNSENT 1, HEAD 1", out)

  def test_truncatedClipVouchedForBySuccessor_missingAtFrame_butHeadStaysTruncated(self):
    first = self.record()
    second = self.record()
    third = self.record(acknowledged=2)
    self.write([(first[0], first[1], first[2][:2]), second, (third[0], third[1], third[2][:2])])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("front-door %016x MISSING at frame 2 (the uplink acknowledged 4 frames, the store holds 2)"
                  % first[0], out)
    self.assertIn("front-door %016x TRUNCATED" % third[0], out, "no successor vouches for it: power loss")
    with open(os.path.join(self.root, "opened", DEVICE, "%016x" % first[0], "verdict.txt")) as f:
      self.assertTrue(f.read().startswith("MISSING at frame 2"))
    self.assertIn("summary: OK 1, TRUNCATED 1, MISSING 1", out)

  def test_fewerFramesThanAcknowledged_missingAtFrameM(self):
    first = self.record(acknowledged=3, final=False)
    second = self.record()
    self.write([(first[0], first[1], first[2][:1]), second])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("%016x MISSING at frame 1 (the uplink acknowledged 3 frames, the store holds 1)" % first[0], out)

  def test_rolledBackChainFile_chainBroken(self):
    first = self.record()
    state = os.path.join(self.device_dir, "chain.state")
    saved = os.path.join(self.root, "chain.state.backup")
    shutil.copy(state, saved)
    second = self.record()
    shutil.copy(saved, state)  # a restore from an old backup: the device forks its chain at position 2
    self.device = v2.Device(self.device_dir)
    fork = self.record()
    self.write([first, second, fork])
    code, out = self.open()
    self.assertEqual(1, code, out)
    low, high = sorted((second[0], fork[0]))
    self.assertIn("device front-door: CHAIN BROKEN at position 2 (clips %016x and %016x both claim it: the device's "
                  "chain state was rolled back or forked)" % (low, high), out)

  def test_predecessorNotTheStoredClip_chainBroken(self):
    first = self.record()
    self.device.chain.head.header_sha256 = bytes(32)  # the device links to a header the store does not hold
    second = self.record()
    self.write([first, second])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("CHAIN BROKEN at position 2 (clip %016x names predecessor %016x but the clip at position 1 is %016x with "
                  "another header hash)" % (second[0], first[0], first[0]), out)

  def test_clipsBeforeTheFirstGone_missingUnlessFromPosition(self):
    clips = [self.record() for _ in range(4)]
    self.write(clips[2:])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("device front-door: MISSING 2 clip(s) before %016x (positions 1..2 are not in this store)"
                  % clips[2][0], out)
    code, out = self.open("--from-position", "3")
    self.assertEqual(0, code, out)
    self.assertNotIn("MISSING", out)
    code, out = self.open("--from-position", "2")
    self.assertEqual(1, code, out)
    self.assertIn("MISSING 1 clip(s) before %016x (positions 2..2 are not in this store)" % clips[2][0], out)

  def test_oneClipAsked_noChainCheck(self):
    clips = [self.record() for _ in range(3)]
    self.write([clips[0], clips[2]])
    code, out = self.open("--clip", "%x" % clips[2][0])
    self.assertEqual(0, code, out)
    self.assertEqual([], self.chain_lines(out))

  def test_tamperedHeaderTakesNoPart_itsPlaceIsMissing(self):
    clips = [self.record() for _ in range(3)]
    forged = bytearray(clips[1][1])
    forged[-1] ^= 1  # the signature
    self.write([clips[0], (clips[1][0], bytes(forged), clips[1][2]), clips[2]])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("%016x TAMPERED at header: bad signature" % clips[1][0], out)
    self.assertIn("MISSING 1 clip(s) between", out)

  def test_viewerNotARecipientOfAMiddleClip_itStillPlacesItsNeighbours_noGap(self):
    secret = v2.read_owner_secret(os.path.join(self.owner_dir, "owner.secret"))
    viewer_dir = os.path.join(self.root, "viewer")
    viewer = support.make_viewer(viewer_dir, "laptop", self.owner_dir)

    def use_list(version, viewers):
      self.device.accept_list(v2.sign_recipient_list(v2.owner_signing_key(secret), DEVICE, version,
                                                     support.owner_recipients(secret, viewers), 1750000000000))

    use_list(2, [("laptop", viewer)])
    first = self.record()
    use_list(3, [])
    hidden = self.record()
    use_list(4, [("laptop", viewer)])
    last = self.record()
    self.write([first, hidden, last])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
      code = cli.main(["open", "--store", self.store, "--identity", viewer_dir, "--out",
                       os.path.join(self.root, "opened")])
    out = out.getvalue()
    self.assertEqual(1, code, out)
    self.assertIn("%016x TAMPERED at header: not a recipient of this clip" % hidden[0], out)
    self.assertEqual(["HEAD clip %016x at position 3; clips started after it, if any, have not arrived" % last[0]],
                     [line[len("device %s: " % DEVICE):] for line in self.chain_lines(out)])


class ChainCheckTest(unittest.TestCase):
  """chain.check as a pure function of verdicts."""

  @staticmethod
  def verdict(position, prev=0, sha=b"", acknowledged=0, final=False, status="OK", frames=4, own_sha=None):
    v = fmt.Verdict(status, None, "", [(i, None, None) for i in range(frames)])
    v.chain = clip_pb2.ChainLink(position=position, prev_clip_id=prev, prev_header_sha256=sha,
                                 prev_acknowledged_frames=acknowledged, prev_final_acknowledged=final)
    v.header_sha256 = own_sha if own_sha is not None else bytes([position]) * 32
    return v

  def test_devicesCheckedApart_andV1V2ClipsTakeNoPart(self):
    a1 = self.verdict(1)
    b5 = self.verdict(5, 9, bytes(32), 1)
    v2_clip = fmt.Verdict("OK", None, "", [])
    report = chain.check([("a", 1, a1), ("b", 7, b5), ("a", 2, v2_clip), ("a", 3, None)], from_position=5)
    self.assertEqual([("a", "HEAD"), ("b", "HEAD")], [(f.device_id, f.keyword) for f in report.findings])
    self.assertFalse(report.failed)

  def test_threeClaimsOnePosition_allNamed(self):
    report = chain.check([("a", c, self.verdict(1)) for c in (3, 1, 2)])
    self.assertIn("clips 0000000000000001, 0000000000000002 and 0000000000000003 all claim it",
                  report.findings[0].text)

  def test_gapOfTwoWithNothingAcknowledged_stillMissing(self):
    report = chain.check([("a", 1, self.verdict(1)), ("a", 4, self.verdict(4, 3, bytes(32)))])
    self.assertEqual(["MISSING", "HEAD"], [f.keyword for f in report.findings])
    self.assertIn("of which the uplink had acknowledged 0 frames", report.findings[0].text)

  def test_unsupportedPredecessor_noMissingAtFrame(self):
    first = self.verdict(1, status="UNSUPPORTED", frames=0)
    second = self.verdict(2, 1, first.header_sha256, 4, True)
    report = chain.check([("a", 1, first), ("a", 2, second)])
    self.assertEqual({}, report.overrides)
    self.assertEqual(["HEAD"], [f.keyword for f in report.findings])


if __name__ == "__main__":
  unittest.main()
