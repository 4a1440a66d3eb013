package dev.doorbell.seal.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * INSECURE, TEST ONLY: a "SecureRandom" whose output is SHA-256(seed ‖ u64be(counter)) blocks, so that test vectors
 * and known-answer tests are reproducible. Anything it makes is public knowledge. Never use outside tests.
 */
public final class InsecureDeterministicRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;
    private long counter;
    private byte[] block = new byte[0];
    private int used;

    public InsecureDeterministicRandom(String seed) {
        this.seed = seed.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
        for (int i = 0; i < out.length; i++) {
            if (used == block.length) {
                block = nextBlock();
                used = 0;
            }
            out[i] = block[used++];
        }
    }

    @Override
    public void setSeed(long ignored) {
        // SecureRandom's constructor calls this; the seed is fixed at construction on purpose.
    }

    private byte[] nextBlock() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(seed);
            return sha.digest(ByteBuffer.allocate(8).putLong(counter++).array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
