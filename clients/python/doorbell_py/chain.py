"""The owner's check of each device's chain of v3 clips (V3-SPEC §D, docs/FORMAT.md §17): after every clip of a
store is opened, the signed chain links of the v3 clips whose header verified say which clips of a device's history
are gone (MISSING, a failure), which never reached the uplink (UNSENT, informational), which the device's chain
state forked or rolled back (CHAIN BROKEN, a failure), and which clip is the newest here (HEAD). A clip whose
successor vouches for more acknowledged frames than the store holds becomes MISSING at frame M.

A pure function of the opened headers and verified frame counts: nothing is read or written here.
"""
import hmac


class Finding:
  """One keyword line of the chain check for one device. failure: counted in the exit status."""

  def __init__(self, device_id, keyword, text, failure):
    self.device_id, self.keyword, self.text, self.failure = device_id, keyword, text, failure

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

    def found(keyword, text, failure):
      findings.append(Finding(device_id, keyword, text, failure))

    for p in positions:
      if len(at[p]) > 1:
        found("CHAIN BROKEN", "CHAIN BROKEN at position %d (clips %s %s claim it: the device's chain state was "
              "rolled back or forked)" % (p, _names([c.clip_id for c in at[p]]), "both" if len(at[p]) == 2 else "all"),
              True)
    first = positions[0]
    if first > start:
      f = at[first][0]
      found("MISSING", "MISSING %s before %016x (positions %d..%d are not in this store)" % (
          _clips(first - start), f.clip_id, start, first - 1), True)
    for previous_p, p in zip(positions, positions[1:]):
      a, b = at[previous_p][0], at[p][0]
      if p == previous_p + 1:
        for clip in at[p]:
          named = [x for x in at[previous_p] if _names_predecessor(clip, x)]
          if not named:
            found("CHAIN BROKEN", "CHAIN BROKEN at position %d (clip %016x names predecessor %016x but the clip at "
                  "%d is %s%s)" % (p, clip.clip_id, clip.link.prev_clip_id, previous_p,
                                   _names([x.clip_id for x in at[previous_p]]),
                                   ", with another header hash" if any(
                                       x.clip_id == clip.link.prev_clip_id for x in at[previous_p]) else ""), True)
            continue
          missing = _acknowledged_gone(named[0], clip.link, verdict_type)
          if missing is not None:
            overrides[(device_id, named[0].clip_id)] = missing
        continue
      k = b.link.prev_acknowledged_frames
      if p == previous_p + 2 and k == 0 and not b.link.prev_final_acknowledged:
        found("UNSENT", "UNSENT clip %016x (position %d, between %016x and %016x): the device had no frame of it "
              "acknowledged (power loss or a dropped link before upload)" % (
                  b.link.prev_clip_id, previous_p + 1, a.clip_id, b.clip_id), False)
      else:
        found("MISSING", "MISSING %s between %016x (position %d) and %016x (position %d): %016x names its "
              "predecessor %016x, of which the uplink had acknowledged %d frame%s%s" % (
                  _clips(p - previous_p - 1), a.clip_id, previous_p, b.clip_id, p, b.clip_id, b.link.prev_clip_id,
                  k, "" if k == 1 else "s", " including its final frame" if b.link.prev_final_acknowledged else ""),
              True)
    head = at[positions[-1]][-1]
    found("HEAD", "HEAD clip %016x at position %d; clips started after it, if any, have not arrived" % (
        head.clip_id, head.position), False)
  return Report(findings, overrides)


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
