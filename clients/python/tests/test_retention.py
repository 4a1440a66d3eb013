"""Retention as `doorbell-py open` reads it (FORMAT.md §6, "Retention: the ledger, tombstones and compaction", and
§17.4 rules 7 to 9), on real stores of v3 clips sealed by a paired device: clips the ledger deleted are skipped, a
removed segment is not missing, a compacted one has its ledger's committed length, and each gap of a chain is
DELETED (the owner's signed request covers it), EXPIRED (the uplink's policy says so) or stays MISSING (nothing, or a
request that does not verify). Then what only the opener sees along the chain: KEY REUSED and CLOCK BACKWARDS; and
several stores read as one."""
import base64
import contextlib
import io
import os
import tempfile
import unittest

import support
from doorbell_py import chain, cli, retention, store, v2

DEVICE = "front-door"
IMAGES = [b"frame %d" % i for i in range(3)]
TIME = "2026-12-05T12:00:00.123Z"


def sign_request(secret, device_id, clips=(), before=0, issued="2026-12-05T11:00:00Z", context=None):
  """A request as `doorbell owner forget` writes it: clips are (clip id, position or None)."""
  text = "doorbell-forget v1\ndevice: %s\nissued: %s\n" % (device_id, issued)
  for clip_id, position in clips:
    text += "clip: %d%s\n" % (clip_id, "" if position is None else " %d" % position)
  if before > 1:
    text += "before-position: %d\n" % before
  signature = v2.owner_signing_key(secret).sign(context or v2.CONTEXT_FORGET_REQUEST, text.encode("ascii"))
  return (text + "signature: %s\n" % base64.b64encode(signature).decode("ascii")).encode("ascii")


def compact(path, number, drop):
  """What retention's compaction writes for segment `number`: the magic and every record not of a clip in `drop`
  (the start record included), byte for byte. Returns (length, records, CRC32C) of the new file."""
  with open(path, "rb") as f:
    data = f.read()
  kept, records, at = bytearray(store.SEGMENT_MAGIC), 0, 8
  while at < len(data):
    record, framed, problem = store._record_problem(data, at, len(data), number, "the end")
    assert record is not None, problem
    if store._clip_key(record) not in drop:
      kept += data[at:at + framed]
      records += 1
    at += framed
  with open(path, "wb") as f:
    f.write(kept)
  return len(kept), records, store.crc32c(bytes(kept))


class RetentionTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.owner_dir = os.path.join(self.root, "owner")
    self.secret = support.make_owner(self.owner_dir)
    self.device_dir = os.path.join(self.root, "devices", DEVICE)
    support.pair_device(self.owner_dir, self.secret, self.device_dir, DEVICE)
    self.device = v2.Device(self.device_dir)
    self.store = os.path.join(self.root, "store")
    self.ledger = ["doorbell-retention v1"]

  def tearDown(self):
    self._tmp.cleanup()

  def record(self, random_bytes=os.urandom, clip_id=None, start=1750000000000):
    sealer = self.device.start_clip_v3(random_bytes, clip_id=clip_id, width=160, height=120, fps=15,
                                       start_time_unix_ms=start)
    frames = [sealer.seal(p, 66_000 * i, i == len(IMAGES) - 1, 0, False) for i, p in enumerate(IMAGES)]
    self.device.chain.acknowledged(sealer.clip_id, len(frames), True)
    return sealer.clip_id, sealer.header_bytes, frames

  def write(self, segments, directory=None):
    """segments: lists of clips, one list per segment; the checkpoint names the newest."""
    w = support.StoreWriter(directory or self.store, 2)
    for i, clips in enumerate(segments):
      if i:
        w.start_segment()
      for clip_id, header, frames in clips:
        w.add_clip(support.clip_records(DEVICE, clip_id, header, frames))
    w.checkpoint()
    return w.write()

  def keep(self, name, data):
    directory = os.path.join(self.store, "retention", "requests")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
      f.write(data)

  def delete(self, clip_id, reason="request", detail="0000000001.req"):
    self.ledger.append("delete %s %d %s %s %s" % (DEVICE, clip_id, reason, detail, TIME))

  def open(self, *more, stores=None):
    os.makedirs(os.path.join(self.store, "retention"), exist_ok=True)
    with open(os.path.join(self.store, "retention", "ledger"), "w") as f:
      f.write("".join(line + "\n" for line in self.ledger))
    out = io.StringIO()
    args = ["open"]
    for directory in stores or [self.store]:
      args += ["--store", directory]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
      code = cli.main(args + ["--identity", self.owner_dir, "--out", os.path.join(self.root, "opened")] + list(more))
    return code, out.getvalue()

  def chain_lines(self, out):
    return [line[len("device %s: " % DEVICE):] for line in out.splitlines() if line.startswith("device %s: " % DEVICE)]

  def test_deletedByRequest_recordsStillStored_skippedAndTheGapIsDeleted(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b, c]])
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(b[0], 2)]))
    self.delete(b[0])
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertNotIn("%016x" % b[0] + " OK", out)
    self.assertIn("DELETED 1 clip(s) at positions 2..2 before %016x (your signed request of 2026-12-05T11:00:00Z)"
                  % c[0], self.chain_lines(out))
    self.assertIn("summary: OK 2; chain: DELETED 1, HEAD 1", out)

  def test_requestNamingOnlyTheIdTheSuccessorGives_coversTheLastPositionOfTheGap(self):
    clips = [self.record() for _ in range(4)]
    self.write([[clips[0], clips[3]]])
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(clips[1][0], 2), (clips[2][0], None)]))
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("DELETED 2 clip(s) at positions 2..3 before %016x (your signed request of 2026-12-05T11:00:00Z)"
                  % clips[3][0], self.chain_lines(out))

  def test_beforePosition_coversTheOldestGap_withFromPositionOne(self):
    clips = [self.record() for _ in range(3)]
    self.write([[clips[2]]])
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, before=3))
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("DELETED 2 clip(s) at positions 1..2 before %016x (your signed request of 2026-12-05T11:00:00Z)"
                  % clips[2][0], self.chain_lines(out))

  def test_expiredByPolicy_operatorsStatement_exit0(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, c]])
    self.delete(b[0], "policy", "older-than=30d")
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("EXPIRED 1 clip(s) at positions 2..2 before %016x (the uplink's retention policy: older-than=30d, "
                  "%s; operator's statement)" % (c[0], TIME), self.chain_lines(out))

  def test_gapNoRequestCovers_staysMissing_exit1(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, c]])
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(a[0], 1)]))
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertTrue(self.chain_lines(out)[0].startswith("MISSING 1 clip(s) between"), out)
    self.assertNotIn("DELETED", out)

  def test_forgedRequest_missingSaysTheLedgerClaimsARequestThatDoesNotVerify(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, c]])
    forger = os.urandom(32)
    self.keep("0000000001.req", sign_request(forger, DEVICE, [(b[0], 2)]))
    self.delete(b[0])
    code, out = self.open()
    self.assertEqual(1, code, out)
    line = self.chain_lines(out)[0]
    self.assertTrue(line.startswith("MISSING 1 clip(s) between"), out)
    self.assertTrue(line.endswith("(the store says an owner's request 0000000001.req deleted it, but no request that "
                                  "verifies under your key covers it)"), line)

  def test_requestSignedUnderAnotherContext_orEdited_doesNotCount(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, c]])
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(b[0], 2)], context="doorbell/v2/share"))
    edited = sign_request(self.secret, DEVICE, [(a[0], 1)]).replace(b"clip: %d 1" % a[0], b"clip: %d 2" % b[0])
    self.keep("0000000002.req", edited)
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertNotIn("DELETED", out)

  def test_removedSegment_countsAsPresent_noMissingSegment(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a], [b], [c]])
    os.unlink(os.path.join(self.store, "segments", "0000000002.seg"))
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(b[0], 2)]))
    self.delete(b[0])
    self.ledger.append("removed 2 %s" % TIME)
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertNotIn("missing segment", out)
    self.assertIn("DELETED 1 clip(s) at positions 2..2 before %016x" % c[0], out)

  def test_compactedSegment_committedLengthFromTheLedger_noFinding(self):
    a, b, c = (self.record() for _ in range(3))
    w = self.write([[a, b], [c]])
    length, records, crc = compact(w.path(1), 1, {(DEVICE, b[0])})
    self.keep("0000000001.req", sign_request(self.secret, DEVICE, [(b[0], 2)]))
    self.delete(b[0])
    self.ledger.append("compacted 1 %d %d %08x %s" % (length, records, crc, TIME))
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertNotIn("shorter than committed", out)
    self.assertNotIn("bad start record", out)
    self.assertIn("summary: OK 2; chain: DELETED 1, HEAD 1", out)

  def test_compactedLineNotMatchingTheFile_theFileIsTheOriginal(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b], [c]])
    self.delete(b[0], "policy", "older-than=30d")
    self.ledger.append("compacted 1 999 3 0badf00d %s" % TIME)
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("EXPIRED 1 clip(s)", out)
    self.assertNotIn("finding", out.splitlines()[0])

  def test_unknownLedgerLine_warningAndTheRestApplied(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, c]])
    self.ledger.append("summarised 1..4 %s" % TIME)
    self.delete(b[0], "policy", "older-than=30d")
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("warning: retention ledger of %s line 2 does not parse; ignored" % self.store, out)
    self.assertIn("EXPIRED 1 clip(s)", out)

  def test_unknownFirstLine_wholeLedgerIgnored(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b, c]])
    self.ledger = ["doorbell-retention v9", "delete %s %d policy older-than=1d %s" % (DEVICE, b[0], TIME)]
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertIn("unknown first line; the ledger is ignored", out)
    self.assertIn("summary: OK 3", out)

  def test_lastLineWithoutNewline_ignored(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b, c]])
    os.makedirs(os.path.join(self.store, "retention"))
    ledger = retention.Ledger.read(self.store)
    self.assertEqual({}, ledger.deleted)
    with open(os.path.join(self.store, "retention", "ledger"), "w") as f:
      f.write("doorbell-retention v1\ndelete %s %d policy older-than=1d %s" % (DEVICE, b[0], TIME))
    self.assertEqual({}, retention.Ledger.read(self.store).deleted)
    self.assertEqual([], retention.Ledger.read(self.store).warnings)

  def delete_v2(self, clip_id, position, first, last, reason="policy", detail="older-than=30d"):
    self.ledger.append("delete %s %d %s %s %s %d %d %d" % (DEVICE, clip_id, reason, detail, TIME, position, first,
                                                           last))

  def test_v2Ledger_everyLineKind_readWithoutWarnings(self):
    a, b, c, d = (self.record() for _ in range(4))
    w = self.write([[a], [b], [c, d]])
    length, records, crc = compact(w.path(3), 3, {(DEVICE, c[0])})
    self.ledger = ["doorbell-retention v2", "generation 3 %s" % TIME, "removed 1..2 %s" % TIME,
                   "deleted-through %s 1 7 policy older-than=30d %s" % (DEVICE, TIME),
                   "delete %s %d request 0000000001.req %s" % (DEVICE, b[0], TIME)]
    self.delete_v2(c[0], 3, 3, 3)
    self.ledger += ["compacted 3 %d %d %08x %s" % (length, records, crc, TIME), "removed 5 %s" % TIME]
    self.open()
    ledger = retention.Ledger.read(self.store)
    self.assertEqual([], ledger.warnings)
    self.assertEqual(2, ledger.version)
    self.assertEqual(("request", "0000000001.req"), (ledger.deletion(DEVICE, b[0]).reason,
                                                     ledger.deletion(DEVICE, b[0]).detail))
    self.assertEqual("policy", ledger.deletion(DEVICE, c[0], 0).reason)
    self.assertEqual("older-than=30d", ledger.deletion(DEVICE, a[0], 1).detail)  # by the watermark
    self.assertIsNone(ledger.deletion(DEVICE, a[0], 0))  # position not known: the watermark cannot say
    self.assertIsNone(ledger.deletion(DEVICE, d[0], 4))
    self.assertEqual([1, 2, 5], [k for k in range(7) if k in ledger.removed])
    self.assertEqual((length, records, retention.COMPACTED_SOURCE), ledger.compacted(3, w.path(3)))

  def test_v1Ledger_v2OnlyLines_warnedAndNotApplied(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b, c]])
    self.ledger.append("deleted-through %s 2 2 policy older-than=30d %s" % (DEVICE, TIME))
    self.ledger.append("removed 1..2 %s" % TIME)
    self.delete_v2(b[0], 2, 1, 1)
    self.ledger.append("generation 1 %s" % TIME)
    code, out = self.open()
    self.assertEqual(0, code, out)
    for number in (2, 3, 4, 5):
      self.assertIn("retention ledger of %s line %d does not parse; ignored" % (self.store, number), out)
    self.assertIn("summary: OK 3", out)

  def test_v2Ledger_malformedGenerationAndWatermark_warned(self):
    a, b, c = (self.record() for _ in range(3))
    self.write([[a, b, c]])
    self.ledger = ["doorbell-retention v2", "generation x %s" % TIME,
                   "deleted-through %s 2 2 forgot older-than=30d %s" % (DEVICE, TIME), "removed 4..2 %s" % TIME,
                   "generation 2 %s" % TIME]
    code, out = self.open()
    self.assertEqual(0, code, out)
    for number in (2, 3, 4, 5):
      self.assertIn("retention ledger of %s line %d does not parse; ignored" % (self.store, number), out)
    self.assertIn("summary: OK 3", out)

  def test_watermark_deletesRecordsByTheirHeadersPosition_theGapIsExpired(self):
    # A bucket lagging behind its ledger: the folded clips' records are still there, and no delete line names them.
    a, b, c, d = (self.record() for _ in range(4))
    self.write([[a, b], [c, d]])
    self.ledger = ["doorbell-retention v2", "generation 1 %s" % TIME,
                   "deleted-through %s 1 1 request 0000000001.req %s" % (DEVICE, TIME),
                   "deleted-through %s 2 2 policy older-than=30d %s" % (DEVICE, TIME)]
    code, out = self.open()
    self.assertEqual(0, code, out)
    for clip in (a, b):
      self.assertNotIn("%016x" % clip[0], out.split("device %s" % DEVICE)[0])
    self.assertIn("EXPIRED 2 clip(s) at positions 1..2 before %016x (the uplink's retention policy: older-than=30d, "
                  "%s; operator's statement)" % (c[0], TIME), self.chain_lines(out))
    self.assertIn("summary: OK 2; chain: EXPIRED 1, HEAD 1", out)

  def test_rewrittenLedger_sameVerdictsAsItsLongForm(self):
    a, b, c, d, e = (self.record() for _ in range(5))
    w = self.write([[a], [b], [c, d], [e]])
    length, records, crc = compact(w.path(3), 3, {(DEVICE, c[0])})
    for k in (1, 2):
      os.unlink(w.path(k))
    long_form = ["doorbell-retention v2", "generation 0 %s" % TIME,
                 "delete %s %d policy older-than=30d %s 1 1 1" % (DEVICE, a[0], TIME), "removed 1 %s" % TIME,
                 "delete %s %d policy older-than=7d %s 2 2 2" % (DEVICE, b[0], TIME), "removed 2 %s" % TIME,
                 "delete %s %d policy older-than=7d %s 3 3 3" % (DEVICE, c[0], TIME),
                 "compacted 3 %d %d %08x %s" % (length, records, crc, TIME)]
    # What the uplink's rewrite makes of it (FORMAT.md §6, "The ledger's rewrite"): d, at position 4, is kept.
    rewritten = ["doorbell-retention v2", "generation 1 %s" % TIME, "removed 1..2 %s" % TIME,
                 "deleted-through %s 3 3 policy older-than=7d %s" % (DEVICE, TIME),
                 "compacted 3 %d %d %08x %s" % (length, records, crc, TIME)]
    outputs = []
    for ledger in (long_form, rewritten):
      self.ledger = ledger
      code, out = self.open("--from-position", "1")
      self.assertEqual(0, code, out)
      outputs.append([line for line in out.splitlines() if "retention" not in line or "EXPIRED" in line])
    self.assertEqual(outputs[0], outputs[1])
    self.assertIn("EXPIRED 3 clip(s) at positions 1..3 before %016x (the uplink's retention policy: older-than=7d, "
                  "%s; operator's statement)" % (d[0], TIME), self.chain_lines("\n".join(outputs[1])))
    self.assertNotIn("missing segment", "\n".join(outputs[1]))

  def test_keyReused_failure_namingEveryClipSharingIt(self):
    stuck = lambda size: b"\x42" * size  # noqa: E731 (a stuck random source)
    a = self.record(stuck, clip_id=0x1111)
    b = self.record()
    c = self.record(stuck, clip_id=0x2222)
    self.write([[a, b, c]])
    code, out = self.open()
    self.assertEqual(1, code, out)
    self.assertIn("KEY REUSED by 2 clips (0000000000001111 (position 1) and 0000000000002222 (position 3)): one clip "
                  "key, so whoever opens one opens them all; the device's key generation repeats (a stuck random "
                  "source, or firmware that keeps k)", self.chain_lines(out))
    self.assertIn("summary: OK 3; chain: KEY REUSED 1, HEAD 1", out)

  def test_clockBackwards_informational_beyondTwoSeconds(self):
    t = 1_764_936_000_000
    clips = [self.record(start=t), self.record(start=t - 2000), self.record(start=t - 2001 - 95_250),
             self.record(start=t + 10_000_000)]
    self.write([clips])
    code, out = self.open()
    self.assertEqual(0, code, out)
    self.assertEqual(["HEAD clip %016x at position 4; clips started after it, if any, have not arrived" % clips[3][0],
                      "CLOCK BACKWARDS at position 3 (clip %016x says it started at 2025-12-05T11:58:22.749Z, 95.3 s "
                      "before clip %016x at position 2 started, at 2025-12-05T11:59:58Z: the device's clock went "
                      "back; the chain's order is the true one)" % (clips[2][0], clips[1][0])], self.chain_lines(out))

  def test_twoStores_aClipStoredPartlyInEach_isOneClip(self):
    a, b = self.record(), self.record()
    other = os.path.join(self.root, "store-b")
    w = support.StoreWriter(self.store, 2)
    w.add_clip(support.clip_records(DEVICE, a[0], a[1], a[2][:2], close=False))
    w.checkpoint()
    w.write()
    self.write([[a, b]], other)
    code, out = self.open(stores=[self.store, other])
    self.assertEqual(0, code, out)
    self.assertIn("summary: OK 2; chain: HEAD 1", out)
    self.assertEqual(2, sum(1 for line in out.splitlines() if line.startswith("store ")), out)

  def test_twoStores_differentCopiesOfAFrame_tamperedAndAWarning(self):
    a = self.record()
    other = os.path.join(self.root, "store-b")
    self.write([[a]], other)
    seq, last, meta, sealed = a[2][1]
    forged = (a[0], a[1], [a[2][0], (seq, last, meta, bytes([sealed[0] ^ 1]) + sealed[1:]), a[2][2]])
    self.write([[forged]])
    code, out = self.open(stores=[self.store, other])
    self.assertEqual(1, code, out)
    self.assertIn("TAMPERED at frame 1", out)
    self.assertIn("warning: clip %s/%016x frame 1 differs between %s and %s" % (DEVICE, a[0], self.store, other), out)


