"""Uploads clips through dropped links, retriable errors and uplink restarts (PROTOCOL.md, Resume): every sealed
frame is kept in memory until the uplink acknowledges it PERSISTED, and after a reconnect the device lists its
unfinished clips in Hello.open_clips and continues where Welcome says, re-sending the very bytes it sealed (it never
seals a frame again: the same nonce for two plaintexts would be a disaster). Between attempts it waits an
exponential backoff with full jitter, and never less than an Error's retry_after_ms; a fatal Error that is not
retriable (a revoked certificate, a wrong identity) stops it at once: reconnecting would only repeat it."""
import random
import ssl
import time

from . import link


class Backoff:
  """Attempt n waits a uniform random time in [0, min(maximum, initial * 2^n)] seconds (full jitter: a fleet that
  lost its uplink at one instant does not come back in lockstep)."""

  def __init__(self, initial=0.1, maximum=10.0, rng=None):
    if not 0 < initial <= maximum:
      raise ValueError("backoff: need 0 < initial <= maximum, got %r, %r" % (initial, maximum))
    self.initial, self.maximum = initial, maximum
    self._rng = rng or random.SystemRandom()
    self._ceiling = initial

  def next_delay(self):
    delay = self._rng.uniform(0, self._ceiling)
    self._ceiling = min(self.maximum, self._ceiling * 2)
    return delay

  def reset(self):
    self._ceiling = self.initial


class Stopped(Exception):
  """The uplink said not to come back (a fatal Error that is not retriable), or the deadline passed."""

  def __init__(self, message, code=None):
    super().__init__(message)
    self.code = code


class Uploader:
  """Uploads clips in order, each (clip_id, header_bytes, frames) with frames as UplinkClient.upload_clip takes them.
  new_client(timeout_s) makes a fresh, unconnected UplinkClient. on_clip(clip_id, ack) is told when a clip is finished."""

  def __init__(self, new_client, device_id, deadline_s, backoff=None, on_clip=None, log=None, sleep=time.sleep):
    self._new_client, self.device_id = new_client, device_id
    self._deadline = time.monotonic() + deadline_s
    self._backoff = backoff or Backoff()
    self._on_clip = on_clip or (lambda clip_id, ack: None)
    self._log = log or (lambda line: None)
    self._sleep = sleep
    self.attempts = 0

  def upload(self, clips):
    """clips: an iterable of (clip_id, header_bytes, frames[, on_persisted]), pulled one at a time: a clip is sealed only when the
    one before it is finished, so one clip at most is unfinished and kept."""
    clips = iter(clips)
    current = next(clips, None)
    started = False  # whether current's ClipOpen was sent: then Hello lists it in open_clips
    while current is not None:
      if time.monotonic() >= self._deadline:
        raise Stopped("%s: deadline passed with clip %d unfinished" % (self.device_id, current[0]))
      self.attempts += 1
      wait = None
      client = self._new_client(max(self._deadline - time.monotonic(), 0.001))
      try:
        welcome = client.connect(open_clips=[current[0]] if started else [])
        states = {s.clip_id: s for s in welcome.clips}
        while current is not None:
          clip_id, header, frames = current[:3]
          on_persisted = current[3] if len(current) > 3 else None
          state = states.pop(clip_id, None)
          if state is not None and state.known and state.closed:
            self._on_clip(clip_id, None)
          else:
            known = state is not None and state.known
            started = True
            ack = client.upload_clip(clip_id, header, frames, on_persisted,
                                     first_seq=state.persisted_frames if known else 0, send_open=not known)
            self._on_clip(clip_id, ack)
          self._backoff.reset()
          current, started = next(clips, None), False
        return
      except link.LinkError as e:
        if e.code is not None and e.fatal and not e.retriable:
          raise Stopped("%s: stopped: %s" % (self.device_id, e), e.code) from e
        if e.code is not None and not e.fatal and not e.retriable:
          raise Stopped("%s: clip refused: %s" % (self.device_id, e), e.code) from e
        self._log("%s; reconnecting" % e)
        wait = e.retry_after_ms / 1000.0 if e.retry_after_ms else None
      except (OSError, ssl.SSLError) as e:
        self._log("%s: link down (%s); reconnecting" % (self.device_id, e))
      finally:
        client.close()
      delay = self._backoff.next_delay()
      if wait is not None:
        delay = max(delay, wait)
      self._sleep(min(delay, max(self._deadline - time.monotonic(), 0)))
