package dev.doorbell.owner;

import dev.doorbell.owner.chain.ChainedClip;
import java.nio.file.Path;
import java.util.List;

/**
 * What opening one stored clip gave: its verdict (OK, TRUNCATED, TAMPERED, DAMAGED, NO KEY when the keyring cannot
 * open it, or MISSING when the device's chain says acknowledged frames of it are gone) with the keyword of its reason
 * (docs/FORMAT.md §4), what was written, and the figures for the tables.
 *
 * @param chain what the chain check needs of a format v3 clip whose header verified; null for every other clip
 * @param uplinkFlags the keyless misuse flags the uplink stored with the clip, "reason (detail)"; informative
 */
public record ClipResult(
        String deviceId,
        long clipId,
        String trigger,
        int storedFrames,
        int verifiedFrames,
        long sealedBytes,
        String verdict,
        String keyword,
        String summary,
        Path outDir,
        ChainedClip chain,
        List<String> uplinkFlags) {

    public ClipResult {
        uplinkFlags = List.copyOf(uplinkFlags);
    }

    public boolean ok() {
        return "OK".equals(verdict);
    }

    public String clipName() {
        return String.format("%016x", clipId);
    }

    /** The same clip with the verdict the chain check gave it: {@code MISSING at frame M (...)}. */
    public ClipResult missingFrames(String line) {
        return new ClipResult(
                deviceId,
                clipId,
                trigger,
                storedFrames,
                verifiedFrames,
                sealedBytes,
                "MISSING",
                "acknowledged frames missing",
                line,
                outDir,
                chain,
                uplinkFlags);
    }
}
