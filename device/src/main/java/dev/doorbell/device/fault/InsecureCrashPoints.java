package dev.doorbell.device.fault;

import dev.doorbell.seal.keys.DurableFiles;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * INSECURE, for the crash harness only (docs/FIRMWARE.md, "Crash safety"): ends the whole device process, abruptly,
 * the N-th time it reaches one named {@link CrashPoint}. {@link Runtime#halt} runs no shutdown hook and flushes
 * nothing, so for the device's files it is kill -9 at a known step: what the kernel has is kept, nothing else. Nothing
 * is armed unless {@code simulate --insecure-crash-at} (or a test) calls {@link #arm}; then every other point costs one
 * volatile read. Process-wide on purpose: the process ends.
 */
public final class InsecureCrashPoints {
    /** The exit status of a halted device: what a shell reports for kill -9 (128 + 9). */
    public static final int EXIT_STATUS = 137;

    private static final Pattern SPEC = Pattern.compile("([a-z.-]+)(?::([1-9][0-9]{0,5}))?");

    private static volatile CrashAt armed;
    private static final AtomicInteger reached = new AtomicInteger();

    private InsecureCrashPoints() {}

    /** Where to crash: the {@code occurrence}-th time (from 1) the process reaches {@code point}. */
    public record CrashAt(CrashPoint point, int occurrence) {
        public CrashAt {
            if (occurrence < 1) {
                throw new IllegalArgumentException("occurrence must be >= 1, got " + occurrence);
            }
        }

        /**
         * {@code POINT[:N]}, N from 1 (default 1): {@code clip-start.renamed:2}.
         *
         * @throws IllegalArgumentException naming what is wrong and every known point
         */
        public static CrashAt parse(String spec) {
            Matcher m = SPEC.matcher(spec.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "'" + spec + "' is not POINT[:N] (N from 1); points: " + CrashPoint.names());
            }
            return new CrashAt(CrashPoint.parse(m.group(1)), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)));
        }

        @Override
        public String toString() {
            return point.cliName() + ":" + occurrence;
        }
    }

    /** The one line to print before the device starts: loud, naming the point. */
    public static String warning(CrashAt at) {
        return "INSECURE CRASH POINT " + at + " armed: the device process halts (as kill -9) the " + ordinal(at)
                + " time it reaches " + at.point().cliName() + "; a test fault, never for a device in use";
    }

    /** Arms {@code at} for this process (replacing any armed point); the count of reaches starts again. */
    public static void arm(CrashAt at) {
        reached.set(0);
        armed = at;
    }

    /** The device reached {@code point}: halts the process if that is the armed occurrence. */
    public static void reached(CrashPoint point) {
        CrashAt at = armed;
        if (at == null || at.point() != point) {
            return;
        }
        if (reached.incrementAndGet() == at.occurrence()) {
            System.err.println("INSECURE CRASH POINT " + at + " reached: halting the device process now");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /** The steps of a durable write of {@code update}, each a crash point. */
    public static DurableFiles.StepListener steps(CrashPoint.Update update) {
        if (armed == null) {
            return DurableFiles.StepListener.NONE;
        }
        return step -> reached(update.at(step));
    }

    private static String ordinal(CrashAt at) {
        int n = at.occurrence();
        String suffix = (n % 100 >= 11 && n % 100 <= 13)
                ? "th"
                : switch (n % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return n + suffix;
    }
}
