package dev.doorbell.seal.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * INSECURE, TEST ONLY: the bytes of an {@link InsecureDeterministicRandom}, remembering every array it filled (the
 * caller's own array, to check later that the caller zeroed it) and a copy of what went in (to write the draws into
 * a test vector). Never use outside tests.
 */
public final class InsecureRecordingRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient SecureRandom inner;
    private final transient List<byte[]> arrays = new ArrayList<>();
    private final transient List<byte[]> draws = new ArrayList<>();

    public InsecureRecordingRandom(SecureRandom inner) {
        this.inner = inner;
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
        inner.nextBytes(out);
        arrays.add(out);
        draws.add(out.clone());
    }

    /** The arrays filled, in order: the callers' own arrays, as they are now. */
    public synchronized List<byte[]> arrays() {
        return List.copyOf(arrays);
    }

    /** What each call drew, in order. */
    public synchronized List<byte[]> draws() {
        return List.copyOf(draws);
    }

    /** Forgets what was drawn so far. */
    public synchronized void clear() {
        arrays.clear();
        draws.clear();
    }

    @Override
    public void setSeed(long ignored) {
        // SecureRandom's constructor calls this before the inner source exists; the bytes come from it alone.
    }
}
