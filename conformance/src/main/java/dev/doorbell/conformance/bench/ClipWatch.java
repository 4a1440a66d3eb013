package dev.doorbell.conformance.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.Identity;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the bench can see of a device's sealing. Without a key: the public header fields that must never repeat (a
 * v1 salt, the nonce prefix, the key commitment, each HPKE encapsulation) and the v3 chain link. With the owner's
 * identity (an insecure, test-only option): every frame opened as it arrives, so that a fault is named at the frame
 * where it happens, not when the clip is opened at the end, and the clip key and sealed start time compared with the
 * clips before. Not thread-safe: the bench calls it under its lock.
 */
final class ClipWatch {
    private static final HexFormat HEX = HexFormat.of();
    /** A clock corrected by NTP may step back by a little; the owner's open allows the same (CLOCK BACKWARDS). */
    private static final long CLOCK_TOLERANCE_MS = 2_000;

    private final Optional<ClipOpenerV2> opener;
    /** A value that must be unique per clip, as hex, to the clip that used it first and what it was. */
    private final Map<String, Long> seen = new HashMap<>();

    private final Map<Long, List<StoredFrameBytes>> framesByClip = new HashMap<>();
    private final Map<Long, Boolean> clipFaulted = new HashMap<>();
    /** With an identity: each clip key's fingerprint to the first clip that used it, and each clip's start time. */
    private final Map<ByteString, Long> keys = new HashMap<>();

    private final Map<Long, Long> startTimes = new HashMap<>();
    private long previousClipId;
    private byte[] previousHeader;
    private ChainLink previousChain;
    private int opened;

    ClipWatch(Optional<Identity> identity) {
        this.opener = identity.map(ClipOpenerV2::new);
    }

    boolean opensFrames() {
        return opener.isPresent();
    }

    /** Clips whose every frame opened and whose final verdict was OK. */
    int clipsOpened() {
        return opened;
    }

    /** The keyless faults of a clip's header, seen the first time the clip is opened; empty when none. */
    List<String> newClip(String deviceId, long clipId, byte[] headerBytes) {
        List<String> faults = new ArrayList<>();
        Optional<ClipHeader> parsed = parse(headerBytes);
        if (parsed.isEmpty()) {
            faults.add("clip " + hex(clipId) + ": the header parses neither as a format v1 ClipHeader nor as a signed"
                    + " v2/v3 header");
            return faults;
        }
        ClipHeader header = parsed.get();
        long before = previousClipId;
        unique(faults, clipId, "salt", header.getSalt());
        unique(faults, clipId, "nonce prefix", header.getNoncePrefix());
        unique(faults, clipId, "key commitment", header.getKeyCommitment());
        for (WrappedKey wrapped : header.getWrappedKeysList()) {
            unique(faults, clipId, "HPKE encapsulation", wrapped.getEnc());
        }
        if (header.hasChain()) {
            chain(faults, clipId, header.getChain());
            previousChain = header.getChain();
        } else {
            previousChain = null;
        }
        previousClipId = clipId;
        previousHeader = headerBytes.clone();
        framesByClip.put(clipId, new ArrayList<>());
        if (opener.isPresent()) {
            open(deviceId, clipId, headerBytes).ifPresent(faults::add);
            sealedFacts(faults, deviceId, clipId, headerBytes, before);
        }
        return faults;
    }

    /**
     * What only an opener sees of a new clip (docs/FIRMWARE.md §5): a clip key used for an earlier clip (the clip id
     * is mixed into every public value derived from it, so the keyless checks cannot) and a sealed start time before
     * that of the clip opened before it (the device's clock went back).
     */
    private void sealedFacts(List<String> faults, String deviceId, long clipId, byte[] headerBytes, long before) {
        Optional<byte[]> key = opener.orElseThrow().clipKeyFingerprint(deviceId, clipId, headerBytes);
        if (key.isPresent()) {
            Long first = keys.putIfAbsent(ByteString.copyFrom(key.get()), clipId);
            if (first != null && first != clipId) {
                faults.add("clip " + hex(clipId) + " has the clip key of clip " + hex(first)
                        + " (one key opens both: the device's key generation repeats)");
            }
        }
        Long start = startTimes.get(clipId);
        Long previousStart = before == 0 ? null : startTimes.get(before);
        if (start != null && previousStart != null && start + CLOCK_TOLERANCE_MS < previousStart) {
            faults.add("clip " + hex(clipId) + " says it started " + (previousStart - start) + " ms before clip "
                    + hex(before) + ", opened before it (the device's clock went back)");
        }
    }

