"""`doorbell-py open --video`: the Matroska file's EBML sizes, the chapter marks (the Java ClipMarks rule), and the
videos played by the real ffprobe and ffmpeg (Debian's ffmpeg; skipped, saying so, only where they are absent)."""
import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import unittest

import support
from doorbell_py import cli, jpeg, keyfiles, video
from doorbell_py.protos import clip_pb2

DEVICE = "front-door"
FFPROBE = shutil.which("ffprobe") or ("/usr/bin/ffprobe" if os.path.exists("/usr/bin/ffprobe") else None)
FFMPEG = shutil.which("ffmpeg") or ("/usr/bin/ffmpeg" if os.path.exists("/usr/bin/ffmpeg") else None)


def _elements(data, start, end):
  """(id, data start, size) of each element from start to end, which they must fill exactly."""
  out, at = [], start
  while at < end:
    id_length = 9 - data[at].bit_length()
    element_id = int.from_bytes(data[at:at + id_length], "big")
    at += id_length
    size_length = 9 - data[at].bit_length()
    size = int.from_bytes(data[at:at + size_length], "big") & ((1 << (7 * size_length)) - 1)
    at += size_length
    out.append((element_id, at, size))
    at += size
  assert at == end, "elements overrun their parent: %d != %d" % (at, end)
  return out


class VideoTest(unittest.TestCase):
  def setUp(self):
    self._tmp = tempfile.TemporaryDirectory()
    self.dir = self._tmp.name

  def tearDown(self):
    self._tmp.cleanup()

  def test_writeMkv_segmentAndEveryTopLevelSizeAddUpAndTheSeekHeadPointsAtThem(self):
    path = os.path.join(self.dir, "v.mkv")
    frames = [(i * 100 + (i % 3), jpeg.porch_frame(i)) for i in range(25)]
    video.write_mkv(path, "t", 160, 120, 100_000_000, frames, [(0, 1000, "pre-roll (frame 0)"),
                                                              (1000, 2500, "ring (frame 10)")])
    with open(path, "rb") as f:
      data = f.read()
    top = _elements(data, 0, len(data))
    self.assertEqual([video.EBML, video.SEGMENT], [e[0] for e in top])
    segment = top[1]
    children = _elements(data, segment[1], segment[1] + segment[2])
    names = [e[0] for e in children]
    self.assertEqual([video.SEEK_HEAD, video.INFO, video.TRACKS, video.CHAPTERS], names[:4])
    self.assertEqual(3, names.count(video.CLUSTER), "a cluster per second")
    self.assertEqual(video.CUES, names[-1])
    starts = {e[1] - len(video._id(e[0])) - len(video._size(e[2])) - segment[1]: e[0] for e in children}
    for seek in _elements(data, children[0][1], children[0][1] + children[0][2]):
      (_, id_at, id_size), (_, pos_at, pos_size) = _elements(data, seek[1], seek[1] + seek[2])
      target = int.from_bytes(data[id_at:id_at + id_size], "big")
      self.assertEqual(target, starts[int.from_bytes(data[pos_at:pos_at + pos_size], "big")])
    self.assertEqual(bytes([0x40, 0x7F]), video._size(127), "127 in one byte would mean unknown size")

  def test_marks_ringTimeAndPreRoll_theFramesTheJavaSheetMarks(self):
    start = 1_750_000_000_000
    info = clip_pb2.ClipInfo(trigger=clip_pb2.TRIGGER_RING, fps=10, start_time_unix_ms=start, pre_roll_ms=4000,
                             ring_unix_ms=[start + 3950, start + 7250])
    facts = [(i, i * 100_000, False, b"") for i in range(91)]
    self.assertEqual(([40, 73], 40), video.marks(facts, info))
    facts[60] = (60, 6_000_000, True, b"")
    self.assertEqual(([40, 60, 73], 40), video.marks(facts, info), "a sealed ring_pressed is a press")
    self.assertEqual(([], -1), video.marks(facts[:5], None))

  @unittest.skipUnless(FFPROBE and FFMPEG, "ffprobe/ffmpeg not installed: apt-get install ffmpeg (Debian) to play the "
                       "videos")
  def test_openVideo_okAndTruncatedClips_playedByFfprobeAndFfmpeg(self):
    root = os.urandom(32)
    keyring = os.path.join(self.dir, "keyring")
    os.makedirs(keyring)
    keyfiles.write_atomically(os.path.join(keyring, DEVICE + ".root"), keyfiles.format_root_key(DEVICE, root))
    store = os.path.join(self.dir, "store")
    w = support.StoreWriter(store, 2)
    header, sealed = support.seal_clip(root, DEVICE, 1, [jpeg.porch_frame(i) for i in range(6)])
    w.add_clip(support.clip_records(DEVICE, 1, header, sealed))
    header, sealed = support.seal_clip(root, DEVICE, 2, [jpeg.porch_frame(i) for i in range(6)])
    w.add_clip(support.clip_records(DEVICE, 2, header, sealed[:4], close=False))
    w.checkpoint()
    w.write()
    out_dir = os.path.join(self.dir, "out")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
      code = cli.main(["open", "--store", store, "--keyring", keyring, "--out", out_dir, "--video"])
    self.assertEqual(1, code, out.getvalue() + err.getvalue())
    self.assertIn("videos: 2 of 2 clips", out.getvalue())
    for clip_id, name, frames in ((1, "video.mkv", 6), (2, "video-TRUNCATED.mkv", 4)):
      directory = os.path.join(out_dir, DEVICE, "%016x" % clip_id)
      self.assertEqual([name], [n for n in os.listdir(directory) if n.endswith(".mkv")])
      path = os.path.join(directory, name)
      probe = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                              "stream=codec_name,width,height,nb_read_frames", "-of", "default=nw=1", path],
                             capture_output=True, text=True, timeout=60)
      self.assertEqual("", probe.stderr)
      self.assertEqual(["codec_name=mjpeg", "width=160", "height=120", "nb_read_frames=%d" % frames],
                       probe.stdout.split())
      decoded = subprocess.run([FFMPEG, "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"],
                               capture_output=True, text=True, timeout=60)
      self.assertEqual((0, ""), (decoded.returncode, decoded.stdout + decoded.stderr))
    with open(os.path.join(out_dir, DEVICE, "%016x" % 2, "verdict.txt")) as f:
      self.assertIn("video: video-TRUNCATED.mkv (4 frames", f.read())


if __name__ == "__main__":
  unittest.main()
