"""A blocking device client for wire protocol v1 (link.proto): TLS 1.3 with the device's certificate, varint32
length-delimited DeviceMessage/UplinkMessage, Hello -> Welcome, ClipOpen, Frame..., ClipClose, then PERSISTED acks
that cover every frame and the close. Every wait has a deadline; the send loop is bounded by the clip's frames."""
import os
import socket
import ssl
import time

from .protos import link_pb2

PROTOCOL_VERSION = 1
FIRMWARE = "doorbell-py/0.1"
MAX_INBOUND = 1 << 20  # uplink messages are small; nothing larger is buffered


class LinkError(Exception):
  """A protocol failure; code is the ErrorCode name when the uplink sent an Error. retry_after_ms, when not 0, is
  how long the uplink asked the device to wait before it connects again (TOO_MANY_ERRORS sets it)."""

  def __init__(self, message, code=None, fatal=True, retriable=False, retry_after_ms=0):
    super().__init__(message)
    self.code, self.fatal, self.retriable, self.retry_after_ms = code, fatal, retriable, retry_after_ms


def encode_varint(n):
  out = bytearray()
  while True:
    b = n & 0x7F
    n >>= 7
    if n:
      out.append(b | 0x80)
    else:
      out.append(b)
      return bytes(out)


def tls_context(device_dir):
  ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
  ctx.minimum_version = ssl.TLSVersion.TLSv1_3
  ctx.load_verify_locations(os.path.join(device_dir, "ca-cert.pem"))
  ctx.load_cert_chain(os.path.join(device_dir, "device-cert.pem"), os.path.join(device_dir, "device-key.pem"))
  return ctx