class RequestTest(unittest.TestCase):
  def test_check_parsesEveryField_andRefusesWhatItDoesNotKnow(self):
    secret = os.urandom(32)
    owner = v2.owner_signing_key(secret).public
    request, problem = retention.check_request(sign_request(secret, DEVICE, [(7, 3), (9, None)], before=2,
                                                            issued="2026-12-05T11:00:00.5Z"), owner)
    self.assertIsNone(problem)
    self.assertEqual((DEVICE, "2026-12-05T11:00:00.500Z", {3: 7}, [7, 9], 2), (
        request.device_id, request.issued, request.clips_by_position, request.clip_ids, request.before_position))
    self.assertTrue(request.covers(1, 0) and request.covers(3, 0) and request.covers(5, 9))
    self.assertFalse(request.covers(2, 0) or request.covers(5, 7 + 1))
    self.assertEqual((None, "the signature does not verify under the owner's key"),
                     retention.check_request(sign_request(os.urandom(32), DEVICE), owner))
    text = sign_request(secret, DEVICE).decode("ascii")
    self.assertIn("not a doorbell-forget v1", retention.check_request(text[:-1].encode(), owner)[1])
    signed = "doorbell-forget v1\ndevice: d\nissued: 2026-12-05T11:00:00Z\ncolour: blue\n"
    data = signed + "signature: %s\n" % base64.b64encode(
        v2.owner_signing_key(secret).sign(v2.CONTEXT_FORGET_REQUEST, signed.encode())).decode()
    self.assertEqual((None, "line 4 of a signed request is not one this reader knows"),
                     retention.check_request(data.encode(), owner))

  def test_instants_shownAsJavaShowsThem(self):
    self.assertEqual("2026-12-05T11:00:00Z", retention._instant("2026-12-05T11:00:00.000Z"))
    self.assertEqual("2026-12-05T11:00:00.120Z", retention._instant("2026-12-05T11:00:00.12Z"))
    self.assertEqual("2026-12-05T11:00:00.000001Z", retention._instant("2026-12-05T11:00:00.000001Z"))
    self.assertRaises(ValueError, retention._instant, "2026-02-30T11:00:00Z")
    self.assertEqual("2025-12-05T11:59:58Z", chain.instant(1_764_935_998_000))
    self.assertEqual(["0.0 s", "2.3 s", "119.9 s", "2 min 0 s", "2 h 0 min"],
                     [chain._duration(ms) for ms in (49, 2250, 119_949, 120_000, 7_200_000)])


if __name__ == "__main__":
  unittest.main()
