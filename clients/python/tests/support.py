"""Test helpers: a store writer that follows FORMAT.md section 6, a fleet PKI like the one `doorbell provision`
makes (as far as the brief and README describe it), and sealed clips."""
import datetime
import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from doorbell_py import fmt, hpke, keyfiles, store, v2  # noqa: E402
from doorbell_py.protos import store_pb2  # noqa: E402

VECTORS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "vectors")


class Counter:
  """A deterministic stand-in for os.urandom in tests that need reproducible salts and prefixes."""

  def __init__(self, start=1):
    self.n = start

  def __call__(self, size):
    out = bytes((self.n + i) & 0xFF for i in range(size))
    self.n += size
    return out


def record_bytes(record):
  body = record.SerializeToString()
  return struct.pack(">II", len(body), store.crc32c(body)) + body


def write_store(directory, segments):
  """segments: lists of StoredRecord messages, one list per segment file."""
  os.makedirs(os.path.join(directory, "segments"), exist_ok=True)
  with open(os.path.join(directory, "doorbell-store"), "w") as f:
    f.write("doorbell-store v1\n")
  paths = []
  for index, records in enumerate(segments, start=1):
    path = os.path.join(directory, "segments", "%010d.seg" % index)
    with open(path, "wb") as f:
      f.write(store.SEGMENT_MAGIC + b"".join(record_bytes(r) for r in records))
    paths.append(path)
  return paths


class StoreWriter:
  """Writes a store byte for byte as FORMAT.md section 6 gives it, v1 or v2 (start records, checkpoint), so that
  the reader's tests can build any store, damaged ones included. Records go to the newest segment; write() puts
  the files on disk, after which the tests change them."""

  def __init__(self, directory, version):
    self.dir, self.version = directory, version
    self.segments = []  # [number, bytearray, records]
    self.checkpoint_bytes = bytearray(2 * store.SLOT)
    self.sequence = 0
    if version == 2:
      self.start_segment()

  def upgrade_to_v2(self):
    """What an uplink of this version does to a v1 store: later segments get start records, the marker says v2."""
    self.version = 2

  def start_segment(self, number=None):
    previous = self.segments[-1] if self.segments else None
    number = number if number is not None else (previous[0] + 1 if previous else 1)
    self.segments.append([number, bytearray(store.SEGMENT_MAGIC), 0])
    if self.version == 2:
      self.add(store_pb2.StoredRecord(segment_start=store_pb2.StoredSegmentStart(
          segment=number, previous_segment=previous[0] if previous else 0,
          previous_length=len(previous[1]) if previous else 0, previous_records=previous[2] if previous else 0,
          created_unix_ms=1750000000000 + number)))
    return number

  def length(self):
    return len(self.segments[-1][1])

  def add(self, record):
    """Appends a record to the newest segment; returns its offset."""
    return self.add_raw(record_bytes(record), records=1)

  def add_raw(self, data, records=0):
    segment = self.segments[-1]
    offset = len(segment[1])
    segment[1] += data
    segment[2] += records
    return offset

  def add_clip(self, records):
    return [self.add(r) for r in records]

  def checkpoint(self, segment=None, length=None, records=None):
    newest = self.segments[-1]
    self.sequence += 1
    slot = struct.pack(">8sQQQQ", store.CHECKPOINT_MAGIC, self.sequence, newest[0] if segment is None else segment,
                       len(newest[1]) if length is None else length, newest[2] if records is None else records)
    slot += struct.pack(">I", store.crc32c(slot))
    at = (self.sequence % 2) * store.SLOT
    self.checkpoint_bytes[at:at + len(slot)] = slot

  def path(self, number):
    return os.path.join(self.dir, "segments", "%010d.seg" % number)

  def write(self):
    os.makedirs(os.path.join(self.dir, "segments"), exist_ok=True)
    with open(os.path.join(self.dir, "doorbell-store"), "w") as f:
      f.write("doorbell-store v%d\n" % self.version)
    for number, data, _records in self.segments:
      with open(self.path(number), "wb") as f:
        f.write(data)
    if self.sequence:
      with open(os.path.join(self.dir, "checkpoint"), "wb") as f:
        f.write(self.checkpoint_bytes)
    return self


