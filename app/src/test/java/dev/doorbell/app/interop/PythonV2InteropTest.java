package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Format v2 between the two implementations, both ways, through the commands a user runs: the Java owner's tools
 * ({@code owner init}, {@code owner viewer new|add|remove}, {@code pair}, {@code owner share}, {@code open
 * --identity|--share}), the real uplink on loopback, the Java doorbell ({@code simulate}) and the Python device and
 * opener (clients/python). Keys cross too: a viewer key made by Python opens Java's clips in Java, a viewer key made
 * by Java opens them in Python, and a share made by either opens in the other.
 */
class PythonV2InteropTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    record Cli(int exit, String output) {}

    @Test
    void hpkeVectors_rfc9180Suite_pythonPasses() throws Exception {
        PythonClient.Result result = PythonClient.doorbellPy(List.of("hpke-vectors"), PYTHON_TIMEOUT);
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("3 entries, 0 failed"), result.output());
    }

    @Test
    void upload_pythonDeviceToRealUplink_javaOpensOkAsOwnerAndPythonMadeViewer() throws Exception {
        Paired paired = pairOneDevice(true);
        Path storeDir = dir.resolve("store");
        try (Uplink uplink = Uplink.start(storeDir, paired.fleet())) {
            PythonClient.Result upload = pythonUpload(paired, uplink.port(), 77, 2);
            assertEquals(0, upload.exitCode(), upload.output());
            assertTrue(upload.output().contains("format v2, recipient list version 1"), upload.output());
        }
        for (Path identity : List.of(paired.owner(), paired.viewer())) {
            Cli open = doorbell(
                    "open",
                    "--store",
                    storeDir.toString(),
                    "--identity",
                    identity.toString(),
                    "--out",
                    dir.resolve("opened-" + identity.getFileName()).toString());
            assertEquals(0, open.exit(), open.output());
            assertEquals(2, okLines(open.output(), paired.deviceId()), open.output());
        }
    }

    @Test
    void open_javaDoorbellClips_pythonOpensOkFrameForFrameAsOwnerAndJavaMadeViewer() throws Exception {
        Paired paired = pairOneDevice(false);
        Path storeDir = dir.resolve("store");
        try (Uplink uplink = Uplink.start(storeDir, paired.fleet())) {
            Cli simulate = doorbell(
                    "simulate",
                    "--device-dir",
                    paired.deviceDir().toString(),
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--seed",
                    "11",
                    "--duration",
                    "12s",
                    "--ring-at",
                    paired.deviceId() + "=1s",
                    "--virtual-clock");
            assertEquals(0, simulate.exit(), simulate.output());
        }
        Path javaOut = dir.resolve("java-opened");
        Cli javaOpen = doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--identity",
                paired.owner().toString(),
                "--out",
                javaOut.toString());
        assertEquals(0, javaOpen.exit(), javaOpen.output());
        List<Path> javaFrames = jpegs(javaOut);
        assertFalse(javaFrames.isEmpty(), "the doorbell press made a clip");

        for (Path identity : List.of(paired.owner(), paired.viewer())) {
            Path pyOut = dir.resolve("py-opened-" + identity.getFileName());
            PythonClient.Result open = pythonOpen(storeDir, pyOut, "--identity", identity.toString());
            assertEquals(0, open.exitCode(), open.output());
            assertTrue(okLines(open.output(), paired.deviceId()) >= 1, open.output());
            for (Path javaFrame : javaFrames) {
                Path relative = javaOut.relativize(javaFrame);
                int seq = Integer.parseInt(
                        relative.getFileName().toString().replace("frame-", "").replace(".jpg", ""));
                Path pyFrame = pyOut.resolve(relative.getParent()).resolve(String.format("%06d.jpg", seq));
                assertArrayEquals(Files.readAllBytes(javaFrame), Files.readAllBytes(pyFrame), relative.toString());
            }
        }
    }

    @Test
    void share_madeByEitherImplementation_opensThatClipInTheOther() throws Exception {
        Paired paired = pairOneDevice(true);
        Path storeDir = dir.resolve("store");
        try (Uplink uplink = Uplink.start(storeDir, paired.fleet())) {
            PythonClient.Result upload = pythonUpload(paired, uplink.port(), 100, 2);
            assertEquals(0, upload.exitCode(), upload.output());
        }
        Path police = dir.resolve("police");
        PythonClient.Result viewer = PythonClient.doorbellPy(
                List.of("viewer-new", "--out", police.toString(), "--name", "police"), PYTHON_TIMEOUT);
        assertEquals(0, viewer.exitCode(), viewer.output());
        String clip = paired.deviceId() + "/" + String.format("%016x", 101);

        Path javaShare = dir.resolve("java.share");
        Cli share = doorbell(
                "owner",
                "share",
                "--owner",
                paired.owner().toString(),
                "--store",
                storeDir.toString(),
                "--clip",
                clip,
                "--to",
                police.resolve("viewer.pub").toString(),
                "--out",
                javaShare.toString());
        assertEquals(0, share.exit(), share.output());
        PythonClient.Result pyOpen = pythonOpen(
                storeDir, dir.resolve("py-share"), "--share", javaShare.toString(), "--identity", police.toString());
        assertEquals(0, pyOpen.exitCode(), pyOpen.output());
        assertEquals(1, okLines(pyOpen.output(), paired.deviceId()), pyOpen.output());
        assertFalse(pyOpen.output().contains(String.format("%016x", 100)), pyOpen.output());

        Path pyShare = dir.resolve("py.share");
        PythonClient.Result made = PythonClient.doorbellPy(
                List.of(
                        "share",
                        "--owner",
                        paired.owner().toString(),
                        "--store",
                        storeDir.toString(),
                        "--clip",
                        clip,
                        "--to",
                        police.resolve("viewer.pub").toString(),
                        "--out",
                        pyShare.toString()),
                PYTHON_TIMEOUT);
        assertEquals(0, made.exitCode(), made.output());
        Cli javaOpen = doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--share",
                pyShare.toString(),
                "--identity",
                police.toString(),
                "--out",
                dir.resolve("java-share").toString());
        assertEquals(0, javaOpen.exit(), javaOpen.output());
        assertEquals(1, okLines(javaOpen.output(), paired.deviceId()), javaOpen.output());
    }

    @Test
    void recipientListUpdate_publishedToRealUplink_pythonDeviceAcceptsAndRemovedViewerIsClosedOut() throws Exception {
        Paired paired = pairOneDevice(true);
        Path list = paired.owner().resolve("lists").resolve(paired.deviceId() + ".list");
        Path storeDir = dir.resolve("store");
        try (Uplink uplink = Uplink.start(storeDir, paired.fleet())) {
            PythonClient.Result before = pythonUpload(paired, uplink.port(), 200, 1);
            assertEquals(0, before.exitCode(), before.output());
            Cli remove = doorbell(
                    "owner", "viewer", "remove", "--owner", paired.owner().toString(), "--name", "phone");
            assertEquals(0, remove.exit(), remove.output());
            Cli publish = uplinkCli("publish-recipients", "--data", storeDir.toString(), list.toString());
            assertEquals(0, publish.exit(), publish.output());
            PythonClient.Result after = pythonUpload(paired, uplink.port(), 201, 1, "--await-list-update");
            assertEquals(0, after.exitCode(), after.output());
            assertTrue(after.output().contains("recipient list version 2: ACCEPTED"), after.output());
        }
        assertArrayEquals(
                Files.readAllBytes(list), Files.readAllBytes(paired.deviceDir().resolve("recipients.list")));
        Cli owner = doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--identity",
                paired.owner().toString(),
                "--out",
                dir.resolve("owner-opened").toString());
        assertEquals(0, owner.exit(), owner.output());
        assertEquals(2, okLines(owner.output(), paired.deviceId()), owner.output());
        Cli phone = doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--identity",
                paired.viewer().toString(),
                "--out",
                dir.resolve("phone-opened").toString());
        assertEquals(1, phone.exit(), phone.output());
        assertEquals(1, okLines(phone.output(), paired.deviceId()), "clip 200 was sealed with list 1: " + phone);
        assertTrue(phone.output().contains("not a recipient of this clip"), phone.output());
    }

    /** A provisioned device paired with a fresh owner who has one more viewer, "phone", made by Python or Java. */
    private record Paired(FleetLayout fleet, String deviceId, Path deviceDir, Path owner, Path viewer) {}

    private Paired pairOneDevice(boolean pythonMadeViewer) throws Exception {
        Path fleetDir = dir.resolve("fleet");
        assertOk(doorbell("provision", "--devices", "1", "--out", fleetDir.toString()));
        FleetLayout fleet = new FleetLayout(fleetDir);
        String deviceId =
                Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        Path owner = dir.resolve("owner");
        assertOk(doorbell(
                "owner",
                "init",
                "--out",
                owner.toString(),
                "--phrase-file",
                dir.resolve("phrase.txt").toString()));
        Path phone = dir.resolve("phone");
        if (pythonMadeViewer) {
            PythonClient.Result made = PythonClient.doorbellPy(
                    List.of("viewer-new", "--out", phone.toString(), "--name", "phone"), PYTHON_TIMEOUT);
            assertEquals(0, made.exitCode(), made.output());
        } else {
            assertOk(doorbell("owner", "viewer", "new", "--out", phone.toString(), "--name", "phone"));
        }
        assertOk(doorbell(
                "owner",
                "viewer",
                "add",
                "--owner",
                owner.toString(),
                phone.resolve("viewer.pub").toString()));
        Files.copy(owner.resolve("owner.pub"), phone.resolve("owner.pub"));
        Path deviceDir = fleet.device(deviceId);
        assertOk(doorbell("pair", "--owner", owner.toString(), "--device", deviceDir.toString()));
        return new Paired(fleet, deviceId, deviceDir, owner, phone);
    }

    private PythonClient.Result pythonUpload(Paired paired, int port, long firstClip, int clips, String... more)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "upload",
                "--device-dir",
                paired.deviceDir().toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--synthetic",
                "12",
                "--clip-id",
                Long.toString(firstClip),
                "--clips",
                Integer.toString(clips),
                // Format v2 is what this test is about: the Python device seals v3 unless told otherwise.
                "--format",
                "2",
                "--timeout",
                "30"));
        args.addAll(List.of(more));
        return PythonClient.doorbellPy(args, PYTHON_TIMEOUT);
    }

    private static PythonClient.Result pythonOpen(Path storeDir, Path out, String... identity) throws Exception {
        List<String> args = new ArrayList<>(List.of("open", "--store", storeDir.toString(), "--out", out.toString()));
        args.addAll(List.of(identity));
        return PythonClient.doorbellPy(args, PYTHON_TIMEOUT);
    }

    /**
     * Clip lines of this device (device id, 16 hex digits of the clip id, the verdict) whose verdict is OK: both
     * implementations print one per clip; Java's per-device table has no clip id and is not counted.
     */
    private static long okLines(String output, String deviceId) {
        Pattern clipOk = Pattern.compile("^" + Pattern.quote(deviceId) + "\\s+[0-9a-f]{16}\\s.*\\bOK\\b.*");
        return output.lines().filter(l -> clipOk.matcher(l).matches()).count();
    }

    private static List<Path> jpegs(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().matches("frame-\\d+\\.jpg"))
                    .sorted()
                    .toList();
        }
    }

    private static void assertOk(Cli result) {
        assertEquals(0, result.exit(), result.output());
    }

    private static Cli doorbell(String... args) {
        return run(DoorbellCli.commandLine(), args);
    }

    private static Cli uplinkCli(String... args) {
        return run(
                UplinkCli.commandLine(new ServeCommand(data -> DirectoryStore.open(data, StoreOptions.defaults()))),
                args);
    }

    private static Cli run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute(args);
        return new Cli(exit, String.join(" ", args) + "\n" + out);
    }

    /** The real uplink on loopback with its directory store, stopped (and the store closed) by close(). */
    private record Uplink(DirectoryStore store, UplinkServer server, int port) implements AutoCloseable {
        static Uplink start(Path storeDir, FleetLayout fleet) throws IOException {
            DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
            UplinkServer server = new UplinkServer(
                    UplinkConfig.builder()
                            .host("127.0.0.1")
                            .port(0)
                            .tlsDirectory(fleet.uplinkDir())
                            .dataDirectory(storeDir)
                            .build(),
                    store);
            try {
                return new Uplink(store, server, server.start().getPort());
            } catch (IOException | RuntimeException e) {
                server.close();
                store.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                server.stop(Duration.ofSeconds(5));
                server.close();
            } finally {
                store.close();
            }
        }
    }
}
