package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A post-quantum owner end to end, with the real commands and parts on loopback (issue 12 point 4): every list names
 * the owner's own viewer key, so while that key was X25519 every clip key had an X25519 wrap and a "harvest now,
 * decrypt later" adversary got every clip from it. With {@code owner init --pq} (or {@code owner pq enable}) the
 * owner's entry is its X-Wing key, derived from the same secret: the real doorbell ({@code simulate}, through the real
 * uplink) wraps each clip key with X-Wing only, the owner opens the clips, and so does an owner directory rebuilt from
 * the 24 words alone with {@code owner recover --pq}.
 */
class PostQuantumOwnerEndToEndTest {
    private static final Pattern CLIP_LINE = Pattern.compile("^(\\S+)\\s+([0-9a-f]{16})\\s+(.*)$");
    private static final int X_WING = 0x647a;
    private static final int X25519 = 0x0020;

    @TempDir
    Path dir;

    @Test
    void pqOwner_everyWrapOfEveryClipIsXWing_ownerAndRecoveredOwnerOpenThem() throws Exception {
        Fixture f = provisionAndPair(true);
        RecipientList first = list(f.owner, f.deviceId);
        assertEquals(1, first.getVersion());
        assertEquals("owner", first.getRecipients(0).getName());
        assertEquals(X_WING, first.getRecipients(0).getKem(), "list version 1 of a --pq owner");
        assertTrue(Files.readString(f.owner.resolve("owner.pub")).contains("\nviewer-kem: x-wing\n"));
        Path phone = dir.resolve("phone");
        assertOk(doorbell("owner", "viewer", "new", "--out", phone.toString(), "--name", "phone", "--pq"));
        assertOk(doorbell(
                "owner",
                "viewer",
                "add",
                "--owner",
                f.owner.toString(),
                phone.resolve("viewer.pub").toString()));
        Cli listed = doorbell("owner", "viewer", "list", "--owner", f.owner.toString());
        assertOk(listed);
        assertTrue(listed.output().contains("\npost-quantum: yes (every recipient is x-wing)\n"), listed.output());

        Map<String, Long> versions = runDevice(f, 2, X_WING);
        Map<String, String> owner = verdicts(open(f.store, f.owner, "owner"), f.deviceId);
        assertEquals(versions.keySet(), owner.keySet());
        owner.values().forEach(v -> assertTrue(v.matches(".*\\bOK \\d+ frames.*"), owner.toString()));

        Path recovered = dir.resolve("recovered");
        assertOk(doorbell(
                "owner", "recover", "--out", recovered.toString(), "--phrase-file", f.phrase.toString(), "--pq"));
        assertArrayEquals(
                Files.readAllBytes(f.owner.resolve("owner.pub")), Files.readAllBytes(recovered.resolve("owner.pub")));
        // The phrase alone: no devices/, lists/ or viewers/ copied back.
        Map<String, String> again = verdicts(open(f.store, recovered, "recovered"), f.deviceId);
        assertEquals(owner, again);
    }

    @Test
    void x25519OwnerSwitchedWithPqEnable_newClipsXWingOnly_oldAndNewOpenForTheOwner() throws Exception {
        Fixture f = provisionAndPair(false);
        Cli before = doorbell("owner", "viewer", "list", "--owner", f.owner.toString());
        assertTrue(before.output().contains("\npost-quantum: no (x25519 recipients: owner)\n"), before.output());
        // Clips of list version 1: the owner's X25519 key.
        Map<String, Long> old = runDevice(f, 1, X25519);

        Cli enabled = doorbell("owner", "pq", "enable", "--owner", f.owner.toString());
        assertOk(enabled);
        assertTrue(enabled.output().contains("owner viewer key on its lists: x-wing"), enabled.output());
        RecipientList second = list(f.owner, f.deviceId);
        assertEquals(2, second.getVersion());
        assertEquals(X_WING, second.getRecipients(0).getKem());
        Cli after = doorbell("owner", "viewer", "list", "--owner", f.owner.toString());
        assertTrue(after.output().contains("list v2, post-quantum: yes"), after.output());

        Map<String, Long> all = runDevice(f, 2, X_WING);
        assertTrue(all.keySet().containsAll(old.keySet()), all + " vs " + old);
        Map<String, String> owner = verdicts(open(f.store, f.owner, "owner"), f.deviceId);
        assertEquals(all.keySet(), owner.keySet());
        owner.values().forEach(v -> assertTrue(v.matches(".*\\bOK \\d+ frames.*"), owner.toString()));
    }

