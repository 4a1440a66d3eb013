package dev.doorbell.seal.testing;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * INSECURE, TEST ONLY: a "SecureRandom" that hands out exactly the given bytes, in order, then throws. Used to
 * replay the salt and nonce prefix recorded in a test vector through the real {@code ClipSealer.start} path.
 */
public final class InsecureReplayRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient ByteBuffer bytes;

    public InsecureReplayRandom(byte[]... chunks) {
        int total = 0;
        for (byte[] chunk : chunks) {
            total += chunk.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        for (byte[] chunk : chunks) {
            buffer.put(chunk);
        }
        this.bytes = buffer.flip();
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
        if (out.length > bytes.remaining()) {
            throw new IllegalStateException(
                    "replay random asked for " + out.length + " bytes, " + bytes.remaining() + " left");
        }
        bytes.get(out);
    }

    public int remaining() {
        return bytes.remaining();
    }

    @Override
    public void setSeed(long ignored) {
        // SecureRandom's constructor calls this before the replay buffer exists; the bytes are fixed on purpose.
    }
}