def flip_byte(path, offset):
  with open(path, "r+b") as f:
    f.seek(offset)
    b = f.read(1)[0]
    f.seek(offset)
    f.write(bytes([b ^ 0x01]))


def truncate(path, length):
  with open(path, "r+b") as f:
    f.truncate(length)


def clip_records(device_id, clip_id, header, frames, close=True):
  records = [store_pb2.StoredRecord(clip_open=store_pb2.StoredClipOpen(
      device_id=device_id, clip_id=clip_id, header=header, received_unix_ms=1))]
  for seq, last, meta, sealed in frames:
    records.append(store_pb2.StoredRecord(frame=store_pb2.StoredFrame(
        device_id=device_id, clip_id=clip_id, seq=seq, last=last, meta=meta, sealed=sealed, received_unix_ms=2)))
  if close:
    records.append(store_pb2.StoredRecord(clip_close=store_pb2.StoredClipClose(
        device_id=device_id, clip_id=clip_id, frame_count=len(frames), received_unix_ms=3)))
  return records


def seal_clip(root, device_id, clip_id, plaintexts, epoch=0):
  sealer = fmt.ClipSealer(fmt.epoch_key(root, device_id, epoch), epoch, device_id, clip_id)
  frames = [sealer.seal(p, 1000 * i, i == len(plaintexts) - 1) for i, p in enumerate(plaintexts)]
  return sealer.header_bytes, frames


def _name(cn):
  return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, key, issuer, issuer_key, extensions):
  now = datetime.datetime.now(datetime.timezone.utc)
  builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1)))
  for extension, critical in extensions:
    builder = builder.add_extension(extension, critical)
  return builder.sign(issuer_key, hashes.SHA256())


def _pem(path, data):
  with open(path, "wb") as f:
    f.write(data)


def _key_pem(key):
  return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())


