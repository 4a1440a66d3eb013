package dev.doorbell.device.fault;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A firmware fault the device commits on purpose, for the bench (docs/FIRMWARE.md, "Fault modes"): each makes clips
 * that are deliberately broken and must never be trusted. The device commits none of them unless it is named with
 * {@code simulate --fault} (or handed to the simulation in a {@link FaultPlan}); each is reproducible from the run's
 * seed.
 */
public enum FirmwareFault {
    /** The random source is stuck: every clip draws the same clip key, nonce prefix and HPKE randomness. */
    STUCK_RNG("stuck-rng", "every clip draws the same clip key, nonce prefix and HPKE randomness (a stuck RNG)"),
    /** Every clip gets the same nonce prefix; its clip key is fresh. */
    NONCE_PREFIX_REUSE("nonce-prefix-reuse", "every clip gets the same nonce prefix"),
    /** Every clip gets the same clip key {@code k}; its nonce prefix and wrapping randomness are fresh. */
    CLIP_KEY_REUSE("clip-key-reuse", "every clip gets the same clip key k"),
    /** Mid-clip the frame counter goes back to 0: later frames reuse seqs and nonces under the clip's key. */
    COUNTER_RESET("counter-reset", "the frame counter goes back to 0 mid-clip (nonce reuse under one key)"),
    /** Every frame is sealed with one bit of its AAD flipped. */
    WRONG_AAD("wrong-aad", "every frame is sealed with a wrong AAD"),
    /** Every sealed frame loses the last 4 bytes of its 16-byte tag. */
    TRUNCATED_TAG("truncated-tag", "every sealed frame's tag is cut to 12 bytes"),
    /** chain.state is not durable: after the run it is as it was at boot, so the next run reuses positions. */
    CHAIN_ROLLBACK("chain-rollback", "chain.state is rolled back to its boot copy at exit (not durable before use)"),
    /** The device's wall clock jumps backwards between clips: later clips say they started before earlier ones. */
    CLOCK_BACKWARDS("clock-backwards", "the wall clock jumps back between clips"),
    /** The flash is full: the outbox holds less than one frame, so its policy (drop the oldest clip) drops clips. */
    FLASH_FULL("flash-full", "the outbox holds less than one frame (a full flash): its policy drops clips");

    private final String cliName;
    private final String effect;

    FirmwareFault(String cliName, String effect) {
        this.cliName = cliName;
        this.effect = effect;
    }

    /** The name {@code simulate --fault} takes. */
    public String cliName() {
        return cliName;
    }

    /** What the device does wrong, in a few words. */
    public String effect() {
        return effect;
    }

    /**
     * The fault named {@code name} (its {@link #cliName()}, case-insensitive).
     *
     * @throws IllegalArgumentException naming the unknown fault and every known one
     */
    public static FirmwareFault parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (FirmwareFault f : values()) {
            if (f.cliName.equals(wanted)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown firmware fault '" + name + "'; known: " + names());
    }

    /** Every fault's name, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(FirmwareFault::cliName).collect(Collectors.joining(", "));
    }
}
