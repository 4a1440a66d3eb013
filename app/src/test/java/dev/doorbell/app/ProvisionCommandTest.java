package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.proto.DeviceIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProvisionCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void call_devicesAndIds_writesFleetAndPrintsSummary() throws Exception {
        Path fleet = dir.resolve("fleet");

        int exit = run(
                "--out",
                fleet.toString(),
                "--devices",
                "2",
                "--device-id",
                "porch",
                "--prefix",
                "cam",
                "--uplink-name",
                "uplink.test",
                "--validity",
                "30d");

        assertEquals(0, exit, err.toString());
        assertEquals(List.of("porch", "cam-0001", "cam-0002"), Files.readAllLines(fleet.resolve("fleet.txt")));
        assertTrue(out.toString().contains("provisioned 3 devices"), out.toString());
        assertTrue(out.toString().contains(fleet.resolve("uplink").toString()), out.toString());
        assertTrue(out.toString().contains("doorbell pair --owner OWNER --devices-dir"), out.toString());
    }

    @Test
    void call_writesNoContentKeyAndNothingOfAnOwner() throws Exception {
        Path fleet = dir.resolve("fleet");

        assertEquals(0, run("--out", fleet.toString(), "--devices", "2", "--conformance"), err.toString());

        assertFalse(Files.exists(fleet.resolve("owner")), "provision makes no owner directory or keyring");
        try (var files = Files.walk(fleet)) {
            List<String> names = files.filter(Files::isRegularFile)
                    .map(f -> f.getFileName().toString())
                    .filter(n -> n.equals("epoch.key")
                            || n.endsWith(".root")
                            || n.equals("signing.key")
                            || n.equals("owner.pub")
                            || n.equals("owner.secret")
                            || n.equals("recipients.list"))
                    .toList();
            assertEquals(List.of(), names, "content keys or pairing files written by provision");
        }
    }

    @Test
    void call_invalidDeviceId_exitsTwoWithRuleAndWritesNothing() {
        Path fleet = dir.resolve("fleet");

        int exit = run("--out", fleet.toString(), "--devices", "3", "--device-id", "Front_Door");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("'Front_Door'") && err.toString().contains(DeviceIds.RULE), err.toString());
        assertTrue(err.toString().contains("nothing was written"), err.toString());
        assertFalse(Files.exists(fleet));
    }

    @Test
    void call_existingFleetWithoutForce_exitsTwo() {
        Path fleet = dir.resolve("fleet");
        assertEquals(0, run("--out", fleet.toString(), "--devices", "1"));

        int exit = run("--out", fleet.toString(), "--devices", "1");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("--force"), err.toString());
    }

    @Test
    void call_add_extendsFleet() throws Exception {
        Path fleet = dir.resolve("fleet");
        assertEquals(0, run("--out", fleet.toString(), "--devices", "1"));

        int exit = run("--out", fleet.toString(), "--add", "--devices", "1");

        assertEquals(0, exit, err.toString());
        assertEquals(List.of("doorbell-0001", "doorbell-0002"), Files.readAllLines(fleet.resolve("fleet.txt")));
    }

    @Test
    void call_conformance_reservedDevicesApartFromTheFleet() throws Exception {
        Path fleet = dir.resolve("fleet");

        int exit = run("--out", fleet.toString(), "--devices", "1", "--conformance");

        assertEquals(0, exit, err.toString());
        assertEquals(List.of("doorbell-0001"), Files.readAllLines(fleet.resolve("fleet.txt")));
        for (String id : ConformanceDevices.IDS) {
            assertTrue(
                    Files.isRegularFile(fleet.resolve("conformance").resolve(id).resolve("device-cert.pem")), id);
            assertFalse(Files.exists(fleet.resolve("conformance").resolve(id).resolve("epoch.key")), id);
            assertFalse(Files.exists(fleet.resolve("devices").resolve(id)), id);
        }
        assertTrue(
                out.toString().contains("doorbell conformance --devices-dir " + fleet.resolve("conformance")),
                out.toString());
    }

    @Test
    void call_addConformanceTwice_secondRefused() throws Exception {
        Path fleet = dir.resolve("fleet");
        assertEquals(0, run("--out", fleet.toString(), "--devices", "1"));
        assertEquals(0, run("--out", fleet.toString(), "--add", "--conformance"), err.toString());

        int exit = run("--out", fleet.toString(), "--add", "--conformance");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("conformance devices already"), err.toString());
    }

    @Test
    void call_reservedIdOrPrefix_refusedAndNothingWritten() {
        Path fleet = dir.resolve("fleet");

        assertEquals(2, run("--out", fleet.toString(), "--device-id", "conformance-1"));
        assertEquals(2, run("--out", fleet.toString(), "--devices", "2", "--prefix", "conformance"));

        assertTrue(err.toString().contains("reserved for the conformance suite"), err.toString());
        assertFalse(Files.exists(fleet));
    }

    @Test
    void call_noDevicesGiven_exitsTwoSayingWhatToGive() {
        int exit = run("--out", dir.resolve("fleet").toString());

        assertEquals(2, exit);
        assertTrue(err.toString().contains("--devices N"), err.toString());
    }

    @Test
    void progressLine_aSecondSinceTheLastLine_printsCountsAndRate() {
        long second = ProvisionCommand.PROGRESS_INTERVAL_NANOS;

        assertEquals(
                "  2500/10000 devices   25%  2.0 s  1250 devices/s",
                ProvisionCommand.progressLine(2500, 10000, 2 * second, second - 1));
        assertNull(ProvisionCommand.progressLine(2600, 10000, 2 * second + 5, 2 * second));
    }

    @Test
    void progressLine_lastDevice_aLineOnlyIfTheRunTookTwoSeconds() {
        long second = ProvisionCommand.PROGRESS_INTERVAL_NANOS;

        assertEquals(
                "  600/600 devices  100%  3.0 s  200 devices/s",
                ProvisionCommand.progressLine(600, 600, 3 * second, 3 * second - 1));
        assertNull(ProvisionCommand.progressLine(10, 10, second, 0));
    }

    private int run(String... args) {
        CommandLine command = new CommandLine(new ProvisionCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }
}
