"""A small uplink for the client's tests, written from link.proto and FORMAT.md section 6: real TLS 1.3 with client
certificates on 127.0.0.1, identity from the SAN URI, a frame window (WINDOW_EXCEEDED, as PROTOCOL.md says),
RECEIVED acks, records appended to a real segment file with fsync before PERSISTED. It serves one connection at a time; the Java uplink is the real one."""
import os
import socket
import ssl
import threading

from doorbell_py import link
from doorbell_py.protos import keys_pb2, link_pb2, store_pb2

import support


class LoopbackUplink:
  def __init__(self, fleet_dir, store_dir, window_frames=3, ack_every=2, fail_code=None, retry_after_ms=0,
               recipient_lists=None):
    """recipient_lists: device id -> SignedRecipientList bytes, relayed after Welcome when the list's version is
    above Hello's (read with protobuf only, as an uplink that cannot check signatures does)."""
    self.store_dir, self.window_frames, self.ack_every, self.fail_code = store_dir, window_frames, ack_every, fail_code
    self.recipient_lists = recipient_lists or {}
    self.hellos, self.list_results = [], []
    self.retry_after_ms = retry_after_ms
    uplink_dir = os.path.join(fleet_dir, "uplink")
    self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    self._ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    self._ctx.verify_mode = ssl.CERT_REQUIRED
    self._ctx.load_verify_locations(os.path.join(uplink_dir, "ca-cert.pem"))
    self._ctx.load_cert_chain(os.path.join(uplink_dir, "uplink-cert.pem"), os.path.join(uplink_dir, "uplink-key.pem"))
    self._listener = socket.create_server(("127.0.0.1", 0))
    self._listener.settimeout(0.2)
    self.port = self._listener.getsockname()[1]
    self._stop = threading.Event()
    self._segment = support.write_store(store_dir, [[]])[0]
    self.errors = []
    self.window_violations = 0
    self._thread = threading.Thread(target=self._serve, daemon=True)

  def __enter__(self):
    self._thread.start()
    return self

  def __exit__(self, *exc):
    self._stop.set()
    self._thread.join(10)
    self._listener.close()

  def _serve(self):
    while not self._stop.is_set():
      try:
        raw, _ = self._listener.accept()
      except socket.timeout:
        continue
      raw.settimeout(10)
      try:
        with self._ctx.wrap_socket(raw, server_side=True) as conn:
          self._session(conn, _Reader(conn))
      except (OSError, ValueError) as e:
        self.errors.append(e)

  def _session(self, conn, reader):
    sans = dict((k, v) for k, v in conn.getpeercert().get("subjectAltName", ()) if k == "URI")
    identity = sans.get("URI", "").removeprefix("urn:doorbell:device:")
    hello = reader.next().hello
    if hello.device_id != identity:
      return _send(conn, link_pb2.UplinkMessage(error=link_pb2.Error(
          code=link_pb2.IDENTITY_MISMATCH, message="device " + hello.device_id, fatal=True)))
    _send(conn, link_pb2.UplinkMessage(welcome=link_pb2.Welcome(
        version=1, device_id=identity, max_message_bytes=1 << 20, window_frames=self.window_frames,
        window_bytes=1 << 20, heartbeat_ms=5000, idle_timeout_ms=15000, max_frame_bytes=1 << 19)))
    self.hellos.append(hello)
    signed = self.recipient_lists.get(identity)
    if signed is not None and _list_version(signed) > hello.recipient_list_version:
      _send(conn, link_pb2.UplinkMessage(recipient_list_update=link_pb2.RecipientListUpdate(signed_list=signed)))
    persisted = {}
    while True:
      message = reader.next()
      kind = message.WhichOneof("body")
      if kind is None:
        return
      if kind == "clip_open":
        self._append(store_pb2.StoredRecord(clip_open=store_pb2.StoredClipOpen(
            device_id=identity, clip_id=message.clip_open.clip_id, header=message.clip_open.header)))
      elif kind == "frame":
        f = message.frame
        if self.fail_code is not None:
          return _send(conn, link_pb2.UplinkMessage(error=link_pb2.Error(
              code=self.fail_code, message="clip %d frame %d refused" % (f.clip_id, f.seq), fatal=True,
              clip_id=f.clip_id, seq=f.seq, has_seq=True, retry_after_ms=self.retry_after_ms,
              retriable=self.fail_code in (link_pb2.STORAGE_UNAVAILABLE, link_pb2.TOO_MANY_ERRORS))))
        if f.seq + 1 - persisted.get(f.clip_id, 0) > self.window_frames:
          self.window_violations += 1
          _send(conn, link_pb2.UplinkMessage(error=link_pb2.Error(
              code=link_pb2.WINDOW_EXCEEDED, message="frame %d beyond the window" % f.seq, retriable=True,
              clip_id=f.clip_id, seq=f.seq, has_seq=True)))
          continue
        _ack(conn, f.clip_id, f.seq + 1, False, link_pb2.ACK_KIND_RECEIVED)
        self._append(store_pb2.StoredRecord(frame=store_pb2.StoredFrame(
            device_id=identity, clip_id=f.clip_id, seq=f.seq, last=f.last, meta=f.meta, sealed=f.sealed)))
        if (f.seq + 1) % self.ack_every == 0:
          persisted[f.clip_id] = f.seq + 1
          _ack(conn, f.clip_id, f.seq + 1, False)
      elif kind == "clip_close":
        c = message.clip_close
        self._append(store_pb2.StoredRecord(clip_close=store_pb2.StoredClipClose(
            device_id=identity, clip_id=c.clip_id, frame_count=c.frame_count)))
        _ack(conn, c.clip_id, c.frame_count, True)
      elif kind == "recipient_list_result":
        self.list_results.append(message.recipient_list_result)
      elif kind == "ping":
        _send(conn, link_pb2.UplinkMessage(pong=link_pb2.Pong(token=message.ping.token)))

  def _append(self, record):
    with open(self._segment, "ab") as f:
      f.write(support.record_bytes(record))
      f.flush()
      os.fsync(f.fileno())


def _list_version(signed):
  try:
    return keys_pb2.RecipientList.FromString(keys_pb2.SignedRecipientList.FromString(signed).list).version
  except Exception:
    return 1 << 64  # not parsable: relay it anyway, the device must refuse it


def _ack(conn, clip_id, frames, closed, kind=link_pb2.ACK_KIND_PERSISTED):
  _send(conn, link_pb2.UplinkMessage(ack=link_pb2.Ack(clip_id=clip_id, kind=kind, frames=frames, closed=closed)))


def _send(conn, message):
  data = message.SerializeToString()
  conn.sendall(link.encode_varint(len(data)) + data)


class _Reader:
  def __init__(self, conn):
    self.conn, self.buf = conn, bytearray()

  def next(self):
    """The next DeviceMessage; an empty one when the peer closed."""
    while True:
      length, used = link.decode_varint32(self.buf)
      if length is not None and len(self.buf) >= used + length:
        message = link_pb2.DeviceMessage.FromString(bytes(self.buf[used:used + length]))
        del self.buf[:used + length]
        return message
      chunk = self.conn.recv(65536)
      if not chunk:
        return link_pb2.DeviceMessage()
      self.buf += chunk