def make_fleet(directory, device_ids):
  """Writes a fleet CA, an uplink certificate for localhost/127.0.0.1, device directories (ca-cert.pem,
  device-cert.pem, device-key.pem, epoch.key at epoch 0) and an owner keyring. Returns the root keys by device."""
  ca_key = ec.generate_private_key(ec.SECP256R1())
  ca = _cert("doorbell test CA", ca_key, "doorbell test CA", ca_key,
             [(x509.BasicConstraints(ca=True, path_length=0), True)])
  uplink_dir = os.path.join(directory, "uplink")
  os.makedirs(uplink_dir)
  server_key = ec.generate_private_key(ec.SECP256R1())
  server = _cert("uplink", server_key, "doorbell test CA", ca_key, [(x509.SubjectAlternativeName(
      [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)])
  _pem(os.path.join(uplink_dir, "ca-cert.pem"), ca.public_bytes(serialization.Encoding.PEM))
  _pem(os.path.join(uplink_dir, "uplink-cert.pem"), server.public_bytes(serialization.Encoding.PEM))
  _pem(os.path.join(uplink_dir, "uplink-key.pem"), _key_pem(server_key))
  keyring = os.path.join(directory, "owner", "keyring")
  os.makedirs(keyring)
  roots = {}
  for device_id in device_ids:
    device_dir = os.path.join(directory, "devices", device_id)
    os.makedirs(device_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert(device_id, key, "doorbell test CA", ca_key, [(x509.SubjectAlternativeName(
        [x509.UniformResourceIdentifier("urn:doorbell:device:" + device_id)]), False)])
    _pem(os.path.join(device_dir, "ca-cert.pem"), ca.public_bytes(serialization.Encoding.PEM))
    _pem(os.path.join(device_dir, "device-cert.pem"), cert.public_bytes(serialization.Encoding.PEM))
    _pem(os.path.join(device_dir, "device-key.pem"), _key_pem(key))
    root = os.urandom(32)
    roots[device_id] = root
    keyfiles.write_atomically(os.path.join(device_dir, "epoch.key"),
                              keyfiles.format_epoch_key(device_id, 0, fmt.epoch_key(root, device_id, 0)))
    keyfiles.write_atomically(os.path.join(keyring, device_id + ".root"), keyfiles.format_root_key(device_id, root))
  return roots


def make_owner(directory, secret=None):
  """An owner's directory as `doorbell owner init` lays it out (V2-SPEC §2), from a given or random secret S.
  Returns the secret."""
  secret = secret or os.urandom(32)
  for sub in ("", "viewers", "devices", "lists"):
    os.makedirs(os.path.join(directory, sub), mode=0o700, exist_ok=True)
  signing, viewer = v2.owner_signing_key(secret), v2.owner_viewer_key(secret)
  keyfiles.write_atomically(os.path.join(directory, "owner.secret"), v2.format_owner_secret(secret))
  keyfiles.write_atomically(os.path.join(directory, "owner.pub"), v2.format_owner_public(signing.public,
                                                                                        viewer.public))
  keyfiles.write_atomically(os.path.join(directory, "viewers", "owner.pub"),
                            v2.format_viewer_public("owner", viewer.public))
  return secret


def make_viewer(directory, name, owner_dir=None):
  """A viewer's directory (viewer.key, viewer.pub, and owner.pub copied from owner_dir). Returns its key pair."""
  os.makedirs(directory, mode=0o700, exist_ok=True)
  key_pair = hpke.generate_key_pair()
  keyfiles.write_atomically(os.path.join(directory, "viewer.key"), v2.format_viewer_key(name, key_pair.private))
  keyfiles.write_atomically(os.path.join(directory, "viewer.pub"), v2.format_viewer_public(name, key_pair.public))
  if owner_dir:
    with open(os.path.join(owner_dir, "owner.pub")) as f:
      keyfiles.write_atomically(os.path.join(directory, "owner.pub"), f.read())
  return key_pair


def owner_recipients(secret, viewers=()):
  """(name, public key) of the owner's own viewer key, then of each (name, KeyPair) in viewers."""
  return [("owner", v2.owner_viewer_key(secret).public)] + [(n, k.public) for n, k in viewers]


def pair_device(owner_dir, secret, device_dir, device_id, viewers=(), seed=None):
  """Pairing as V2-SPEC §3 gives it: the device's own signing key, the owner's certificate of it, the owner's
  public key and the first recipient list, on both sides."""
  os.makedirs(device_dir, exist_ok=True)
  owner = v2.owner_signing_key(secret)
  device_key = v2.SigningKey(seed or os.urandom(32))
  keyfiles.write_atomically(os.path.join(device_dir, "signing.key"),
                            v2.format_device_signing_key(device_id, device_key.seed))
  cert = v2.issue_certificate(owner, device_id, device_key.public, 1750000000000)
  signed_list = v2.sign_recipient_list(owner, device_id, 1, owner_recipients(secret, viewers), 1750000000000)
  with open(os.path.join(owner_dir, "owner.pub")) as f:
    keyfiles.write_atomically(os.path.join(device_dir, "owner.pub"), f.read())
  for path, data in ((os.path.join(device_dir, "device-key.cert"), cert),
                     (os.path.join(device_dir, "recipients.list"), signed_list),
                     (os.path.join(owner_dir, "devices", device_id + ".cert"), cert),
                     (os.path.join(owner_dir, "lists", device_id + ".list"), signed_list)):
    keyfiles.write_atomically(path, data)
  return device_key


def seal_clip_v2(device_dir, clip_id, plaintexts, random_bytes=os.urandom):
  sealer = v2.Device(device_dir).sealer(clip_id, random_bytes)
  frames = [sealer.seal(p, 1000 * i, i == len(plaintexts) - 1) for i, p in enumerate(plaintexts)]
  return sealer.header_bytes, frames


class Recording:
  """os.urandom that remembers its draws, so that a test can rebuild a clip's keys from the first one (k)."""

  def __init__(self):
    self.draws = []

  def __call__(self, size):
    data = os.urandom(size)
    self.draws.append(data)
    return data


def seal_clip_v3(device_dir, plaintexts, random_bytes=os.urandom, device=None, facts=None, **params):
  """A v3 clip from a paired device directory, through the device's chain (chain.state advances). facts: per frame
  (motion_permille, ring_pressed). Returns (sealer, frames)."""
  device = device or v2.Device(device_dir)
  params.setdefault("width", 160)
  params.setdefault("height", 120)
  params.setdefault("fps", 15)
  sealer = device.start_clip_v3(random_bytes, **params)
  frames = []
  for i, p in enumerate(plaintexts):
    motion, ring = facts[i] if facts else (0, False)
    frames.append(sealer.seal(p, 66_000 * i, i == len(plaintexts) - 1, motion, ring))
  return sealer, frames
