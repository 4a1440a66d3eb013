"""`open --video`: a clip's verified JPEG frames, unchanged, as a Matroska file (codec V_MJPEG) any player plays, each
frame at its own pts (to the millisecond), with chapters where the Java contact sheet marks: "pre-roll" from the first
frame when it is a pre-roll frame, "ring" at each press (a sealed ring_pressed, or a ClipInfo ring time falling in the
frame; a v1/v2 ring clip's trigger frame), "trigger: pre-roll ends" at the first frame whose pts reaches pre_roll_ms.
Written by hand from RFC 8794 and the Matroska element table, as the Java writer is (MjpegMatroskaWriter): no
Debian Python package writes Matroska without ffmpeg. Every size is known before writing, so the file is written in
one pass; positions are 8-byte integers so that filling them in changes no size."""
import os
import struct

from .protos import clip_pb2

EBML, SEGMENT, SEEK_HEAD, SEEK, SEEK_ID, SEEK_POSITION = 0x1A45DFA3, 0x18538067, 0x114D9B74, 0x4DBB, 0x53AB, 0x53AC
INFO, TRACKS, CHAPTERS, CLUSTER, CUES = 0x1549A966, 0x1654AE6B, 0x1043A770, 0x1F43B675, 0x1C53BB6B
CLUSTER_MS = 1000
MAX_MARKED = 8


def _id(element_id):
  length = 1 if element_id <= 0xFF else 2 if element_id <= 0xFFFF else 3 if element_id <= 0xFFFFFF else 4
  return element_id.to_bytes(length, "big")


def _size(size):
  length = 1
  while size >= (1 << (7 * length)) - 1:  # all ones means "unknown size"
    length += 1
  return (size | (1 << (7 * length))).to_bytes(length, "big")


def _el(element_id, data):
  return _id(element_id) + _size(len(data)) + data


