"""doorbell-py: vectors | upload | open. Exit status 0 is success; 1 a failed check or a clip not OK; 2 a usage or
input error."""
import argparse
import os
import sys
import time

from . import fmt, jpeg, keyfiles, link, store, vectors

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


def cmd_upload(args):
  key = keyfiles.read_epoch_key(os.path.join(args.device_dir, "epoch.key"))
  host, _, port = args.uplink.rpartition(":")
  clip_id = args.clip_id if args.clip_id is not None else int(time.time() * 1000)
  plaintexts = list(_frames(args))
  fps = args.fps
  sealer = fmt.ClipSealer(key.key, key.epoch, key.device_id, clip_id, width=160, height=120, fps=fps,
                          start_time_unix_ms=int(time.time() * 1000))
  frames = [sealer.seal(p, i * 1_000_000 // fps, i == len(plaintexts) - 1) for i, p in enumerate(plaintexts)]
  context = link.tls_context(args.device_dir)
  with link.UplinkClient(host, int(port), key.device_id, context, args.server_name, args.timeout) as client:
    client.connect()
    ack = client.upload_clip(clip_id, sealer.header_bytes, frames)
  print("clip %016x (%d) of %s, epoch %d: %d frames, %d sealed bytes" % (
      clip_id, clip_id, key.device_id, key.epoch, len(frames), sum(len(f[3]) for f in frames)))
  print("ack PERSISTED clip %016x frames %d closed %s" % (ack.clip_id, ack.frames, str(ack.closed).lower()))
  return 0


def open_stored(clip, key_for_epoch):
  if clip.header_problem:
    return fmt.Verdict("TAMPERED", None, clip.header_problem, [])
  return fmt.open_clip(clip.header, clip.frames, clip.device_id, clip.clip_id, key_for_epoch,
                       header_hole=clip.header_hole, frame_holes=clip.frame_holes)


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


def cmd_open(args):
  keyring = keyfiles.Keyring(args.keyring)
  snapshot = store.read(args.store)
  print(snapshot.headline())
  for finding in snapshot.findings:
    print("  " + finding.line())
  for message in snapshot.notes + snapshot.warnings:
    print("warning: " + message, file=sys.stderr)
  sys.stdout.flush()
  clips = snapshot.clips
  if args.device:
    clips = [c for c in clips if c.device_id == args.device]
  if args.clip:
    clips = [c for c in clips if c.clip_id == int(args.clip, 16)]
  all_ok = not snapshot.findings
  results = []
  for clip in clips:
    label = "%s %016x" % (clip.device_id, clip.clip_id)
    directory = os.path.join(args.out, clip.device_id, "%016x" % clip.clip_id)
    os.makedirs(directory, exist_ok=True)
    try:
      verdict = open_stored(clip, lambda epoch, d=clip.device_id: keyring.key_for(d, epoch))
    except fmt.NoKeyError as e:
      line = "NO KEY: %s" % e
      verdict = None
    else:
      line = str(verdict)
      for seq, _meta, plaintext in verdict.frames:
        with open(os.path.join(directory, "%06d.jpg" % seq), "wb") as f:
          f.write(plaintext)
    with open(os.path.join(directory, "verdict.txt"), "w") as f:
      f.write(line + "\n")
    all_ok &= verdict is not None and verdict.status == "OK"
    results.append((clip.device_id, verdict))
    print("%s %s" % (label, line))
  for line in _key_mismatches(results):
    print(line)
  if not clips:
    if args.device or args.clip:
      devices = sorted({c.device_id for c in snapshot.clips})
      print("no clip matched%s%s in %s (%d clips%s)" % (
          " --device " + args.device if args.device else "", " --clip " + args.clip if args.clip else "",
          args.store, len(snapshot.clips), " of " + ", ".join(devices) if devices else ""))
      all_ok = False
    else:
      print("no clips in %s" % args.store)
  if snapshot.findings:
    kinds = {}
    for finding in snapshot.findings:
      kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    print("store %s is not whole: %s (listed above)" % (
        args.store, ", ".join(k if n == 1 else "%s (%d)" % (k, n) for k, n in kinds.items())))
  return 0 if all_ok else 1


def main(argv=None):
  parser = argparse.ArgumentParser(prog="doorbell-py", description=__doc__)
  sub = parser.add_subparsers(dest="command", required=True)
  p = sub.add_parser("vectors", help="check every test of testdata/vectors/*.json")
  p.add_argument("--dir", default=os.path.normpath(DEFAULT_VECTORS))
  p.set_defaults(run=cmd_vectors)
  p = sub.add_parser("upload", help="seal one clip and upload it; prints the clip id and the PERSISTED ack")
  p.add_argument("--device-dir", required=True, help="devices/<id> made by `doorbell provision`")
  p.add_argument("--uplink", required=True, help="HOST:PORT")
  source = p.add_mutually_exclusive_group(required=True)
  source.add_argument("--frames-dir", help="a directory of .jpg files, one frame each, in name order")
  source.add_argument("--synthetic", type=int, help="N synthetic porch frames")
  p.add_argument("--clip-id", type=int, help="default: the current Unix time in milliseconds")
  p.add_argument("--fps", type=int, default=15)
  p.add_argument("--server-name", help="name to check in the uplink's certificate (default: HOST)")
  p.add_argument("--timeout", type=float, default=30.0, help="seconds for the whole upload")
  p.set_defaults(run=cmd_upload)
  p = sub.add_parser("open", help="verify and open stored clips; exit 1 if any clip is not OK")
  p.add_argument("--store", required=True)
  p.add_argument("--keyring", required=True, help="directory of <device>.root files")
  p.add_argument("--device")
  p.add_argument("--clip", help="clip id in hex")
  p.add_argument("--out", required=True)
  p.set_defaults(run=cmd_open)
  args = parser.parse_args(argv)
  if args.command == "upload" and args.synthetic is not None and not 1 <= args.synthetic <= 10000:
    parser.error("--synthetic must be 1..10000")
  try:
    return args.run(args)
  except (keyfiles.KeyFileError, store.StoreError, link.LinkError, OSError, ValueError) as e:
    print("%s: %s" % (args.command, e), file=sys.stderr)
    return 2


if __name__ == "__main__":
  sys.exit(main())
