"""The owner's check of each device's chain of v3 clips (V3-SPEC §D, docs/FORMAT.md §17): after every clip of a
store is opened, the signed chain links of the v3 clips whose header verified say which clips of a device's history
are gone (MISSING, a failure), which never reached the uplink (UNSENT, informational), which the device's chain
state forked or rolled back (CHAIN BROKEN, a failure), and which clip is the newest here (HEAD). A clip whose
successor vouches for more acknowledged frames than the store holds becomes MISSING at frame M.

A pure function of the opened headers and verified frame counts: nothing is read or written here.
"""
import hmac


class Finding:
  """One keyword line of the chain check for one device. failure: counted in the exit status. clip_id: the clip after
  the gap or break (the head for HEAD, the second clip sharing a key for KEY REUSED), as Java's ChainFinding."""

  def __init__(self, device_id, keyword, text, failure, clip_id=None):
    self.device_id, self.keyword, self.text, self.failure, self.clip_id = device_id, keyword, text, failure, clip_id

  def __repr__(self):
    return "Finding(%s: %s)" % (self.device_id, self.text)

  def line(self):
    return "device %s: %s" % (self.device_id, self.text)


class Report:
  """findings in device order, then the rules' order; overrides maps (device, clip id) to the MISSING verdict that
  replaces the clip's own."""

  def __init__(self, findings, overrides):
    self.findings, self.overrides = findings, overrides

  @property
  def failed(self):
    return any(f.failure for f in self.findings)


class _Clip:
  def __init__(self, clip_id, verdict):
    self.clip_id, self.verdict, self.link = clip_id, verdict, verdict.chain
    self.position = self.link.position


def _clips(n):
  return "%d clip%s" % (n, "" if n == 1 else "s")


def _names(clip_ids):
  names = ["%016x" % c for c in clip_ids]
  return names[0] if len(names) == 1 else "%s and %s" % (", ".join(names[:-1]), names[-1])


def _names_predecessor(clip, previous):
  return clip.link.prev_clip_id == previous.clip_id and hmac.compare_digest(clip.link.prev_header_sha256,
                                                                            previous.verdict.header_sha256)


def check(opened, from_position=None, verdict_type=None):
  """opened: (device id, clip id, fmt.Verdict) of every clip opened. Only v3 clips whose header verified (the
  verdict carries their chain link) take part. from_position: the store is meant to start at this position (after
  retention), so positions before it are not missing. verdict_type makes the MISSING verdicts (fmt.Verdict)."""
  from . import fmt
  verdict_type = verdict_type or fmt.Verdict
  devices = {}
  for device_id, clip_id, verdict in opened:
    if verdict is not None and verdict.chain is not None:
      devices.setdefault(device_id, []).append(_Clip(clip_id, verdict))
  findings, overrides = [], {}
  start = from_position or 1
  for device_id in sorted(devices):
    clips = sorted(devices[device_id], key=lambda c: (c.position, c.clip_id))
    at = {}
    for c in clips:
      at.setdefault(c.position, []).append(c)
    positions = sorted(at)

    def found(keyword, text, failure, clip_id=None):
      findings.append(Finding(device_id, keyword, text, failure, clip_id))

    for p in positions:
      if len(at[p]) > 1:
        found("CHAIN BROKEN", "CHAIN BROKEN at position %d (clips %s %s claim it: the device's chain state was "
              "rolled back or forked)" % (p, _names([c.clip_id for c in at[p]]), "both" if len(at[p]) == 2 else "all"),
              True, at[p][1].clip_id)
    first = positions[0]
    if first > start:
      f = at[first][0]
      if first - start == 1 and f.link.prev_acknowledged_frames == 0 and not f.link.prev_final_acknowledged:
        found("UNSENT", "UNSENT clip %016x (position %d, before %016x): the device had no frame of it acknowledged "
              "(power loss or a dropped link before upload)" % (f.link.prev_clip_id, start, f.clip_id), False,
              f.clip_id)
      else:
        found("MISSING", "MISSING %d clip(s) before %016x (positions %d..%d are not in this store)" % (
            first - start, f.clip_id, start, first - 1), True, f.clip_id)
    for previous_p, p in zip(positions, positions[1:]):
      a, b = at[previous_p][0], at[p][0]
      if p == previous_p + 1:
        for clip in at[p]:
          named = [x for x in at[previous_p] if _names_predecessor(clip, x)]
          if not named:
            before = at[previous_p]
            found("CHAIN BROKEN", "CHAIN BROKEN at position %d (clip %016x names predecessor %016x but the clip%s at "
                  "position %d %s %s%s)" % (p, clip.clip_id, clip.link.prev_clip_id, "" if len(before) == 1 else "s",
                                            previous_p, "is" if len(before) == 1 else "are",
                                            _names([x.clip_id for x in before]),
                                            " with another header hash" if len(before) == 1
                                            and before[0].clip_id == clip.link.prev_clip_id else ""), True,
                  clip.clip_id)
            continue
          missing = _acknowledged_gone(named[0], clip.link, verdict_type)
          if missing is not None:
            overrides[(device_id, named[0].clip_id)] = missing
          break  # as the Java owner: the first clip that names its predecessor vouches for its frames
        continue
      k = b.link.prev_acknowledged_frames
      earlier = next((c for c in at[previous_p] if c.clip_id == b.link.prev_clip_id), None)
      if earlier is not None:
        found("CHAIN BROKEN", "CHAIN BROKEN at position %d (clip %016x names predecessor %016x, which is at position "
              "%d, not %d)" % (p, b.clip_id, earlier.clip_id, previous_p, p - 1), True, b.clip_id)
      elif p == previous_p + 2 and k == 0 and not b.link.prev_final_acknowledged:
        found("UNSENT", "UNSENT clip %016x (position %d, between %016x and %016x): the device had no frame of it "
              "acknowledged (power loss or a dropped link before upload)" % (
                  b.link.prev_clip_id, previous_p + 1, a.clip_id, b.clip_id), False, b.clip_id)
      else:
        found("MISSING", "MISSING %d clip(s) between %016x (position %d) and %016x (position %d): %016x names its "
              "predecessor %016x, of which the uplink had acknowledged %d frame%s%s" % (
                  p - previous_p - 1, a.clip_id, previous_p, b.clip_id, p, b.clip_id, b.link.prev_clip_id,
                  k, "" if k == 1 else "s", " including its final frame" if b.link.prev_final_acknowledged else ""),
              True, b.clip_id)
    head = at[positions[-1]][0]
    found("HEAD", "HEAD clip %016x at position %d; clips started after it, if any, have not arrived" % (
        head.clip_id, head.position), False, head.clip_id)
    _sealed_facts(clips, found)
  return Report(findings, overrides)


