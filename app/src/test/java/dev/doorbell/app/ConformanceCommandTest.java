package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.cli.Cli;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.uplink.recipients.PublishedList;
import dev.doorbell.uplink.recipients.RecipientListFiles;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConformanceCommandTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void provision() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        PairedFleets.provisionWithConformance(fleet.root(), 2);
    }

    @Test
    void call_passingCases_exitZeroTableAndTranscripts() throws Exception {
        int code = runAgainstUplink(
                UplinkConfig.builder(),
                "--case",
                "valid-session",
                "--case",
                "sequence-gap",
                "--transcripts",
                dir.resolve("transcripts").toString());
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("2 cases: 2 passed, 0 failed"), out.toString());
        assertTrue(Files.readString(dir.resolve("transcripts").resolve("sequence-gap.txt"))
                .contains("SEQUENCE_GAP"));
    }

    @Test
    void call_caseThatFails_exitOneAndSaysWhy() throws Exception {
        // An idle timeout below the handshake deadline makes the uplink say IDLE_TIMEOUT to a client without Hello.
        int code = runAgainstUplink(
                UplinkConfig.builder()
                        .heartbeat(Duration.ofMillis(200))
                        .idleTimeout(Duration.ofMillis(500))
                        .handshakeDeadline(Duration.ofSeconds(2)),
                "--case",
                "handshake-timeout");
        assertEquals(1, code, out + "\n" + err);
        assertTrue(out.toString().contains("FAIL") && out.toString().contains("HANDSHAKE_TIMEOUT"), out.toString());
    }

    @Test
    void call_timeouts_waitForTheLimitsWelcomeAnnounces() throws Exception {
        long started = System.nanoTime();
        // A 3 s handshake deadline leaves a cold JVM on a busy machine time for TLS and Hello; the idle timeout must be
        // longer, or it would fire first on the connection that sends no Hello. --handshake-wait, shorter than the
        // deadline, is only for an uplink that announces none: this one does, so the case waits for its deadline.
        int code = runAgainstUplink(
                UplinkConfig.builder()
                        .heartbeat(Duration.ofMillis(500))
                        .idleTimeout(Duration.ofSeconds(4))
                        .handshakeDeadline(Duration.ofSeconds(3)),
                "--case",
                "idle-timeout",
                "--case",
                "handshake-timeout",
                "--handshake-wait",
                "1s");
        assertEquals(0, code, out + "\n" + err);
        // The defaults (30 s idle timeout, 10 s handshake deadline) would take 40 s and more.
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 25, out.toString());
    }

    /** The recipient-list cases against an uplink that holds the list the owner issued for conformance-1. */
    @Test
    void call_recipientListCases_passWithTheOwnersListPublished() throws Exception {
        Path data = Files.createDirectories(dir.resolve("store"));
        Path ownersList = PairedFleets.ownerDir(fleet).resolve("lists").resolve("conformance-1.list");
        new RecipientListFiles(data)
                .publish(PublishedList.parse(
                        ownersList.toString(), ByteString.copyFrom(Files.readAllBytes(ownersList))));

        int code = runAgainstUplink(
                UplinkConfig.builder(),
                "--case",
                "recipient-list-relayed",
                "--case",
                "recipient-list-held",
                "--case",
                "recipient-list-refused");

        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("3 cases: 3 passed, 0 failed"), out.toString());
    }

    @Test
    void call_recipientListCaseWithNothingPublished_failsSayingToPublish() throws Exception {
        int code = runAgainstUplink(UplinkConfig.builder(), "--case", "recipient-list-relayed");

        assertEquals(1, code, out + "\n" + err);
        assertTrue(out.toString().contains("publish-recipients"), out.toString());
    }

    @Test
    void call_unknownCase_usageErrorNamingTheCases() throws Exception {
        int code = runAgainstUplink(UplinkConfig.builder(), "--case", "no-such-case");
        assertEquals(2, code);
        assertTrue(err.toString().contains("valid-session"), err.toString());
    }

    @Test
    void call_doorbellsInsteadOfConformanceDevices_refusedAndNothingStored() throws Exception {
        int code = runAgainstUplink(UplinkConfig.builder(), fleet.devicesDir(), "--case", "valid-session");
        assertEquals(2, code, out + "\n" + err);
        assertTrue(err.toString().contains("conformance-1") && err.toString().contains("provision"), err.toString());
        assertTrue(StoreDirectoryReader.read(dir.resolve("store")).clips().isEmpty());
    }

    /** What the owner finds in the store after the suite: conformance devices' clips, each frame a picture. */
    @Test
    void call_thenOpen_clipsAreTheConformanceDevicesAndFramesAreJpegs() throws Exception {
        assertEquals(
                0,
                runAgainstUplink(UplinkConfig.builder(), "--case", "valid-session", "--case", "resume"),
                out + "\n" + err);
        Path opened = dir.resolve("opened");
        OwnerDirectory owner = OwnerDirectory.load(PairedFleets.ownerDir(fleet));
        List<ClipResult> results = new StoreOpener(null, new ClipOpenerV2(owner))
                .openAll(StoreDirectoryReader.read(dir.resolve("store")), null, null, opened, r -> {});
        owner.destroy();
        assertFalse(results.isEmpty());
        int frames = 0;
        for (ClipResult r : results) {
            assertTrue(r.deviceId().startsWith(ConformanceDevices.PREFIX), r.deviceId());
            try (Stream<Path> files = Files.list(r.outDir())) {
                for (Path frame : files.filter(f -> f.getFileName().toString().endsWith(".jpg"))
                        .toList()) {
                    assertNotNull(ImageIO.read(frame.toFile()), frame + " is not a JPEG");
                    frames++;
                }
            }
        }
        assertTrue(frames >= 3, "frames opened: " + frames);
    }

    private int runAgainstUplink(UplinkConfig.Builder config, String... options) throws Exception {
        return runAgainstUplink(config, fleet.conformanceDir(), options);
    }

    private int runAgainstUplink(UplinkConfig.Builder config, Path devices, String... options) throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        config.host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .dataDirectory(dir.resolve("store"))
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            CommandLine command = Cli.configure(new CommandLine(new ConformanceCommand()));
            command.setOut(new PrintWriter(out, true));
            command.setErr(new PrintWriter(err, true));
            String[] args = new String[options.length + 4];
            args[0] = "--uplink";
            args[1] = "127.0.0.1:" + port;
            args[2] = "--devices-dir";
            args[3] = devices.toString();
            System.arraycopy(options, 0, args, 4, options.length);
            int code = command.execute(args);
            uplink.stop(Duration.ofSeconds(5));
            return code;
        }
    }
}
