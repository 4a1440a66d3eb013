package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitWriterTest {
    private static final int THREADS = 8;
    private static final int DEVICES_PER_THREAD = 5;
    private static final int CLIPS = 2;
    private static final int FRAMES = 25;

    @TempDir
    Path dir;

    private record Stored(String device, long clip, int seq, int length) {}

    @Test
    void appendFrame_manyThreadsManyDevices_everyDurableRecordReadBackAndFsyncsShared() throws Exception {
        ConcurrentLinkedQueue<Stored> durable = new ConcurrentLinkedQueue<>();
        StoreStats stats;
        try (DirectoryStore store =
                DirectoryStore.open(dir, StoreFixtures.options().withSegmentBytes(1 << 20), StoreFixtures.CLOCK)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        appendInterleaved(store, thread, durable);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(StoreFixtures.DEADLINE.toSeconds() * 3, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            stats = store.stats();
        }
        int expected = THREADS * DEVICES_PER_THREAD * CLIPS * FRAMES;
        assertEquals(expected, durable.size());
        long headers = THREADS * DEVICES_PER_THREAD * CLIPS;
        assertEquals(expected + 2 * headers, stats.records(), "frames, headers and closes");
        assertTrue(stats.fsyncs() < stats.records() / 4, "group commit shared fsyncs: " + stats);
        assertTrue(stats.fsyncs() <= stats.batches(), "one fdatasync covers one or more written batches: " + stats);
        try (StoreReader reader = StoreReader.open(dir)) {
            assertTrue(reader.report().ok(), reader.report().toString());
            assertTrue(reader.report().segments() > 1, "rolled over small segments: " + reader.report());
            Map<String, StoreReader.Clip> clips = new HashMap<>();
            for (Stored s : durable) {
                StoreReader.Clip clip = clips.get(s.device() + "/" + s.clip());
                if (clip == null) {
                    clip = reader.clip(s.device(), s.clip());
                    clips.put(s.device() + "/" + s.clip(), clip);
                }
                StoreReader.Frame frame = clip.frames().get(s.seq());
                assertArrayEquals(sealed(s.device(), s.clip(), s.seq(), s.length()), frame.sealed(), s.toString());
                assertArrayEquals(meta(s.device(), s.clip(), s.seq()), frame.meta(), s.toString());
            }
            assertEquals(headers, reader.clips().size());
        }
    }

    /** One thread's devices, frames interleaved across its devices and clips, without waiting between submissions. */
    private static void appendInterleaved(ClipStore store, int thread, ConcurrentLinkedQueue<Stored> durable)
            throws Exception {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int d = 0; d < DEVICES_PER_THREAD; d++) {
            for (long clip = 1; clip <= CLIPS; clip++) {
                String device = "cam-" + thread + "-" + d;
                StoreFixtures.durable(
                        store.openClip(device, clip, StoreFixtures.header(device, clip)), Outcome.ACCEPTED);
            }
        }
        for (int seq = 0; seq < FRAMES; seq++) {
            for (int d = 0; d < DEVICES_PER_THREAD; d++) {
                for (long clip = 1; clip <= CLIPS; clip++) {
                    String device = "cam-" + thread + "-" + d;
                    int length = 500 + (int) ((seq * 131L + d * 17L + clip * 7) % 3000);
                    Submission s = store.appendFrame(
                            device,
                            clip,
                            seq,
                            seq == FRAMES - 1,
                            meta(device, clip, seq),
                            sealed(device, clip, seq, length));
                    assertEquals(Outcome.ACCEPTED, s.outcome(), s.detail());
                    Stored stored = new Stored(device, clip, seq, length);
                    pending.add(s.durable().thenRun(() -> durable.add(stored)));
                }
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .get(StoreFixtures.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        for (int d = 0; d < DEVICES_PER_THREAD; d++) {
            for (long clip = 1; clip <= CLIPS; clip++) {
                StoreFixtures.durable(store.closeClip("cam-" + thread + "-" + d, clip, FRAMES), Outcome.ACCEPTED);
            }
        }
    }

    @Test
    void startNew_freshStoreAndRoll_directoriesFsyncedAfterEntriesCreated() throws Exception {
        List<String> events = new ArrayList<>();
        DiskOps recording = new DiskOps() {
            @Override
            void forceDirectory(Path target) throws IOException {
                events.add("fsync " + dir.relativize(target) + " " + listing(target));
                super.forceDirectory(target);
            }
        };
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(
                store,
                StoreFixtures.options().withSegmentBytes(2048),
                StoreFixtures.CLOCK,
                recording,
                FailurePolicy.defaults())) {
            storeClip(s, "door", 1, 3, 1500, true);
        }
        // The marker comes last: a store with a v2 marker always has its first segment and its checkpoint.
        assertEquals(
                List.of(
                        "fsync store [lock, segments]",
                        "fsync store/segments [0000000001.seg]",
                        "fsync store [checkpoint, lock, segments]",
                        "fsync store [checkpoint, doorbell-store, lock, segments]"),
                events.subList(0, 4));
        assertTrue(events.contains("fsync store/segments [0000000001.seg, 0000000002.seg]"), events.toString());
    }

    @Test
    void write_fsyncFails_failStopThenNewSegmentAndResendAccepted() throws Exception {
        AtomicInteger failForces = new AtomicInteger();
        DiskOps failing = new DiskOps() {
            @Override
            void force(FileChannel channel) throws IOException {
                if (failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IOException("injected fsync failure");
                }
                super.force(channel);
            }
        };
        String device = "garage";
        try (DirectoryStore store = DirectoryStore.open(
                dir,
                StoreFixtures.options(),
                StoreFixtures.CLOCK,
                failing,
                new FailurePolicy(java.time.Duration.ofMillis(20), 5))) {
            storeClip(store, device, 1, 0, 0, false);
            StoreFixtures.durable(
                    store.appendFrame(device, 1, 0, false, meta(device, 1, 0), sealed(device, 1, 0, 99)),
                    Outcome.ACCEPTED);
            failForces.set(1);
            Submission lost = store.appendFrame(device, 1, 1, false, meta(device, 1, 1), sealed(device, 1, 1, 99));
            assertEquals(Outcome.ACCEPTED, lost.outcome());
            Throwable error = lost.durable().handle((ok, e) -> e).get(5, TimeUnit.SECONDS);
            assertTrue(error instanceof StoreUnavailableException, String.valueOf(error));
            assertEquals(new ClipStatus(device, 1, 1, 1, false, false, false), store.status(device, 1));
            StoreFixtures.await(
                    "store available again",
                    () -> store.appendFrame(device, 1, 1, true, meta(device, 1, 1), sealed(device, 1, 1, 99))
                                    .outcome()
                            == Outcome.ACCEPTED);
            StoreFixtures.durable(store.closeClip(device, 1, 2), Outcome.ACCEPTED);
        }
        Path abandoned = dir.resolve("segments").resolve(SegmentFormat.segmentName(1));
        assertTrue(Files.exists(dir.resolve("segments").resolve(SegmentFormat.segmentName(2))));
        try (StoreReader reader = StoreReader.open(dir)) {
            assertTrue(
                    reader.report().ok() && reader.report().tornTail() == null,
                    reader.report().toString());
            assertEquals(2, reader.clip(device, 1).frames().size());
            assertTrue(reader.clip(device, 1).closed());
        }
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(new ClipStatus(device, 1, 2, 2, true, true, true), store.status(device, 1));
        }
        assertTrue(Files.size(abandoned) > SegmentFormat.MAGIC.length);
    }

    @Test
    void write_failsWhileUnavailable_refusedThenGivesUpAfterMaxAttempts() throws Exception {
        DiskOps brokenDisk = new DiskOps() {
            @Override
            void write(FileChannel channel, java.nio.ByteBuffer buffer, long position) throws IOException {
                // The marker and a new segment's magic go through; every batch fails half-way (whole 4 KiB blocks, as
                // direct I/O needs).
                buffer.limit(buffer.position() + (buffer.remaining() / 2 & ~4095));
                channel.write(buffer, position);
                throw new IOException("No space left on device");
            }
        };
        try (DirectoryStore store = DirectoryStore.open(
                dir,
                StoreFixtures.options(),
                StoreFixtures.CLOCK,
                brokenDisk,
                new FailurePolicy(java.time.Duration.ofMillis(5), 3))) {
            Submission first = store.openClip("attic", 1, StoreFixtures.header("attic", 1));
            assertTrue(first.durable()
                    .handle((ok, e) -> e instanceof StoreUnavailableException)
                    .get(5, TimeUnit.SECONDS));
            Submission refused = store.openClip("attic", 1, StoreFixtures.header("attic", 1));
            assertEquals(Outcome.STORAGE_UNAVAILABLE, refused.outcome());
            assertTrue(refused.detail().contains("No space left"), refused.detail());
            StoreFixtures.await("the store to give up", () -> {
                Submission s = store.openClip("attic", 1, StoreFixtures.header("attic", 1));
                if (s.outcome() == Outcome.ACCEPTED) {
                    s.durable().handle((ok, e) -> null).join();
                }
                return s.outcome() == Outcome.STORAGE_UNAVAILABLE && s.detail().contains("gave up");
            });
            assertEquals(0, store.stats().clips());
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            assertTrue(
                    reader.report().ok() && reader.report().tornTail() == null,
                    reader.report().toString());
            assertEquals(List.of(), reader.clips());
            assertEquals(reader.report().segments(), reader.report().records(), "only the segments' start records");
        }
    }

    private static List<String> listing(Path target) throws IOException {
        try (var entries = Files.list(target)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
