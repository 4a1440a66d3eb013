package dev.doorbell.device.pairing;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;

/**
 * The newest clip this device started, in memory only, for each new clip's {@link ChainLink} (docs/FORMAT.md §17):
 * position 1 for the first clip, then the previous clip's position + 1, id and header hash. It knows no
 * acknowledgement (prev_acknowledged_frames 0) and forgets everything at a restart; the device's durable chain state
 * ({@code chain.state}, V3-SPEC §D) takes its place. One thread at a time, as {@link PairedDevice#startClip}.
 */
final class InMemoryChainHead {
    private long position;
    private long clipId;
    private byte[] headerSha256 = new byte[0];

    /** The link of the clip about to start. */
    ChainLink next() {
        return ChainLink.newBuilder()
                .setPosition(position + 1)
                .setPrevClipId(clipId)
                .setPrevHeaderSha256(ByteString.copyFrom(headerSha256))
                .build();
    }

    /** The clip of {@link #next()} has started: it is the head now. */
    void started(long startedClipId, byte[] startedHeaderSha256) {
        position++;
        clipId = startedClipId;
        headerSha256 = startedHeaderSha256.clone();
    }
}
