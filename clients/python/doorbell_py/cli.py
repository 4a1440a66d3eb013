"""doorbell-py: vectors | hpke-vectors | upload | open | viewer-new | share. Exit status 0 is success; 1 a failed
check, a clip not OK or a break in a device's chain of clips; 2 a usage or input error; 3 (open) nothing failed but
some clips are UNSUPPORTED (an x-wing key this client cannot use)."""
import argparse
import os
import sys
import time

from . import (chain, devicelock, fmt, hpke, hpke_vectors, jpeg, keyfiles, link, resilient, retention, store, v2,
               v3, vectors, video)
from .protos import clip_pb2, link_pb2

_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VECTORS = os.path.join(_HERE, "..", "..", "..", "testdata", "vectors")


def cmd_vectors(args):
  passed, failures = vectors.check_dir(args.dir)
  for failure in failures:
    print("FAIL " + failure)
  print("%d passed, %d failed" % (passed, len(failures)))
  return 0 if passed and not failures else 1


def _frames(args):
  if args.frames_dir:
    names = sorted(n for n in os.listdir(args.frames_dir) if n.lower().endswith((".jpg", ".jpeg")))
    if not names:
      raise SystemExit("upload: no .jpg files in %s" % args.frames_dir)
    for name in names:
      with open(os.path.join(args.frames_dir, name), "rb") as f:
        yield f.read()
  else:
    for i in range(args.synthetic):
      yield jpeg.porch_frame(i)


def _is_v2_device(device_dir):
  """A device directory with any file of pairing is a v2 device (and must have them all); one with only a v1
  epoch.key is a v1 device; one with neither is unpaired."""
  if any(os.path.exists(os.path.join(device_dir, n)) for n in v2.DEVICE_FILES):
    return True
  if os.path.exists(os.path.join(device_dir, "epoch.key")):
    return False
  raise v2.DeviceNotPaired("%s is not paired: %s missing; pair it with `doorbell pair --owner OWNER --device %s`" % (
      device_dir, ", ".join(v2.DEVICE_FILES), device_dir))


def _is_v1_only(device_dir):
  try:
    return not _is_v2_device(device_dir)
  except v2.DeviceNotPaired:
    return False  # cmd_upload says what is missing


def cmd_upload(args):
  # Before any of the device's state is read: one device directory, one device (devicelock.py).
  with devicelock.acquire(args.device_dir):
    return _upload(args)


