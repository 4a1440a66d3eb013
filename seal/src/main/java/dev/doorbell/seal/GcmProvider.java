package dev.doorbell.seal;

/**
 * Which AES-GCM implementation seals and opens. {@link #JCA} is the default: the JDK's intrinsics run at gigabytes
 * per second. {@link #BOUNCY_CASTLE} (pure Java, about 58 MB/s here) exists as an independent cross-check in tests.
 */
public enum GcmProvider {
    JCA,
    BOUNCY_CASTLE
}
