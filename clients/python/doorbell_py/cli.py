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
  if clip.misplaced_open:
    return fmt.Verdict("TAMPERED", None, "bad header (device %s, clip %d: a second clip_open, or one after frames)"
                       % (clip.device_id, clip.clip_id), [])
  return fmt.open_clip(clip.header, clip.frames, clip.device_id, clip.clip_id, key_for_epoch)


def cmd_open(args):
  keyring = keyfiles.Keyring(args.keyring)
  clips = store.read_store(args.store, warn=lambda m: print("warning: " + m, file=sys.stderr))
  if args.device:
    clips = [c for c in clips if c.device_id == args.device]
  if args.clip:
    clips = [c for c in clips if c.clip_id == int(args.clip, 16)]
  if not clips:
    print("no clips match", file=sys.stderr)
    return 1
  all_ok = True
  for clip in clips:
    label = "%s %016x" % (clip.device_id, clip.clip_id)
    try:
      verdict = open_stored(clip, lambda epoch, d=clip.device_id: keyring.key_for(d, epoch))
    except fmt.NoKeyError as e:
      print("%s NO KEY: %s" % (label, e))
      all_ok = False
      continue
    all_ok &= verdict.status == "OK"
    directory = os.path.join(args.out, clip.device_id, "%016x" % clip.clip_id)
    os.makedirs(directory, exist_ok=True)
    for seq, _meta, plaintext in verdict.frames:
      with open(os.path.join(directory, "%06d.jpg" % seq), "wb") as f:
        f.write(plaintext)
    print("%s %s" % (label, verdict))
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
