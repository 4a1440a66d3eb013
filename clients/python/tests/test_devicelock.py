"""One device directory, one device: the device lock with real processes (a holder in a child python3)."""
import os
import signal
import stat
import subprocess
import sys
import tempfile
import unittest

import support  # noqa: F401  (puts the package on sys.path)
from doorbell_py import devicelock

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLDER = ("import sys\nfrom doorbell_py import devicelock\nlock = devicelock.acquire(sys.argv[1])\n"
          "print('held', flush=True)\nsys.stdin.read()\n")


class DeviceLockTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.dir = self._tmp.name
    self.children = []

  def tearDown(self):
    for child in self.children:
      if child.poll() is None:
        child.kill()
      child.wait(10)
      child.stdout.close()
      child.stdin.close()
    self._tmp.cleanup()

  def holder(self):
    """A child process that holds the lock until killed; returns once it holds it."""
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    child = subprocess.Popen([sys.executable, "-c", HOLDER, self.dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env=env)
    self.children.append(child)
    self.assertEqual(b"held\n", child.stdout.readline())
    return child

  def test_acquire_writesThisProcessesLineInA0600File(self):
    with devicelock.acquire(self.dir):
      path = os.path.join(self.dir, "device.lock")
      self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
      with open(path) as f:
        line = f.read()
      self.assertRegex(line, r"^pid=%d host=\S+ started=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$" % os.getpid())
      self.assertEqual(os.getpid(), devicelock.holder(self.dir))
    self.assertIsNone(devicelock.holder(self.dir), "released on close")
    self.assertTrue(os.path.exists(path), "the file stays")

  def test_acquire_sameDirectoryTwiceInOneProcess_refusedAndTheFirstStaysHeld(self):
    with devicelock.acquire(self.dir):
      with self.assertRaises(devicelock.DeviceDirectoryInUse) as refused:
        devicelock.acquire(self.dir)
      self.assertTrue(refused.exception.this_process)
      self.assertEqual(os.getpid(), devicelock.holder(self.dir))

  def test_acquire_heldByAnotherProcess_refusedNamingItsPid_andFreeAfterItsKill9(self):
    child = self.holder()
    with open(os.path.join(self.dir, "device.lock")) as f:
      before = f.read()
    with self.assertRaises(devicelock.DeviceDirectoryInUse) as refused:
      devicelock.acquire(self.dir)
    self.assertEqual("device directory %s is in use by another process (pid %d); one device directory, one device"
                     % (self.dir, child.pid), str(refused.exception))
    self.assertEqual(child.pid, devicelock.holder(self.dir))
    with open(os.path.join(self.dir, "device.lock")) as f:
      self.assertEqual(before, f.read(), "the holder's line is untouched")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    # Reaped: the kernel dropped its lock when it died.
    with devicelock.acquire(self.dir):
      self.assertEqual(os.getpid(), devicelock.holder(self.dir))

  def test_acquire_missingDirectory_refusedWithoutMakingIt(self):
    missing = os.path.join(self.dir, "nope")
    with self.assertRaises(ValueError):
      devicelock.acquire(missing)
    self.assertFalse(os.path.exists(missing))


if __name__ == "__main__":
  unittest.main()
