package dev.doorbell.app.e2e;

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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The crash harness (issue 13 part 3, docs/FIRMWARE.md "Crash safety") with real parts: a paired doorbell as a child
 * {@code simulate} process over TLS to a real uplink and its directory store on loopback, halted at named steps of its
 * key and state updates or killed with SIGKILL at seeded moments, restarted, and checked on the owner's side after
 * every round. The whole list of steps and a long kill loop run in {@code scripts/crash-device}; here one step of
 * each kind and a short loop.
 */
class CrashDeviceTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private Path deviceDir;
    private String deviceId;
    private Path owner;
    private Path storeDir;

    record Cli(int exit, String output) {}

    @BeforeEach
    void pairedDoorbell() throws Exception {
        Path fleetDir = dir.resolve("fleet");
        assertOk(doorbell("provision", "--devices", "1", "--out", fleetDir.toString()));
        fleet = new FleetLayout(fleetDir);
        deviceId = Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        deviceDir = fleet.device(deviceId);
        owner = dir.resolve("owner");
        assertOk(doorbell(
                "owner",
                "init",
                "--out",
                owner.toString(),
                "--phrase-file",
                dir.resolve("phrase").toString()));
        assertOk(doorbell("pair", "--owner", owner.toString(), "--device", deviceDir.toString()));
        storeDir = dir.resolve("store");
    }

    @Test
    void crashDevice_haltedAtStepsOfTheChainStateUpdatesAndRestarted_everyInvariantHolds_noTemporaryFileLeft()
            throws Exception {
        Cli run = withUplink(port -> doorbell(
                harness(port, "--crash-at", "clip-start.temp-written:2", "--crash-at", "clip-start.renamed:2")));

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("halted at clip-start.temp-written:2 (exit 137)"), run.output());
        assertTrue(run.output().contains("halted at clip-start.renamed:2 (exit 137)"), run.output());
        // The clip whose position was made durable and whose header never left: UNSENT, not MISSING.
        assertTrue(
                run.output().matches("(?s).*held: \\d+ clips \\(\\d+ TRUNCATED, [1-9]\\d* UNSENT\\).*"), run.output());
        assertTrue(run.output().contains("clean run, exit 0"), run.output());
        assertTrue(run.output().contains("3 round(s), every invariant held"), run.output());
        try (Stream<Path> files = Files.list(deviceDir)) {
            assertEquals(
                    List.of(),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".tmp"))
                            .toList(),
                    "the restarted device deleted what the crash at temp-written left");
        }
    }

    @Test
    void crashDevice_seededKills_restartedAfterEach_everyInvariantHolds() throws Exception {
        Cli run = withUplink(
                port -> doorbell(harness(port, "--kills", "3", "--within", "15s", "--max-delay", "3s", "--seed", "5")));

        assertEquals(0, run.exit(), run.output());
        long kills =
                run.output().lines().filter(l -> l.contains("kill -9 after")).count();
        assertEquals(3, kills, run.output());
        assertTrue(run.output().contains("every invariant held"), run.output());
    }

    @Test
    void crashDevice_haltedWhileTakingANewRecipientList_neverGoesBackToTheOldList() throws Exception {
        Path viewer = dir.resolve("laptop");
        assertOk(doorbell("owner", "viewer", "new", "--out", viewer.toString(), "--name", "laptop"));
        assertOk(doorbell(
                "owner",
                "viewer",
                "add",
                "--owner",
                owner.toString(),
                viewer.resolve("viewer.pub").toString(),
                "--viewer-dir",
                viewer.toString()));
        Path list = owner.resolve("lists").resolve(deviceId + ".list");
        byte[] paired = Files.readAllBytes(deviceDir.resolve("recipients.list"));

        Cli run = withUplink(port -> {
            assertOk(uplinkCli("publish-recipients", "--data", storeDir.toString(), list.toString()));
            return doorbell(
                    harness(port, "--crash-at", "recipients.temp-synced:1", "--crash-at", "recipients.dir-synced:1"));
        });

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("halted at recipients.temp-synced:1"), run.output());
        assertTrue(run.output().contains("halted at recipients.dir-synced:1"), run.output());
        // Killed before the rename: the old list is kept (the uplink relays the new one again); after the directory
        // fsync the new one is the device's, though it never answered ACCEPTED, and stays so.
        assertTrue(
                run.output()
                        .matches(
                                "(?s).*halted at recipients\\.temp-synced:1[^\n]*\n[^\n]*recipient list version 1\n.*"),
                run.output());
        assertTrue(
                run.output()
                        .matches("(?s).*halted at recipients\\.dir-synced:1[^\n]*\n[^\n]*recipient list version 2\n.*"),
                run.output());
        assertFalse(Arrays.equals(paired, Files.readAllBytes(list)));
        assertArrayEquals(Files.readAllBytes(list), Files.readAllBytes(deviceDir.resolve("recipients.list")));
    }

    @Test
    void crashDevice_firmwareThatRollsItsChainStateBack_violatedNamingTheReusedPosition() throws Exception {
        // A device of its own (--device-command), which rolls chain.state back at each exit: the harness must see it.
        String firmware = String.join(
                " ",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DoorbellCli.class.getName(),
                "simulate",
                "--device-dir",
                deviceDir.toString(),
                "--uplink",
                "{uplink}",
                "--profile",
                "240p",
                "--virtual-clock",
                "--duration",
                "3s",
                "--ring-at",
                deviceId + "=1s",
                "--fault",
                "chain-rollback");
        Cli run = withUplink(port -> doorbell(harness(
                port,
                "--device-command",
                firmware,
                "--chain-state",
                deviceDir.resolve("chain.state").toString(),
                "--kills",
                "1",
                "--max-delay",
                "60s")));

        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("ended by itself before the kill"), run.output());
        assertTrue(run.output().contains("CHAIN BROKEN at position 1 (clips "), run.output());
        assertTrue(run.output().contains("ROLLBACK: "), run.output());
        assertTrue(run.output().contains("VIOLATED"), run.output());
    }

    private String[] harness(int port, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "crash-device",
                "--device-dir",
                deviceDir.toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--store",
                storeDir.toString(),
                "--identity",
                owner.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    interface WithPort {
        Cli run(int port) throws Exception;
    }

    private Cli withUplink(WithPort body) throws Exception {
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .dataDirectory(storeDir)
                                .build(),
                        store)) {
            Cli result = body.run(uplink.start().getPort());
            uplink.stop(Duration.ofSeconds(5));
            return result;
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
}