def _uint(element_id, value):
  return _el(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _str(element_id, value):
  return _el(element_id, value.encode("utf-8"))


def write_mkv(path, title, width, height, frame_ns, frames, chapters):
  """frames: [(ms, jpeg)] in time order; chapters: [(start_ms, end_ms, title)]."""
  last_ms = frames[-1][0]
  info = _el(INFO, _uint(0x2AD7B1, 1_000_000) + _el(0x4489, struct.pack(">d", last_ms + frame_ns / 1e6))
             + _str(0x7BA9, title) + _str(0x4D80, "doorbell-py") + _str(0x5741, "doorbell-py open --video"))
  video = _el(0xE0, _uint(0xB0, width) + _uint(0xBA, height))
  tracks = _el(TRACKS, _el(0xAE, _uint(0xD7, 1) + _uint(0x73C5, 1) + _uint(0x83, 1) + _uint(0x9C, 0)
                               + _str(0x22B59C, "und") + _str(0x86, "V_MJPEG") + _uint(0x23E383, frame_ns) + video))
  atoms = b"".join(_el(0xB6, _uint(0x73C4, i + 1) + _uint(0x91, start * 1_000_000) + _uint(0x92, end * 1_000_000)
                       + _el(0x80, _str(0x85, name) + _str(0x437C, "eng")))
                   for i, (start, end, name) in enumerate(chapters))
  chapters_el = _el(CHAPTERS, _el(0x45B9, _uint(0x45BC, 1) + atoms)) if chapters else b""
  clusters, cluster, start = [], None, 0
  for ms, jpeg in frames:
    if cluster is None or ms - start >= CLUSTER_MS:
      start, cluster = ms, [_uint(0xE7, ms)]
      clusters.append((ms, cluster))
    cluster.append(_el(0xA3, b"\x81" + struct.pack(">hB", ms - start, 0x80) + jpeg))
  cluster_bytes = [(ms, _el(CLUSTER, b"".join(parts))) for ms, parts in clusters]

  def cues(positions):
    return _el(CUES, b"".join(_el(0xBB, _uint(0xB3, ms) + _el(0xB7, _uint(0xF7, 1) + _el(0xF1, struct.pack(">Q", at))))
                              for (ms, _), at in zip(cluster_bytes, positions)))

  def seek_head(targets):
    return _el(SEEK_HEAD, b"".join(_el(SEEK, _el(SEEK_ID, _id(i)) + _el(SEEK_POSITION, struct.pack(">Q", at)))
                                   for i, at in targets))

  indexed = [INFO, TRACKS] + ([CHAPTERS] if chapters else []) + [CUES]
  head_size = len(seek_head([(i, 0) for i in indexed]))
  at = head_size + len(info) + len(tracks) + len(chapters_el)
  positions = []
  for _, c in cluster_bytes:
    positions.append(at)
    at += len(c)
  where = {INFO: head_size, TRACKS: head_size + len(info), CHAPTERS: head_size + len(info) + len(tracks), CUES: at}
  body = (seek_head([(i, where[i]) for i in indexed]) + info + tracks + chapters_el
          + b"".join(c for _, c in cluster_bytes) + cues(positions))
  header = _el(EBML, _uint(0x4286, 1) + _uint(0x42F7, 1) + _uint(0x42F2, 4) + _uint(0x42F3, 8)
               + _str(0x4282, "matroska") + _uint(0x4287, 2) + _uint(0x4285, 2))
  partial = path + ".part"
  with open(partial, "wb") as f:
    f.write(header + _el(SEGMENT, body))
  os.replace(partial, path)


def jpeg_size(jpeg):
  """(width, height) from a JPEG's start-of-frame segment, or None when it is not a JPEG."""
  if len(jpeg) < 4 or jpeg[:2] != b"\xff\xd8":
    return None
  i = 2
  while i + 3 < len(jpeg):
    if jpeg[i] != 0xFF:
      return None
    marker = jpeg[i + 1]
    if marker == 0xFF:
      i += 1
      continue
    if marker in (0xD9, 0xDA):
      return None
    if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and i + 8 < len(jpeg):
      height, width = struct.unpack(">HH", jpeg[i + 5:i + 9])
      return (width, height) if width and height else None
    i += 2 + struct.unpack(">H", jpeg[i + 2:i + 4])[0]
  return None


def _facts(frames):
  """(seq, pts_us, ring_pressed, image) per verified frame: v3 frames carry a FrameInfo, v1/v2 their FrameMeta bytes."""
  out = []
  for seq, meta, image in frames:
    if isinstance(meta, clip_pb2.FrameInfo):
      out.append((seq, meta.pts_us, meta.ring_pressed, image))
    else:
      out.append((seq, clip_pb2.FrameMeta.FromString(bytes(meta)).pts_us, False, image))
  return out


def marks(facts, info):
  """(press indices, trigger index or -1), the Java ClipMarks rule."""
  trigger = -1
  if info is not None:
    trigger = next((i for i, f in enumerate(facts) if f[1] >= info.pre_roll_ms * 1000), -1)
  press = []
  for i, (_, pts, ring, _) in enumerate(facts):
    if len(press) >= MAX_MARKED:
      break
    before = facts[i - 1][1] if i else None
    rung = info is not None and any(
        (before is None or (ms - info.start_time_unix_ms) * 1000 > before) and (ms - info.start_time_unix_ms) * 1000
        <= pts for ms in info.ring_unix_ms)
    if ring or rung:
      press.append(i)
  if not press and trigger >= 0 and info.trigger == clip_pb2.TRIGGER_RING:
    press.append(trigger)
  return press, trigger


def write_clip_video(directory, verdict, info, title):
  """Writes video.mkv (video-VERDICT.mkv when the clip is not OK) of the verified frames; returns the lines for
  verdict.txt. info is the ClipInfo (v3) or one built from a v1/v2 header's public fields, or None."""
  for name in os.listdir(directory):
    if name.startswith("video") and name.endswith(".mkv"):
      os.remove(os.path.join(directory, name))
  if not verdict.frames:
    return ["no video: no frame verified"]
  facts = _facts(verdict.frames)
  size = jpeg_size(facts[0][3])
  if size is None:
    return ["no video: frame %d is not a JPEG image (no start-of-frame marker)" % facts[0][0]]
  ms = [(pts + 500) // 1000 for _, pts, _, _ in facts]
  if any(b < a for a, b in zip(ms, ms[1:])):
    return ["no video: the frames' times go back"]
  if info is not None and info.fps:
    frame_ns = round(1e9 / info.fps)
  else:
    gaps = sorted(b - a for a, b in zip([f[1] for f in facts], [f[1] for f in facts][1:]))
    frame_ns = gaps[len(gaps) // 2] * 1000 if gaps and gaps[len(gaps) // 2] > 0 else 100_000_000
  press, trigger = marks(facts, info)
  starts = sorted(set(press) | ({trigger} if trigger >= 0 else set()) | ({0} if trigger > 0 else set()))
  end = round(ms[-1] + frame_ns / 1e6)
  chapters = []
  for n, i in enumerate(starts):
    parts = (["pre-roll"] if i == 0 and trigger > 0 else []) + (["ring"] if i in press else []) + (
        [("trigger: pre-roll ends" if info is not None and info.pre_roll_ms else "trigger")] if i == trigger else [])
    chapters.append((ms[i], ms[starts[n + 1]] if n + 1 < len(starts) else end,
                     "%s (frame %d)" % (", ".join(parts), facts[i][0])))
  name = "video.mkv" if verdict.status == "OK" else "video-%s.mkv" % verdict.status
  write_mkv(os.path.join(directory, name), "%s - %s" % (title, verdict), size[0], size[1], frame_ns,
            [(t, f[3]) for t, f in zip(ms, facts)], chapters)
  lines = ["video: %s (%d frames, %.2f s, %dx%d MJPEG in Matroska)%s" % (
      name, len(facts), (ms[-1] + frame_ns / 1e6) / 1000, size[0], size[1],
      "" if verdict.status == "OK" else ": only the frames that verified, not the whole clip (%s)" % verdict.status)]
  lines += ["  chapter at %.3f s: %s" % (start / 1000, text) for start, _, text in chapters]
  return lines
