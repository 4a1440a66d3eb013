package dev.doorbell.fleet.faults;

import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.seal.StoredFrameBytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a store, read as the owner reads it, with what a {@link StreamingFleet} sent and was told: every frame
 * acknowledged PERSISTED is there with the exact bytes sent; every stored frame is whole (its bytes are exactly
 * some frame that was sent, never a torn or mixed one); each clip's frames are stored once each, in order from 0;
 * each header is the one sent. Returns the problems found, empty when there are none.
 */
final class StoreCheck {
    /** What one check saw. */
    record Result(List<String> problems, int storedFrames, int acknowledgedFrames) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    private StoreCheck() {}

    static Result check(
            StoreSnapshot snapshot,
            Map<String, byte[]> sentDigests,
            Map<String, byte[]> headers,
            Map<String, Integer> persisted) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> storedCounts = new HashMap<>();
        int storedFrames = 0;
        for (StoredClip clip : snapshot.clips()) {
            String clipKey = StreamingFleet.key(clip.deviceId(), clip.clipId());
            byte[] header = headers.get(clipKey);
            if (header == null || clip.header() == null || !Arrays.equals(header, clip.header())) {
                problems.add(clipKey + ": stored header differs from the one sent (or is missing)");
            }
            int expected = 0;
            for (StoredFrameBytes frame : clip.frames()) {
                String frameKey = StreamingFleet.key(clip.deviceId(), clip.clipId(), frame.seq());
                if (frame.seq() != expected) {
                    problems.add(frameKey + ": stored at position " + expected + " (duplicate or out of order)");
                }
                expected++;
                byte[] sent = sentDigests.get(frameKey);
                if (sent == null || !MessageDigest.isEqual(sent, sha256(frame.sealed()))) {
                    problems.add(frameKey + ": stored bytes are not the bytes sent");
                }
                storedFrames++;
            }
            storedCounts.put(clipKey, clip.frames().size());
        }
        int acknowledged = 0;
        for (Map.Entry<String, Integer> ack : persisted.entrySet()) {
            int stored = storedCounts.getOrDefault(ack.getKey(), 0);
            acknowledged += ack.getValue();
            if (stored < ack.getValue()) {
                problems.add(ack.getKey() + ": " + ack.getValue() + " frames acknowledged PERSISTED but only " + stored
                        + " stored");
            }
        }
        return new Result(problems, storedFrames, acknowledged);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
