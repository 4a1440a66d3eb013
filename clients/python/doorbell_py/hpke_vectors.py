"""Checks hpke.py against the RFC 9180 test vectors (the CFRG's test-vectors.json, the entries of DHKEM(X25519,
HKDF-SHA256) with HKDF-SHA256: base mode with AES-128-GCM and AES-256-GCM, auth mode with AES-256-GCM).

Where the file is: testdata/ once the format helper has copied it there (any testdata/**/ path with its name), else
$DOORBELL_SHARED_VECTORS, else ../shared/vectors/ beside the repository (where the issue names it)."""
import glob
import json
import os

from . import hpke

FILE_NAME = "hpke_rfc9180_x25519_sha256.json"
_REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
# (mode, aead) of every entry the file must hold; each is checked, and a missing one fails.
EXPECTED = ((hpke.MODE_BASE, hpke.AEAD_AES_128_GCM), (hpke.MODE_BASE, hpke.AEAD_AES_256_GCM),
            (hpke.MODE_AUTH, hpke.AEAD_AES_256_GCM))


def find_file():
  candidates = sorted(glob.glob(os.path.join(_REPO, "testdata", "**", FILE_NAME), recursive=True))
  if os.environ.get("DOORBELL_SHARED_VECTORS"):
    candidates.append(os.path.join(os.environ["DOORBELL_SHARED_VECTORS"], FILE_NAME))
  candidates.append(os.path.join(_REPO, "..", "shared", "vectors", FILE_NAME))
  for path in candidates:
    if os.path.isfile(path):
      return os.path.normpath(path)
  raise FileNotFoundError("%s not found in testdata/, $DOORBELL_SHARED_VECTORS or ../shared/vectors" % FILE_NAME)


def load(path=None):
  with open(path or find_file(), encoding="utf-8") as f:
    return json.load(f)["vectors"]


def _h(s):
  return bytes.fromhex(s)


def check(v):
  """Returns (mismatches, encryptions checked, exports checked) of one entry."""
  errors = []

  def expect(what, actual, expected):
    if actual != expected:
      errors.append("%s: got %s, expected %s" % (what, actual.hex(), expected.hex()))

  mode, aead = v["mode"], v["aead_id"]
  if (v["kem_id"], v["kdf_id"]) != (hpke.KEM_X25519_SHA256, hpke.KDF_HKDF_SHA256):
    return ["kem %d, kdf %d are not this suite" % (v["kem_id"], v["kdf_id"])], 0, 0
  recipient = hpke.derive_key_pair(_h(v["ikmR"]))
  ephemeral = hpke.derive_key_pair(_h(v["ikmE"]))
  expect("skRm", recipient.private, _h(v["skRm"]))
  expect("pkRm", recipient.public, _h(v["pkRm"]))
  expect("skEm", ephemeral.private, _h(v["skEm"]))
  expect("pkEm", ephemeral.public, _h(v["pkEm"]))
  info = _h(v["info"])
  if mode == hpke.MODE_AUTH:
    sender = hpke.derive_key_pair(_h(v["ikmS"]))
    expect("skSm", sender.private, _h(v["skSm"]))
    expect("pkSm", sender.public, _h(v["pkSm"]))
    shared, enc = hpke.auth_encap(recipient.public, sender, ephemeral)
    expect("shared_secret (AuthDecap)", hpke.auth_decap(enc, recipient, sender.public), _h(v["shared_secret"]))
    enc_s, sender_ctx = hpke.setup_auth_s(recipient.public, info, sender, aead, ephemeral)
    receiver_ctx = hpke.setup_auth_r(enc, recipient, info, sender.public, aead)
  else:
    shared, enc = hpke.encap(recipient.public, ephemeral)
    expect("shared_secret (Decap)", hpke.decap(enc, recipient), _h(v["shared_secret"]))
    enc_s, sender_ctx = hpke.setup_base_s(recipient.public, info, aead, ephemeral)
    receiver_ctx = hpke.setup_base_r(enc, recipient, info, aead)
  expect("enc", enc, _h(v["enc"]))
  expect("enc of SetupS", enc_s, _h(v["enc"]))
  expect("shared_secret", shared, _h(v["shared_secret"]))
  context, secret, key, base_nonce, exporter_secret = hpke.key_schedule_parts(mode, shared, info, aead)
  expect("key_schedule_context", context, _h(v["key_schedule_context"]))
  expect("secret", secret, _h(v["secret"]))
  expect("key", key, _h(v["key"]))
  expect("base_nonce", base_nonce, _h(v["base_nonce"]))
  expect("exporter_secret", exporter_secret, _h(v["exporter_secret"]))
  # The encryptions are consecutive messages of one context (sequence numbers 0, 1, ...), as the RFC lists them.
  for i, e in enumerate(v["encryptions"]):
    aad, pt, ct = _h(e["aad"]), _h(e["pt"]), _h(e["ct"])
    expect("encryption %d nonce" % i, sender_ctx._nonce(), _h(e["nonce"]))
    expect("encryption %d ct" % i, sender_ctx.seal(aad, pt), ct)
    try:
      expect("encryption %d opened pt" % i, receiver_ctx.open(aad, ct), pt)
    except hpke.HpkeError as err:
      errors.append("encryption %d: open failed: %s" % (i, err))
  for i, x in enumerate(v["exports"]):
    ctx_bytes, length = _h(x["exporter_context"]), x["L"]
    expect("export %d (sender)" % i, sender_ctx.export(ctx_bytes, length), _h(x["exported_value"]))
    expect("export %d (recipient)" % i, receiver_ctx.export(ctx_bytes, length), _h(x["exported_value"]))
  return errors, len(v["encryptions"]), len(v["exports"])


def check_all(path=None):
  """Returns (lines, failures): one line per entry with its counts, and every mismatch. An entry of EXPECTED that
  is missing from the file is a failure, so that nothing is skipped silently."""
  lines, failures, seen = [], [], []
  for v in load(path):
    name = "mode %d aead %d" % (v["mode"], v["aead_id"])
    errors, encryptions, exports = check(v)
    seen.append((v["mode"], v["aead_id"]))
    lines.append("%s: %d encryptions, %d exports, %s" % (name, encryptions, exports,
                                                          "FAIL" if errors else "ok"))
    failures += ["%s: %s" % (name, e) for e in errors]
  for entry in EXPECTED:
    if entry not in seen:
      failures.append("no entry for mode %d aead %d in the file" % entry)
  return lines, failures
