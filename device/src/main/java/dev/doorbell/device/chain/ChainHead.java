package dev.doorbell.device.chain;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;

/**
 * The newest clip a device has started and what the uplink has acknowledged of it: what {@code chain.state} holds
 * (docs/PROTOCOL.md, "What the device persists") and what the next clip's {@link ChainLink} names.
 *
 * @param position the clip's position in the device's chain (1 for the first clip after pairing)
 * @param headerSha256 SHA-256 of the clip's header bytes as sent (32 bytes)
 * @param acknowledged frames PERSISTED from seq 0 without a gap, as far as the device knows
 * @param finalAcknowledged whether those include the clip's final frame
 */
public record ChainHead(
        long position, long clipId, ByteString headerSha256, int acknowledged, boolean finalAcknowledged) {
    public ChainHead {
        if (position < 1) {
            throw new IllegalArgumentException("position must be >= 1, got " + position);
        }
        if (clipId == 0) {
            throw new IllegalArgumentException("clip id 0 is reserved");
        }
        if (headerSha256.size() != 32) {
            throw new IllegalArgumentException("header hash must be 32 bytes, got " + headerSha256.size());
        }
        if (acknowledged < 0) {
            throw new IllegalArgumentException("acknowledged must be >= 0, got " + acknowledged);
        }
        if (finalAcknowledged && acknowledged == 0) {
            throw new IllegalArgumentException("a final frame acknowledged needs at least one frame acknowledged");
        }
    }

    /** A clip just started: nothing of it acknowledged yet. */
    static ChainHead started(long position, long clipId, ByteString headerSha256) {
        return new ChainHead(position, clipId, headerSha256, 0, false);
    }

    /** The link of the clip that follows this one. */
    ChainLink successorLink() {
        return ChainLink.newBuilder()
                .setPosition(position + 1)
                .setPrevClipId(clipId)
                .setPrevHeaderSha256(headerSha256)
                .setPrevAcknowledgedFrames(acknowledged)
                .setPrevFinalAcknowledged(finalAcknowledged)
                .build();
    }

    ChainHead acknowledging(int frames, boolean includesFinal) {
        return new ChainHead(
                position, clipId, headerSha256, Math.max(acknowledged, frames), finalAcknowledged || includesFinal);
    }
}
