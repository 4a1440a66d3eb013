package dev.doorbell.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.SettableClock;
import dev.doorbell.testing.Waits;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Server;
import dev.doorbell.tier.ShippedStore;
import dev.doorbell.tier.ShippedStoreFetch;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.ClosedSegments;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Retention;
import dev.doorbell.uplink.store.RetentionLedger;
import dev.doorbell.uplink.store.StoreCheck;
import dev.doorbell.uplink.store.StoreListing;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The shipper against a real S3 server (s3proxy on loopback) and a real store written by the uplink's store. */
class ShipperTest {
    private static final int SEGMENT_BYTES = 256 << 10;
    private static S3Server server;
    private static S3Client s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        s3 = server.client();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
        server.close();
    }

    @Test
    void once_shipsEveryClosedSegmentOfALiveStoreUnchanged_andOnlyThose() throws Exception {
        String bucket = server.createBucket("ship-once");
        Path store = dir.resolve("store");
        try (ClipStore live = DirectoryStore.open(store, options())) {
            writeClips(live, 8, 40, 4000);
            List<ClosedSegments.Segment> closed = ClosedSegments.list(store);
            assertTrue(closed.size() >= 3, "several closed segments: " + closed);
            Result first = ship(store, "s3://" + bucket + "/site-a");
            assertEquals(0, first.status(), first.err());
            String instance = instance(store);
            Map<String, byte[]> objects = objects(bucket, "site-a/" + instance + "/");
            List<String> expected = new ArrayList<>();
            for (ClosedSegments.Segment s : closed) {
                expected.add("segments/" + s.name());
                assertArrayEquals(Files.readAllBytes(s.file()), objects.get("segments/" + s.name()), s.name());
            }
            expected.add("checkpoint");
            expected.add("doorbell-store");
            assertEquals(expected.stream().sorted().toList(), List.copyOf(objects.keySet()));
            ClosedSegments.Segment newest = closed.get(closed.size() - 1);
            assertArrayEquals(ClosedSegments.checkpointFor(newest), objects.get("checkpoint"));
            assertEquals(
                    newest.number(),
                    ShippedStore.checkpointSegment(objects.get("checkpoint")),
                    "the shipped checkpoint names the newest shipped segment");
            assertEquals("doorbell-store v2\n", new String(objects.get("doorbell-store"), StandardCharsets.US_ASCII));
            assertEquals("shipped=" + newest.number() + "\n", Files.readString(store.resolve("ship/state")));

            // The state says all is shipped: the next pass puts nothing. Without the state, the bucket says so.
            Shipper again = shipper(store, bucket, "site-a");
            assertEquals(new Shipper.Pass(0, 0, 0, newest.number()), again.shipClosed());
            Files.delete(store.resolve("ship/state"));
            assertEquals(new Shipper.Pass(0, closed.size(), 0, newest.number()), again.shipClosed());
            assertEquals(
                    objects.keySet(),
                    objects(bucket, "site-a/" + instance + "/").keySet());
        }
    }

    @Test
    void aKeyHoldingOtherBytes_isAConflict_neverOverwritten() throws Exception {
        String bucket = server.createBucket("ship-conflict");
        Path store = dir.resolve("store");
        try (ClipStore live = DirectoryStore.open(store, options())) {
            writeClips(live, 4, 40, 4000);
        }
        String instance = ShipState.open(store).instance();
        String key = "p/" + instance + "/segments/0000000001.seg";
        byte[] other = "not this store's segment".getBytes(StandardCharsets.US_ASCII);
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(other));
        Result result = ship(store, "s3://" + bucket + "/p");
        assertEquals(1, result.status(), result.err());
        assertTrue(result.err().contains("s3://" + bucket + "/" + key + " holds 24 bytes"), result.err());
        assertTrue(result.err().contains("Nothing was overwritten"), result.err());
        assertArrayEquals(
                other, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    }

    @Test
    void usageErrors_nameTheValue() throws Exception {
        Result notStore = ship(dir, "s3://bucket/p");
        assertEquals(2, notStore.status());
        assertTrue(notStore.err().contains(dir + " is not an uplink store"), notStore.err());
        Files.writeString(dir.resolve("doorbell-store"), "doorbell-store v2\n");
        Result badLocation = ship(dir, "s3://Bad_Bucket/p");
        assertEquals(2, badLocation.status());
        assertTrue(badLocation.err().contains("'Bad_Bucket' is not a bucket name"), badLocation.err());
    }

    /**
     * Nothing closed to ship yet, and the bucket does not exist: the pass still asks the bucket, so `--once` fails
     * naming it instead of printing "shipped 0 segments" and exiting 0 without having reached anything.
     */
    @Test
    void once_nothingClosedYet_aMissingBucketIsStillAnError() throws Exception {
        Path store = dir.resolve("store");
        DirectoryStore.open(store, options()).close();
        Result missing = ship(store, "s3://no-such-bucket/p");
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().startsWith("ship: "), missing.err());
        String bucket = server.createBucket("ship-empty");
        assertEquals(0, ship(store, "s3://" + bucket + "/p").status());
    }

    /**
     * A shipper process killed with SIGKILL in the middle of an upload (paced to 512 KiB/s, so each 256 KiB segment
     * takes half a second or more) leaves only whole objects; the next one puts each missing segment once, and
     * puts nothing the killed one had put, whether or not it had saved its state.
     */
    @Test
    void killedMidUpload_resumesWithoutLossOrDuplicates() throws Exception {
        String bucket = server.createBucket("ship-kill");
        Path store = dir.resolve("store");
        List<ClosedSegments.Segment> closed;
        try (ClipStore live = DirectoryStore.open(store, options())) {
            writeClips(live, 10, 40, 4000);
            closed = ClosedSegments.list(store);
        }
        assertTrue(closed.size() >= 5, "enough segments to kill between: " + closed.size());
        String instance = ShipState.open(store).instance();
        String prefix = "k/" + instance + "/segments/";
        try (ChildProcess child = ChildProcess.java(
                ChildProcess.JVM_OPTIONS,
                server.environment(),
                ShipCommand.class.getName(),
                List.of(
                        "--data",
                        store.toString(),
                        "--to",
                        "s3://" + bucket + "/k",
                        "--endpoint",
                        server.endpoint().toString(),
                        "--path-style",
                        "--interval",
                        "100ms",
                        "--max-bytes-per-second",
                        Integer.toString(512 << 10)))) {
            Waits.await("the child shipper put its second segment", Duration.ofSeconds(30))
                    .until(() -> objects(bucket, prefix).size() >= 2);
            child.signal("KILL");
            assertEquals(137, child.awaitExit(Duration.ofSeconds(10)), child.err());
        }
        Map<String, byte[]> afterKill = objects(bucket, prefix);
        assertTrue(afterKill.size() < closed.size(), "killed before the end: " + afterKill.keySet());
        for (Map.Entry<String, byte[]> e : afterKill.entrySet()) {
            assertArrayEquals(
                    Files.readAllBytes(store.resolve("segments").resolve(e.getKey())),
                    e.getValue(),
                    "only whole objects after the kill: " + e.getKey());
        }
        long saved = ShipState.open(store).shipped();
        assertTrue(saved <= afterKill.size(), "state " + saved + " never ahead of the bucket " + afterKill.keySet());

        Shipper.Pass resumed = shipper(store, bucket, "k").shipClosed();
        assertEquals(closed.size() - afterKill.size(), resumed.put(), "each missing segment put once: " + resumed);
        assertEquals(afterKill.size() - saved, resumed.alreadyThere(), "what the killed one put is not put again");
        Map<String, byte[]> all = objects(bucket, prefix);
        assertEquals(closed.size(), all.size());
        for (ClosedSegments.Segment s : closed) {
            assertArrayEquals(Files.readAllBytes(s.file()), all.get(s.name()), s.name());
        }
    }

    @Test
    void retentionAfterShipping_ledgerGoesUp_removedSegmentsDeleted_compactedOnesReplaced_aRerunPutsNothing()
            throws Exception {
        String bucket = server.createBucket("ship-retention");
        Path store = dir.resolve("store");
        try (ClipStore live = DirectoryStore.open(store, options())) {
            writeClips(live, 8, 40, 4000);
        }
        Shipper first = shipper(store, bucket, "site");
        Shipper.Pass shipped = first.shipClosed();
        assertTrue(shipped.put() >= 3, shipped.toString());
        String folder = "site/" + instance(store) + "/";
        assertFalse(objects(bucket, folder).containsKey("retention/ledger"), "no retention yet, no ledger");

        Retention.Result expired =
                Retention.expire(store, Duration.ofDays(1), false, Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
        assertEquals(8, expired.clips().size(), expired.toString());
        Shipper.Pass after = first.shipClosed();
        assertTrue(after.removed() + after.compacted() > 0, after.toString());
        Map<String, byte[]> objects = objects(bucket, folder);
        assertArrayEquals(Files.readAllBytes(store.resolve("retention/ledger")), objects.get("retention/ledger"));
        for (Map.Entry<String, byte[]> object : objects.entrySet()) {
            if (object.getKey().startsWith("segments/")) {
                Path local = store.resolve(object.getKey());
                assertTrue(Files.exists(local), object.getKey() + " is in the bucket but retention removed it");
                assertArrayEquals(Files.readAllBytes(local), object.getValue(), object.getKey());
            }
        }
        // A new shipper (a restart) finds the bucket as the store says it should be: it changes nothing.
        Shipper restarted = shipper(store, bucket, "site");
        assertEquals(new Shipper.Pass(0, 0, 0, after.newest()), restarted.shipClosed());
        assertEquals(objects.keySet(), objects(bucket, folder).keySet());
    }

    /**
     * A ledger rewritten shorter (docs/FORMAT.md §6) while the bucket's objects were still those the long ledger
     * explains. The shipper puts both ledgers in one, brings the objects to the local files, then puts the rewritten
     * ledger. Stopped after any number of its puts and deletes (an S3 client that fails every call from then on, as a
     * killed shipper makes none), the bucket reads as it does once shipping is done: the same clips, no damage; a new
     * shipper finishes, and the bucket ends with the local ledger's bytes.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void ledgerRewrittenBeforeTheObjectsCaughtUp_stoppedAfterAnyChange_bucketReadsAsWhenDone(int changes)
            throws Exception {
        String bucket = server.createBucket("ship-rewrite-" + changes);
        Path store = dir.resolve("store");
        Instant longAgo = Instant.parse("2020-01-01T00:00:00Z");
        Instant later = longAgo.plus(Duration.ofDays(10));
        SettableClock clock = new SettableClock(longAgo);
        try (ClipStore live = DirectoryStore.open(store, options(), clock)) {
            for (int position = 1; position <= 10; position++) {
                clock.set(position <= 2 ? longAgo : position <= 5 ? later : Instant.now());
                writePositionedClip(live, position);
            }
        }
        assertTrue(shipper(store, bucket, "site").shipClosed().put() >= 3, "the segments are shipped as written");
        // Positions 1 and 2 expire and reach the bucket whole; then 3 to 5 expire, and only the local store knows.
        Clock firstPass = Clock.fixed(longAgo.plus(Duration.ofDays(31)), ZoneOffset.UTC);
        assertEquals(
                6,
                Retention.expire(store, Duration.ofDays(30), false, firstPass)
                        .clips()
                        .size());
        shipper(store, bucket, "site").shipClosed();
        assertEquals(
                9,
                Retention.expire(store, Duration.ofDays(30), false, Clock.systemUTC())
                        .clips()
                        .size());
        assertTrue(Retention.compactLedger(store, Clock.systemUTC()) != null);
        byte[] rewritten = Files.readAllBytes(store.resolve("retention/ledger"));
        RetentionLedger local = RetentionLedger.parse(rewritten);
        assertEquals(3, local.watermarks().size(), new String(rewritten, StandardCharsets.US_ASCII));
        assertEquals(List.of(), local.deletions(), new String(rewritten, StandardCharsets.US_ASCII));

        Shipper killed =
                new Shipper(stopping(changes), new S3Location(bucket, "site"), store, ShipState.open(store), 0);
        List<String> atStop;
        try {
            killed.shipClosed();
            atStop = null;
        } catch (IllegalStateException e) {
            atStop = readBucket(bucket, "stopped-" + changes);
        }
        Shipper.Pass finished = shipper(store, bucket, "site").shipClosed();
        String folder = "site/" + instance(store) + "/";
        Map<String, byte[]> objects = objects(bucket, folder);
        assertArrayEquals(rewritten, objects.get("retention/ledger"), "the bucket ends with the rewritten ledger");
        for (Map.Entry<String, byte[]> object : objects.entrySet()) {
            if (object.getKey().startsWith("segments/")) {
                assertArrayEquals(
                        Files.readAllBytes(store.resolve(object.getKey())), object.getValue(), object.getKey());
            }
        }
        List<String> done = readBucket(bucket, "done-" + changes);
        assertTrue(done.size() >= 3, done.toString());
        if (atStop != null) {
            assertEquals(done, atStop, "stopped after " + changes + " changes; then " + finished);
        }
    }

    /**
     * The figures of docs/OPERATIONS.md: 40 days of a store of 10 devices making 2 clips a day, each expired the next
     * day and shipped after each pass. Bytes put for the ledger: measured with the rewrite ({@code store expire} rewrites
     * after it acts, the uplink at start), against what the shipper put before the rewrite existed: the whole
     * append-only ledger each pass it grew, which is the sum of its sizes.
     */
    @Test
    void measure_ledgerBytesPutOverFortyPasses_appendOnlyAgainstRewritten() throws Exception {
        String bucket = server.createBucket("ship-ledger-bytes");
        Path store = dir.resolve("store");
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        SettableClock clock = new SettableClock(base);
        Shipper shipper = null;
        long appendOnly = 0;
        long appendOnlyBytes = 0;
        int passes = 40;
        for (int day = 0; day < passes; day++) {
            clock.set(base.plus(Duration.ofDays(day)));
            try (ClipStore live = DirectoryStore.open(store, options().withSegmentBytes(8 << 10), clock)) {
                for (int d = 0; d < 10; d++) {
                    for (int c = 1; c <= 2; c++) {
                        writeSmallClip(live, "ship-test-" + d, 2L * day + c);
                    }
                }
            }
            Path ledgerFile = store.resolve("retention/ledger");
            long before = Files.exists(ledgerFile) ? Files.size(ledgerFile) : 0;
            Clock later = Clock.fixed(base.plus(Duration.ofDays(day)).plus(Duration.ofHours(12)), ZoneOffset.UTC);
            Retention.expire(store, Duration.ofDays(1), false, later);
            long appended = Files.exists(ledgerFile) ? Files.size(ledgerFile) - before : 0;
            Retention.compactLedger(store, later);
            appendOnlyBytes += appended;
            appendOnly += appended > 0 ? appendOnlyBytes : 0;
            shipper = shipper == null ? shipper(store, bucket, "site") : shipper;
            shipper.shipClosed();
        }
        long ledgerNow = Files.size(store.resolve("retention/ledger"));
        System.out.printf(
                "ledger shipped over %d passes: %,d bytes put with rewrites (ledger %,d bytes at the end); %,d bytes"
                        + " put append-only (ledger %,d bytes at the end)%n",
                passes, shipper.ledgerBytesPut(), ledgerNow, appendOnly, appendOnlyBytes);
        assertTrue(shipper.ledgerBytesPut() * 5 < appendOnly, shipper.ledgerBytesPut() + " against " + appendOnly);
        assertTrue(ledgerNow * 10 < appendOnlyBytes, ledgerNow + " against " + appendOnlyBytes);
        assertArrayEquals(
                Files.readAllBytes(store.resolve("retention/ledger")),
                objects(bucket, "site/" + instance(store) + "/").get("retention/ledger"));
    }

    private static void writeSmallClip(ClipStore store, String device, long position) throws Exception {
        Random random = new Random(position * 31L + device.hashCode());
        long clip = 900 + position;
        durable(store.openClip(device, clip, positioned(device, clip, position)));
        durable(store.appendFrame(device, clip, 0, true, bytes(random, 16), bytes(random, 400)));
        durable(store.closeClip(device, clip, 1));
    }

    private static byte[] positioned(String device, long clip, long position) {
        return SignedClipHeader.newBuilder()
                .setHeader(ClipHeader.newBuilder()
                        .setFormatVersion(3)
                        .setDeviceId(device)
                        .setClipId(clip)
                        .setChain(ChainLink.newBuilder().setPosition(position))
                        .build()
                        .toByteString())
                .build()
                .toByteArray();
    }

    /** The bucket's store as the owner's readers fetch it: per device, its clips, frames and bytes; no damage. */
    private List<String> readBucket(String bucket, String into) throws Exception {
        ShippedStoreFetch.Result fetched =
                ShippedStoreFetch.fetch(s3, new S3Location(bucket, "site"), dir.resolve(into));
        assertEquals(1, fetched.stores().size(), fetched.toString());
        Path copy = fetched.stores().get(0).dir();
        StoreCheck.Report check = StoreCheck.check(copy);
        assertFalse(check.damage(), check.findings().toString());
        return StoreListing.list(copy).devices().stream()
                .map(d -> d.deviceId() + " " + d.clips() + " clips " + d.frames() + " frames " + d.bytes() + " bytes")
                .toList();
    }

    /** The real client, failing every put and delete after the first {@code changes}: a shipper killed there. */
    private static S3Client stopping(int changes) {
        int[] made = {0};
        return (S3Client) Proxy.newProxyInstance(
                S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, (proxy, method, args) -> {
                    if (method.getName().equals("putObject") || method.getName().equals("deleteObject")) {
                        if (made[0]++ >= changes) {
                            throw new IllegalStateException("killed after " + changes + " changes");
                        }
                    }
                    try {
                        return method.invoke(s3, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Clip {@code position} of each of three devices, at that chain position (a v3-shaped header). */
    private static void writePositionedClip(ClipStore store, int position) throws Exception {
        Random random = new Random(position);
        for (int d = 0; d < 3; d++) {
            String device = "ship-test-" + d;
            long clip = 500 + position;
            durable(store.openClip(device, clip, positioned(device, clip, position)));
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int seq = 0; seq < 20; seq++) {
                pending.add(store.appendFrame(device, clip, seq, seq == 19, bytes(random, 16), bytes(random, 3000))
                        .durable());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            durable(store.closeClip(device, clip, 20));
        }
    }

    private record Result(int status, String err) {}

    private static Result ship(Path store, String to) {
        StringWriter err = new StringWriter();
        CommandLine cli = ShipCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(
                "--data",
                store.toString(),
                "--to",
                to,
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--once");
        return new Result(status, err.toString());
    }

    private static Shipper shipper(Path store, String bucket, String prefix) throws Exception {
        return new Shipper(s3, new S3Location(bucket, prefix), store, ShipState.open(store), 0);
    }

    private static String instance(Path store) throws Exception {
        return Files.readString(store.resolve("ship/instance")).trim();
    }

    /** Every object under {@code prefix}, by its name below it, in name order. */
    static Map<String, byte[]> objects(String bucket, String prefix) {
        Map<String, byte[]> found = new TreeMap<>();
        for (S3Object o :
                s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            found.put(
                    o.key().substring(prefix.length()),
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray());
        }
        return found;
    }

    private static StoreOptions options() {
        return StoreOptions.defaults().withSegmentBytes(SEGMENT_BYTES).withDirectIo(false);
    }

    /** {@code clips} closed clips of {@code frames} frames of {@code bytes} random sealed bytes each. */
    static void writeClips(ClipStore store, int clips, int frames, int bytes) throws Exception {
        Random random = new Random(clips * 31L + frames);
        for (int c = 1; c <= clips; c++) {
            String device = "ship-test-" + (c % 3);
            durable(store.openClip(device, c, bytes(random, 64)));
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int seq = 0; seq < frames; seq++) {
                pending.add(
                        store.appendFrame(device, c, seq, seq == frames - 1, bytes(random, 16), bytes(random, bytes))
                                .durable());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            durable(store.closeClip(device, c, frames));
        }
    }

    private static void durable(Submission s) throws Exception {
        s.durable().get(30, TimeUnit.SECONDS);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
