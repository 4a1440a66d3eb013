package dev.doorbell.fleet;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.seal.v2.Padding;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a fleet run does; {@link #builder} starts from the defaults of {@code doorbell fleet}.
 *
 * @param host uplink host (loopback for benchmarks)
 * @param port uplink port
 * @param fleetDir the provisioned fleet (provisioned there with {@code devices} devices when it has none)
 * @param devices devices in the whole fleet; this run takes its shard of them
 * @param owners owners the devices of a fleet provisioned here are paired with (device i with owner i mod N)
 * @param shard this process's part of the fleet
 * @param slice devices [first, first + count) of the fleet instead of the shard's, or null
 * @param rampPerSecond devices started per second (infinite: as fast as {@code maxConnecting} lets them)
 * @param maxConnecting most TLS handshakes in progress at once; the ramp waits for room
 * @param connectFirst connect every device before any sends; then the sending time starts
 * @param sourceAddresses local addresses the devices' sockets bind to, round robin (empty: the system's choice)
 * @param warmup the first part of the sending time, not counted in the run's measured window
 * @param duration the sending time after the warmup: from the first connect, or from when all are connected
 * @param traffic how the devices send: Poisson clips, a constant rate, or saturation
 * @param minClip shortest clip
 * @param maxClip longest clip
 * @param profile frame profile: the size and rate of the pooled frames, and of every clip's header
 * @param frameBytes random payloads of these sizes instead of the profile's frames, or null
 * @param padTo every sealed frame padded to a multiple of this many bytes (docs/FORMAT.md §17); 0 for none
 * @param seed seeds every device's schedule, the frames or payloads, and the scenario
 * @param report directory of the report files and latency.hlog
 * @param tag names this process in latency.hlog
 * @param ioThreads event-loop threads shared by every link
 * @param senderThreads threads that seal and send; each owns an equal share of the devices
 * @param connectTimeout how long a device may take to be welcomed before it counts as failed
 * @param drainTimeout how long to wait at the end for PERSISTED acks
 * @param maxErrorRate errors per frame sent above which the run fails
 * @param maxConnectFailureRate failed devices per device above which the run fails
 * @param progressJson print progress as JSON lines (for a parent process) instead of text
 * @param thresholds further conditions the run must meet to pass ({@code --threshold})
 * @param commandLine the command as typed, for the report; empty when the run is started from code
 */