    /**
     * Opens the clip with every frame so far, the new one last; returns the fault the new frame shows (once per
     * clip), or empty.
     */
    Optional<String> newFrame(String deviceId, long clipId, byte[] headerBytes, StoredFrameBytes frame) {
        List<StoredFrameBytes> frames = framesByClip.computeIfAbsent(clipId, id -> new ArrayList<>());
        // A frame sent again after a reconnect replaces what the bench forgot at the drop (the bench compares the
        // bytes itself); frames beyond it were forgotten too.
        while (frames.size() > frame.seq()) {
            frames.remove(frames.size() - 1);
        }
        frames.add(frame);
        if (opener.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> fault = open(deviceId, clipId, headerBytes);
        if (fault.isEmpty() && frame.last()) {
            opened++;
        }
        return fault;
    }

    private Optional<String> open(String deviceId, long clipId, byte[] headerBytes) {
        if (clipFaulted.containsKey(clipId)) {
            return Optional.empty();
        }
        ClipVerdict verdict;
        try {
            verdict = opener.orElseThrow().open(deviceId, clipId, headerBytes, framesByClip.get(clipId));
        } catch (KeyUnavailableException e) {
            clipFaulted.put(clipId, true);
            return Optional.of("clip " + hex(clipId) + ": " + e.getMessage());
        }
        verdict.info().ifPresent(info -> startTimes.putIfAbsent(clipId, info.getStartTimeUnixMs()));
        if (verdict.status() == ClipVerdict.Status.OK || verdict.status() == ClipVerdict.Status.TRUNCATED) {
            return Optional.empty();
        }
        clipFaulted.put(clipId, true);
        return Optional.of("clip " + hex(clipId) + ": " + verdict.summary());
    }

    private void unique(List<String> faults, long clipId, String what, ByteString value) {
        if (value.isEmpty()) {
            return;
        }
        String key = what + ":" + HEX.formatHex(value.toByteArray());
        Long first = seen.putIfAbsent(key, clipId);
        if (first != null && first != clipId) {
            faults.add("clip " + hex(clipId) + " repeats the " + what + " of clip " + hex(first)
                    + " (a stuck random number generator or state rolled back)");
        }
    }

    private void chain(List<String> faults, long clipId, ChainLink link) {
        if (previousChain == null || previousHeader == null) {
            return; // the first v3 clip the bench sees may follow clips sent elsewhere
        }
        String at = "clip " + hex(clipId) + " at chain position " + link.getPosition();
        if (link.getPosition() != previousChain.getPosition() + 1) {
            faults.add(at + ": the clip started before it, " + hex(previousClipId) + ", is at position "
                    + previousChain.getPosition() + " (positions must count up by one, never repeat)");
        }
        if (link.getPrevClipId() != previousClipId) {
            faults.add(at + " names predecessor " + hex(link.getPrevClipId()) + ", but the clip before it is "
                    + hex(previousClipId));
        } else if (!MessageDigest.isEqual(link.getPrevHeaderSha256().toByteArray(), sha256(previousHeader))) {
            faults.add(at + ": prev_header_sha256 is not the SHA-256 of clip " + hex(previousClipId)
                    + "'s header bytes as sent");
        }
    }

    static Optional<ClipHeader> parse(byte[] headerBytes) {
        try {
            SignedClipHeader signed = SignedClipHeader.parseFrom(headerBytes);
            if (!signed.getHeader().isEmpty() && signed.getSignature().size() == 64) {
                ClipHeader inner = ClipHeader.parseFrom(signed.getHeader());
                if (inner.getFormatVersion() >= 2) {
                    return Optional.of(inner);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            // not signed: a v1 header, tried below
        }
        try {
            return Optional.of(ClipHeader.parseFrom(headerBytes));
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    static String hex(long clipId) {
        return String.format("%016x", clipId);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
