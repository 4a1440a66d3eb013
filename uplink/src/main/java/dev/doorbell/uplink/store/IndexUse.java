package dev.doorbell.uplink.store;

/**
 * The clips a store's index holds in memory (docs/OPERATIONS.md, "Sizing"): in full form (open clips, the most
 * recently closed, damaged ones; their bytes estimated, header bytes and frame locations included) and in compact
 * form (older closed clips; their bytes counted exactly from the arrays that hold them).
 */
public record IndexUse(int fullClips, long fullBytes, int compactClips, long compactBytes) {}