public record FleetPlan(
        String host,
        int port,
        Path fleetDir,
        int devices,
        int owners,
        Shard shard,
        Slice slice,
        double rampPerSecond,
        int maxConnecting,
        boolean connectFirst,
        List<InetAddress> sourceAddresses,
        Duration warmup,
        Duration duration,
        Traffic traffic,
        Duration minClip,
        Duration maxClip,
        Profile profile,
        FrameBytes frameBytes,
        int padTo,
        long seed,
        Path report,
        String tag,
        int ioThreads,
        int senderThreads,
        Duration connectTimeout,
        Duration drainTimeout,
        double maxErrorRate,
        double maxConnectFailureRate,
        boolean progressJson,
        List<Threshold> thresholds,
        List<String> commandLine) {

    /** Devices [first, first + count) of the fleet's list. */
    public record Slice(int first, int count) {
        public Slice {
            if (first < 0 || count < 1) {
                throw new IllegalArgumentException(
                        "a slice needs first >= 0 and count >= 1, got " + first + ", " + count);
            }
        }
    }

    /** Random payloads of {@code min} to {@code max} bytes. */
    public record FrameBytes(int min, int max) {
        public FrameBytes {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("frame sizes must satisfy 1 <= min <= max, got " + min + ".." + max);
            }
        }

        /** "N" or "MIN..MAX", in bytes. */
        public static FrameBytes parse(String text) {
            int dots = text.indexOf("..");
            try {
                return dots < 0
                        ? new FrameBytes(Integer.parseInt(text.trim()), Integer.parseInt(text.trim()))
                        : new FrameBytes(
                                Integer.parseInt(text.substring(0, dots).trim()),
                                Integer.parseInt(text.substring(dots + 2).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--frame-bytes is N or MIN..MAX in bytes, got '" + text + "'", e);
            }
        }

        @Override
        public String toString() {
            return min == max ? String.valueOf(min) : min + ".." + max;
        }
    }

    public FleetPlan {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fleetDir, "fleetDir");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(traffic, "traffic");
        Objects.requireNonNull(shard, "shard");
        sourceAddresses = List.copyOf(sourceAddresses);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (devices < 1 || maxConnecting < 1 || !(rampPerSecond > 0) || ioThreads < 1 || senderThreads < 1) {
            throw new IllegalArgumentException("devices, ramp, max connecting and threads must be positive, got "
                    + devices + ", " + rampPerSecond + ", " + maxConnecting + ", " + ioThreads + ", " + senderThreads);
        }
        if (owners < 1 || owners > devices) {
            throw new IllegalArgumentException(
                    "owners must be 1.." + devices + " (one device each at least), got " + owners);
        }
        if (slice != null && slice.first() + slice.count() > devices) {
            throw new IllegalArgumentException("devices " + slice.first() + ".." + (slice.first() + slice.count() - 1)
                    + " are not in a fleet of " + devices);
        }
        if (duration.isNegative()
                || duration.isZero()
                || warmup.isNegative()
                || minClip.isNegative()
                || minClip.isZero()
                || maxClip.compareTo(minClip) < 0) {
            throw new IllegalArgumentException(
                    "need a positive duration, a warmup of 0 or more and 0 < min clip <= max " + "clip, got " + duration
                            + ", " + warmup + ", " + minClip + ".." + maxClip);
        }
        if (maxErrorRate < 0 || maxConnectFailureRate < 0) {
            throw new IllegalArgumentException("error thresholds must not be negative");
        }
        Padding.check(padTo);
    }

    /** A plan with the defaults of {@code doorbell fleet}, against {@code host:port}. */
    public static Builder builder(String host, int port, Path fleetDir, int devices) {
        return new Builder(host, port, fleetDir, devices);
    }

    /** The first device of this run in the fleet's list. */
    public int from() {
        return slice != null ? slice.first() : shard.from(devices);
    }

    /** One past the last device of this run. */
    public int to() {
        return slice != null ? slice.first() + slice.count() : shard.to(devices);
    }

    /** Builds {@link FleetPlan}s; every setter has the command's default until called, and keeps its value after. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final Path fleetDir;
        private final int devices;
        private int owners = 1;
        private Shard shard = Shard.WHOLE;
        private Slice slice;
        private double rampPerSecond = 500;
        private int maxConnecting = 200;
        private boolean connectFirst;
        private List<InetAddress> sourceAddresses = List.of();
        private Duration warmup = Duration.ZERO;
        private Duration duration = Duration.ofSeconds(60);
        private Traffic traffic = new Traffic.PoissonClips(12);
        private Duration minClip = Duration.ofSeconds(4);
        private Duration maxClip = Duration.ofSeconds(20);
        private Profile profile = Profile.P240;
        private FrameBytes frameBytes;
        private int padTo;
        private long seed = 1;
        private Path report = Path.of("fleet-report");
        private String tag = "p0";
        private int ioThreads = 2;
        private int senderThreads = 2;
        private Duration connectTimeout = Duration.ofSeconds(60);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private double maxErrorRate = 0.01;
        private double maxConnectFailureRate = 0.01;
        private boolean progressJson;
        private List<Threshold> thresholds = List.of();
        private List<String> commandLine = List.of();

        private Builder(String host, int port, Path fleetDir, int devices) {
            this.host = host;
            this.port = port;
            this.fleetDir = fleetDir;
            this.devices = devices;
        }

        public Builder owners(int n) {
            owners = n;
            return this;
        }

        public Builder shard(Shard s) {
            shard = s;
            return this;
        }

        public Builder slice(int first, int count) {
            slice = new Slice(first, count);
            return this;
        }

        public Builder ramp(double perSecond, int maxInProgress) {
            rampPerSecond = perSecond;
            maxConnecting = maxInProgress;
            return this;
        }

        public Builder connectFirst(boolean all) {
            connectFirst = all;
            return this;
        }

        public Builder sourceAddresses(List<InetAddress> addresses) {
            sourceAddresses = addresses;
            return this;
        }

        public Builder sending(Duration warmupTime, Duration measured) {
            warmup = warmupTime;
            duration = measured;
            return this;
        }

        public Builder traffic(Traffic t) {
            traffic = t;
            return this;
        }

        public Builder clips(Duration shortest, Duration longest) {
            minClip = shortest;
            maxClip = longest;
            return this;
        }

        public Builder profile(Profile p) {
            profile = p;
            return this;
        }

        public Builder frameBytes(FrameBytes sizes) {
            frameBytes = sizes;
            return this;
        }

        public Builder pad(int bytes) {
            padTo = bytes;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder report(Path dir, String processTag) {
            report = dir;
            tag = processTag;
            return this;
        }

        public Builder threads(int io, int senders) {
            ioThreads = io;
            senderThreads = senders;
            return this;
        }

        public Builder timeouts(Duration connect, Duration drain) {
            connectTimeout = connect;
            drainTimeout = drain;
            return this;
        }

        public Builder limits(double errorRate, double connectFailureRate) {
            maxErrorRate = errorRate;
            maxConnectFailureRate = connectFailureRate;
            return this;
        }

        public Builder progressJson(boolean json) {
            progressJson = json;
            return this;
        }

        public Builder thresholds(List<Threshold> conditions) {
            thresholds = List.copyOf(conditions);
            return this;
        }

        public Builder commandLine(List<String> args) {
            commandLine = List.copyOf(args);
            return this;
        }

        public FleetPlan build() {
            return new FleetPlan(
                    host,
                    port,
                    fleetDir,
                    devices,
                    owners,
                    shard,
                    slice,
                    rampPerSecond,
                    maxConnecting,
                    connectFirst,
                    sourceAddresses,
                    warmup,
                    duration,
                    traffic,
                    minClip,
                    maxClip,
                    profile,
                    frameBytes,
                    padTo,
                    seed,
                    report,
                    tag,
                    ioThreads,
                    senderThreads,
                    connectTimeout,
                    drainTimeout,
                    maxErrorRate,
                    maxConnectFailureRate,
                    progressJson,
                    thresholds,
                    commandLine);
        }
    }
}
