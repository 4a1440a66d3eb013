package dev.doorbell.shipper.bench;

import dev.doorbell.shipper.ShipperForBench;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Server;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.ClosedSegments;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Durable ingest with shipping on against shipping off, in one run (scripts/bench-tier): writer threads, one per
 * simulated device, each keeping a window of frames in flight, submit sealed frames to the uplink's directory store
 * (group commit, direct I/O, the uplink's defaults but for the segment size) and count those acknowledged durable.
 * With shipping on, the shipper ships each segment as it closes to a real S3 server (s3proxy on loopback, in-memory
 * blob store) in the same JVM, on the same two cores: what it costs the store is its reads of closed segments, its
 * CRC32C and MD5, and the HTTP upload, with the S3 server's own work on top.
 */
public final class TierBench {
    private TierBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = null;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("bench-tier: unknown option " + args[i] + " (--dir DIR, --quick)");
                    System.exit(2);
                }
            }
        }
        if (dir == null) {
            System.err.println("bench-tier: give --dir DIR");
            System.exit(2);
        }
        Duration each = quick ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
        Duration drainLimit = quick ? Duration.ofSeconds(10) : Duration.ofSeconds(60);
        int devices = 16;
        int window = 32;
        int frameBytes = 16 << 10;
        long segmentBytes = quick ? 4L << 20 : 32L << 20;
        System.out.printf(
                "tier bench: %d devices, %d KiB frames, window %d, %d s each way, segments of %d MiB, direct I/O%n",
                devices, frameBytes >> 10, window, each.toSeconds(), segmentBytes >> 20);
        System.out.println("JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores: " + cpuModel());
        // The S3 server keeps its objects in files beside the stores: gigabytes do not fit its in-memory store.
        try (S3Server server = S3Server.startOnDisk(Files.createDirectories(dir.resolve("s3")));
                S3Client s3 = server.client()) {
            server.createBucket("bench-tier");
            // Alternating rounds, so that a neighbour's load on the machine falls on both ways alike.
            List<Result> off = new ArrayList<>();
            List<Result> on = new ArrayList<>();
            for (int round = 1; round <= 2; round++) {
                Result r = run(
                        dir.resolve("off-" + round + "-" + System.nanoTime()),
                        null,
                        null,
                        each,
                        drainLimit,
                        devices,
                        window,
                        frameBytes,
                        segmentBytes);
                print("round " + round + " shipping off", r);
                off.add(r);
                r = run(
                        dir.resolve("on-" + round + "-" + System.nanoTime()),
                        s3,
                        "bench-tier",
                        each,
                        drainLimit,
                        devices,
                        window,
                        frameBytes,
                        segmentBytes);
                print("round " + round + " shipping on ", r);
                System.out.printf(
                        Locale.ROOT,
                        "  shipped while writing: %d of %d segments closed by the end of the writes; then, the shipper"
                                + " alone: %.1f MB in %.1f s, %.1f MB/s%s%n",
                        r.shippedSegments(),
                        r.closedSegments(),
                        r.catchUpBytes() / 1e6,
                        r.catchUpNanos() / 1e9,
                        r.catchUpBytes() / 1e6 / Math.max(1e-9, r.catchUpNanos() / 1e9),
                        r.drained() ? "" : " (stopped at the limit, behind)");
                on.add(r);
            }
            double offFrames = off.stream().mapToDouble(Result::framesPerSecond).sum() / off.size();
            double onFrames = on.stream().mapToDouble(Result::framesPerSecond).sum() / on.size();
            System.out.printf(
                    Locale.ROOT,
                    "shipping off: %.0f frames/s, %.1f MB/s durable (mean of %d rounds)%n",
                    offFrames,
                    offFrames * frameBytes / 1e6,
                    off.size());
            System.out.printf(
                    Locale.ROOT,
                    "shipping on: %.0f frames/s, %.1f MB/s durable (mean of %d rounds)%n",
                    onFrames,
                    onFrames * frameBytes / 1e6,
                    on.size());
            System.out.printf(Locale.ROOT, "ratio on/off: %.3f (frames/s and MB/s alike)%n", onFrames / offFrames);
        }
    }

    private record Result(
            double framesPerSecond,
            double megabytesPerSecond,
            int shippedSegments,
            int closedSegments,
            long catchUpBytes,
            long catchUpNanos,
            boolean drained) {}

    private static void print(String name, Result r) {
        System.out.printf(
                Locale.ROOT,
                "%s: %.0f frames/s, %.1f MB/s durable%n",
                name,
                r.framesPerSecond(),
                r.megabytesPerSecond());
    }

    private static Result run(
            Path store,
            S3Client s3,
            String bucket,
            Duration each,
            Duration drainLimit,
            int devices,
            int window,
            int frameBytes,
            long segmentBytes)
            throws Exception {
        Files.createDirectories(store.getParent());
        AtomicLong frames = new AtomicLong();
        StoreOptions options = StoreOptions.defaults().withSegmentBytes(segmentBytes);
        ShipperForBench shipper = null;
        long shippedAtEnd = 0;
        int closedAtEnd = 0;
        Thread shipping = null;
        long elapsed;
        try (DirectoryStore directory = DirectoryStore.open(store, options)) {
            if (s3 != null) {
                shipper = new ShipperForBench(
                        s3, new S3Location("bench-tier", store.getFileName().toString()), store);
                ShipperForBench running = shipper;
                shipping = new Thread(running::loop, "bench-shipper");
                shipping.start();
            }
            ExecutorService pool = Executors.newFixedThreadPool(devices);
            long deadline = System.nanoTime() + each.toNanos();
            long started = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                int device = d;
                done.add(pool.submit(() -> {
                    write(directory, "bench-" + device, deadline, window, frameBytes, frames);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(each.toSeconds() + 60, TimeUnit.SECONDS);
            }
            elapsed = System.nanoTime() - started;
            pool.shutdown();
            if (shipper != null) {
                // What is in the bucket when the writes end (a pass may be half-way through the closed segments).
                shippedAtEnd =
                        s3
                                .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(store.getFileName() + "/"))
                                .contents()
                                .stream()
                                .filter(o -> o.key().endsWith(".seg"))
                                .count();
                closedAtEnd = ClosedSegments.list(store).size();
            }
            if (shipper != null) {
                shipper.stop();
                shipping.join(60_000);
            }
        }
        long catchUpBytes = 0;
        long catchUpNanos = 0;
        boolean drained = true;
        if (shipper != null) {
            // The store stopped: what the shipper does alone, shipping what is left (the store's last segment stays).
            long before = shipper.bytes();
            long started = System.nanoTime();
            drained = shipper.drain(drainLimit);
            catchUpNanos = System.nanoTime() - started;
            catchUpBytes = shipper.bytes() - before;
        }
        double seconds = elapsed / 1e9;
        // Gigabytes a run: the store and its objects go once measured.
        deleteTree(store);
        deleteTree(store.getParent()
                .resolve("s3")
                .resolve("bench-tier")
                .resolve(store.getFileName().toString()));
        return new Result(
                frames.get() / seconds,
                frames.get() * (double) frameBytes / 1e6 / seconds,
                (int) shippedAtEnd,
                closedAtEnd,
                catchUpBytes,
                catchUpNanos,
                drained);
    }

    /** One device: clips of 60 frames, at most {@code window} frames not yet durable, until the deadline. */
    private static void write(
            ClipStore store, String device, long deadline, int window, int frameBytes, AtomicLong frames)
            throws Exception {
        Random random = new Random(device.hashCode());
        byte[] sealed = new byte[frameBytes];
        random.nextBytes(sealed);
        byte[] meta = new byte[16];
        Semaphore inFlight = new Semaphore(window);
        for (long clip = 1; System.nanoTime() < deadline; clip++) {
            byte[] header = new byte[200];
            random.nextBytes(header);
            store.openClip(device, clip, header).durable().get(30, TimeUnit.SECONDS);
            for (int seq = 0; seq < 60 && System.nanoTime() < deadline; seq++) {
                inFlight.acquire();
                Submission s = store.appendFrame(device, clip, seq, false, meta, sealed);
                s.durable().whenComplete((v, e) -> {
                    if (e == null) {
                        frames.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
        }
        inFlight.acquire(window);
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU (" + e.getMessage() + ")";
        }
    }
}
