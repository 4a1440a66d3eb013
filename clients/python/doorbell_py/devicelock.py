"""One device directory, one device (docs/FIRMWARE.md, "The device directory"): the process that runs a device holds
an exclusive lock on DEVICE_DIR/device.lock for its whole life, the very lock the Java device takes, so that no two
devices, in either language, seal from the same chain.state and recipient list and send the same chain positions. A
second process is refused before it reads or writes any of the device's state. The kernel drops the lock when the
process ends, SIGKILL included.

These are POSIX (fcntl) record locks, as Java's FileChannel.tryLock takes: fcntl.lockf, never fcntl.flock, whose
flock(2) locks do not see fcntl locks on Linux. They belong to the process, and closing any descriptor of the file
drops them, so a directory this process holds is never opened a second time."""
import errno
import fcntl
import os
import re
import socket
import time

FILE_NAME = "device.lock"
_PID = re.compile(rb"pid=(\d+)")
_held = {}  # real path of the lock file -> DeviceLock


class DeviceDirectoryInUse(Exception):
  """Another process, or this one, runs the device of this directory; nothing in it was touched."""

  def __init__(self, directory, pid, this_process):
    super().__init__("device directory %s is in use by %s (%s); one device directory, one device" % (
        directory, "this process" if this_process else "another process", "pid %d" % pid if pid > 0 else "pid unknown"))
    self.pid = pid
    self.this_process = this_process


class DeviceLock:
  """The held lock of one device directory; close() (or leaving a with block) releases it, the file stays."""

  def __init__(self, directory, key, fd):
    self.directory, self._key, self._fd = directory, key, fd

  def close(self):
    if self._fd is not None:
      os.close(self._fd)  # drops the lock
      self._fd = None
      _held.pop(self._key, None)

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    self.close()


def acquire(directory):
  """Takes the lock of a device directory, creating device.lock (0600) when missing, and writes this process's line
  into it: `pid=N host=H started=T`. Raises DeviceDirectoryInUse naming the holder's pid, or ValueError when the
  directory does not exist."""
  if not os.path.isdir(directory):
    raise ValueError("device directory %s does not exist (make one with `doorbell provision`, then use one of "
                     "DIR/devices/<id>)" % directory)
  path = os.path.join(directory, FILE_NAME)
  key = os.path.realpath(path)
  if key in _held:
    raise DeviceDirectoryInUse(directory, os.getpid(), True)
  fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
  try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except OSError as e:
    pid = _holder_pid(fd)
    os.close(fd)
    if e.errno in (errno.EACCES, errno.EAGAIN):
      raise DeviceDirectoryInUse(directory, pid, False) from None
    raise
  try:
    os.ftruncate(fd, 0)
    line = "pid=%d host=%s started=%s\n" % (os.getpid(), _host(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    os.pwrite(fd, line.encode("ascii"), 0)
  except OSError:
    os.close(fd)
    raise
  lock = DeviceLock(directory, key, fd)
  _held[key] = lock
  return lock


def holder(directory):
  """The pid of the process holding the directory's lock now (-1 when its file does not say), or None when none
  does; this process's own pid for a directory it holds."""
  path = os.path.join(directory, FILE_NAME)
  key = os.path.realpath(path)
  if key in _held:
    return os.getpid()
  try:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
  except FileNotFoundError:
    return None
  try:
    try:
      fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as e:
      if e.errno in (errno.EACCES, errno.EAGAIN):
        return _holder_pid(fd)
      raise
    fcntl.lockf(fd, fcntl.LOCK_UN)
    return None
  finally:
    os.close(fd)


def _holder_pid(fd):
  try:
    m = _PID.search(os.pread(fd, 256, 0))
  except OSError:
    return -1
  return int(m.group(1)) if m else -1


def _host():
  name = socket.gethostname().strip()
  return re.sub(r"\s", "_", name) if name else "unknown"
