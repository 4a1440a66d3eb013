package dev.doorbell.device.fault;

import java.security.SecureRandom;

/**
 * The random source of one faulty clip. The v3 sealer draws {@code k} (32 bytes), then the nonce prefix (7 bytes),
 * then each recipient's HPKE randomness (docs/FORMAT.md §17.2); a stuck source hands out the same bytes for every
 * clip, the reuse faults only for the draw they name. Made per clip, so the draw count starts at 0.
 */
final class FaultyRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    private final transient SecureRandom real;
    private final transient FaultPlan plan;
    private int draw;

    FaultyRandom(SecureRandom real, FaultPlan plan) {
        this.real = real;
        this.plan = plan;
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        int n = draw++;
        boolean stuck = plan.has(FirmwareFault.STUCK_RNG)
                || (n == 0 && plan.has(FirmwareFault.CLIP_KEY_REUSE))
                || (n == 1 && plan.has(FirmwareFault.NONCE_PREFIX_REUSE));
        if (stuck) {
            System.arraycopy(plan.stuckBytes(n, bytes.length), 0, bytes, 0, bytes.length);
        } else {
            real.nextBytes(bytes);
        }
    }
}
