package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.testing.SettableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retention ledger's rewrite (docs/FORMAT.md §6, "The ledger's rewrite") on real store files: the delete lines of
 * expired clips whose records are gone fold into one watermark per device, and every lookup a reader makes answers as
 * it did from the long ledger; a stop at any step of the rewrite leaves a ledger that reads the same.
 */
class RetentionLedgerTest {
    private static final List<String> DEVICES = List.of("porch", "garage", "side-gate");
    private static final int CLIPS = 12;
    /** Clips at positions 1..OLD_CLIPS arrived long ago; the rest now. */
    private static final int OLD_CLIPS = 8;

    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(LONG_AGO);

    /** Three devices, twelve clips each at chain positions 1..12, interleaved across many small segments. */
    @BeforeEach
    void store() throws Exception {
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options().withSegmentBytes(4000), clock)) {
            for (int position = 1; position <= CLIPS; position++) {
                clock.set(position <= OLD_CLIPS ? LONG_AGO : NOW);
                for (String device : DEVICES) {
                    long clip = clipId(position);
                    durable(s.openClip(device, clip, header(device, clip, position)), Outcome.ACCEPTED);
                    for (int seq = 0; seq < 2; seq++) {
                        durable(
                                s.appendFrame(
                                        device,
                                        clip,
                                        seq,
                                        seq == 1,
                                        meta(device, clip, seq),
                                        sealed(device, clip, seq, 300)),
                                Outcome.ACCEPTED);
                    }
                    durable(s.closeClip(device, clip, 2), Outcome.ACCEPTED);
                }
            }
        }
    }

    private static long clipId(int position) {
        return 1000 + 7L * position;
    }

    /** A v3-shaped header: only its public chain position matters to the uplink. */
    static byte[] header(String device, long clip, long position) {
        return SignedClipHeader.newBuilder()
                .setHeader(ClipHeader.newBuilder()
                        .setFormatVersion(3)
                        .setDeviceId(device)
                        .setClipId(clip)
                        .setChain(ChainLink.newBuilder().setPosition(position))
                        .build()
                        .toByteString())
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteArray();
    }

    private Clock now() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    /** Every lookup a reader makes: by id alone, and by id and position (the owner's predecessor, a ClipOpen). */
    private List<String> lookups(RetentionLedger ledger) {
        List<String> answers = new ArrayList<>();
        for (String device : DEVICES) {
            for (int position = 1; position <= CLIPS; position++) {
                answers.add(device + " " + position + " " + ledger.deletion(device, clipId(position), position));
            }
        }
        return answers;
    }

    @Test
    void compact_expiredClipsWithPositions_foldIntoOneWatermarkPerDevice_readersAnswerAsBefore() throws Exception {
        Retention.Result expired = Retention.expire(dir, Duration.ofDays(30), false, now());
        assertEquals(DEVICES.size() * OLD_CLIPS, expired.clips().size());
        RetentionLedger longForm = RetentionLedger.read(dir);
        assertEquals(2, longForm.version());
        List<String> before = lookups(longForm);
        StoreListing.Listing listed = StoreListing.list(dir);
        long bytesBefore = Files.size(ledgerFile());

        RetentionLedger.Rewrite rewrite = Retention.compactLedger(dir, now());

        assertNotNull(rewrite, "the long ledger is rewritten");
        RetentionLedger compacted = RetentionLedger.read(dir);
        assertEquals(List.of(), compacted.problems());
        assertEquals(1, compacted.generation());
        assertEquals(List.of(), compacted.deletions(), "every expired clip's records are gone: no delete line stays");
        assertEquals(DEVICES.size(), compacted.watermarks().size());
        for (String device : DEVICES) {
            RetentionLedger.Watermark w = compacted.watermarks().get(device);
            assertEquals(OLD_CLIPS, w.position(), w.toString());
            assertEquals(OLD_CLIPS, w.clips(), w.toString());
            assertEquals("policy", w.reason());
            assertEquals("older-than=30d", w.detail());
        }
        assertEquals(before, lookups(compacted), "every lookup by id and position answers as before");
        assertTrue(rewrite.bytesAfter() < bytesBefore / 2, rewrite.toString());
        assertEquals(bytesBefore, rewrite.bytesBefore());
        assertEquals(Files.size(ledgerFile()), rewrite.bytesAfter());

        StoreListing.Listing now = StoreListing.list(dir);
        assertEquals(listed.deletedClips(), now.deletedClips());
        assertEquals(listed.devices(), now.devices(), "store list says the same per device");
        assertFalse(
                StoreCheck.check(dir).damage(), StoreCheck.check(dir).findings().toString());
        assertNull(Retention.compactLedger(dir, now()), "a second rewrite has nothing to drop");

        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            String device = DEVICES.get(0);
            Submission again = s.openClip(device, clipId(3), header(device, clipId(3), 3));
            assertEquals(Outcome.CLIP_CLOSED, again.outcome(), again.detail());
            Submission late = s.openClip(device, 99, header(device, 99, 5));
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    late.outcome(),
                    "a clip at or below the watermark is refused: " + late.detail());
            assertNull(s.status(device, clipId(3)), "a folded clip's id alone is not known (docs/PROTOCOL.md)");
            assertNotNull(s.status(device, clipId(OLD_CLIPS + 1)), "kept clips are known");
            durable(s.openClip(device, 100, header(device, 100, CLIPS + 1)), Outcome.ACCEPTED);
        }
    }

    @Test
    void sweepThenRewrite_inARunningUplink_theIndexAnswersFromTheRewrittenLedgerAtOnce() throws Exception {
        clock.set(NOW);
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options().withSegmentBytes(4000), clock)) {
            assertEquals(
                    DEVICES.size() * OLD_CLIPS, s.sweep(Duration.ofDays(30)).byPolicy());
            List<String> before = lookups(s.ledger());
            RetentionLedger.Rewrite rewrite = s.compactLedger(true);
            assertNotNull(rewrite);
            assertEquals(DEVICES.size(), s.ledger().watermarks().size(), rewrite.toString());
            assertEquals(before, lookups(s.ledger()));
            assertEquals(before, lookups(RetentionLedger.read(dir)), "memory and file agree");
            String device = DEVICES.get(2);
            Submission late = s.openClip(device, 77, header(device, 77, 2));
            assertEquals(Outcome.CLIP_CLOSED, late.outcome(), late.detail());
            assertNotNull(s.status(device, clipId(CLIPS)));
            durable(s.openClip(device, 78, header(device, 78, CLIPS + 1)), Outcome.ACCEPTED);
            assertNull(s.compactLedger(false), "below the size threshold a sweep does not rewrite");
        }
        assertFalse(StoreCheck.check(dir).damage());
    }

    /**
     * A running uplink whose closed clips are all in compact form (--index-closed-clips 0): the rewrite still sees
     * them as kept, so no watermark passes the kept clip at OLD_CLIPS + 1 when the clip above it goes by request (a
     * kept clip at or below a watermark would be skipped by every reader).
     */
    @Test
    void rewrite_closedClipsAllCompact_noWatermarkPassesAKeptClip() throws Exception {
        String device = DEVICES.get(0);
        Path inbox = Files.createDirectories(dir.resolve("retention/inbox"));
        Files.write(
                inbox.resolve("forget.req"),
                ("doorbell-forget v1\ndevice: " + device + "\nissued: 2026-12-05T11:00:00Z\nclip: "
                                + clipId(OLD_CLIPS + 2) + "\nsignature: AAAA\n")
                        .getBytes(StandardCharsets.US_ASCII));
        clock.set(NOW);
        StoreOptions options = StoreFixtures.options().withSegmentBytes(4000).withIndexClosedClips(0);
        try (DirectoryStore s = DirectoryStore.open(dir, options, clock)) {
            assertEquals(0, s.indexUse().fullClips(), s.indexUse().toString());
            RetentionSweeper.Pass pass = s.sweep(Duration.ofDays(30));
            assertEquals(1, pass.byRequest(), pass.toString());
            s.compactLedger(true);
            RetentionLedger.Watermark w = s.ledger().watermarks().get(device);
            assertTrue(w == null || w.position() <= OLD_CLIPS, "watermark " + w + " passes the kept clip");
            assertNull(s.ledger().deletion(device, clipId(OLD_CLIPS + 1), OLD_CLIPS + 1), "the kept clip is kept");
            assertNotNull(s.status(device, clipId(OLD_CLIPS + 1)), "and known");
        }
        RetentionLedger read = RetentionLedger.read(dir);
        assertNull(read.deletion(device, clipId(OLD_CLIPS + 1), OLD_CLIPS + 1), "in the file too");
        assertNotNull(read.deletion(device, clipId(OLD_CLIPS + 2), OLD_CLIPS + 2), "the requested clip is deleted");
    }

    @Test
    void compact_deletedClipWithRecordsLeft_keepsItsLineAndBoundsTheWatermarkBelowKeptClips() throws Exception {
        // Position 10 (new) of the first device goes by the owner's request; 9 stays: no watermark may pass 9.
        String device = DEVICES.get(0);
        byte[] request = ("doorbell-forget v1\ndevice: " + device + "\nissued: 2026-12-05T11:00:00Z\nclip: "
                        + clipId(10) + "\nsignature: AAAA\n")
                .getBytes(StandardCharsets.US_ASCII);
        Retention.delete(dir, request, false, now());
        Retention.expire(dir, Duration.ofDays(30), false, now());
        List<String> before = lookups(RetentionLedger.read(dir));

        Retention.compactLedger(dir, now());

        RetentionLedger compacted = RetentionLedger.read(dir);
        assertEquals(before, lookups(compacted));
        assertEquals(OLD_CLIPS, compacted.watermarks().get(device).position(), "kept clip 9 bounds the watermark");
        assertEquals(
                List.of(clipId(10)),
                compacted.deletions().stream()
                        .map(RetentionLedger.Deletion::clipId)
                        .toList(),
                "the request's line above the watermark stays");
    }

    /** A stop at each step of the rewrite, and a temporary file cut short, leave a ledger that reads the same. */
    @ParameterizedTest
    @ValueSource(strings = {"temporary ledger written", "temporary ledger durable", "ledger renamed"})
    void compact_stoppedAtEachStep_theLedgerReadsTheSameAndTheNextStartFinishes(String step) throws Exception {
        class Stop extends IOException {
            Stop() {
                super("stopped at " + step);
            }
        }
        Retention.expire(dir, Duration.ofDays(30), false, now());
        List<String> before = lookups(RetentionLedger.read(dir));
        assertThrows(
                Stop.class,
                () -> Retention.compactLedger(dir, now(), at -> {
                    if (at.equals(step)) {
                        throw new Stop();
                    }
                }));
        assertEquals(before, lookups(RetentionLedger.read(dir)), "after a stop at '" + step + "'");
        assertEquals(List.of(), RetentionLedger.read(dir).problems());
        assertFalse(StoreCheck.check(dir).damage());
        // The next start removes what the stop left and rewrites the ledger (again, if the rename was done).
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            assertFalse(Files.exists(dir.resolve("retention").resolve("ledger.tmp")));
            assertEquals(before, lookups(s.ledger()));
        }
        assertTrue(RetentionLedger.read(dir).deletions().isEmpty());
        assertEquals(before, lookups(RetentionLedger.read(dir)));
    }

    @Test
    void leftoverTemporaryLedgerCutShort_ignoredByReadersAndRemovedAtStart() throws Exception {
        Retention.expire(dir, Duration.ofDays(30), false, now());
        List<String> before = lookups(RetentionLedger.read(dir));
        Files.write(
                dir.resolve("retention").resolve("ledger.tmp"),
                "doorbell-retention v2\ngeneration 1 2026-12-05T12:00:00.000Z\ndeleted-through porch 12 12 pol"
                        .getBytes(StandardCharsets.US_ASCII));
        assertEquals(before, lookups(RetentionLedger.read(dir)));
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            assertEquals(before, lookups(s.ledger()));
        }
        assertFalse(Files.exists(dir.resolve("retention").resolve("ledger.tmp")));
    }

    @Test
    void v1Ledger_readAsBefore_andRewrittenAsV2WhenTheUplinkStarts() throws Exception {
        Files.createDirectories(dir.resolve("retention"));
        String device = DEVICES.get(1);
        Files.writeString(
                ledgerFile(),
                "doorbell-retention v1\ndelete " + device + " " + clipId(1) + " policy older-than=30d"
                        + " 2026-01-01T00:00:00.000Z\n",
                StandardCharsets.US_ASCII);
        RetentionLedger v1 = RetentionLedger.read(dir);
        assertEquals(1, v1.version());
        assertEquals("policy", v1.deletion(device, clipId(1)).reason());
        List<String> before = lookups(v1);
        try (DirectoryStore s = DirectoryStore.open(dir, StoreFixtures.options(), now())) {
            assertEquals(before, lookups(s.ledger()));
        }
        RetentionLedger v2 = RetentionLedger.read(dir);
        assertEquals(2, v2.version());
        assertEquals(before, lookups(v2));
        assertEquals(List.of(), v2.problems());
        assertTrue(v2.supersedes(v1) == null, v2.supersedes(v1));
        assertNotNull(v1.supersedes(v2), "a v1 ledger with fewer deletions does not supersede");
    }

    @Test
    void supersedes_aForeignLedgerNamingOtherClips_isRefusedNamingTheClip() {
        RetentionLedger ours = RetentionLedger.parse(("doorbell-retention v2\ngeneration 3 2026-12-05T12:00:00.000Z\n"
                        + "deleted-through porch 40 40 policy older-than=30d 2026-12-05T12:00:00.000Z\n")
                .getBytes(StandardCharsets.US_ASCII));
        RetentionLedger older = RetentionLedger.parse(("doorbell-retention v2\ngeneration 2 2026-12-04T12:00:00.000Z\n"
                        + "delete porch 77 policy older-than=30d 2026-12-04T12:00:00.000Z 39 3 4\n")
                .getBytes(StandardCharsets.US_ASCII));
        RetentionLedger foreign =
                RetentionLedger.parse(("doorbell-retention v2\ngeneration 2 2026-12-04T12:00:00.000Z\n"
                                + "delete porch 78 policy older-than=30d 2026-12-04T12:00:00.000Z 41 3 4\n")
                        .getBytes(StandardCharsets.US_ASCII));
        assertNull(ours.supersedes(older), "position 39 is under the watermark");
        assertEquals("it says clip 78 of device porch was deleted", ours.supersedes(foreign));
    }

    /**
     * The figures of docs/OPERATIONS.md: a simulated long run, 100 devices with 1,000 expired clips each (three
     * segments a clip's records span, every segment removed since), before and after one rewrite.
     */
    @Test
    void measure_100DevicesWith1000ExpiredClipsEach_ledgerBytesBeforeAndAfter() throws Exception {
        StringBuilder text = new StringBuilder("doorbell-retention v2\ngeneration 0 2026-12-05T00:00:00.000Z\n");
        Instant at = Instant.parse("2026-11-05T00:00:00Z");
        Map<String, Long> lowestKept = new HashMap<>();
        for (int d = 0; d < 100; d++) {
            String device = String.format("doorbell-%05d", d);
            for (long position = 1; position <= 1000; position++) {
                text.append(RetentionLedger.deleteLine(
                                device,
                                0x1000_0000_0000L + d * 10_000L + position,
                                "policy",
                                "older-than=30d",
                                at.plusSeconds(position * 86),
                                position,
                                position,
                                position + 2))
                        .append('\n');
            }
            lowestKept.put(device, 1001L);
        }
        for (long k = 1; k <= 1002; k++) {
            text.append(RetentionLedger.removedLine(k, at)).append('\n');
        }
        Files.createDirectories(dir.resolve("retention"));
        Files.writeString(ledgerFile(), text, StandardCharsets.US_ASCII);
        RetentionLedger ledger = RetentionLedger.read(dir);
        long before = Files.size(ledgerFile());
        RetentionLedger.Rewrite rewrite =
                ledger.compact(dir, lowestKept, DiskOps.REAL, now(), Compactor.Steps.NONE, false);
        long after = Files.size(ledgerFile());
        System.out.printf(
                "retention ledger, 100 devices x 1,000 expired clips: %,d lines, %,d bytes before; %,d lines, %,d"
                        + " bytes after%n",
                rewrite.linesBefore(), before, rewrite.linesAfter(), after);
        assertEquals(100 * 1000 + 1002 + 2, rewrite.linesBefore());
        assertEquals(2 + 1 + 100, rewrite.linesAfter(), "the header, one removed range, one watermark a device");
        assertTrue(after * 500 < before, before + " -> " + after);
        assertEquals(100_000L, RetentionLedger.read(dir).deletedClips());
    }

    private Path ledgerFile() {
        return dir.resolve("retention").resolve("ledger");
    }
}
