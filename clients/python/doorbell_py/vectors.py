"""Checks the test vectors of testdata/vectors/*.json (FORMAT.md section 7): valid tests are re-derived byte for
byte, invalid ones must give the expected verdict and reason keyword."""
import glob
import hashlib
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import fmt, vectors_v2, vectors_v3
from .protos import clip_pb2


def _h(s):
  return bytes.fromhex(s)


def _expect(errors, what, actual, expected):
  if actual != expected:
    errors.append("%s: got %s, expected %s" % (what, _show(actual), _show(expected)))


def _show(value):
  return value.hex() if isinstance(value, (bytes, bytearray)) else repr(value)


def check_epoch_ratchet(t, errors):
  root, device = _h(t["rootKey"]), t["deviceId"]
  previous = root  # the epochs are listed 0, 1, 2, ...: each is ratcheted from the one before
  for entry in t["epochs"]:
    e = entry["epoch"]
    _expect(errors, "info of epoch %d" % e, fmt.epoch_info(device, e), _h(entry["info"]))
    key = fmt.next_epoch_key(previous, device, e)
    previous = key
    _expect(errors, "K_%d by ratchet" % e, key, _h(entry["epochKey"]))
    _expect(errors, "K_%d from R" % e, fmt.epoch_key(root, device, e), _h(entry["epochKey"]))


def check_clip_key(t, errors):
  key, commitment = fmt.clip_key(_h(t["epochKey"]), _h(t["salt"]), t["deviceId"], t["clipId"])
  _expect(errors, "clip key", key, _h(t["clipKey"]))
  _expect(errors, "commitment", commitment, _h(t["commitment"]))


def _stored_frames(t):
  return [(f["seq"], f["last"], _h(f["meta"]), _h(f["sealed"])) for f in t["frames"]]


def check_clip_seal(t, errors):
  device, root = t["deviceId"], _h(t["rootKey"])
  header_bytes = _h(t["header"])
  verdict = fmt.open_clip(header_bytes, _stored_frames(t), t["storedDeviceId"], t["storedClipId"],
                          lambda epoch: fmt.epoch_key(root, t["storedDeviceId"], epoch))
  exp = t["expected"]
  _expect(errors, "status", verdict.status, exp["status"])
  _expect(errors, "failed seq", verdict.failed_seq, exp["failedSeq"])
  if not verdict.reason.startswith(exp["reasonKeyword"]):
    errors.append("reason %r does not start with %r" % (verdict.reason, exp["reasonKeyword"]))
  if t["result"] != "valid":
    return
  epoch_key = fmt.epoch_key(root, device, t["epoch"])
  _expect(errors, "epoch key", epoch_key, _h(t["epochKey"]))
  header = clip_pb2.ClipHeader.FromString(header_bytes)
  _expect(errors, "header device", header.device_id, device)
  _expect(errors, "header clip", header.clip_id, t["clipId"])
  _expect(errors, "header epoch", header.key_epoch, t["epoch"])
  _expect(errors, "header salt", header.salt, _h(t["salt"]))
  _expect(errors, "header nonce prefix", header.nonce_prefix, _h(t["noncePrefix"]))
  key, commitment = fmt.clip_key(epoch_key, header.salt, device, t["clipId"])
  _expect(errors, "clip key", key, _h(t["clipKey"]))
  _expect(errors, "commitment", commitment, _h(t["commitment"]))
  _expect(errors, "header commitment", header.key_commitment, commitment)
  header_sha = hashlib.sha256(header_bytes).digest()
  _expect(errors, "header SHA-256", header_sha, _h(t["headerSha256"]))
  aead = AESGCM(key)
  for f in t["frames"]:
    seq, last, meta, plaintext = f["seq"], f["last"], _h(f["meta"]), _h(f["plaintext"])
    n, a = fmt.nonce(header.nonce_prefix, seq, last), fmt.aad(header_sha, seq, last, meta)
    _expect(errors, "frame %d nonce" % seq, n, _h(f["nonce"]))
    _expect(errors, "frame %d aad" % seq, a, _h(f["aad"]))
    _expect(errors, "frame %d sealed" % seq, aead.encrypt(n, plaintext, a), _h(f["sealed"]))
  _expect(errors, "opened plaintexts", [p for _, _, p in verdict.frames], [_h(f["plaintext"]) for f in t["frames"]])


V1_CHECKS = {"EpochRatchetTest": check_epoch_ratchet, "ClipKeyTest": check_clip_key, "ClipSealTest": check_clip_seal}
CHECKS = dict(V1_CHECKS, **vectors_v2.CHECKS)


def iter_tests(directory):
  """Yields (file name, group type, test) for every test of every *.json file in directory and in its v2/ (format
  v2, FORMAT.md §16, with the X-Wing vectors: checked as far as this client can without ML-KEM) and v3/ (format v3,
  §17). Files that are not project vectors (the RFC 9180 file, checked by hpke_vectors) are skipped by name."""
  paths = [path for sub in ("", "v2", "v3") for path in sorted(glob.glob(os.path.join(directory, sub, "*.json")))]
  for path in paths:
    if os.path.basename(path).startswith("hpke_rfc9180"):
      continue
    with open(path, encoding="utf-8") as f:
      data = json.load(f)
    for group in data["testGroups"]:
      for t in group["tests"]:
        yield os.path.relpath(path, directory), group["type"], t


def checks_for(name):
  """The checks of a vector file by its path under the vectors directory: v3/ has its own ClipTest (§17.7)."""
  return vectors_v3.CHECKS if name.startswith("v3" + os.sep) else CHECKS


def check(group_type, t, name=""):
  """Returns the list of mismatches of one test of the file name (as iter_tests gives it) (empty: passed)."""
  errors = []
  checks = checks_for(name)
  if group_type not in checks:
    return ["unknown test group type %s" % group_type]
  try:
    checks[group_type](t, errors)
  except Exception as e:  # a vector that makes the code throw is a failed vector, reported with the rest
    errors.append("raised %s: %s" % (type(e).__name__, e))
  return errors


def check_dir(directory):
  passed, failures = 0, []
  for name, group_type, t in iter_tests(directory):
    errors = check(group_type, t, name)
    if errors:
      failures.append("%s tcId %s (%s): %s" % (name, t["tcId"], t.get("comment", ""), "; ".join(errors)))
    else:
      passed += 1
  return passed, failures
