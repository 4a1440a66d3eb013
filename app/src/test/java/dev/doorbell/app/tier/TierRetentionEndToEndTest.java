package dev.doorbell.app.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.shipper.ShipCommand;
import dev.doorbell.testing.Waits;
import dev.doorbell.tier.S3Server;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Retention;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Retention and the long-term tier together (issue 14, parts 4 and 7), with real parts: a paired doorbell streams
 * clips over TLS to the uplink; the shipper copies the closed segments to a real S3 server (s3proxy); the owner signs
 * a request to forget a clip, the operator applies it (the clip's segment is compacted), and the shipper runs again.
 * The bucket's copy of the segment no longer holds the clip, and the owner's {@code open --store s3://} says DELETED
 * (exit 0) as {@code open} of the local store does.
 */
class TierRetentionEndToEndTest {
    private static final String BUCKET = "tier-retention";
    private static S3Server server;
    private static S3Client s3;

    @TempDir
    Path dir;

    /** Each test's own folder of the bucket. */
    private String prefix = "site";

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        server.createBucket(BUCKET);
        s3 = server.client();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
        server.close();
    }

    record Run(int exit, String out, String err) {}

    @Test
    void ownersRequestAppliedAfterShipping_reachesTheBucket_openS3SaysDeletedAsTheLocalStore() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        String deviceId = ids.get(0);
        Path ownerDir = FleetPairing.ownerDir(fleet.root(), 1);
        Path store = dir.resolve("store");
        stream(fleet, deviceId, store);

        Run shipped = ship(store);
        assertEquals(0, shipped.exit(), shipped.err());
        String instance =
                Files.readString(store.resolve("ship").resolve("instance")).trim();
        List<StoredClip> clips = chain(store);
        assertTrue(clips.size() >= 4, "clips: " + clips.size());
        // A clip whose successor's header says the device had frames of it acknowledged: a gap there is MISSING (so
        // DELETED when a request covers it), not UNSENT, whatever the timing of this run.
        int at = 1;
        while (at < clips.size() - 2 && position(clips.get(at + 1)).getPrevAcknowledgedFrames() == 0) {
            at++;
        }
        StoredClip gone = clips.get(at);
        StoredClip after = clips.get(at + 1);
        long goneAt = position(gone).getPosition();
        Map<String, byte[]> before = objects(instance);
        List<String> holding = holding(before, gone.header());
        assertEquals(1, holding.size(), "the clip's header is in one shipped segment: " + holding);

        Path request = dir.resolve("forget.req");
        Run forget = doorbell(
                "owner",
                "forget",
                "--owner",
                ownerDir.toString(),
                "--device",
                deviceId,
                "--clip",
                gone.clipName(),
                "--store",
                store.toString(),
                "--out",
                request.toString());
        assertEquals(0, forget.exit(), forget.out() + forget.err());
        Run applied = uplink("store", "delete", "--data", store.toString(), "--request", request.toString());
        assertEquals(0, applied.exit(), applied.out() + applied.err());
        Path segment = store.resolve("segments").resolve(holding.get(0).substring("segments/".length()));
        assertFalse(
                contains(Files.readAllBytes(segment), gone.header()), "the local segment was compacted: " + segment);

        Run again = ship(store);
        assertEquals(0, again.exit(), again.err());
        Map<String, byte[]> now = objects(instance);
        assertEquals(List.of(), holding(now, gone.header()), "no object holds the deleted clip's header");
        assertArrayEquals(Files.readAllBytes(segment), now.get(holding.get(0)), "the compacted bytes, as the store's");
        assertArrayEquals(
                Files.readAllBytes(store.resolve("retention").resolve("ledger")), now.get("retention/ledger"));
        assertArrayEquals(
                Files.readAllBytes(
                        store.resolve("retention").resolve("requests").resolve("0000000001.req")),
                now.get("retention/requests/0000000001.req"));

        Run local = doorbell(
                "open",
                "--store",
                store.toString(),
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve("opened-local").toString());
        Run fromS3 = doorbell(
                "open",
                "--store",
                "s3://" + BUCKET + "/" + prefix,
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve("opened-s3").toString());
        String deleted = "DELETED 1 clip(s) at positions " + goneAt + ".." + goneAt + " before " + after.clipName()
                + " (your signed request of ";
        assertEquals(0, local.exit(), local.out() + local.err());
        assertTrue(local.out().contains(deleted), local.out());
        assertEquals(0, fromS3.exit(), fromS3.out() + fromS3.err());
        assertTrue(fromS3.out().contains(deleted), fromS3.out());
        assertFalse(fromS3.out().contains("MISSING"), fromS3.out());
        assertEquals(
                clipLines(local, deviceId),
                clipLines(fromS3, deviceId),
                "local:\n" + local.out() + "\nS3:\n" + fromS3.out());
    }

    @Test
    void everyClipExpiredAfterShipping_shippedSegmentsDeleted_openS3AgreesWithTheLocalStore() throws Exception {
        prefix = "expired";
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        String deviceId = ids.get(0);
        Path ownerDir = FleetPairing.ownerDir(fleet.root(), 1);
        Path store = dir.resolve("store");
        stream(fleet, deviceId, store);
        assertEquals(0, ship(store).exit());
        String instance =
                Files.readString(store.resolve("ship").resolve("instance")).trim();
        List<String> shipped = segmentKeys(objects(instance));
        Retention.Result expired =
                Retention.expire(store, Duration.ofDays(1), false, Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
        assertTrue(expired.clips().size() >= 4, expired.toString());
        assertEquals(0, ship(store).exit());
        Map<String, byte[]> now = objects(instance);
        assertTrue(
                segmentKeys(now).size() < shipped.size(), "removed segments deleted: " + shipped + " " + now.keySet());
        for (String key : segmentKeys(now)) {
            assertArrayEquals(Files.readAllBytes(store.resolve(key)), now.get(key), key + " as the store holds it");
        }
        Run local = doorbell(
                "open",
                "--store",
                store.toString(),
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve("opened-local").toString());
        Run fromS3 = doorbell(
                "open",
                "--store",
                "s3://" + BUCKET + "/" + prefix,
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve("opened-s3").toString());
        assertEquals(0, local.exit(), local.out() + local.err());
        assertEquals(0, fromS3.exit(), "local:\n" + local.out() + "\nS3:\n" + fromS3.out() + fromS3.err());
        assertFalse(fromS3.out().contains("MISSING"), fromS3.out());
        assertEquals(clipLines(local, deviceId), clipLines(fromS3, deviceId));
    }

    /**
     * The ledger's rewrite (docs/FORMAT.md §6) changes no verdict: the oldest clips expire and reach the bucket with
     * the long ledger; then the ledger is rewritten (their delete lines fold into a watermark) and shipped again
     * (both ledgers in one first, then the rewritten one). {@code open} of the local store and {@code open --store
     * s3://} print the same clip and EXPIRED lines before and after, and the bucket ends with the local ledger's bytes.
     */
    @Test
    void ledgerRewrittenAfterExpiry_openLocalAndS3PrintTheSameVerdictsAsFromTheLongLedger() throws Exception {
        prefix = "rewritten";
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        String deviceId = ids.get(0);
        Path ownerDir = FleetPairing.ownerDir(fleet.root(), 1);
        Path store = dir.resolve("store");
        stream(fleet, deviceId, store);
        assertEquals(0, ship(store).exit());
        String instance =
                Files.readString(store.resolve("ship").resolve("instance")).trim();
        // The oldest half of the chain, by the store's own arrival times: expired by a policy of one day, two days on.
        List<Retention.Victim> all = new ArrayList<>(
                Retention.expire(store, Duration.ZERO, true, Clock.systemUTC()).clips());
        all.sort(Comparator.comparingLong(Retention.Victim::position));
        assertTrue(all.size() >= 4, all.toString());
        long cutoff = all.get(all.size() / 2 - 1).lastArrivalMs() + 1;
        Retention.Result expired = Retention.expire(
                store,
                Duration.ofDays(1),
                false,
                Clock.fixed(java.time.Instant.ofEpochMilli(cutoff).plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC));
        assertTrue(expired.clips().size() >= 2, expired.toString());
        assertEquals(0, ship(store).exit());
        List<String> localLong = verdicts(openLocal(store, ownerDir, "local-long"), deviceId);
        List<String> s3Long = verdicts(openS3(ownerDir, "s3-long"), deviceId);
        assertTrue(localLong.stream().anyMatch(l -> l.contains("EXPIRED")), String.join("\n", localLong));
        assertEquals(localLong, s3Long);
        long longBytes = Files.size(store.resolve("retention").resolve("ledger"));

        assertTrue(Retention.compactLedger(store, Clock.systemUTC()) != null, "the ledger is rewritten");
        String rewritten = Files.readString(store.resolve("retention").resolve("ledger"), StandardCharsets.US_ASCII);
        assertTrue(rewritten.contains("\ndeleted-through " + deviceId + " "), "expired clips fold:\n" + rewritten);
        assertTrue(rewritten.length() < longBytes, rewritten);
        assertEquals(localLong, verdicts(openLocal(store, ownerDir, "local-short"), deviceId));
        Run shipped = ship(store);
        assertEquals(0, shipped.exit(), shipped.err());
        assertArrayEquals(
                Files.readAllBytes(store.resolve("retention").resolve("ledger")),
                objects(instance).get("retention/ledger"),
                "the bucket holds the rewritten ledger");
        assertEquals(s3Long, verdicts(openS3(ownerDir, "s3-short"), deviceId));
    }

    private Run openLocal(Path store, Path ownerDir, String out) {
        Run run = doorbell(
                "open",
                "--store",
                store.toString(),
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve(out).toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        return run;
    }

    private Run openS3(Path ownerDir, String out) {
        Run run = doorbell(
                "open",
                "--store",
                "s3://" + BUCKET + "/" + prefix,
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve(out).toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        return run;
    }

    /** The per-clip lines and the chain's lines about gaps (DELETED, EXPIRED, MISSING). */
    private static List<String> verdicts(Run opened, String deviceId) {
        List<String> lines = new ArrayList<>(clipLines(opened, deviceId));
        opened.out()
                .lines()
                .filter(l -> l.contains("EXPIRED") || l.contains("DELETED") || l.contains("MISSING"))
                .forEach(lines::add);
        return lines;
    }

    private static List<String> segmentKeys(Map<String, byte[]> objects) {
        return objects.keySet().stream().filter(k -> k.startsWith("segments/")).toList();
    }

    /**
     * One run of the doorbell against a real uplink on a store of 256 KiB segments that closes an idle segment, so that
     * every clip is in a closed segment, which the shipper ships, when the run ends.
     */
    private static void stream(FleetLayout fleet, String deviceId, Path store) throws Exception {
        try (DirectoryStore directoryStore = DirectoryStore.open(
                        store,
                        StoreOptions.defaults().withSegmentBytes(256 << 10).withSegmentMaxAge(Duration.ofMillis(300)));
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        directoryStore)) {
            InetSocketAddress address = uplink.start();
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    address.getPort(),
                    false,
                    5,
                    Profile.P240,
                    Duration.ofSeconds(12),
                    Map.of(deviceId, Duration.ofSeconds(1)),
                    0,
                    30,
                    Duration.ofMillis(500),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    0);
            StringWriter progress = new StringWriter();
            SimulationReport report = new Simulation(
                            List.of(DeviceDirectory.load(fleet.device(deviceId))),
                            options,
                            VirtualSimClock::startingAtDefault,
                            SealObserver.NONE,
                            new PrintWriter(progress))
                    .run();
            assertTrue(report.complete(), progress.toString());
            Waits.await("every record in a closed segment", Duration.ofSeconds(10))
                    .until(() -> newestSegmentBytes(store) < 100);
            uplink.stop(Duration.ofSeconds(5));
        }
    }

    private static long newestSegmentBytes(Path store) {
        try (Stream<Path> files = Files.list(store.resolve("segments"))) {
            return Files.size(files.filter(p -> p.toString().endsWith(".seg"))
                    .max(Path::compareTo)
                    .orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChainLink position(StoredClip clip) throws Exception {
        return ClipHeader.parseFrom(SignedClipHeader.parseFrom(clip.header()).getHeader())
                .getChain();
    }

    /** The store's clips in the order of their chain positions. */
    private static List<StoredClip> chain(Path store) throws Exception {
        TreeMap<Long, StoredClip> byPosition = new TreeMap<>();
        for (StoredClip clip : StoreDirectoryReader.read(store).clips()) {
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            byPosition.put(header.getChain().getPosition(), clip);
        }
        return new ArrayList<>(byPosition.values());
    }

    /** Every object of the instance's folder, by its name under the folder. */
    private Map<String, byte[]> objects(String instance) {
        String folder = prefix + "/" + instance + "/";
        Map<String, byte[]> objects = new TreeMap<>();
        for (S3Object object :
                s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(folder)).contents()) {
            objects.put(
                    object.key().substring(folder.length()),
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key())).asByteArray());
        }
        return objects;
    }

    /** The segment objects whose bytes hold {@code needle}. */
    private static List<String> holding(Map<String, byte[]> objects, byte[] needle) {
        return objects.entrySet().stream()
                .filter(e -> e.getKey().startsWith("segments/") && contains(e.getValue(), needle))
                .map(Map.Entry::getKey)
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        // ISO-8859-1 maps every byte to one char, so a substring search is a byte search.
        return new String(haystack, StandardCharsets.ISO_8859_1)
                .contains(new String(needle, StandardCharsets.ISO_8859_1));
    }

    private Run ship(Path store) {
        return run(
                ShipCommand.commandLine(),
                "--data",
                store.toString(),
                "--to",
                "s3://" + BUCKET + "/" + prefix,
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--once");
    }

    /** The per-clip lines: device, clip, trigger, frames, bytes and the verdict. */
    private static List<String> clipLines(Run opened, String deviceId) {
        return opened.out()
                .lines()
                .filter(l -> l.matches(deviceId + " +[0-9a-f]{16}  .*"))
                .toList();
    }

    private static Run doorbell(String... args) {
        return run(DoorbellCli.commandLine(), args);
    }

    private static Run uplink(String... args) {
        return run(
                UplinkCli.commandLine(new ServeCommand(d -> {
                    throw new AssertionError("no serve here");
                })),
                args);
    }

    private static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
