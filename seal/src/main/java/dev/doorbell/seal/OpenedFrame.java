package dev.doorbell.seal;

/** A frame whose tag verified: its position, its capture time from the metadata and its plaintext. */
public record OpenedFrame(int seq, boolean last, long ptsMicros, byte[] plaintext) {}
