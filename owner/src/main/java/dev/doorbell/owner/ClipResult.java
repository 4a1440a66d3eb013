package dev.doorbell.owner;

import java.nio.file.Path;

/**
 * What opening one stored clip gave: its verdict (OK, TRUNCATED, TAMPERED, DAMAGED, or NO KEY when the keyring
 * cannot open it) with the keyword of its reason (docs/FORMAT.md §4), what was written, and the figures for the
 * tables.
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
        Path outDir) {

    public boolean ok() {
        return "OK".equals(verdict);
    }

    public String clipName() {
        return String.format("%016x", clipId);
    }
}