def _upload(args):
  host, _, port = args.uplink.rpartition(":")
  plaintexts = list(_frames(args))
  fps = args.fps
  params = dict(width=160, height=120, fps=fps)
  on_persisted = None
  if _is_v2_device(args.device_dir):
    device = v2.Device(args.device_dir)
    device_id, version, on_list = device.device_id, device.list_version, device.accept_list
    if args.format == 2:
      first_clip = args.clip_id if args.clip_id is not None else int(time.time() * 1000)

      def new_sealer(n):
        return device.sealer(first_clip + n, start_time_unix_ms=int(time.time() * 1000), **params), \
            "format v2, recipient list version %d" % device.list_version
    else:
      ring = dict(trigger=clip_pb2.TRIGGER_RING) if args.ring else {}

      def new_sealer(n):
        start = int(time.time() * 1000)
        sealer = device.start_clip_v3(
            clip_id=None if args.clip_id is None else args.clip_id + n, start_time_unix_ms=start,
            pad_to=args.pad, ring_unix_ms=[start] if args.ring else [], **ring, **params)
        return sealer, "format v3, chain position %d, pad %d, recipient list version %d" % (
            sealer.chain_link.position, args.pad, device.list_version)

      def on_persisted(clip_id, frames, final):
        device.chain.acknowledged(clip_id, frames, final)
  else:
    key = keyfiles.read_epoch_key(os.path.join(args.device_dir, "epoch.key"))
    device_id, version, on_list = key.device_id, 0, None
    first_clip = args.clip_id if args.clip_id is not None else int(time.time() * 1000)

    def new_sealer(n):
      return fmt.ClipSealer(key.key, key.epoch, key.device_id, first_clip + n,
                            start_time_unix_ms=int(time.time() * 1000), **params), "format v1, epoch %d" % key.epoch
  def ring_facts(i):
    # v3 seals each frame's motion score and ring flag (the synthetic camera measures no motion); v1 and v2 have
    # neither.
    return (0, args.ring and i == 0) if on_persisted else ()

  context = link.tls_context(args.device_dir)

  def sealed_clips():
    for n in range(args.clips):
      # Each clip is sealed just before it is first sent, with the list the device holds then (a list accepted while
      # an earlier clip was uploading is used from the next clip on); a resend after a reconnect sends these very
      # bytes, never a new sealing.
      sealer, what = new_sealer(n)
      clip_id = sealer.clip_id
      frames = [sealer.seal(p, i * 1_000_000 // fps, i == len(plaintexts) - 1, *ring_facts(i))
                for i, p in enumerate(plaintexts)]
      acked = on_persisted and (lambda frames_acked, final, clip_id=clip_id: on_persisted(clip_id, frames_acked, final))
      yield clip_id, sealer.header_bytes, frames, acked, what

  if not args.await_list_update:
    return _upload_resilient(args, host, int(port), device_id, context, version, on_list, sealed_clips())
  with link.UplinkClient(host, int(port), device_id, context, args.server_name, args.timeout, version,
                         on_list) as client:
    client.connect()
    result = client.await_list_update()
    print("recipient list version %d: %s%s" % (
        result.version, link_pb2.RecipientListResult.Status.Name(result.status),
        " (%s)" % result.detail if result.detail else ""))
    client.list_results.clear()
    for clip_id, header, frames, acked, what in sealed_clips():
      ack = client.upload_clip(clip_id, header, frames, acked)
      _print_clip(clip_id, device_id, what, frames, ack)
      _print_list_results(client)
  return 0


def _print_clip(clip_id, device_id, what, frames, ack):
  print("clip %016x (%d) of %s, %s: %d frames, %d sealed bytes" % (
      clip_id, clip_id, device_id, what, len(frames), sum(len(f[3]) for f in frames)))
  if ack is None:
    print("ack PERSISTED clip %016x: the uplink had it all before the reconnect" % clip_id)
  else:
    print("ack PERSISTED clip %016x frames %d closed %s" % (ack.clip_id, ack.frames, str(ack.closed).lower()))
  sys.stdout.flush()


def _print_list_results(client):
  for result in client.list_results:
    print("recipient list version %d: %s%s" % (
        result.version, link_pb2.RecipientListResult.Status.Name(result.status),
        " (%s)" % result.detail if result.detail else ""))
  client.list_results.clear()


def _upload_resilient(args, host, port, device_id, context, version, on_list, sealed_clips):
  """Every clip through drops, retriable errors and restarts (resilient.py); exit 1 when the uplink says stop."""
  clients = []
  described = {}

  def new_client(timeout_s):
    client = link.UplinkClient(host, port, device_id, context, args.server_name, timeout_s, version, on_list)
    clients.append(client)
    return client

  def clips():
    for clip_id, header, frames, acked, what in sealed_clips:
      described[clip_id] = (what, frames)
      yield clip_id, header, frames, acked

  def on_clip(clip_id, ack):
    what, frames = described[clip_id]
    _print_clip(clip_id, device_id, what, frames, ack)
    _print_list_results(clients[-1])

  uploader = resilient.Uploader(new_client, device_id, args.timeout,
                                resilient.Backoff(args.backoff_initial, args.backoff_max), on_clip,
                                log=lambda line: print(line, file=sys.stderr, flush=True))
  try:
    uploader.upload(clips())
  except resilient.Stopped as e:
    print("upload: %s" % e, file=sys.stderr)
    return 1
  return 0


def open_stored(clip, key_for_epoch):
  if clip.header_problem:
    return fmt.Verdict("TAMPERED", None, clip.header_problem, [])
  return fmt.open_clip(clip.header, clip.frames, clip.device_id, clip.clip_id, key_for_epoch,
                       header_hole=clip.header_hole, frame_holes=clip.frame_holes)


class Opener:
  """Opens each stored clip with what the user gave: a v1 keyring, a v2 identity (owner or viewer directory), or a
  share with the third party's identity. A clip of the other format raises fmt.NoKeyError naming what it needs."""

  def __init__(self, keyring=None, identity=None, share=None):
    self.keyring, self.identity, self.share = keyring, identity, share

  def open(self, clip, keep_key=None):
    if clip.header_problem or clip.header is None:
      return open_stored(clip, self._v1_key(clip))
    version = v2.header_version(clip.header)
    if version == 2:
      if self.identity is None:
        raise fmt.NoKeyError("clip %016x of %s is format v%s: open it with --identity OWNER_OR_VIEWER_DIR "
                             "(a keyring opens only v1 clips)" % (
                                 clip.clip_id, clip.device_id, v2.signed_format_version(clip.header) or "2 or 3"))
      return v2.open_clip(clip.header, clip.frames, clip.device_id, clip.clip_id, self.identity, self.share,
                          clip.frame_holes, keep_key)
    return open_stored(clip, self._v1_key(clip))

  def _v1_key(self, clip):
    def key_for_epoch(epoch):
      if self.keyring is None:
        raise fmt.NoKeyError("clip %016x of %s is format v1: open it with --keyring OWNER/keyring (an identity "
                             "opens only v2 clips)" % (clip.clip_id, clip.device_id))
      return self.keyring.key_for(clip.device_id, epoch)
    return key_for_epoch


def _key_mismatches(results):
  """Devices none of whose clips' key commitments match the keyring: one line each naming the likely cause."""
  mismatched, matched = {}, set()
  for device_id, verdict in results:
    if verdict is None:
      continue
    if verdict.keyword == "key commitment mismatch":
      mismatched[device_id] = mismatched.get(device_id, 0) + 1
    elif verdict.status in ("OK", "TRUNCATED") or verdict.failed_seq is not None:
      matched.add(device_id)
  return ["device %s: the keyring's root key matches none of its %d clip%s (a wrong keyring, such as another "
          "fleet's, or every header forged)" % (d, n, "" if n == 1 else "s")
          for d, n in sorted(mismatched.items()) if d not in matched]


def _clip_info(clip, verdict):
  """What the video's chapters need: the ClipInfo a v2/v3 opener gave, or one from a v1 header's public fields."""
  if verdict.info is not None:
    return verdict.info
  if v2.header_version(clip.header or b"") != 1:
    return None
  h = clip_pb2.ClipHeader.FromString(bytes(clip.header))
  return clip_pb2.ClipInfo(trigger=h.trigger, codec=h.codec, width=h.width, height=h.height, fps=h.fps,
                           start_time_unix_ms=h.start_time_unix_ms, pre_roll_ms=h.pre_roll_ms)


def cmd_open(args):
  if not (args.keyring or args.identity):
    raise ValueError("give --keyring (v1 clips), --identity (v2 clips) or both; --share needs --identity")
  if args.share and not args.identity:
    raise ValueError("--share needs --identity, the third party's viewer directory")
  share = None
  if args.share:
    share = v2.read_share(args.share)
  opener = Opener(keyfiles.Keyring(args.keyring) if args.keyring else None,
                  v2.load_identity(args.identity, for_share=share is not None) if args.identity else None, share)
  snapshots = [store.read(directory) for directory in args.store]
  for snapshot in snapshots:
    print(snapshot.headline())
    for finding in snapshot.findings:
      print("  " + finding.line())
  all_clips, warnings = store.merge(snapshots)
  for message in warnings:
    print("warning: " + message, file=sys.stderr)
  sys.stdout.flush()
  clips = all_clips
  if args.device:
    clips = [c for c in clips if c.device_id == args.device]
  if args.clip:
    clips = [c for c in clips if c.clip_id == int(args.clip, 16)]
  if share is not None:
    # A share opens one clip: the others are not the third party's business, and are not listed.
    clips = [c for c in clips if (c.device_id, c.clip_id) == (share.device_id, share.clip_id)]
  all_ok = not any(s.findings for s in snapshots)
  results, opened = [], []
  for clip in clips:
    directory = os.path.join(args.out, clip.device_id, "%016x" % clip.clip_id)
    os.makedirs(directory, exist_ok=True)
    video_lines = []
    try:
      verdict = opener.open(clip)
    except fmt.NoKeyError as e:
      line = "NO KEY: %s" % e
      verdict = None
    else:
      line = str(verdict)
      for seq, _kept, image in verdict.frames:
        with open(os.path.join(directory, "%06d.jpg" % seq), "wb") as f:
          f.write(image)
      if args.video:
        video_lines = video.write_clip_video(directory, verdict, _clip_info(clip, verdict),
                                             "%s  clip %016x" % (clip.device_id, clip.clip_id))
      # Written out: only the count is needed from here on, not the images.
      verdict.frames = [(seq, kept, None) for seq, kept, _ in verdict.frames]
    opened.append([clip, verdict, line, directory, video_lines])
    if v2.header_version(clip.header or b"") != 2:
      results.append((clip.device_id, verdict))  # the keyring hint below is about v1 root keys only
  report = None
  if share is None and not args.clip:
    # The chain needs every clip of a device: not for one clip (--clip) or a share.
    chained = [(c.device_id, c.clip_id, v) for c, v, _, _, _ in opened]
    report = chain.check(chained, args.from_position)
    if args.identity and report.findings:
      # Gaps retention explains (FORMAT.md §6 and §17.4 rule 9): DELETED on the owner's signed request, EXPIRED by
      # the uplink's policy; the rest stay MISSING. Requests are checked under the owner's key the identity holds.
      retention.explain(report, chained, [retention.Ledger.read(d) for d in args.store],
                        retention.requests(args.store, opener.identity.owner_public), args.from_position or 1)
    for entry in opened:
      missing = report.overrides.get((entry[0].device_id, entry[0].clip_id))
      if missing is not None:
        entry[1], entry[2] = missing, str(missing)
  counts = {}
  for clip, verdict, line, directory, video_lines in opened:
    with open(os.path.join(directory, "verdict.txt"), "w") as f:
      f.write("".join(l + "\n" for l in [line] + video_lines))
      # What the uplink saw without any key, after the verdict: informative, it never changes the exit status.
      f.write("".join("UPLINK FLAG %s\n" % flag for flag in clip.uplink_flags))
    word = "NO KEY" if verdict is None else verdict.status
    counts[word] = counts.get(word, 0) + 1
    all_ok &= word in ("OK", "UNSUPPORTED")
    print("%s %016x %s" % (clip.device_id, clip.clip_id, line))
    for flag in clip.uplink_flags:
      print("%-20s %016x  UPLINK FLAG %s" % (clip.device_id, clip.clip_id, flag))
  chain_counts = {}
  if report is not None:
    for finding in report.findings:
      print(finding.line())
      chain_counts[finding.keyword] = chain_counts.get(finding.keyword, 0) + 1
    all_ok &= not report.failed
  if share is not None and not clips:
    print("the clip of the share, %s %016x, is not in %s" % (share.device_id, share.clip_id, _stores(args)))
    all_ok = False
  for line in _key_mismatches(results):
    print(line)
  if not clips and share is None:
    if args.device or args.clip:
      devices = sorted({c.device_id for c in all_clips})
      print("no clip matched%s%s in %s (%d clips%s)" % (
          " --device " + args.device if args.device else "", " --clip " + args.clip if args.clip else "",
          _stores(args), len(all_clips), " of " + ", ".join(devices) if devices else ""))
      all_ok = False
    else:
      print("no clips in %s" % _stores(args))
  for snapshot in snapshots:
    if snapshot.findings:
      kinds = {}
      for finding in snapshot.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
      print("store %s is not whole: %s (listed above)" % (
          snapshot.dir, ", ".join(k if n == 1 else "%s (%d)" % (k, n) for k, n in kinds.items())))
  if args.video:
    print("videos: %d of %d clips" % (sum(1 for e in opened if any(l.startswith("video:") for l in e[4])),
                                       len(opened)))
  if opened:
    print("summary: %s%s" % (_counts(counts, VERDICT_ORDER), "; chain: " + _counts(chain_counts, CHAIN_ORDER)
                             if chain_counts else ""))
  if not all_ok:
    return 1
  # Every clip this client could open is OK and nothing failed, but some it could not open at all: not 0, which
  # says every clip was verified, and not 1, which says something is wrong with the store.
  return EXIT_UNSUPPORTED if counts.get("UNSUPPORTED") else 0


EXIT_UNSUPPORTED = 3
VERDICT_ORDER = ("OK", "TRUNCATED", "MISSING", "DAMAGED", "TAMPERED", "NO KEY", "UNSUPPORTED")
CHAIN_ORDER = ("MISSING", "CHAIN BROKEN", "KEY REUSED", "UNSENT", "CLOCK BACKWARDS", "DELETED", "EXPIRED", "HEAD")


def _stores(args):
  return args.store[0] if len(args.store) == 1 else ", ".join(args.store)


def _counts(counts, order):
  return ", ".join("%s %d" % (word, counts[word]) for word in order if word in counts)


def cmd_hpke_vectors(args):
  lines, failures = hpke_vectors.check_all(args.file)
  print("RFC 9180 vectors: %s" % (args.file or hpke_vectors.find_file()))
  for line in lines:
    print("  " + line)
  for failure in failures:
    print("FAIL " + failure)
  print("%d entries, %d failed" % (len(lines), len(failures)))
  return 0 if lines and not failures else 1


def cmd_viewer_new(args):
  """A viewer's key pair made where the viewer lives: viewer.key (0600) and viewer.pub, as `doorbell owner viewer
  new` writes them; the owner adds viewer.pub with `doorbell owner viewer add`."""
  if not v2._valid_name(args.name):
    raise ValueError("viewer name %r: 1 to 63 of a-z, 0-9, '-', not starting or ending with '-'" % args.name)
  if os.path.isdir(args.out) and os.listdir(args.out):
    raise ValueError("%s exists and is not empty: a viewer directory is never overwritten" % args.out)
  os.makedirs(args.out, mode=0o700, exist_ok=True)
  key_pair = hpke.generate_key_pair()
  keyfiles.write_atomically(os.path.join(args.out, "viewer.key"), v2.format_viewer_key(args.name, key_pair.private))
  pub = os.path.join(args.out, "viewer.pub")
  keyfiles.write_atomically(pub, v2.format_viewer_public(args.name, key_pair.public))
  os.chmod(pub, 0o644)
  print("viewer %s: key id %s; give %s to the owner" % (args.name, v2.key_id(key_pair.public).hex(), pub))
  return 0


def cmd_share(args):
  """The owner's share of one clip: opens the clip with the owner's directory (every check of opening), then wraps
  its clip key to the third party's viewer.pub and signs the share."""
  device_id, _, clip_hex = args.clip.partition("/")
  if not clip_hex:
    raise ValueError("--clip %s: expected DEVICE/CLIPID (clip id in hex)" % args.clip)
  clip_id = int(clip_hex, 16)
  owner_secret = v2.read_owner_secret(os.path.join(args.owner, "owner.secret"))
  identity = v2.load_owner(args.owner)
  to_name, to_kem, to_public = v2.read_viewer_public(args.to)
  if to_kem != v2.KEM_X25519:
    raise ValueError("%s: %s is an x-wing (kem 0x%04x) viewer; this client cannot wrap to x-wing (no ML-KEM): share "
                     "with the Java `doorbell owner share`" % (args.to, to_name, to_kem))
  matching = [c for c in store.read(args.store).clips if (c.device_id, c.clip_id) == (device_id, clip_id)]
  if not matching:
    raise ValueError("no clip %s %016x in %s" % (device_id, clip_id, args.store))
  clip = matching[0]
  keys = []
  verdict = Opener(identity=identity).open(clip, keep_key=keys.append)
  if not keys or verdict.status != "OK":
    print("%s %016x %s" % (device_id, clip_id, verdict))
    print("share: not written: the clip does not open OK for the owner")
    return 1
  data = v2.issue_share(v2.owner_signing_key(owner_secret), keys[0], device_id, clip_id, clip.header, to_public,
                        int(time.time() * 1000))
  keyfiles.write_atomically(args.out, v2.format_share(device_id, clip_id, data))
  print("share of %s %016x for key id %s: %s" % (device_id, clip_id, v2.key_id(to_public).hex(), args.out))
  return 0


def main(argv=None):
  parser = argparse.ArgumentParser(prog="doorbell-py", description=__doc__)
  sub = parser.add_subparsers(dest="command", required=True)
  p = sub.add_parser("vectors", help="check every test of testdata/vectors/*.json")
  p.add_argument("--dir", default=os.path.normpath(DEFAULT_VECTORS))
  p.set_defaults(run=cmd_vectors)
  p = sub.add_parser("hpke-vectors", help="check HPKE against the RFC 9180 vectors of the suite")
  p.add_argument("--file", help="default: testdata/**/%s, else ../shared/vectors/" % hpke_vectors.FILE_NAME)
  p.set_defaults(run=cmd_hpke_vectors)
  p = sub.add_parser("upload", help="seal clips and upload them; prints each clip id and its PERSISTED ack")
  p.add_argument("--device-dir", required=True,
                 help="devices/<id> paired by `doorbell pair` (v2), or with a v1 epoch.key")
  p.add_argument("--uplink", required=True, help="HOST:PORT")
  source = p.add_mutually_exclusive_group(required=True)
  source.add_argument("--frames-dir", help="a directory of .jpg files, one frame each, in name order")
  source.add_argument("--synthetic", type=int, help="N synthetic porch frames")
  p.add_argument("--clip-id", type=int, help="the first clip's id, the next ones counting up (default: format v3 a "
                 "random 63-bit id per clip; v1 and v2 the current Unix time in milliseconds)")
  p.add_argument("--format", type=int, choices=(2, 3), default=3,
                 help="the format a paired device seals (default 3; 2 for an uplink or opener of before issue 12)")
  p.add_argument("--pad", type=int, default=0, metavar="BYTES",
                 help="format v3: every sealed frame's length is the smallest multiple of BYTES that fits (0 = off, "
                 "the default; else 64..1048576, a multiple of 16; 4096 is the recommended bucket)")
  p.add_argument("--ring", action="store_true",
                 help="format v3: the clips are ring clips (trigger ring, the press at the clip's start)")
  p.add_argument("--clips", type=int, default=1, help="clips to upload in this session, ids counting up (1..100)")
  p.add_argument("--await-list-update", action="store_true",
                 help="before the first clip, wait for the uplink to relay a recipient list and answer it (format v2; "
                 "fails after --timeout if none comes)")
  p.add_argument("--fps", type=int, default=15)
  p.add_argument("--server-name", help="name to check in the uplink's certificate (default: HOST)")
  p.add_argument("--timeout", type=float, default=30.0,
                 help="seconds for the whole upload, reconnects included")
  p.add_argument("--backoff-initial", type=float, default=0.1,
                 help="seconds: the first reconnect waits up to this (full jitter), each next one up to twice as long")
  p.add_argument("--backoff-max", type=float, default=10.0, help="seconds: the longest reconnect backoff")
  p.set_defaults(run=cmd_upload)
  p = sub.add_parser("open", help="verify and open stored clips, then check each device's chain of v3 clips; exit 1 if "
                     "any clip is not OK or a chain is broken, 3 if nothing failed but some clips are UNSUPPORTED")
  p.add_argument("--store", required=True, action="append",
                 help="the uplink's store directory; repeat it for uplinks that share a port: their clips are merged "
                 "(a clip two uplinks stored is one clip), and the owner's requests and ledgers of all give DELETED "
                 "and EXPIRED")
  p.add_argument("--keyring", help="directory of <device>.root files (v1 clips)")
  p.add_argument("--identity", help="an owner's directory or a viewer's (v2 clips)")
  p.add_argument("--share", help="a share file from `doorbell owner share`: opens that one clip for --identity")
  p.add_argument("--device")
  p.add_argument("--clip", help="clip id in hex (the chain of the device's clips is then not checked)")
  p.add_argument("--from-position", type=int, metavar="P",
                 help="format v3: the store is meant to start at chain position P (older clips removed by retention): "
                 "clips before P are not reported MISSING")
  p.add_argument("--out", required=True)
  p.add_argument("--video", action="store_true",
                 help="also write each clip's verified frames as video.mkv (video-VERDICT.mkv when not OK): the JPEGs "
                 "unchanged in Matroska, each at its pts, with chapters at the pre-roll, each press and the trigger")
  p.set_defaults(run=cmd_open)
  p = sub.add_parser("viewer-new", help="make a viewer's key pair: viewer.key and viewer.pub")
  p.add_argument("--out", required=True)
  p.add_argument("--name", required=True)
  p.set_defaults(run=cmd_viewer_new)
  p = sub.add_parser("share", help="the owner shares one clip with a third party's viewer.pub")
  p.add_argument("--owner", required=True)
  p.add_argument("--store", required=True)
  p.add_argument("--clip", required=True, help="DEVICE/CLIPID, the clip id in hex")
  p.add_argument("--to", required=True, help="the third party's viewer.pub")
  p.add_argument("--out", required=True)
  p.set_defaults(run=cmd_share)
  args = parser.parse_args(argv)
  if args.command == "upload" and args.synthetic is not None and not 1 <= args.synthetic <= 10000:
    parser.error("--synthetic must be 1..10000")
  if args.command == "open" and args.from_position is not None and args.from_position < 1:
    parser.error("--from-position must be 1 or more")
  if args.command == "upload":
    try:
      v3.check_pad(args.pad)
    except ValueError as e:
      parser.error("--%s" % e)
    if (args.pad or args.ring) and args.format != 3:
      parser.error("--pad and --ring are format v3 options")
  if args.command == "upload" and not 1 <= args.clips <= 100:
    parser.error("--clips must be 1..100")
  if args.command == "upload" and args.await_list_update and _is_v1_only(args.device_dir):
    parser.error("--await-list-update needs a paired (format v2) device directory")
  try:
    return args.run(args)
  except (keyfiles.KeyFileError, store.StoreError, link.LinkError, v2.DeviceNotPaired, fmt.NoKeyError, OSError,
          ValueError, devicelock.DeviceDirectoryInUse) as e:
    print("%s: %s" % (args.command, e), file=sys.stderr)
    return 2


if __name__ == "__main__":
  sys.exit(main())
