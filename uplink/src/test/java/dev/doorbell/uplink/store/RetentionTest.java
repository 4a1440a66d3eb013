package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.header;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.SettableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention on real store files (issue 14.4): clips deleted by age or by an owner's request, their space reclaimed
 * in closed segments only (a segment removed when nothing in it is kept, compacted otherwise), and a store that
 * fsck, a restarted uplink and the listing all read as whole after it, and after a stop between any two steps.
 */
class RetentionTest {
    private static final String OLD = "front-door";
    private static final String NEW = "back-yard";
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(LONG_AGO);

    /**
     * Segment 1: two old clips only (removed by retention). Segment 2: an old clip interleaved with a new one
     * (compacted). Then new clips up to the newest segment, which is never rewritten.
     */
    @BeforeEach
    void store() throws Exception {
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options().withSegmentBytes(3700), clock)) {
            clip(s, OLD, 1, LONG_AGO);
            clip(s, OLD, 2, LONG_AGO);
            clock.set(LONG_AGO);
            durable(s.openClip(OLD, 3, header(OLD, 3)), Outcome.ACCEPTED);
            clock.set(NOW);
            durable(s.openClip(NEW, 10, header(NEW, 10)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 2; seq++) {
                clock.set(LONG_AGO);
                durable(
                        s.appendFrame(OLD, 3, seq, seq == 1, meta(OLD, 3, seq), sealed(OLD, 3, seq, 400)),
                        Outcome.ACCEPTED);
                clock.set(NOW);
                durable(
                        s.appendFrame(NEW, 10, seq, seq == 1, meta(NEW, 10, seq), sealed(NEW, 10, seq, 400)),
                        Outcome.ACCEPTED);
            }
            clock.set(LONG_AGO);
            durable(s.closeClip(OLD, 3, 2), Outcome.ACCEPTED);
            clock.set(NOW);
            durable(s.closeClip(NEW, 10, 2), Outcome.ACCEPTED);
            clip(s, NEW, 11, NOW);
            clip(s, NEW, 12, NOW);
        }
        assertTrue(segments().size() >= 3, "the fixture spans at least three segments: " + segments());
    }

    private void clip(DirectoryStore s, String device, long clip, Instant at) throws Exception {
        clock.set(at);
        durable(s.openClip(device, clip, header(device, clip)), Outcome.ACCEPTED);
        for (int seq = 0; seq < 3; seq++) {
            durable(
                    s.appendFrame(device, clip, seq, seq == 2, meta(device, clip, seq), sealed(device, clip, seq, 500)),
                    Outcome.ACCEPTED);
        }
        durable(s.closeClip(device, clip, 3), Outcome.ACCEPTED);
    }

    private List<Long> segments() throws IOException {
        return StoreScan.segmentNumbers(dir.resolve("segments"));
    }

    private Clock now() {
        return Clock.fixed(NOW, java.time.ZoneOffset.UTC);
    }

    @Test
    void expire_oldClips_deletedSpaceReclaimedAndTheStoreStillWhole() throws Exception {
        long before = StoreListing.list(dir).segmentBytes();
        Retention.Result result = Retention.expire(dir, Duration.ofDays(30), false, now());
        assertEquals(
                List.of(1L, 2L, 3L),
                result.clips().stream().map(Retention.Victim::clipId).toList());
        assertTrue(result.clips().stream().allMatch(v -> v.deviceId().equals(OLD)), result.toString());
        assertTrue(result.segments().stream().anyMatch(s -> s.contains("removed")), result.toString());
        assertTrue(result.segments().stream().anyMatch(s -> s.contains("compacted")), result.toString());
        assertTrue(result.reclaimedBytes() > 0, result.toString());

        StoreListing.Listing listing = StoreListing.list(dir);
        assertEquals(before - result.reclaimedBytes(), listing.segmentBytes(), "reclaimed bytes are gone from disk");
        assertEquals(3, listing.deletedClips());
        assertEquals(
                List.of(NEW, OLD),
                listing.devices().stream().map(StoreListing.Device::deviceId).toList());
        assertEquals(3, listing.devices().get(0).clips());
        assertEquals(0, listing.devices().get(1).clips());
        assertEquals(3, listing.devices().get(1).deleted());

        StoreCheck.Report check = StoreCheck.check(dir);
        assertFalse(check.damage(), "fsck is clean after retention: " + check.findings());
        assertTrue(
                check.segments().stream()
                        .anyMatch(s -> s.committedBy() != null
                                && s.committedBy().startsWith("the retention ledger (compacted ")),
                check.segments().toString());
        reopenedUplinkAnswersRight();
    }

    private void reopenedUplinkAnswersRight() throws Exception {
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            assertTrue(
                    s.findings().stream().noneMatch(StoreFinding::damage),
                    s.findings().toString());
            ClipStatus deleted = s.status(OLD, 3);
            assertNotNull(deleted, "a deleted clip stays known");
            assertTrue(deleted.closePersisted(), "and closed: the device sends nothing more");
            Submission again = s.openClip(OLD, 1, header(OLD, 1));
            assertEquals(Outcome.CLIP_CLOSED, again.outcome(), again.detail());
            assertTrue(again.detail().contains("deleted by retention (policy older-than=30d"), again.detail());
            // A kept frame in the compacted segment moved: a resend is still compared with the stored bytes.
            durable(s.appendFrame(NEW, 10, 1, true, meta(NEW, 10, 1), sealed(NEW, 10, 1, 400)), Outcome.DUPLICATE);
            assertEquals(
                    Outcome.FRAME_CONFLICT,
                    s.appendFrame(NEW, 10, 1, true, meta(NEW, 10, 1), sealed(NEW, 10, 0, 400))
                            .outcome());
            assertEquals(2, s.status(NEW, 10).persistedFrames());
        }
    }

    @Test
    void expire_dryRun_changesNothing() throws Exception {
        byte[][] files = contents();
        Retention.Result result = Retention.expire(dir, Duration.ofDays(30), true, now());
        assertEquals(3, result.clips().size());
        assertFalse(Files.exists(dir.resolve("retention")));
        assertTrue(java.util.Arrays.deepEquals(files, contents()), "a dry run writes nothing");
    }

    private byte[][] contents() throws IOException {
        List<Long> numbers = segments();
        byte[][] all = new byte[numbers.size()][];
        for (int i = 0; i < all.length; i++) {
            all[i] = Files.readAllBytes(dir.resolve("segments").resolve(SegmentFormat.segmentName(numbers.get(i))));
        }
        return all;
    }

    @Test
    void expire_whileAnUplinkHoldsTheStore_refusedBeforeAnything() throws Exception {
        try (DirectoryStore held = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            assertThrows(StoreLockedException.class, () -> Retention.expire(dir, Duration.ofDays(30), false, now()));
            assertNotNull(held.status(OLD, 1));
        }
        assertFalse(Files.exists(dir.resolve("retention")));
    }

    /** A stop at each step between the ledger line and the rename leaves the old segment or the new, never neither. */
    @ParameterizedTest
    @ValueSource(strings = {"removed line written", "compacted file written", "compacted line written"})
    void expire_stoppedBetweenSteps_storeWholeAndTheNextRunFinishes(String step) throws Exception {
        class Stop extends IOException {
            Stop() {
                super("stopped at " + step);
            }
        }
        assertThrows(
                Stop.class,
                () -> Retention.expire(dir, Duration.ofDays(30), false, now(), at -> {
                    if (at.equals(step)) {
                        throw new Stop();
                    }
                }));
        StoreCheck.Report check = StoreCheck.check(dir);
        assertFalse(check.damage(), "after a stop at '" + step + "': " + check.findings());
        assertEquals(
                0,
                StoreListing.list(dir).devices().stream()
                        .filter(d -> d.deviceId().equals(OLD))
                        .mapToInt(StoreListing.Device::clips)
                        .sum(),
                "deleted clips are gone for readers from the ledger line on");
        reopenedUplinkAnswersRight();
        Retention.Result again = Retention.expire(dir, Duration.ofDays(30), false, now());
        assertFalse(StoreCheck.check(dir).damage());
        assertTrue(Files.notExists(dir.resolve("segments/0000000001.seg")), "segment 1 removed in the end");
        assertTrue(
                StoreListing.list(dir).segments().stream()
                        .anyMatch(s -> s.retention().startsWith("compacted")),
                "segment 2 compacted in the end: " + again);
    }

    @Test
    void delete_ownersRequest_deletesTheNamedClipsAndKeepsTheRequestBytes() throws Exception {
        byte[] request = ("doorbell-forget v1\ndevice: " + NEW + "\nissued: 2026-12-05T11:00:00Z\nclip: 11\n"
                        + "signature: AAAA\n")
                .getBytes(StandardCharsets.US_ASCII);
        Retention.Result result = Retention.delete(dir, request, false, now());
        assertEquals(
                List.of(11L),
                result.clips().stream().map(Retention.Victim::clipId).toList());
        assertEquals("0000000001.req", result.tombstone());
        assertTrue(
                java.util.Arrays.equals(request, Files.readAllBytes(dir.resolve("retention/requests/0000000001.req"))));
        RetentionLedger ledger = RetentionLedger.read(dir);
        RetentionLedger.Deletion deletion = ledger.deletion(NEW, 11);
        assertEquals("request", deletion.reason());
        assertEquals("0000000001.req", deletion.detail());
        assertNull(ledger.deletion(NEW, 12));
        assertFalse(StoreCheck.check(dir).damage());
    }

    @Test
    void delete_malformedRequest_refusedNamingWhy() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Retention.delete(
                        dir, "doorbell-forget v1\ndevice: x\n".getBytes(StandardCharsets.US_ASCII), false, now()));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    /** With no closed clip located in memory too: a kept frame is then found by reading the compacted segment. */
    @ParameterizedTest
    @ValueSource(ints = {StoreOptions.DEFAULT_INDEX_CLOSED_CLIPS, 0})
    void sweep_runningStore_deletesOldClipsReclaimsClosedSegmentsAndKeptFramesStayComparable(int closedClipsLocated)
            throws Exception {
        clock.set(NOW);
        StoreOptions options = StoreFixtures.options().withSegmentBytes(3700).withIndexClosedClips(closedClipsLocated);
        try (DirectoryStore s = DirectoryStore.open(dir, options, clock)) {
            RetentionSweeper.Pass pass = s.sweep(Duration.ofDays(30));
            assertEquals(3, pass.byPolicy());
            assertTrue(pass.reclaimed().stream().anyMatch(o -> o.action().equals("removed")), pass.toString());
            assertTrue(pass.reclaimed().stream().anyMatch(o -> o.action().equals("compacted")), pass.toString());
            RetentionCounts counts = s.retentionCounts();
            assertEquals(3, counts.clipsByPolicy());
            assertEquals(
                    pass.reclaimed().stream()
                            .mapToLong(Compactor.Outcome::reclaimed)
                            .sum(),
                    counts.reclaimedBytes());
            assertTrue(s.status(OLD, 2).closePersisted(), "deleted: known and closed");
            assertEquals(Outcome.CLIP_CLOSED, s.openClip(OLD, 2, header(OLD, 2)).outcome());
            // Clip 10's frames moved in the compacted segment: the index follows them.
            durable(s.appendFrame(NEW, 10, 0, false, meta(NEW, 10, 0), sealed(NEW, 10, 0, 400)), Outcome.DUPLICATE);
            durable(s.appendFrame(NEW, 10, 1, true, meta(NEW, 10, 1), sealed(NEW, 10, 1, 400)), Outcome.DUPLICATE);
            assertEquals(
                    Outcome.FRAME_CONFLICT,
                    s.appendFrame(NEW, 10, 1, true, meta(NEW, 10, 1), sealed(NEW, 10, 0, 400))
                            .outcome());
            // So did its header: with no clip in full form, the header is read back from where compaction put it.
            durable(s.openClip(NEW, 10, header(NEW, 10)), Outcome.DUPLICATE);
            assertEquals(
                    Outcome.CLIP_CONFLICT, s.openClip(NEW, 10, header(NEW, 11)).outcome());
            if (closedClipsLocated == 0) {
                assertEquals(3, s.indexUse().compactClips(), s.indexUse().toString());
                assertEquals(0, s.indexUse().fullClips(), s.indexUse().toString());
            }
            clip(s, NEW, 13, NOW);
            assertEquals(0, s.sweep(Duration.ofDays(30)).byPolicy(), "nothing more is old");
        }
        assertFalse(
                StoreCheck.check(dir).damage(), StoreCheck.check(dir).findings().toString());
        reopenedUplinkAnswersRight();
    }

    @Test
    void sweep_requestDroppedIntoTheInbox_appliedKeptAndRemovedFromTheInbox() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("retention/inbox"));
        byte[] request = ("doorbell-forget v1\ndevice: " + NEW + "\nissued: 2026-12-05T11:00:00Z\nclip: 12\n"
                        + "signature: AAAA\n")
                .getBytes(StandardCharsets.US_ASCII);
        Files.write(inbox.resolve("forget.req"), request);
        Files.write(inbox.resolve("junk.req"), "not a request\n".getBytes(StandardCharsets.US_ASCII));
        clock.set(NOW);
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options().withIndexClosedClips(0), clock)) {
            assertEquals(6, s.indexUse().compactClips(), "every clip is closed and takes compact form");
            RetentionSweeper.Pass pass = s.sweep(null);
            assertEquals(1, pass.byRequest());
            assertEquals(0, pass.byPolicy());
            assertTrue(s.status(NEW, 12).closePersisted());
            assertNotNull(s.status(NEW, 11));
            assertEquals(1, s.retentionCounts().badRequests());
        }
        assertFalse(Files.exists(inbox.resolve("forget.req")));
        assertTrue(Files.exists(inbox.resolve("junk.req.refused")));
        assertTrue(
                java.util.Arrays.equals(request, Files.readAllBytes(dir.resolve("retention/requests/0000000001.req"))));
        assertEquals("request", RetentionLedger.read(dir).deletion(NEW, 12).reason());
    }
}
