"""A paired (v2) Python device against the loopback uplink over real TLS: Hello names its list version, a
RecipientListUpdate is verified, made durable and answered, the next clip uses it; an uplink's own list (the
ghost viewer) is refused and no later clip opens for the ghost; then the owner, a viewer and a share open the
store through the command line."""
import contextlib
import io
import os
import tempfile
import unittest

import support
from loopback_uplink import LoopbackUplink
from doorbell_py import cli, store, v2
from doorbell_py.protos import link_pb2

RESULT = link_pb2.RecipientListResult


class LinkV2Test(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.root = self._tmp.name
    self.fleet = os.path.join(self.root, "fleet")
    support.make_fleet(self.fleet, ["front-door"])
    self.device_dir = os.path.join(self.fleet, "devices", "front-door")
    os.remove(os.path.join(self.device_dir, "epoch.key"))  # v2 devices hold no content key from provisioning
    self.owner_dir = os.path.join(self.root, "owner")
    self.secret = support.make_owner(self.owner_dir)
    self.phone_dir = os.path.join(self.root, "phone")
    self.phone = support.make_viewer(self.phone_dir, "phone", self.owner_dir)
    self.laptop_dir = os.path.join(self.root, "laptop")
    self.laptop = support.make_viewer(self.laptop_dir, "laptop", self.owner_dir)
    support.pair_device(self.owner_dir, self.secret, self.device_dir, "front-door", [("phone", self.phone)])
    self.store_dir = os.path.join(self.root, "store")

  def tearDown(self):
    self._tmp.cleanup()

  def cli(self, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
      code = cli.main(list(args))
    return code, out.getvalue()

  def upload(self, uplink, first_clip, *more, clips=1):
    return self.cli("upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:%d" % uplink.port,
                    "--synthetic", "4", "--clip-id", str(first_clip), "--clips", str(clips), "--timeout", "20", *more)

  def open(self, *args):
    return self.cli("open", "--store", self.store_dir, "--out", os.path.join(self.root, "opened"), *args)

  def test_upload_listUpdateRelayed_acceptedDurableAndUsedFromTheNextClip(self):
    owner = v2.owner_signing_key(self.secret)
    update = v2.sign_recipient_list(owner, "front-door", 2, support.owner_recipients(self.secret, [
        ("phone", self.phone), ("laptop", self.laptop)]), 2)
    with LoopbackUplink(self.fleet, self.store_dir, recipient_lists={"front-door": update}) as uplink:
      code, out = self.upload(uplink, 10, clips=2)
    self.assertEqual(0, code, out)
    self.assertEqual([1], [h.recipient_list_version for h in uplink.hellos])
    self.assertEqual([(2, RESULT.ACCEPTED)], [(r.version, r.status) for r in uplink.list_results])
    self.assertIn("recipient list version 2: ACCEPTED", out)
    with open(os.path.join(self.device_dir, "recipients.list"), "rb") as f:
      self.assertEqual(update, f.read())
    self.assertIn("clip 000000000000000a (10) of front-door, format v3, chain position 1, pad 0, recipient list "
                  "version 1", out)
    self.assertIn("clip 000000000000000b (11) of front-door, format v3, chain position 2, pad 0, recipient list "
                  "version 2", out)
    code, out = self.open("--identity", self.laptop_dir)
    self.assertEqual(1, code, out)
    self.assertIn("front-door 000000000000000a TAMPERED at header: not a recipient of this clip", out)
    self.assertIn("front-door 000000000000000b OK (4 frames)", out)
    for identity in (self.owner_dir, self.phone_dir):
      code, out = self.open("--identity", identity)
      self.assertEqual(0, code, out)
      self.assertEqual(2, out.count(" OK (4 frames)"), out)

  def test_upload_awaitListUpdate_firstClipAlreadyUsesTheNewList(self):
    owner = v2.owner_signing_key(self.secret)
    update = v2.sign_recipient_list(owner, "front-door", 2, support.owner_recipients(self.secret, [
        ("laptop", self.laptop)]), 2)
    with LoopbackUplink(self.fleet, self.store_dir, recipient_lists={"front-door": update}) as uplink:
      code, out = self.cli("upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:%d" % uplink.port,
                           "--synthetic", "3", "--clip-id", "15", "--await-list-update", "--timeout", "20")
    self.assertEqual(0, code, out)
    self.assertLess(out.index("recipient list version 2: ACCEPTED"), out.index("clip 000000000000000f"))
    self.assertIn("format v3, chain position 1, pad 0, recipient list version 2", out)
    self.assertEqual(0, self.open("--identity", self.laptop_dir)[0])
    self.assertEqual(1, self.open("--identity", self.phone_dir)[0])

  def test_upload_awaitListUpdateWithNonePublished_failsAtTheDeadline(self):
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      code, out = self.cli("upload", "--device-dir", self.device_dir, "--uplink", "127.0.0.1:%d" % uplink.port,
                           "--synthetic", "3", "--clip-id", "16", "--await-list-update", "--timeout", "1.5")
    self.assertEqual(2, code)
    self.assertIn("deadline passed", out)
    self.assertEqual([], store.read_store(self.store_dir))

  def test_upload_ghostViewerList_refusedAndNoLaterClipOpensForTheGhost(self):
    ghost_dir = os.path.join(self.root, "ghost")
    ghost = support.make_viewer(ghost_dir, "ghost", self.owner_dir)
    uplink_key = v2.SigningKey(os.urandom(32))
    forged = v2.sign_recipient_list(uplink_key, "front-door", 99, support.owner_recipients(
        self.secret, [("phone", self.phone), ("ghost", ghost)]), 3)
    with LoopbackUplink(self.fleet, self.store_dir, recipient_lists={"front-door": forged}) as uplink:
      code, out = self.upload(uplink, 20, clips=2)
    self.assertEqual(0, code, out)
    self.assertEqual([(99, RESULT.REFUSED_SIGNATURE)], [(r.version, r.status) for r in uplink.list_results])
    self.assertEqual(1, v2.Device(self.device_dir).list_version)
    code, out = self.open("--identity", ghost_dir)
    self.assertEqual(1, code)
    self.assertEqual(2, out.count("TAMPERED at header: not a recipient of this clip"), out)

  def test_upload_olderOrOtherDevicesList_refusedWithTheirReason(self):
    owner = v2.owner_signing_key(self.secret)
    recipients = support.owner_recipients(self.secret)
    cases = [(v2.sign_recipient_list(owner, "back-door", 5, recipients, 1), RESULT.REFUSED_DEVICE),
             (b"\x0a\x02\xff", RESULT.REFUSED_MALFORMED)]
    for signed, status in cases:
      with self.subTest(status=RESULT.Status.Name(status)):
        with LoopbackUplink(self.fleet, self.store_dir, recipient_lists={"front-door": signed}) as uplink:
          code, out = self.upload(uplink, 30)
        self.assertEqual(0, code, out)
        self.assertEqual([status], [r.status for r in uplink.list_results])
        self.assertEqual(1, v2.Device(self.device_dir).list_version)

  def test_upload_sameVersionHeld_noUpdateSent(self):
    with open(os.path.join(self.owner_dir, "lists", "front-door.list"), "rb") as f:
      current = f.read()
    with LoopbackUplink(self.fleet, self.store_dir, recipient_lists={"front-door": current}) as uplink:
      code, out = self.upload(uplink, 40)
    self.assertEqual(0, code, out)
    self.assertEqual([], uplink.list_results)

  def test_upload_unpairedDevice_refusedNamingPairing(self):
    os.remove(os.path.join(self.device_dir, "signing.key"))
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      code, out = self.upload(uplink, 50)
    self.assertEqual(2, code)
    self.assertIn("signing.key missing; pair it with `doorbell pair", out)

  def test_share_cliIssueThenOpen_onlyThatClip(self):
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      self.assertEqual(0, self.upload(uplink, 60, clips=2)[0])
    police_dir = os.path.join(self.root, "police")
    self.assertEqual(0, self.cli("viewer-new", "--out", police_dir, "--name", "police")[0])
    share = os.path.join(self.root, "clip.share")
    code, out = self.cli("share", "--owner", self.owner_dir, "--store", self.store_dir, "--clip",
                         "front-door/%x" % 61, "--to", os.path.join(police_dir, "viewer.pub"), "--out", share)
    self.assertEqual(0, code, out)
    code, out = self.open("--identity", police_dir, "--share", share)
    self.assertEqual(0, code, out)
    self.assertIn("front-door 000000000000003d OK (4 frames)", out)
    self.assertNotIn("000000000000003c", out)
    code, out = self.open("--identity", police_dir)
    self.assertEqual(2, code, "a viewer directory without owner.pub cannot open without a share")

  def test_open_signedClipsWithKeyringOnly_namesWhatIsNeeded(self):
    with LoopbackUplink(self.fleet, self.store_dir) as uplink:
      self.assertEqual(0, self.upload(uplink, 70)[0])
      self.assertEqual(0, self.upload(uplink, 71, "--format", "2")[0])
    code, out = self.open("--keyring", os.path.join(self.fleet, "owner", "keyring"))
    self.assertEqual(1, code)
    self.assertIn("NO KEY: clip 0000000000000046 of front-door is format v3: open it with --identity", out)
    self.assertIn("NO KEY: clip 0000000000000047 of front-door is format v2: open it with --identity", out)
    self.assertEqual([2, 2], [v2.header_version(c.header) for c in store.read_store(self.store_dir)])

  def test_viewerNew_filesReadBackAndPrivate(self):
    directory = os.path.join(self.root, "new-viewer")
    code, out = self.cli("viewer-new", "--out", directory, "--name", "kitchen")
    self.assertEqual(0, code, out)
    recipient = v2.read_viewer_key(os.path.join(directory, "viewer.key"))
    self.assertEqual(("kitchen", 0x20, recipient.public),
                     v2.read_viewer_public(os.path.join(directory, "viewer.pub")))
    self.assertEqual(0o600, os.stat(os.path.join(directory, "viewer.key")).st_mode & 0o777)
    self.assertIn(recipient.key_id.hex(), out)
    self.assertEqual(2, self.cli("viewer-new", "--out", directory, "--name", "kitchen")[0])


if __name__ == "__main__":
  unittest.main()
