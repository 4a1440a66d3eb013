package dev.doorbell.owner.chain;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import java.util.Objects;

/**
 * One opened format v3 clip of a device as the chain check sees it (docs/FORMAT.md §17): its signed link to its
 * predecessor, the SHA-256 of its header bytes as stored, and what its frames gave.
 *
 * @param link the header's ChainLink (covered by the device's signature)
 * @param headerSha256 SHA-256 of the stored header bytes (the SignedClipHeader), which a successor names
 * @param verifiedFrames frames verified from seq 0 without a gap
 * @param finalPresent whether the final frame is among them
 * @param framesChecked false when the header verified but no frame could be opened (the identity is not one of the
 *     clip's recipients): the clip still places its neighbours, but says nothing about its own frames
 * @param startUnixMs the sealed ClipInfo's start time, 0 when unknown (the info was not opened)
 * @param clipKeyFingerprint the opener's fingerprint of the clip key ({@code ClipOpenerV2.clipKeyFingerprint}), empty
 *     when unknown: two clips of a device with the same one share a clip key
 */
public record ChainedClip(
        long clipId,
        ChainLink link,
        ByteString headerSha256,
        int verifiedFrames,
        boolean finalPresent,
        boolean framesChecked,
        long startUnixMs,
        ByteString clipKeyFingerprint) {
    public ChainedClip {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(headerSha256, "headerSha256");
        Objects.requireNonNull(clipKeyFingerprint, "clipKeyFingerprint");
        if (verifiedFrames < 0) {
            throw new IllegalArgumentException("verifiedFrames must be >= 0, got " + verifiedFrames);
        }
    }

    /** A clip whose start time and clip key are not known: the checks of {@link SealedChainCheck} skip it. */
    public ChainedClip(
            long clipId,
            ChainLink link,
            ByteString headerSha256,
            int verifiedFrames,
            boolean finalPresent,
            boolean framesChecked) {
        this(clipId, link, headerSha256, verifiedFrames, finalPresent, framesChecked, 0, ByteString.EMPTY);
    }

    public long position() {
        return link.getPosition();
    }

    /** 16 lower-case hex digits, as {@code open} lists clips. */
    public String name() {
        return ClipChain.hex(clipId);
    }
}
