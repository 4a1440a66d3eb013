"""The key files of FORMAT.md section 5: a device's epoch.key and the owner's <device>.root, plus an owner keyring
that derives epoch keys forward from the root keys."""
import base64
import binascii
import os
import tempfile

from . import fmt

EPOCH_MAGIC = "doorbell-epoch-key v1"
ROOT_MAGIC = "doorbell-root-key v1"


class KeyFileError(Exception):
  pass


def parse_fields(text, magic, names, path, optional=()):
  """The layout of FORMAT.md section 5 shared by every text key file: the magic line, then each of names exactly
  once as `name: value`, in any order, and each of optional at most once. Returns the values as text."""
  if text.endswith("\n"):
    text = text[:-1]
  lines = text.split("\n")
  if lines[0] != magic:
    raise KeyFileError("%s: first line must be %r" % (path, magic))
  fields = {}
  for number, line in enumerate(lines[1:], start=2):
    name, sep, value = line.partition(": ")
    if not sep or (name not in names and name not in optional):
      raise KeyFileError("%s: line %d is not one of %s" % (path, number, ", ".join(tuple(names) + tuple(optional))))
    if name in fields:
      raise KeyFileError("%s: line %d repeats %r" % (path, number, name))
    fields[name] = value
  missing = [n for n in names if n not in fields]
  if missing:
    raise KeyFileError("%s: missing %s" % (path, ", ".join(missing)))
  return fields


def decode_key(value, path, name="key", length=fmt.KEY_LEN):
  """A key field: exactly length bytes in padded standard base64, canonical (it must encode back to the same
  text)."""
  try:
    key = base64.b64decode(value, validate=True)
  except binascii.Error:
    raise KeyFileError("%s: %s is not standard base64" % (path, name)) from None
  if len(key) != length or base64.b64encode(key).decode("ascii") != value:
    raise KeyFileError("%s: %s must be %d bytes in padded standard base64" % (path, name, length))
  return key


def _parse(text, magic, names, path):
  fields = parse_fields(text, magic, names, path)
  if not fmt.valid_device_id(fields["device"]):
    raise KeyFileError("%s: invalid device id %r" % (path, fields["device"]))
  fields["key"] = decode_key(fields["key"], path)
  return fields


def read_text(path):
  with open(path, "rb") as f:
    data = f.read()
  try:
    return data.decode("utf-8")
  except UnicodeDecodeError:
    raise KeyFileError("%s: not UTF-8" % path) from None


class EpochKey:
  """A device's current epoch key (epoch.key)."""

  def __init__(self, device_id, epoch, key):
    self.device_id, self.epoch, self._key = device_id, epoch, key

  def __repr__(self):
    return "EpochKey(device=%s, epoch=%d, key present)" % (self.device_id, self.epoch)

  @property
  def key(self):
    return self._key

  def key_for_epoch(self, epoch):
    """Derives forward from the current epoch; an earlier epoch is out of reach by design."""
    if epoch < self.epoch:
      raise fmt.NoKeyError("%s: clip is from epoch %d, key is epoch %d" % (self.device_id, epoch, self.epoch))
    if epoch > fmt.MAX_EPOCH:
      raise fmt.NoKeyError("%s: epoch %d above %d" % (self.device_id, epoch, fmt.MAX_EPOCH))
    key = self._key
    for e in range(self.epoch + 1, epoch + 1):
      key = fmt.next_epoch_key(key, self.device_id, e)
    return key


def read_epoch_key(path):
  fields = _parse(read_text(path), EPOCH_MAGIC, ("device", "epoch", "key"), path)
  epoch = fields["epoch"]
  if not epoch.isdigit() or (len(epoch) > 1 and epoch[0] == "0") or int(epoch) >= 1 << 31:
    raise KeyFileError("%s: epoch %r is not a number in 0..2^31-1" % (path, epoch))
  return EpochKey(fields["device"], int(epoch), fields["key"])


def read_root_key(path):
  """Returns (device id, root key); the file must be named <device>.root after the device it names."""
  fields = _parse(read_text(path), ROOT_MAGIC, ("device", "key"), path)
  if os.path.basename(path) != fields["device"] + ".root":
    raise KeyFileError("%s: names device %s but is not called %s.root" % (path, fields["device"], fields["device"]))
  return fields["device"], fields["key"]


def write_atomically(path, data):
  """0600 temporary file in the same directory, fsync, rename over the old file, fsync of the directory. data is
  text (written as UTF-8) or bytes."""
  directory = os.path.dirname(os.path.abspath(path))
  fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
  try:
    os.fchmod(fd, 0o600)
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    while data:
      data = data[os.write(fd, data):]
    os.fsync(fd)
  finally:
    os.close(fd)
  os.rename(tmp, path)
  dfd = os.open(directory, os.O_RDONLY)
  try:
    os.fsync(dfd)
  finally:
    os.close(dfd)


def format_epoch_key(device_id, epoch, key):
  return "%s\ndevice: %s\nepoch: %d\nkey: %s\n" % (EPOCH_MAGIC, device_id, epoch, base64.b64encode(key).decode())


def format_root_key(device_id, key):
  return "%s\ndevice: %s\nkey: %s\n" % (ROOT_MAGIC, device_id, base64.b64encode(key).decode())


class Keyring:
  """The owner's keyring: a directory of <device>.root files. Epoch keys are derived forward from R and cached
  per device, so that opening many clips of a late epoch ratchets once."""

  def __init__(self, directory):
    self._roots = {}
    for name in sorted(os.listdir(directory)):
      if name.endswith(".root"):
        device_id, key = read_root_key(os.path.join(directory, name))
        self._roots[device_id] = key
    self._cache = {}

  def __repr__(self):
    return "Keyring(devices=%s)" % sorted(self._roots)

  def devices(self):
    return sorted(self._roots)

  def key_for(self, device_id, epoch):
    if device_id not in self._roots:
      raise fmt.NoKeyError("no root key for device %s in the keyring" % device_id)
    if epoch > fmt.MAX_EPOCH:
      raise fmt.NoKeyError("%s: epoch %d above %d" % (device_id, epoch, fmt.MAX_EPOCH))
    start_epoch, key = self._cache.get(device_id, (0, None))
    if key is None or start_epoch > epoch:
      start_epoch, key = 0, fmt.next_epoch_key(self._roots[device_id], device_id, 0)
    for e in range(start_epoch + 1, epoch + 1):
      key = fmt.next_epoch_key(key, device_id, e)
    self._cache[device_id] = (epoch, key)
    return key
