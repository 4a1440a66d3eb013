"""The resilient uploader (resilient.py): backoff with full jitter, retries after a retriable Error over real TLS,
and a stop, not a retry, after a fatal Error that is not retriable."""
import os
import random
import tempfile
import time
import unittest

import support
from loopback_uplink import LoopbackUplink
from doorbell_py import fmt, keyfiles, link, resilient
from doorbell_py.protos import link_pb2


class BackoffTest(unittest.TestCase):
  def test_nextDelay_eachWithinDoublingCeilingUpToMaximum(self):
    backoff = resilient.Backoff(0.1, 0.8, random.Random(7))
    ceilings = [0.1, 0.2, 0.4, 0.8, 0.8, 0.8]
    for ceiling in ceilings:
      delay = backoff.next_delay()
      self.assertTrue(0 <= delay <= ceiling, "%r above %r" % (delay, ceiling))

  def test_nextDelay_jittered_notTheSameTwice(self):
    backoff = resilient.Backoff(1.0, 1.0, random.Random(3))
    delays = {round(backoff.next_delay(), 6) for _ in range(20)}
    self.assertGreater(len(delays), 15)

  def test_reset_ceilingBackToInitial(self):
    backoff = resilient.Backoff(0.1, 10.0, random.Random(1))
    for _ in range(8):
      backoff.next_delay()
    backoff.reset()
    self.assertLessEqual(backoff.next_delay(), 0.1)

  def test_init_initialAboveMaximum_refused(self):
    with self.assertRaises(ValueError):
      resilient.Backoff(2.0, 1.0)


class UploaderTest(unittest.TestCase):
  @classmethod
  def setUpClass(cls):
    cls._tmp = tempfile.TemporaryDirectory()
    cls.fleet = os.path.join(cls._tmp.name, "fleet")
    support.make_fleet(cls.fleet, ["front-door"])
    cls.device_dir = os.path.join(cls.fleet, "devices", "front-door")

  @classmethod
  def tearDownClass(cls):
    cls._tmp.cleanup()

  def _clip(self, clip_id):
    key = keyfiles.read_epoch_key(os.path.join(self.device_dir, "epoch.key"))
    sealer = fmt.ClipSealer(key.key, key.epoch, key.device_id, clip_id, start_time_unix_ms=1, width=16, height=16,
                            fps=10)
    frames = [sealer.seal(b"frame %d" % i, i * 100_000, i == 3) for i in range(4)]
    return clip_id, sealer.header_bytes, frames

  def _uploader(self, port, deadline_s, sleeps):
    context = link.tls_context(self.device_dir)

    def new_client(timeout_s):
      return link.UplinkClient("127.0.0.1", port, "front-door", context, None, timeout_s)

    def sleep(seconds):
      sleeps.append(seconds)
      time.sleep(seconds)

    return resilient.Uploader(new_client, "front-door", deadline_s, resilient.Backoff(0.05, 0.2, random.Random(5)),
                              sleep=sleep)

  def test_upload_storageUnavailableEveryTime_retriesWithBackoffUntilTheDeadline(self):
    store_dir = tempfile.mkdtemp(dir=self._tmp.name)
    sleeps = []
    with LoopbackUplink(self.fleet, store_dir, fail_code=link_pb2.STORAGE_UNAVAILABLE) as uplink:
      uploader = self._uploader(uplink.port, 2.0, sleeps)
      with self.assertRaises(resilient.Stopped) as stopped:
        uploader.upload([self._clip(10)])
    self.assertIn("deadline passed", str(stopped.exception))
    self.assertGreaterEqual(uploader.attempts, 3)
    self.assertTrue(all(s <= 0.2 for s in sleeps), sleeps)
    self.assertGreater(len({round(s, 6) for s in sleeps}), 1, "no jitter: %r" % sleeps)

  def test_upload_certificateRevoked_stopsAfterOneAttempt(self):
    store_dir = tempfile.mkdtemp(dir=self._tmp.name)
    sleeps = []
    with LoopbackUplink(self.fleet, store_dir, fail_code=link_pb2.CERTIFICATE_REVOKED) as uplink:
      uploader = self._uploader(uplink.port, 5.0, sleeps)
      with self.assertRaises(resilient.Stopped) as stopped:
        uploader.upload([self._clip(11)])
    self.assertEqual("CERTIFICATE_REVOKED", stopped.exception.code)
    self.assertEqual(1, uploader.attempts)
    self.assertEqual([], sleeps)

  def test_upload_twoClips_bothPersistedInOneSession(self):
    store_dir = tempfile.mkdtemp(dir=self._tmp.name)
    finished = []
    with LoopbackUplink(self.fleet, store_dir) as uplink:
      uploader = self._uploader(uplink.port, 10.0, [])
      uploader._on_clip = lambda clip_id, ack: finished.append((clip_id, ack.frames, ack.closed))
      uploader.upload([self._clip(20), self._clip(21)])
    self.assertEqual([(20, 4, True), (21, 4, True)], finished)
    self.assertEqual(1, uploader.attempts)


if __name__ == "__main__":
  unittest.main()
