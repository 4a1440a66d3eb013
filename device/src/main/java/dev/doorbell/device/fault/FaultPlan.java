package dev.doorbell.device.fault;

import dev.doorbell.device.chain.ChainStateFile;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.InsecureSealingFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The firmware faults one run commits, and everything it derives from the run's seed: the stuck bytes, the seq at
 * which the counter goes back, how far the clock jumps. {@link #none()} is the device's normal path: every method then
 * hands back what it was given, so a device without faults pays nothing for the bench. Thread-safe (immutable).
 */
public final class FaultPlan {
    /** The outbox limit of {@link FirmwareFault#FLASH_FULL}: less than any sealed frame (a JPEG alone is larger). */
    public static final long FULL_FLASH_BYTES = 1024;
    /** How many bytes of the 16-byte tag {@link FirmwareFault#TRUNCATED_TAG} cuts off. */
    public static final int TAG_BYTES_CUT = 4;

    private static final FaultPlan NONE = new FaultPlan(EnumSet.noneOf(FirmwareFault.class), 0);

    private final EnumSet<FirmwareFault> faults;
    private final long seed;
    private final int resetAtSeq;
    private final long clockJumpMillis;

    private FaultPlan(EnumSet<FirmwareFault> faults, long seed) {
        this.faults = faults;
        this.seed = seed;
        SplittableRandom derived = new SplittableRandom(seed ^ 0x6661756c74L);
        // Late enough that frames before it are stored; early enough that every clip (pre-roll + post-roll) has it.
        this.resetAtSeq = 2 + derived.nextInt(4);
        this.clockJumpMillis = 3_600_000L + derived.nextLong(3_600_000L);
    }

    /** No fault: the device as it ships. */
    public static FaultPlan none() {
        return NONE;
    }

    /** The {@code faults}, each reproducible from {@code seed} (the run's seed). */
    public static FaultPlan of(Collection<FirmwareFault> faults, long seed) {
        if (faults.isEmpty()) {
            return NONE;
        }
        return new FaultPlan(EnumSet.copyOf(faults), seed);
    }

    public boolean isEmpty() {
        return faults.isEmpty();
    }

    public boolean has(FirmwareFault fault) {
        return faults.contains(fault);
    }

    public Set<FirmwareFault> faults() {
        return EnumSet.copyOf(faults);
    }

    public long seed() {
        return seed;
    }

    /** The seq at which {@link FirmwareFault#COUNTER_RESET} sends the counter back to 0 (2 to 5, from the seed). */
    public int resetAtSeq() {
        return resetAtSeq;
    }

    /** How far {@link FirmwareFault#CLOCK_BACKWARDS} sets the clock back after the first clip (1 to 2 h, seeded). */
    public long clockJumpMillis() {
        return clockJumpMillis;
    }

    /**
     * One line per fault, to print before the device starts: it names the fault and says that what the device sends
     * is deliberately broken.
     */
    public List<String> warnings(String deviceId) {
        List<String> lines = new ArrayList<>();
        for (FirmwareFault f : faults) {
            lines.add("INSECURE FIRMWARE FAULT " + f.cliName() + " on device " + deviceId + ": " + f.effect()
                    + "; its clips are deliberately broken and must not be trusted (fault seed " + seed + ")");
        }
        return lines;
    }

    /** The faults' names, comma-separated; "none" without faults. */
    public String names() {
        return faults.isEmpty()
                ? "none"
                : faults.stream().map(FirmwareFault::cliName).collect(Collectors.joining(","));
    }

    /** The random source one clip's sealer draws from: {@code random} itself unless a fault sticks its draws. */
    public SecureRandom clipRandom(SecureRandom random) {
        if (!has(FirmwareFault.STUCK_RNG)
                && !has(FirmwareFault.NONCE_PREFIX_REUSE)
                && !has(FirmwareFault.CLIP_KEY_REUSE)) {
            return random;
        }
        return new FaultyRandom(random, this);
    }

    /** The clip's facts as the faulty device states them: after the first clip a backwards clock says earlier times. */
    public ClipParams clipParams(ClipParams params, int clipIndex) {
        if (!has(FirmwareFault.CLOCK_BACKWARDS) || clipIndex == 0) {
            return params;
        }
        return new ClipParams(
                params.deviceId(),
                params.clipId(),
                params.trigger(),
                params.codec(),
                params.width(),
                params.height(),
                params.fps(),
                Math.max(0, params.startTimeUnixMs() - clockJumpMillis),
                params.preRollMs());
    }

    /** The ring press times of the clip, on the same faulty clock as {@link #clipParams}. */
    public List<Long> ringTimes(List<Long> ringUnixMs, int clipIndex) {
        if (!has(FirmwareFault.CLOCK_BACKWARDS) || clipIndex == 0) {
            return ringUnixMs;
        }
        return ringUnixMs.stream().map(t -> Math.max(0, t - clockJumpMillis)).toList();
    }

    /** The clip as the faulty sealer seals it (the sealer itself when no fault touches frames). */
    public ClipSealing sealing(ClipSealing clip) {
        if (has(FirmwareFault.WRONG_AAD)) {
            InsecureSealingFaults.corruptAad(clip);
        }
        if (!has(FirmwareFault.COUNTER_RESET) && !has(FirmwareFault.TRUNCATED_TAG)) {
            return clip;
        }
        return new FaultyClipSealing(
                clip, has(FirmwareFault.COUNTER_RESET) ? resetAtSeq : -1, has(FirmwareFault.TRUNCATED_TAG));
    }

    /** The outbox limit the device uses: {@link #FULL_FLASH_BYTES} when the flash is full, else {@code normal}. */
    public long bufferLimitBytes(long normal) {
        return has(FirmwareFault.FLASH_FULL) ? FULL_FLASH_BYTES : normal;
    }

    /**
     * What {@link FirmwareFault#CHAIN_ROLLBACK} restores at exit: the device's chain state as it was at boot (null
     * when there was none). Read before the device starts.
     */
    public BootChainState bootChainState(Path deviceDir) {
        if (!has(FirmwareFault.CHAIN_ROLLBACK)) {
            return BootChainState.NOT_ROLLED_BACK;
        }
        Path file = deviceDir.resolve(ChainStateFile.NAME);
        try {
            return new BootChainState(file, Files.exists(file) ? Files.readAllBytes(file) : null, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chain state " + file + " at boot", e);
        }
    }

    /** chain.state as it was at boot, put back at exit as if the writes since had never reached the flash. */
    public record BootChainState(Path file, byte[] bytes, boolean rollBack) {
        static final BootChainState NOT_ROLLED_BACK = new BootChainState(null, null, false);

        /** Puts the boot copy back (or removes the file if there was none); nothing without the fault. */
        public void restore() throws IOException {
            if (!rollBack) {
                return;
            }
            if (bytes == null) {
                Files.deleteIfExists(file);
            } else {
                Files.write(file, bytes);
            }
        }
    }

    /** A fixed stream of bytes from the seed: what a stuck random source hands out after every reset. */
    byte[] stuckBytes(int stream, int length) {
        byte[] out = new byte[length];
        new SplittableRandom(seed * 31 + stream).nextBytes(out);
        return out;
    }

    @Override
    public String toString() {
        return "FaultPlan{" + names() + ", seed " + seed + "}";
    }
}
