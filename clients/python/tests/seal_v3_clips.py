"""For the Java build's interop test (app: PythonV3InteropTest): seals CLIPS v3 clips of FRAMES frames each with a
paired device directory, through its chain state, and writes what a store would hold, one directory per clip:

    OUT/<clip id, 16 hex>/header            the header bytes (ClipOpen.header)
    OUT/<clip id, 16 hex>/NNNNNN.sealed     frame NNNNNN's sealed bytes (public meta is empty in v3; the last frame is
                                            final)
    OUT/<clip id, 16 hex>/NNNNNN.image      the image sealed in it, for the comparison
    OUT/<clip id, 16 hex>/facts             one line per frame: seq pts_us motion_permille ring(0|1)
    OUT/clips                               the clip ids in chain order, one per line (16 hex)

Usage: seal_v3_clips.py DEVICE_DIR OUT CLIPS FRAMES PAD
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from doorbell_py import v2  # noqa: E402
from doorbell_py.protos import clip_pb2  # noqa: E402


def main(device_dir, out, clips, frames, pad):
  device = v2.Device(device_dir)
  order = []
  for c in range(clips):
    sealer = device.start_clip_v3(width=160, height=120, fps=15, start_time_unix_ms=1_750_000_000_000 + c,
                                  pre_roll_ms=1000, trigger=clip_pb2.TRIGGER_RING, ring_unix_ms=[1_750_000_001_000 + c],
                                  pad_to=pad)
    directory = os.path.join(out, "%016x" % sealer.clip_id)
    os.makedirs(directory)
    with open(os.path.join(directory, "header"), "wb") as f:
      f.write(sealer.header_bytes)
    facts = []
    for i in range(frames):
      image = os.urandom(200 + 300 * i)
      pts, motion, ring = 66_000 * i, (137 * i + c) % 1001, i == 1
      _, _, _, sealed = sealer.seal(image, pts, i == frames - 1, motion, ring)
      for suffix, data in (("sealed", sealed), ("image", image)):
        with open(os.path.join(directory, "%06d.%s" % (i, suffix)), "wb") as f:
          f.write(data)
      facts.append("%d %d %d %d\n" % (i, pts, motion, int(ring)))
    with open(os.path.join(directory, "facts"), "w") as f:
      f.writelines(facts)
    device.chain.acknowledged(sealer.clip_id, frames, True)
    order.append("%016x\n" % sealer.clip_id)
  with open(os.path.join(out, "clips"), "w") as f:
    f.writelines(order)


if __name__ == "__main__":
  if len(sys.argv) != 6:
    sys.exit(__doc__)
  main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
