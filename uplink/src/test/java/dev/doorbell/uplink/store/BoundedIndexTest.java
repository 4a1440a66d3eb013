package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.header;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index keeps frame locations for open clips and a bounded number of recently closed ones; every answer about an
 * older closed clip equals the answer of an index that keeps all locations, before and after a restart.
 */
class BoundedIndexTest {
    private static final int BOUND = 8;
    private static final int CLIPS = 120;
    private static final List<String> DEVICES = List.of("front-door", "back-door");

    @TempDir
    Path boundedDir;

    @TempDir
    Path unboundedDir;

    /** One clip of the sequence: its device, id, frame count and whether it was closed. */
    private record Planned(String device, long clipId, int frames, boolean closed) {}

    @Test
    void manyClosedClips_locationsStayAtTheBound_andEveryAnswerEqualsTheUnboundedIndex() throws Exception {
        List<Planned> plan = plan(new SplittableRandom(14));
        int open = (int) plan.stream().filter(p -> !p.closed()).count();
        try (DirectoryStore bounded = open(boundedDir, BOUND);
                DirectoryStore unbounded = open(unboundedDir, Integer.MAX_VALUE)) {
            for (Planned p : plan) {
                store(bounded, p);
                store(unbounded, p);
            }
            ClipIndex.LocationUse use = bounded.locationUse();
            assertEquals(open + BOUND, use.clipsLocated(), use.toString());
            assertEquals(
                    CLIPS - open - BOUND,
                    bounded.indexUse().compactClips(),
                    bounded.indexUse().toString());
            assertEquals(CLIPS, unbounded.locationUse().clipsLocated());
            assertEquals(CLIPS, bounded.stats().clips());
            askEverything(plan, bounded, unbounded, new SplittableRandom(15));
            assertEquals(use, bounded.locationUse(), "answering from disk brings no location back");
            System.out.printf(
                    "%d clips (%d open), bound %d: bounded keeps %s, unbounded keeps %s%n",
                    CLIPS, open, BOUND, use, unbounded.locationUse());
        }
        try (DirectoryStore bounded = open(boundedDir, BOUND);
                DirectoryStore unbounded = open(unboundedDir, Integer.MAX_VALUE)) {
            ClipIndex.LocationUse use = bounded.locationUse();
            assertEquals(open + BOUND, use.clipsLocated(), "after a restart: " + use);
            IndexUse forms = bounded.indexUse();
            assertEquals(CLIPS - open - BOUND, forms.compactClips(), "after a restart: " + forms);
            assertEquals(open + BOUND, forms.fullClips(), "after a restart: " + forms);
            assertEquals(CLIPS, unbounded.locationUse().clipsLocated());
            askEverything(plan, bounded, unbounded, new SplittableRandom(16));
            System.out.printf("after restart: bounded keeps %s, unbounded keeps %s%n", use, unbounded.locationUse());
        }
    }

    @Test
    void boundZero_keepsOpenClipsOnly_andAResentFrameOfAClosedClipIsStillComparedByteForByte() throws Exception {
        try (DirectoryStore store = open(boundedDir, 0)) {
            store(store, new Planned("porch", 1, 5, true));
            store(store, new Planned("porch", 2, 3, false));
            assertEquals(1, store.locationUse().clipsLocated());
            StoreFixtures.durable(
                    store.appendFrame("porch", 1, 3, false, meta("porch", 1, 3), sealed("porch", 1, 3, 700)),
                    Outcome.DUPLICATE);
            assertEquals(
                    Outcome.FRAME_CONFLICT,
                    store.appendFrame("porch", 1, 3, false, meta("porch", 1, 3), sealed("porch", 1, 2, 700))
                            .outcome());
            assertEquals(
                    Outcome.FRAME_CONFLICT,
                    store.appendFrame("porch", 1, 4, false, meta("porch", 1, 4), sealed("porch", 1, 4, 700))
                            .outcome(),
                    "the stored frame 4 is the last one: last=false differs");
        }
    }

    private static DirectoryStore open(Path dir, int closedClips) throws Exception {
        // Small segments, so that a closed clip's records spread over several of them.
        return DirectoryStore.open(
                dir,
                StoreFixtures.options().withSegmentBytes(16 << 10).withIndexClosedClips(closedClips),
                StoreFixtures.CLOCK);
    }

    private static List<Planned> plan(SplittableRandom random) {
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < CLIPS; i++) {
            // A few clips stay open, as the per-device open-clip limit allows.
            boolean closed = i % 30 != 29;
            plan.add(
                    new Planned(DEVICES.get(random.nextInt(DEVICES.size())), 1000L + i, 1 + random.nextInt(6), closed));
        }
        return plan;
    }

    private static void store(DirectoryStore store, Planned p) throws Exception {
        StoreFixtures.storeClip(store, p.device(), p.clipId(), p.frames(), 700, p.closed());
    }

    /** Every question a device can ask about every clip; both stores must answer alike. */
    private static void askEverything(
            List<Planned> plan, DirectoryStore bounded, DirectoryStore unbounded, SplittableRandom random)
            throws Exception {
        for (String device : DEVICES) {
            assertEquals(unbounded.openClips(device), bounded.openClips(device), device);
        }
        for (Planned p : plan) {
            String d = p.device();
            long c = p.clipId();
            assertEquals(unbounded.status(d, c), bounded.status(d, c));
            int seq = random.nextInt(p.frames());
            boolean last = seq == p.frames() - 1;
            byte[] otherSealed = sealed(d, c, seq + 1, 700);
            List<Question> questions = List.of(
                    s -> s.openClip(d, c, header(d, c)),
                    s -> s.openClip(d, c, header(d, c + 1)),
                    s -> s.appendFrame(d, c, seq, last, meta(d, c, seq), sealed(d, c, seq, 700)),
                    s -> s.appendFrame(d, c, seq, last, meta(d, c, seq), otherSealed),
                    s -> s.appendFrame(d, c, seq, !last, meta(d, c, seq), sealed(d, c, seq, 700)),
                    s -> s.closeClip(d, c, p.frames() + 1));
            if (p.closed()) {
                questions = new ArrayList<>(questions);
                questions.add(s -> s.appendFrame(d, c, p.frames(), true, meta(d, c, 0), sealed(d, c, 0, 700)));
                questions.add(s -> s.closeClip(d, c, p.frames()));
            }
            for (Question q : questions) {
                Submission expected = q.ask(unbounded);
                Submission actual = q.ask(bounded);
                String where = d + " clip " + c + " frame " + seq;
                assertEquals(expected.outcome(), actual.outcome(), where + ": " + actual.detail());
                assertEquals(expected.detail(), actual.detail(), where);
                if (expected.outcome() == Outcome.DUPLICATE) {
                    expected.durable().get(StoreFixtures.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                    actual.durable().get(StoreFixtures.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    @FunctionalInterface
    private interface Question {
        Submission ask(DirectoryStore store);
    }
}
