package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A post-quantum viewer end to end, with the real commands and parts on loopback: a viewer made with {@code owner
 * viewer new --pq} (X-Wing) is added and an X25519 viewer removed; the list goes through the real uplink
 * ({@code publish-recipients}) to a real doorbell ({@code simulate}: TLS, the link, the device's list check), which
 * seals its clips to it; {@code doorbell open --identity} of the X-Wing viewer opens them, and the removed viewer's
 * is not a recipient of any of them.
 */
class PostQuantumViewerEndToEndTest {
    private static final Pattern CLIP_LINE = Pattern.compile("^(\\S+)\\s+([0-9a-f]{16})\\s+(.*)$");

    @TempDir
    Path dir;

    @Test
    void xWingViewerAdded_deviceGetsTheListThroughTheUplink_viewerOpensItsClips_removedViewerCannot() throws Exception {
        Path fleetDir = dir.resolve("fleet");
        assertOk(doorbell("provision", "--devices", "1", "--out", fleetDir.toString()));
        FleetLayout fleet = new FleetLayout(fleetDir);
        String deviceId =
                Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        Path deviceDir = fleet.device(deviceId);
        Path owner = dir.resolve("owner");
        assertOk(doorbell(
                "owner",
                "init",
                "--out",
                owner.toString(),
                "--phrase-file",
                dir.resolve("phrase").toString()));
        assertOk(doorbell("pair", "--owner", owner.toString(), "--device", deviceDir.toString()));
        Path laptop = dir.resolve("laptop");
        Path phone = dir.resolve("phone");
        assertOk(doorbell("owner", "viewer", "new", "--out", laptop.toString(), "--name", "laptop"));
        Cli made = doorbell("owner", "viewer", "new", "--out", phone.toString(), "--name", "phone", "--pq");
        assertOk(made);
        assertTrue(made.output().contains("viewer phone (x-wing)"), made.output());
        assertTrue(Files.readString(phone.resolve("viewer.pub")).contains("\nkem: x-wing\n"));
        for (Path viewer : new Path[] {laptop, phone}) {
            assertOk(doorbell(
                    "owner",
                    "viewer",
                    "add",
                    "--owner",
                    owner.toString(),
                    viewer.resolve("viewer.pub").toString(),
                    "--viewer-dir",
                    viewer.toString()));
        }
        assertOk(doorbell("owner", "viewer", "remove", "--owner", owner.toString(), "--name", "laptop"));
        Cli listed = doorbell("owner", "viewer", "list", "--owner", owner.toString());
        assertTrue(listed.output().matches("(?s).*\\bphone\\s+x-wing\\s+key id [0-9a-f]{16}.*"), listed.output());
        Path list = owner.resolve("lists").resolve(deviceId + ".list");

        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .dataDirectory(storeDir)
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            assertOk(uplinkCli("publish-recipients", "--data", storeDir.toString(), list.toString()));
            // The first run takes the new list at its Hello; the second starts with it, so its ring clip uses it.
            // The first is on the wall clock: a v2 clip id is its start time, and two runs on the virtual clock
            // would start their clips at the same simulated moments.
            assertOk(simulate(deviceDir, port, "2s"));
            assertArrayEquals(Files.readAllBytes(list), Files.readAllBytes(deviceDir.resolve("recipients.list")));
            assertOk(simulate(deviceDir, port, "8s", "--ring-at", deviceId + "=1s", "--virtual-clock"));
            uplink.stop(Duration.ofSeconds(5));
        }

        Map<String, Long> listVersions = new HashMap<>();
        for (StoredClip clip : StoreDirectoryReader.read(storeDir).clips()) {
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            listVersions.put(String.format("%016x", clip.clipId()), header.getRecipientListVersion());
            if (header.getRecipientListVersion() == 4) {
                // Owner (X25519) and phone (X-Wing), in list order.
                assertEquals(2, header.getWrappedKeysCount(), clip.toString());
                WrappedKey pq = header.getWrappedKeys(1);
                assertEquals(0x647a, pq.getKem());
                assertEquals(1120, pq.getEnc().size());
            }
        }
        long newClips = listVersions.values().stream().filter(v -> v == 4).count();
        assertTrue(newClips >= 1, "no clip was sealed with the new list: " + listVersions);

        Map<String, String> phoneVerdicts = verdicts(open(storeDir, phone), deviceId);
        Map<String, String> laptopVerdicts = verdicts(open(storeDir, laptop), deviceId);
        assertEquals(listVersions.keySet(), phoneVerdicts.keySet());
        for (Map.Entry<String, Long> clip : listVersions.entrySet()) {
            if (clip.getValue() == 4) {
                assertTrue(phoneVerdicts.get(clip.getKey()).matches(".*\\bOK \\d+ frames.*"), phoneVerdicts.toString());
                assertTrue(
                        laptopVerdicts.get(clip.getKey()).contains("not a recipient of this clip"),
                        laptopVerdicts.toString());
            }
        }
    }

    private Cli open(Path storeDir, Path identity) {
        return doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--identity",
                identity.toString(),
                "--out",
                dir.resolve("opened-" + identity.getFileName()).toString());
    }

    /** Clip id (16 hex digits) → the rest of its line in open's output, for this device's clip lines. */
    private static Map<String, String> verdicts(Cli open, String deviceId) {
        Map<String, String> verdicts = new HashMap<>();
        for (String line : open.output().lines().toList()) {
            Matcher m = CLIP_LINE.matcher(line);
            if (m.matches() && m.group(1).equals(deviceId)) {
                verdicts.put(m.group(2), m.group(3));
            }
        }
        return verdicts;
    }

    private static Cli simulate(Path deviceDir, int port, String duration, String... more) {
        String[] args = {
            "simulate",
            "--device-dir",
            deviceDir.toString(),
            "--uplink",
            "127.0.0.1:" + port,
            "--seed",
            "12",
            "--duration",
            duration
        };
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return doorbell(all);
    }

    private record Cli(int exit, String output) {}

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
}
