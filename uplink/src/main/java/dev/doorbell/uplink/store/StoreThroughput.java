package dev.doorbell.uplink.store;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store alone, without TLS or sockets: {@code threads} submitters append clips of random 16–64 KiB frames for
 * many devices to a {@link DirectoryStore}, each keeping {@code inflight} records unpersisted, and count the sealed
 * bytes that became durable in the measured window. What the group commit path can take on this disk when nothing
 * else needs the CPU; scripts/bench-store runs it in its own JVM.
 *
 * <p>Usage: {@code java -cp doorbell-uplink.jar dev.doorbell.uplink.store.StoreThroughput DIR SECONDS THREADS
 * DEVICES INFLIGHT}; prints one line {@code store-alone mb_per_s=... frames_per_s=... fsyncs=... batches=...}.
 */
public final class StoreThroughput {
    private static final int FRAMES_PER_CLIP = 300;
    private static final int MIN_FRAME = 16 << 10;
    private static final int MAX_FRAME = 64 << 10;
    private static final int POOL = 64;

    private StoreThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: StoreThroughput DIR SECONDS THREADS DEVICES INFLIGHT");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long seconds = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        int devices = Integer.parseInt(args[3]);
        int inflight = Integer.parseInt(args[4]);
        List<ByteString> pool = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < POOL; i++) {
            byte[] frame = new byte[MIN_FRAME + random.nextInt(MAX_FRAME - MIN_FRAME + 1)];
            random.nextBytes(frame);
            pool.add(ByteString.copyFrom(frame));
        }
        AtomicLong durableBytes = new AtomicLong();
        AtomicLong durableFrames = new AtomicLong();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, seconds / 4));
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
        StoreStats stats;
        try (DirectoryStore store = DirectoryStore.open(dir, StoreOptions.defaults())) {
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * devices / threads;
                int last = (t + 1) * devices / threads;
                Thread thread = new Thread(
                        () -> submit(store, pool, first, last, inflight, warmupEnd, end, durableBytes, durableFrames),
                        "store-submitter-" + t);
                thread.start();
                submitters.add(thread);
            }
            for (Thread thread : submitters) {
                thread.join(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 30_000);
            }
            stats = store.stats();
        }
        System.out.printf(
                "store-alone mb_per_s=%.1f frames_per_s=%.0f fsyncs=%d batches=%d write_ms=%d fsync_ms=%d "
                        + "checkpoint_ms=%d%n",
                durableBytes.get() / 1e6 / seconds,
                durableFrames.get() / (double) seconds,
                stats.fsyncs(),
                stats.batches(),
                stats.writeMillis(),
                stats.fsyncMillis(),
                stats.checkpointMillis());
    }

    private static void submit(
            DirectoryStore store,
            List<ByteString> pool,
            int firstDevice,
            int lastDevice,
            int inflight,
            long warmupEnd,
            long end,
            AtomicLong durableBytes,
            AtomicLong durableFrames) {
        ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        int devices = lastDevice - firstDevice;
        long[] clip = new long[devices];
        int[] seq = new int[devices];
        byte[] header = new byte[90];
        long draw = firstDevice;
        for (int i = 0; System.nanoTime() < end; i = (i + 1) % devices) {
            String device = "bench-" + (firstDevice + i);
            if (seq[i] == 0) {
                pending.add(store.openClip(device, clip[i], header).durable());
            }
            ByteString sealed = pool.get((int) (draw++ % pool.size()));
            boolean last = seq[i] == FRAMES_PER_CLIP - 1;
            Submission s = store.appendFrame(device, clip[i], seq[i], last, ByteString.EMPTY, sealed);
            if (s.outcome() != Outcome.ACCEPTED) {
                throw new IllegalStateException(device + ": " + s.outcome() + " " + s.detail());
            }
            pending.add(s.durable().thenRun(() -> {
                long now = System.nanoTime();
                if (now >= warmupEnd && now < end) {
                    durableBytes.addAndGet(sealed.size());
                    durableFrames.incrementAndGet();
                }
            }));
            if (last) {
                pending.add(store.closeClip(device, clip[i], FRAMES_PER_CLIP).durable());
                clip[i]++;
                seq[i] = 0;
            } else {
                seq[i]++;
            }
            while (pending.size() > inflight) {
                pending.poll().join();
            }
        }
        pending.forEach(CompletableFuture::join);
    }
}
