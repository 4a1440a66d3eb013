package dev.doorbell.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the devices of a run send (`fleet --traffic`). Every model seals every frame on its device and measures
 * PERSISTED latency from the frame's intended send time: an open loop charges a late sender for every frame it
 * delays; a closed loop sends as acks make room, so its latency is the uplink's answer time under full load.
 */
public sealed interface Traffic {
    /** The names accepted by {@code --traffic}. */
    List<String> NAMES = List.of("poisson", "constant", "saturation");

    /**
     * Doorbells: each device's clips arrive as a Poisson process at {@code clipsPerHour} (open loop), frames at the
     * profile's rate within a clip, nothing between clips.
     */
    record PoissonClips(double clipsPerHour) implements Traffic {
        public PoissonClips {
            if (!(clipsPerHour > 0) || Double.isInfinite(clipsPerHour)) {
                throw new IllegalArgumentException("clips per hour must be positive, got " + clipsPerHour);
            }
        }

        @Override
        public String name() {
            return "poisson";
        }

        @Override
        public Map<String, Object> parameters() {
            return Map.of("clipsPerHour", clipsPerHour);
        }
    }

    /**
     * {@code framesPerSecond} over the run's devices (its shard; worker processes split it), open loop: each device
     * its equal share on a fixed schedule, the devices' schedules staggered so that the run's frames are evenly spaced;
     * clips follow each other without a gap. A frame whose device already has {@code inflight} frames unpersisted is
     * not sent: it is counted as skipped.
     */
    record ConstantRate(double framesPerSecond, int inflight) implements Traffic {
        public ConstantRate {
            if (!(framesPerSecond > 0) || Double.isInfinite(framesPerSecond)) {
                throw new IllegalArgumentException("--rate must be positive frames per second, got " + framesPerSecond);
            }
            requireInflight(inflight);
        }

        @Override
        public String name() {
            return "constant";
        }

        @Override
        public Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("framesPerSecond", framesPerSecond);
            p.put("inflight", inflight);
            return p;
        }
    }

    /**
     * Closed loop, as a durable-ingest benchmark needs: every device keeps {@code inflight} frames sent and not yet
     * PERSISTED, and sends the next one as soon as an ack makes room; clips follow each other without a gap.
     */
    record Saturation(int inflight) implements Traffic {
        public Saturation {
            requireInflight(inflight);
        }

        @Override
        public String name() {
            return "saturation";
        }

        @Override
        public Map<String, Object> parameters() {
            return Map.of("inflight", inflight);
        }
    }

    /** The model's name, as {@code --traffic} takes it. */
    String name();

    /** What report.json keeps of it besides the name. */
    Map<String, Object> parameters();

    /** Most frames a device keeps unpersisted before it waits (closed loop) or skips (constant); none for Poisson. */
    default int inflight() {
        return this instanceof ConstantRate c
                ? c.inflight()
                : this instanceof Saturation s ? s.inflight() : Integer.MAX_VALUE;
    }

    /** One line: the name and the parameters, e.g. {@code constant 2000 frames/s, at most 64 in flight}. */
    default String describe() {
        if (this instanceof PoissonClips p) {
            return String.format(Locale.ROOT, "poisson %s clips per device-hour", p.clipsPerHour());
        }
        if (this instanceof ConstantRate c) {
            return String.format(
                    Locale.ROOT,
                    "constant %s frames/s, at most %d in flight per device",
                    c.framesPerSecond(),
                    c.inflight());
        }
        return "saturation, " + inflight() + " frames in flight per device";
    }

    private static void requireInflight(int inflight) {
        if (inflight < 1) {
            throw new IllegalArgumentException("--inflight must be at least 1, got " + inflight);
        }
    }
}
