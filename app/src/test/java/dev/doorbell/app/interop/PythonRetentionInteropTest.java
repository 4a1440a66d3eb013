package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Retention;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The verdicts only an opener can give along a device's chain (docs/FORMAT.md §6 "Retention" and §17.4 rules 7 to 9)
 * from Java's {@code open} and from the Python client's (written from the docs, a real python3 process), on the same
 * stores written by the real uplink from a real paired doorbell's sealed clips: a clip deleted by the owner's signed
 * request (applied with the uplink's {@code store delete}, which removes or compacts the segments it filled), clips
 * expired by the uplink's policy, a gap no request covers, a request signed by someone else, clips sharing one clip
 * key, a clock that went back, and a clip that two uplinks stored. Both print the same chain lines, the same verdict
 * per clip, and exit with the same status.
 */
class PythonRetentionInteropTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(120);
    private static final long START_MS = 1_764_936_000_000L;
    private static final int FRAME_BYTES = 100_000;
    /** "device ID: TEXT" from Python; "ID     KEYWORD ..." from Java, the keyword right after the device column. */
    private static final Pattern JAVA_CHAIN_LINE = Pattern.compile(
            "^(\\S+) +((?:MISSING|CHAIN BROKEN|UNSENT|HEAD|KEY REUSED|CLOCK BACKWARDS|DELETED|EXPIRED) .*)$");

    private static final Pattern PYTHON_CHAIN_LINE = Pattern.compile("^device (\\S+): (.*)$");
    private static final Pattern VERDICT_WORD =
            Pattern.compile("^(OK|TRUNCATED|TAMPERED|DAMAGED|MISSING|NO KEY|UNSUPPORTED)\\b");

    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;
    private Path owner;
    private PairedDevice device;
    private int opened;
    /** The doorbell's clock: each clip starts a minute after the one before, whichever uplink it goes to. */
    private long startMs = START_MS;

    record Sent(long clipId, long position, List<SealedFrame> frames, ByteString header) {
        String name() {
            return String.format("%016x", clipId);
        }
    }

    record Compared(int exit, String javaOut, List<String> chainLines) {}

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @BeforeEach
    void pairedDoorbell() throws Exception {
        fleet = PairedFleets.provision(dir.resolve("fleet"), 1);
        deviceId = Files.readAllLines(fleet.fleetList()).get(0);
        owner = PairedFleets.ownerDir(fleet);
        device = DevicePairing.load(fleet.device(deviceId));
    }

    @AfterEach
    void forgetKeys() {
        device.destroy();
    }

    @Test
    void clipDeletedByTheOwnersRequest_bothSayDeleted_exit0() throws Exception {
        Path store = dir.resolve("store");
        List<Sent> sent;
        try (Uplink uplink = new Uplink(store)) {
            sent = List.of(uplink.clip(3), uplink.clip(3), uplink.clip(3), uplink.clip(3));
        }
        Path request = dir.resolve("forget.req");
        run(
                doorbell(),
                "owner",
                "forget",
                "--owner",
                owner.toString(),
                "--device",
                deviceId,
                "--clip",
                sent.get(1).name(),
                "--store",
                store.toString(),
                "--out",
                request.toString());
        String applied =
                run(uplinkCli(), "store", "delete", "--data", store.toString(), "--request", request.toString());
        assertTrue(
                applied.contains(" removed (") || applied.contains(" compacted ("),
                "a closed segment was reclaimed, so both readers read the ledger's segments: " + applied);

        Compared both = compare(0, "--store", store.toString());
        assertTrue(
                both.chainLines().stream()
                        .anyMatch(l -> l.startsWith(deviceId + ": DELETED 1 clip(s) at positions 2..2 before "
                                + sent.get(2).name() + " (your signed request of ")),
                both.javaOut());
    }

    @Test
    void requestSignedBySomeoneElse_appliedByTheUplink_bothSayMissingWithTheLedgersClaim_exit1() throws Exception {
        Path store = dir.resolve("store");
        List<Sent> sent;
        try (Uplink uplink = new Uplink(store)) {
            sent = List.of(uplink.clip(1), uplink.clip(1), uplink.clip(1));
        }
        Path stranger = dir.resolve("stranger");
        OwnerDirectory.init(stranger, new SecureRandom()).owner().destroy();
        Path request = dir.resolve("forged.req");
        run(
                doorbell(),
                "owner",
                "forget",
                "--owner",
                stranger.toString(),
                "--device",
                deviceId,
                "--clip",
                sent.get(1).name(),
                "--out",
                request.toString());
        run(uplinkCli(), "store", "delete", "--data", store.toString(), "--request", request.toString());

        Compared both = compare(1, "--store", store.toString());
        assertTrue(
                both.chainLines().stream()
                        .anyMatch(l -> l.startsWith(deviceId + ": MISSING 1 clip(s) between ")
                                && l.endsWith(" deleted it, but no request that verifies under your key covers it)")),
                both.javaOut());
    }

    @Test
    void gapNoRequestOrPolicyCovers_bothSayMissing_exit1() throws Exception {
        Path store = dir.resolve("store");
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(1);
            uplink.unsentButAcknowledged();
            uplink.clip(1);
        }
        Compared both = compare(1, "--store", store.toString());
        assertTrue(both.chainLines().get(0).startsWith(deviceId + ": MISSING 1 clip(s) between "), both.javaOut());
    }

    @Test
    void clipsExpiredByTheUplinksPolicy_bothSayExpiredAsTheOperatorsStatement_exit0() throws Exception {
        Path store = dir.resolve("store");
        Instant between;
        List<Sent> later;
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(2);
            uplink.clip(2);
            between = Instant.now();
            // The policy compares the uplink's arrival times: the next clips must arrive after this instant.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Instant.now().isAfter(between.plusMillis(5)) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            later = List.of(uplink.clip(2), uplink.clip(2));
        }
        Retention.Result result = Retention.expire(
                store, Duration.ofDays(30), false, Clock.fixed(between.plus(Duration.ofDays(30)), ZoneOffset.UTC));
        assertEquals(2, result.clips().size(), result.toString());

        Compared both = compare(0, "--store", store.toString());
        assertTrue(
                both.chainLines().stream()
                        .anyMatch(l -> l.startsWith(deviceId + ": EXPIRED 2 clip(s) at positions 1..2 before "
                                + later.get(0).name() + " (the uplink's retention policy: older-than=30d, ")),
                both.javaOut());
    }

    @Test
    void expiredClipsFoldedIntoAWatermarkByTheUplinksRestart_bothSayExpired_likeTheLongLedger_exit0() throws Exception {
        Path store = dir.resolve("store");
        Instant between;
        List<Sent> later;
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(2);
            uplink.clip(2);
            between = Instant.now();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Instant.now().isAfter(between.plusMillis(5)) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            later = List.of(uplink.clip(2), uplink.clip(2));
        }
        Retention.expire(
                store, Duration.ofDays(30), false, Clock.fixed(between.plus(Duration.ofDays(30)), ZoneOffset.UTC));
        Path ledger = store.resolve("retention").resolve("ledger");
        String longForm = Files.readString(ledger, StandardCharsets.US_ASCII);
        Compared before = compare(0, "--store", store.toString());

        // The uplink's start rewrites the ledger (docs/FORMAT.md §6, "The ledger's rewrite"): both expired clips lie
        // below the kept clip at position 3, in removed or compacted segments, so they fold into one watermark.
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(2);
        }
        String rewritten = Files.readString(ledger, StandardCharsets.US_ASCII);
        assertTrue(rewritten.startsWith("doorbell-retention v2\ngeneration 1 "), rewritten);
        assertTrue(
                rewritten.contains("\ndeleted-through " + deviceId + " 2 2 policy older-than=30d "),
                longForm + "\nrewritten as:\n" + rewritten);
        assertFalse(rewritten.contains("\ndelete "), rewritten);

        Compared after = compare(0, "--store", store.toString());
        assertEquals(expired(before), expired(after), before.javaOut() + "\n" + after.javaOut());
        assertTrue(
                after.chainLines().stream()
                        .anyMatch(l -> l.equals(deviceId + ": EXPIRED 2 clip(s) at positions 1..2 before "
                                + later.get(0).name() + " (the uplink's retention policy: older-than=30d, "
                                + watermarkTime(rewritten) + "; operator's statement)")),
                after.javaOut());
        assertFalse(after.javaOut().contains("does not parse"), after.javaOut());
        assertFalse(after.javaOut().contains("the ledger is ignored"), after.javaOut());
    }

    @Test
    void requestedDeletionsFoldedByStoreDelete_forgedRequest_bothSayMissingWithTheWatermarksClaim_exit1()
            throws Exception {
        Path store = dir.resolve("store");
        List<Sent> sent;
        try (Uplink uplink = new Uplink(store)) {
            sent = List.of(uplink.clip(2), uplink.clip(2), uplink.clip(2), uplink.clip(2));
        }
        Path stranger = dir.resolve("stranger");
        OwnerDirectory.init(stranger, new SecureRandom()).owner().destroy();
        Path request = dir.resolve("forged.req");
        run(
                doorbell(),
                "owner",
                "forget",
                "--owner",
                stranger.toString(),
                "--device",
                deviceId,
                "--clip",
                sent.get(0).name(),
                "--clip",
                sent.get(1).name(),
                "--out",
                request.toString());
        String applied =
                run(uplinkCli(), "store", "delete", "--data", store.toString(), "--request", request.toString());
        assertTrue(applied.contains("retention ledger rewritten (generation 1)"), applied);
        String rewritten = Files.readString(store.resolve("retention").resolve("ledger"), StandardCharsets.US_ASCII);
        assertTrue(rewritten.contains("\ndeleted-through " + deviceId + " 2 2 request 0000000001.req "), rewritten);

        Compared both = compare(1, "--store", store.toString());
        assertTrue(
                both.chainLines().stream()
                        .anyMatch(l -> l.startsWith(deviceId + ": MISSING 2 clip(s) ")
                                && l.endsWith("(the store says an owner's request 0000000001.req deleted it, but no"
                                        + " request that verifies under your key covers it)")),
                both.javaOut());
    }

    private static List<String> expired(Compared c) {
        return c.chainLines().stream().filter(l -> l.contains(": EXPIRED ")).toList();
    }

    /** The time a ledger's only watermark line gives. */
    private static String watermarkTime(String ledger) {
        return ledger.lines()
                .filter(l -> l.startsWith("deleted-through "))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void clipsSharingOneClipKey_bothSayKeyReused_exit1() throws Exception {
        Path store = dir.resolve("store");
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(1, START_MS, new InsecureDeterministicRandom("stuck"));
            uplink.clip(1, START_MS + 60_000, new SecureRandom());
            uplink.clip(1, START_MS + 120_000, new InsecureDeterministicRandom("stuck"));
        }
        Compared both = compare(1, "--store", store.toString());
        assertTrue(
                both.chainLines().stream().anyMatch(l -> l.startsWith(deviceId + ": KEY REUSED by 2 clips (")),
                both.javaOut());
    }

    @Test
    void startTimesGoingBack_bothSayClockBackwards_informational_exit0() throws Exception {
        Path store = dir.resolve("store");
        try (Uplink uplink = new Uplink(store)) {
            uplink.clip(1, START_MS, new SecureRandom());
            uplink.clip(1, START_MS - 95_250, new SecureRandom());
            uplink.clip(1, START_MS - 1_000, new SecureRandom());
        }
        Compared both = compare(0, "--store", store.toString());
        assertTrue(
                both.chainLines().stream()
                        .anyMatch(l -> l.startsWith(deviceId + ": CLOCK BACKWARDS at position 2 (clip ")
                                && l.contains(" says it started at 2025-12-05T11:58:24.750Z, 95.3 s before clip ")),
                both.javaOut());
    }

    @Test
    void clipTwoUplinksStored_oneResumedOnTheOther_bothMergeItIntoOneClip_exit0() throws Exception {
        Path storeA = dir.resolve("uplink-a");
        Path storeB = dir.resolve("uplink-b");
        Sent resumed;
        try (Uplink a = new Uplink(storeA)) {
            a.clip(2);
            resumed = a.partial(3, 2);
        }
        try (Uplink b = new Uplink(storeB)) {
            // Another uplink process does not know the clip: the device sends it again from frame 0, the same bytes.
            b.resend(resumed);
            b.clip(2);
        }
        Compared both = compare(0, "--store", storeA.toString(), "--store", storeB.toString());
        assertEquals(1, both.chainLines().size(), both.javaOut());
        assertTrue(both.chainLines().get(0).startsWith(deviceId + ": HEAD clip "), both.javaOut());
    }

    /**
     * Opens the stores with Java's {@code open} and the Python client's; asserts the same chain lines (in order), the
     * same verdict word per clip, and the same exit status, {@code exit}. Returns them for the case's own assertions.
     */
    private Compared compare(int exit, String... stores) throws Exception {
        opened++;
        Path javaOut = dir.resolve("java-" + opened);
        Path pythonOut = dir.resolve("python-" + opened);
        List<String> args = new ArrayList<>(List.of("open"));
        args.addAll(List.of(stores));
        args.addAll(List.of("--identity", owner.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> javaArgs = new ArrayList<>(args);
        javaArgs.addAll(List.of("--out", javaOut.toString()));
        int javaExit = DoorbellCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(javaArgs.toArray(String[]::new));
        List<String> pythonArgs = new ArrayList<>(args);
        pythonArgs.addAll(List.of("--out", pythonOut.toString()));
        PythonClient.Result python = PythonClient.doorbellPy(pythonArgs, PYTHON_TIMEOUT);
        String both = "java (exit " + javaExit + "):\n" + out + err + "\npython (exit " + python.exitCode() + "):\n"
                + python.output();

        List<String> javaChain = chainLines(out.toString(), JAVA_CHAIN_LINE);
        assertFalse(javaChain.isEmpty(), both);
        assertEquals(javaChain, chainLines(python.output(), PYTHON_CHAIN_LINE), both);
        Map<String, String> javaVerdicts = verdicts(javaOut);
        assertFalse(javaVerdicts.isEmpty(), both);
        assertEquals(javaVerdicts, verdicts(pythonOut), both);
        assertEquals(exit, javaExit, both);
        assertEquals(exit, python.exitCode(), both);
        return new Compared(javaExit, both, javaChain);
    }

    private static List<String> chainLines(String output, Pattern pattern) {
        List<String> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                lines.add(m.group(1) + ": " + m.group(2));
            }
        }
        return lines;
    }

    /** DEVICE/CLIP to the verdict word of its verdict.txt. */
    private static Map<String, String> verdicts(Path out) throws Exception {
        Map<String, String> words = new TreeMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("verdict.txt"))
                    .toList()) {
                String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
                Matcher m = VERDICT_WORD.matcher(first);
                words.put(out.relativize(file.getParent()).toString(), m.find() ? m.group(1) : first);
            }
        }
        return words;
    }

    private static CommandLine doorbell() {
        return DoorbellCli.commandLine();
    }

    private static CommandLine uplinkCli() {
        return UplinkCli.commandLine(new ServeCommand(d -> {
            throw new AssertionError("no serve here");
        }));
    }

    /** Runs a command that must succeed; returns what it printed. */
    private static String run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        assertEquals(0, exit, String.join(" ", args) + ":\n" + out + err);
        return out.toString();
    }

    /**
     * The real uplink on a store of 256 KiB segments (so that clips of 100 KB frames fill and close segments, which
     * retention then removes or compacts), and the paired doorbell connected to it over TLS. The doorbell's chain
     * state hears each PERSISTED, as its link client makes it, so each header says what the uplink acknowledged of
     * the clip before it.
     */
    private final class Uplink implements AutoCloseable {
        private final DirectoryStore store;
        private final UplinkServer server;
        private final TestDeviceClient client;

        Uplink(Path storeDir) throws Exception {
            store = DirectoryStore.open(storeDir, StoreOptions.defaults().withSegmentBytes(256 << 10));
            server = new UplinkServer(
                    UplinkConfig.builder()
                            .host("127.0.0.1")
                            .port(0)
                            .tlsDirectory(fleet.uplinkDir())
                            .build(),
                    store);
            DeviceDirectory tls = DeviceDirectory.load(fleet.device(deviceId));
            SslContext ssl = SslContextBuilder.forClient()
                    .keyManager(
                            tls.deviceCertFile().toFile(), tls.deviceKeyFile().toFile())
                    .trustManager(tls.caCertFile().toFile())
                    .protocols("TLSv1.3")
                    .build();
            client = TestDeviceClient.connect(server.start(), ssl);
            client.send(Messages.hello(deviceId));
            client.awaitWelcome();
        }

        Sent clip(int frames) {
            startMs += 60_000;
            return clip(frames, startMs, new SecureRandom());
        }

        Sent clip(int frames, long start, SecureRandom random) {
            Sent sent = seal(frames, start, random);
            send(sent, frames);
            return sent;
        }

        /** A clip of which only the first {@code persisted} frames reach this uplink (the link drops then). */
        Sent partial(int frames, int persisted) {
            startMs += 60_000;
            Sent sent = seal(frames, startMs, new SecureRandom());
            send(sent, persisted);
            return sent;
        }

        void resend(Sent sent) {
            send(sent, sent.frames().size());
        }

        /** A clip the uplink acknowledged, as far as the device knows, and that never reaches this store. */
        void unsentButAcknowledged() {
            startMs += 60_000;
            Sent sent = seal(1, startMs, new SecureRandom());
            device.chain().persisted(sent.clipId(), 1, true);
        }

        private Sent seal(int frames, long start, SecureRandom random) {
            long clipId = new SecureRandom().nextLong() & Long.MAX_VALUE;
            ClipSealing sealer = device.startClip(
                    new ClipParams(deviceId, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 64, 48, 10, start, 0),
                    List.of(),
                    0,
                    random);
            long position = device.chain().head().position();
            List<SealedFrame> sealed = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                byte[] image = new byte[FRAME_BYTES];
                Arrays.fill(image, (byte) (i + 1));
                sealed.add(sealer.seal(100_000L * i, image, i == frames - 1));
            }
            return new Sent(clipId, position, sealed, ByteString.copyFrom(sealer.headerBytes()));
        }

        private void send(Sent sent, int count) {
            List<DeviceMessage> messages = new ArrayList<>();
            messages.add(Messages.clipOpen(sent.clipId(), sent.header()));
            for (SealedFrame f : sent.frames().subList(0, count)) {
                messages.add(DeviceMessage.newBuilder()
                        .setFrame(Frame.newBuilder()
                                .setClipId(sent.clipId())
                                .setSeq(f.seq())
                                .setLast(f.last())
                                .setMeta(ByteString.copyFrom(f.meta()))
                                .setSealed(ByteString.copyFrom(f.sealed())))
                        .build());
            }
            boolean whole = count == sent.frames().size();
            if (whole) {
                messages.add(DeviceMessage.newBuilder()
                        .setClipClose(
                                ClipClose.newBuilder().setClipId(sent.clipId()).setFrameCount(count))
                        .build());
            }
            client.send(messages.toArray(DeviceMessage[]::new));
            client.awaitAck(sent.clipId(), AckKind.ACK_KIND_PERSISTED, count, whole);
            device.chain().persisted(sent.clipId(), count, whole);
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.stop(Duration.ofSeconds(5));
            server.close();
            store.close();
        }
    }
}