    private record Fixture(Path owner, Path phrase, String deviceId, Path deviceDir, Path uplinkTls, Path store) {}

    private Fixture provisionAndPair(boolean pq) throws Exception {
        Path fleetDir = dir.resolve("fleet");
        assertOk(doorbell("provision", "--devices", "1", "--out", fleetDir.toString()));
        FleetLayout fleet = new FleetLayout(fleetDir);
        String deviceId =
                Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        Path owner = dir.resolve("owner");
        Path phrase = dir.resolve("phrase");
        List<String> init = new ArrayList<>(
                List.of("owner", "init", "--out", owner.toString(), "--phrase-file", phrase.toString()));
        if (pq) {
            init.add("--pq");
        }
        Cli made = doorbell(init.toArray(String[]::new));
        assertOk(made);
        assertTrue(
                made.output().contains("owner viewer key on its lists: " + (pq ? "x-wing" : "x25519")), made.output());
        assertOk(doorbell(
                "pair",
                "--owner",
                owner.toString(),
                "--device",
                fleet.device(deviceId).toString()));
        return new Fixture(owner, phrase, deviceId, fleet.device(deviceId), fleet.uplinkDir(), dir.resolve("store"));
    }

    /**
     * Publishes the owner's newest list through a real uplink and runs the real device against it until it holds
     * that list and has made a ring clip with it; returns clip id → list version of every stored clip, and asserts
     * that every wrapped key of each clip of {@code version} is of {@code kem}.
     */
    private Map<String, Long> runDevice(Fixture f, long version, int kem) throws Exception {
        Path list = f.owner.resolve("lists").resolve(f.deviceId + ".list");
        try (DirectoryStore store = DirectoryStore.open(f.store, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(f.uplinkTls)
                                .dataDirectory(f.store)
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            assertOk(uplinkCli("publish-recipients", "--data", f.store.toString(), list.toString()));
            // The first run takes the new list at its Hello (if it is new); the second starts with it.
            assertOk(simulate(f.deviceDir, port, "2s"));
            assertArrayEquals(Files.readAllBytes(list), Files.readAllBytes(f.deviceDir.resolve("recipients.list")));
            assertOk(simulate(f.deviceDir, port, "8s", "--ring-at", f.deviceId + "=1s", "--virtual-clock"));
            uplink.stop(Duration.ofSeconds(5));
        }
        Map<String, Long> versions = new HashMap<>();
        for (StoredClip clip : StoreDirectoryReader.read(f.store).clips()) {
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            versions.put(String.format("%016x", clip.clipId()), header.getRecipientListVersion());
            if (header.getRecipientListVersion() == version) {
                for (WrappedKey wrapped : header.getWrappedKeysList()) {
                    assertEquals(kem, wrapped.getKem(), "a wrap of clip " + clip + " under list v" + version);
                    assertEquals(kem == X_WING ? 1120 : 32, wrapped.getEnc().size());
                }
            }
        }
        assertTrue(versions.containsValue(version), "no clip was sealed with list v" + version + ": " + versions);
        return versions;
    }

    private static RecipientList list(Path owner, String deviceId) throws Exception {
        byte[] signed = Files.readAllBytes(owner.resolve("lists").resolve(deviceId + ".list"));
        return RecipientList.parseFrom(SignedRecipientList.parseFrom(signed).getList());
    }

    private Cli open(Path storeDir, Path identity, String name) {
        return doorbell(
                "open",
                "--store",
                storeDir.toString(),
                "--identity",
                identity.toString(),
                "--out",
                dir.resolve("opened-" + name).toString());
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