CLOCK_TOLERANCE_MS = 2000


def _sealed_facts(clips, found):
  """Rules 7 and 8 of FORMAT.md §17.4, what only an opener sees along the chain: clips sharing one clip key (by the
  fingerprint of k, compared in memory), then start times that go back by more than CLOCK_TOLERANCE_MS from one
  stored position to the next. clips: one device's, sorted by (position, clip id); those whose key or start time is
  unknown (not opened) are skipped."""
  by_key = {}
  for c in clips:
    if c.verdict.key_fingerprint:
      by_key.setdefault(c.verdict.key_fingerprint, []).append(c)
  for sharing in by_key.values():
    if len(sharing) > 1:
      found("KEY REUSED", "KEY REUSED by %d clips (%s): one clip key, so whoever opens one opens them all; the "
            "device's key generation repeats (a stuck random source, or firmware that keeps k)" % (
                len(sharing), _joined(["%016x (position %d)" % (c.clip_id, c.position) for c in sharing])), True,
            sharing[1].clip_id)
  previous = None
  for c in clips:
    start = c.verdict.info.start_time_unix_ms if c.verdict.info is not None else 0
    if not start:
      continue
    if previous is not None and previous[0].position < c.position and start + CLOCK_TOLERANCE_MS < previous[1]:
      found("CLOCK BACKWARDS", "CLOCK BACKWARDS at position %d (clip %016x says it started at %s, %s before clip %016x "
            "at position %d started, at %s: the device's clock went back; the chain's order is the true one)" % (
                c.position, c.clip_id, instant(start), _duration(previous[1] - start), previous[0].clip_id,
                previous[0].position, instant(previous[1])), False, c.clip_id)
    if previous is None or previous[0].position < c.position:
      previous = (c, start)


def _joined(names):
  return names[0] if len(names) == 1 else "%s and %s" % (", ".join(names[:-1]), names[-1])


def instant(unix_ms):
  """A time as Java's Instant.toString shows it: ISO-8601 UTC, milliseconds only when not zero."""
  import datetime
  try:
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=unix_ms)
  except OverflowError:
    return "%d ms after 1970" % unix_ms  # beyond year 9999: Java shows "+10000-..."; the device's clock is wild
  return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%03d" % (unix_ms % 1000) if unix_ms % 1000 else "") + "Z"


def _duration(ms):
  """How far back, as the Java owner says it: tenths of a second (half up) below 2 minutes, then min and s, then h
  and min."""
  s = ms // 1000
  if s < 120:
    tenths = (ms + 50) // 100
    return "%d.%d s" % (tenths // 10, tenths % 10)
  if s < 7200:
    return "%d min %d s" % (s // 60, s % 60)
  return "%d h %d min" % (s // 3600, s % 3600 // 60)


def _acknowledged_gone(previous, link, verdict_type):
  """The MISSING verdict of the clip at P-1 when its successor's link vouches for frames the store does not hold,
  else None. Only a TRUNCATED clip changes: a TAMPERED or DAMAGED verdict already fails and says more, and the frames
  of an UNSUPPORTED clip were not counted."""
  verdict = previous.verdict
  if verdict.status != "TRUNCATED":
    return None
  held = len(verdict.frames)
  k = link.prev_acknowledged_frames
  if held < k:
    reason = "the uplink acknowledged %d frames, the store holds %d" % (k, held)
  elif link.prev_final_acknowledged:
    reason = "the uplink acknowledged %d frames and the final one, the store holds %d and no final frame" % (k, held)
  else:
    return None
  missing = verdict_type("MISSING", held, reason, verdict.frames, keyword="MISSING")
  missing.info, missing.chain, missing.header_sha256 = verdict.info, verdict.chain, verdict.header_sha256
  return missing