class UplinkClient:
  """One session with the uplink. Use as a context manager; connect() sends Hello and waits for Welcome."""

  def __init__(self, host, port, device_id, context, server_name=None, timeout_s=30.0, recipient_list_version=0,
               on_recipient_list=None):
    """recipient_list_version: the version of the owner-signed list the device holds (format v2; 0 = none).
    on_recipient_list(signed list bytes) handles a RecipientListUpdate and returns the RecipientListResult to send;
    a device without one answers REFUSED_MALFORMED."""
    self.host, self.port, self.device_id = host, port, device_id
    self.recipient_list_version, self._on_recipient_list = recipient_list_version, on_recipient_list
    self.list_results = []  # every RecipientListResult sent, in order
    self._context, self._server_name = context, server_name or host
    self._deadline = time.monotonic() + timeout_s
    self._sock = None
    self._buf = bytearray()
    self.welcome = None
    self._last_sent = time.monotonic()

  def __enter__(self):
    return self

  def __exit__(self, *exc):
    self.close()

  def close(self):
    if self._sock is not None:
      try:
        self._sock.close()
      finally:
        self._sock = None

  def connect(self):
    raw = socket.create_connection((self.host, self.port), timeout=self._remaining())
    try:
      self._sock = self._context.wrap_socket(raw, server_hostname=self._server_name)
    except Exception:
      raw.close()
      raise
    self._send(link_pb2.DeviceMessage(hello=link_pb2.Hello(
        versions=[PROTOCOL_VERSION], device_id=self.device_id, firmware=FIRMWARE,
        recipient_list_version=self.recipient_list_version)))
    message = self._receive()
    if message.WhichOneof("body") != "welcome":
      raise LinkError("%s: expected Welcome, got %s" % (self.device_id, message.WhichOneof("body")))
    welcome = message.welcome
    if welcome.version != PROTOCOL_VERSION or welcome.device_id != self.device_id:
      raise LinkError("%s: Welcome names version %d, device %r" % (self.device_id, welcome.version,
                                                                   welcome.device_id))
    self.welcome = welcome
    return welcome

  def upload_clip(self, clip_id, header_bytes, frames, on_persisted=None):
    """frames: (seq, last, meta, sealed) in order, the last one final. Returns the Ack PERSISTED that covers every
    frame and the close. on_persisted(frames, final), when given, hears of each PERSISTED ack: frames 0..frames-1
    are durable on the uplink, final when the final frame is among them (a v3 device's chain state)."""
    if not 0 < clip_id < 1 << 64:
      # 0 is not a clip id: an Error's clip_id 0 means the session (PROTOCOL.md, Clips and frames).
      raise LinkError("%s: clip id %d is not a uint64 above 0" % (self.device_id, clip_id))
    w = self.welcome
    self._send(link_pb2.DeviceMessage(clip_open=link_pb2.ClipOpen(clip_id=clip_id, header=header_bytes)))
    persisted = 0
    in_flight = []  # sealed sizes of frames sent and not yet persisted, oldest first
    for seq, last, meta, sealed in frames:
      if w.max_frame_bytes and len(sealed) > w.max_frame_bytes:
        raise LinkError("%s clip %d frame %d: %d sealed bytes above max_frame_bytes %d" % (
            self.device_id, clip_id, seq, len(sealed), w.max_frame_bytes))
      while in_flight and self._window_full(in_flight, len(sealed)):
        persisted = self._persisted(self._await_ack(clip_id, persisted, in_flight), frames, on_persisted)
      self._send(link_pb2.DeviceMessage(frame=link_pb2.Frame(
          clip_id=clip_id, seq=seq, last=last, meta=meta, sealed=sealed)))
      in_flight.append(len(sealed))
    self._send(link_pb2.DeviceMessage(clip_close=link_pb2.ClipClose(clip_id=clip_id, frame_count=len(frames))))
    while True:
      ack = self._await_ack(clip_id, persisted, in_flight)
      persisted = self._persisted(ack, frames, on_persisted)
      if ack.frames == len(frames) and ack.closed:
        return ack

  @staticmethod
  def _persisted(ack, frames, on_persisted):
    if on_persisted is not None and 0 < ack.frames <= len(frames):
      on_persisted(ack.frames, bool(frames[ack.frames - 1][1]))
    return ack.frames

  def _window_full(self, in_flight, next_size):
    # A window of 0 is taken as "no limit" (link.proto does not say; see SPEC-GAPS.md).
    w = self.welcome
    frames_full = w.window_frames and len(in_flight) + 1 > w.window_frames
    bytes_full = w.window_bytes and sum(in_flight) + next_size > w.window_bytes
    return bool(frames_full or bytes_full)

  def _await_ack(self, clip_id, persisted, in_flight):
    """Reads until a PERSISTED ack for clip_id arrives; drops the newly persisted frames from in_flight."""
    while True:
      message = self._receive()
      kind = message.WhichOneof("body")
      if kind == "ack" and message.ack.clip_id == clip_id and message.ack.kind == link_pb2.ACK_KIND_PERSISTED:
        ack = message.ack
        if ack.frames < persisted:
          raise LinkError("%s clip %d: PERSISTED ack went back from %d to %d frames" % (
              self.device_id, clip_id, persisted, ack.frames))
        del in_flight[:ack.frames - persisted]
        return ack

  def _remaining(self):
    remaining = self._deadline - time.monotonic()
    if remaining <= 0:
      raise LinkError("%s: deadline passed" % self.device_id)
    return remaining

  def _send(self, message):
    data = message.SerializeToString()
    limit = self.welcome.max_message_bytes if self.welcome else 0
    if limit and len(data) > limit:
      raise LinkError("%s: message of %d bytes above max_message_bytes %d" % (self.device_id, len(data), limit))
    self._sock.settimeout(self._remaining())
    self._sock.sendall(encode_varint(len(data)) + data)
    self._last_sent = time.monotonic()

  def await_list_update(self):
    """Waits (until the session's deadline) for one RecipientListUpdate and answers it; returns the result sent.
    For a device that must not record with its old list when the operator has published a new one."""
    while not self.list_results:
      message = self._receive(return_on_list_update=True)
      if message is not None:
        raise LinkError("%s: waiting for a RecipientListUpdate, got %s" % (self.device_id, message.WhichOneof("body")))
    return self.list_results[-1]

  def _receive(self, return_on_list_update=False):
    """Returns the next UplinkMessage that is not a Pong or a RecipientListUpdate (those are answered here; with
    return_on_list_update, None is returned after answering one); an Error becomes a LinkError."""
    while True:
      message = link_pb2.UplinkMessage()
      message.ParseFromString(self._read_frame())
      kind = message.WhichOneof("body")
      if kind == "error":
        e = message.error
        code = link_pb2.ErrorCode.Name(e.code) if e.code in link_pb2.ErrorCode.values() else str(e.code)
        wait = "; connect again in %d ms at the earliest" % e.retry_after_ms if e.retry_after_ms else ""
        raise LinkError("%s: uplink error %s: %s%s" % (self.device_id, code, e.message, wait), code, e.fatal,
                        e.retriable, e.retry_after_ms)
      if kind == "recipient_list_update":
        self._recipient_list_update(message.recipient_list_update.signed_list)
        if return_on_list_update:
          return None
      elif kind != "pong":
        return message

  def _recipient_list_update(self, signed_list):
    if self._on_recipient_list is None:
      result = link_pb2.RecipientListResult(status=link_pb2.RecipientListResult.REFUSED_MALFORMED,
                                            detail="this device holds no recipient list (format v1)")
    else:
      result = self._on_recipient_list(bytes(signed_list))
    self.list_results.append(result)
    self._send(link_pb2.DeviceMessage(recipient_list_result=result))

  def _read_frame(self):
    while True:
      length, used = decode_varint32(self._buf)
      if length is not None:
        if length > MAX_INBOUND:
          raise LinkError("%s: uplink message of %d bytes above %d" % (self.device_id, length, MAX_INBOUND))
        if len(self._buf) >= used + length:
          frame = bytes(self._buf[used:used + length])
          del self._buf[:used + length]
          return frame
      self._fill()

  def _fill(self):
    heartbeat = self.welcome.heartbeat_ms / 1000.0 if self.welcome and self.welcome.heartbeat_ms else None
    wait = self._remaining()
    if heartbeat:
      quiet = time.monotonic() - self._last_sent
      if quiet >= heartbeat:
        self._send(link_pb2.DeviceMessage(ping=link_pb2.Ping(token=int(time.monotonic() * 1000))))
        quiet = 0
      wait = min(wait, heartbeat - quiet)
    self._sock.settimeout(max(wait, 0.001))
    try:
      chunk = self._sock.recv(65536)
    except (socket.timeout, TimeoutError):
      return
    if not chunk:
      raise LinkError("%s: the uplink closed the connection" % self.device_id)
    self._buf += chunk


def decode_varint32(buf):
  """Returns (value, bytes used), or (None, 0) when more bytes are needed; more than 5 bytes is an error."""
  value = 0
  for i in range(min(len(buf), 5)):
    value |= (buf[i] & 0x7F) << (7 * i)
    if not buf[i] & 0x80:
      return value, i + 1
  if len(buf) >= 5:
    raise LinkError("malformed varint32 length prefix")
  return None, 0
