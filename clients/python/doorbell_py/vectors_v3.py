"""Checks the format v3 vectors of testdata/vectors/v3/*.json (FORMAT.md §17.7): every valid clip is re-derived
byte for byte (the 96-byte OKM, the clip info's bytes, plaintext, AAD and sealing, each frame's FrameInfo and padded
plaintext, the header re-sealed from the vector's draws through the device's chain link) and opened with its images,
frame facts, clip info and chain link; every invalid clip must give the expected verdict and keyword; the padding
table must give the sealed lengths and refuse the bad pad_to values."""
import hashlib

from . import hpke, v2, v3
from .protos import clip_pb2, keys_pb2
from .vectors_v2 import _check_verdict, _Draws, _expect, _frames, _h, _VectorIdentity


def _clip_info(fields):
  return clip_pb2.ClipInfo(trigger=fields["trigger"], codec=fields["codec"], width=fields["width"],
                           height=fields["height"], fps=fields["fps"], start_time_unix_ms=fields["startTimeUnixMs"],
                           pre_roll_ms=fields["preRollMs"], pad_to=fields["padTo"],
                           ring_unix_ms=fields["ringUnixMs"])


def _chain_link(fields):
  return clip_pb2.ChainLink(position=fields["position"], prev_clip_id=fields["prevClipId"],
                            prev_header_sha256=_h(fields["prevHeaderSha256"]),
                            prev_acknowledged_frames=fields["prevAcknowledgedFrames"],
                            prev_final_acknowledged=fields["prevFinalAcknowledged"])


def check_clip(t, errors):
  identity = _VectorIdentity(t["opener"], t["storedDeviceId"])
  verdict = v2.open_clip(_h(t["header"]), _frames(t), t["storedDeviceId"], t["storedClipId"], identity)
  _check_verdict(errors, verdict, t["expected"])
  if t["result"] != "valid":
    return
  device_id, clip_id, k = t["deviceId"], t["clipId"], _h(t["clipKey"])
  _expect(errors, "clip key info", v3.clip_key_info(device_id, clip_id), _h(t["clipKeyInfo"]))
  aes_key, commitment, info_key = v3.clip_keys(k, device_id, clip_id)
  _expect(errors, "aes key", aes_key, _h(t["aesKey"]))
  _expect(errors, "commitment", commitment, _h(t["commitment"]))
  _expect(errors, "info key", info_key, _h(t["infoKey"]))
  info = _clip_info(t["clipInfo"])
  _expect(errors, "clip info bytes", info.SerializeToString(), _h(t["clipInfoBytes"]))
  _expect(errors, "clip info plaintext", v3.info_plaintext(info.SerializeToString()), _h(t["clipInfoPlaintext"]))
  _expect(errors, "clip info aad", v3.info_aad(device_id, clip_id), _h(t["clipInfoAad"]))
  _expect(errors, "sealed info", v3.seal_info(info_key, device_id, clip_id, info.SerializeToString()),
          _h(t["sealedInfo"]))
  _expect(errors, "wrap info", v2.wrap_info(device_id, clip_id), _h(t["wrapInfo"]))
  device = v2.SigningKey(_h(t["deviceSeed"]))
  _expect(errors, "device public key", device.public, _h(t["devicePublicKey"]))
  rl = v2.verify_recipient_list(_h(t["ownerPublicKey"]), device_id, 0, _h(t["signedList"]))
  draws = [k, _h(t["noncePrefix"])]
  for i, r in enumerate(t["recipients"]):
    key_pair = hpke.KeyPair(_h(r["privateKey"]))
    _expect(errors, "recipient %d public key" % i, key_pair.public, _h(r["publicKey"]))
    _expect(errors, "recipient %d key id" % i, v2.key_id(key_pair.public), _h(r["keyId"]))
    draws.append(_h(r["ephemeralRandom"]))
  link = _chain_link(t["chain"])
  sealer = v3.ClipSealerV3(device_id, device, _h(t["deviceKeyCertificate"]), rl, clip_id, link, _Draws(draws),
                           width=info.width, height=info.height, fps=info.fps,
                           start_time_unix_ms=info.start_time_unix_ms, pre_roll_ms=info.pre_roll_ms,
                           trigger=info.trigger, codec=info.codec, ring_unix_ms=list(info.ring_unix_ms),
                           pad_to=info.pad_to)
  signed = keys_pb2.SignedClipHeader.FromString(_h(t["header"]))
  _expect(errors, "inner header", signed.header, _h(t["innerHeader"]))
  _expect(errors, "header signature", device.sign(v2.CONTEXT_CLIP_HEADER, signed.header), _h(t["headerSignature"]))
  _expect(errors, "header bytes re-sealed", sealer.header_bytes, _h(t["header"]))
  header_sha = hashlib.sha256(_h(t["header"])).digest()
  _expect(errors, "header SHA-256", header_sha, _h(t["headerSha256"]))
  for f in t["frames"]:
    seq, last = f["seq"], f["last"]
    _expect(errors, "frame %d meta" % seq, _h(f["meta"]), b"")
    frame_info = clip_pb2.FrameInfo(pts_us=f["ptsUs"], image_length=len(_h(f["image"])),
                                    motion_permille=f["motionPermille"], ring_pressed=f["ringPressed"])
    _expect(errors, "frame %d frame info" % seq, frame_info.SerializeToString(), _h(f["frameInfo"]))
    _expect(errors, "frame %d plaintext" % seq,
            v3.frame_plaintext(frame_info.SerializeToString(), _h(f["image"]), info.pad_to), _h(f["plaintext"]))
    _expect(errors, "frame %d nonce" % seq, v2.fmt.nonce(_h(t["noncePrefix"]), seq, last), _h(f["nonce"]))
    _expect(errors, "frame %d aad" % seq, v2.fmt.aad(header_sha, seq, last, b""), _h(f["aad"]))
    _expect(errors, "frame %d re-sealed" % seq,
            sealer.seal(_h(f["image"]), f["ptsUs"], last, f["motionPermille"], f["ringPressed"]),
            (seq, last, b"", _h(f["sealed"])))
  _expect(errors, "opened images", [image for _, _, image in verdict.frames], [_h(f["image"]) for f in t["frames"]])
  _expect(errors, "opened frame facts", [(fi.pts_us, fi.motion_permille, fi.ring_pressed) for _, fi, _ in
                                         verdict.frames],
          [(f["ptsUs"], f["motionPermille"], f["ringPressed"]) for f in t["frames"]])
  _expect(errors, "opened clip info", verdict.info, info)
  _expect(errors, "opened chain link", verdict.chain, link)


def check_padding(t, errors):
  try:
    v3.check_pad(t["padTo"])
    accepted = True
  except ValueError:
    accepted = False
  _expect(errors, "pad_to %d accepted" % t["padTo"], accepted, t["result"] == "valid")
  if t["result"] == "valid":
    _expect(errors, "sealed length", v3.sealed_length(t["padTo"], t["frameInfoLength"], t["imageLength"]),
            t["sealedLength"])


CHECKS = {"ClipTest": check_clip, "PaddingTest": check_padding}
