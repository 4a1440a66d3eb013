package dev.doorbell.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.pki.FleetLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** A provisioned fleet of one device, paired with a fresh owner, made with the doorbell command itself. */
public record BenchFleet(Path fleetDir, String deviceId, Path deviceDir, Path owner) {
    public record Cli(int exit, String output) {}

    public static BenchFleet pairedDevice(Path dir) {
        Path fleetDir = dir.resolve("fleet");
        ok(doorbell("provision", "--devices", "1", "--out", fleetDir.toString()));
        FleetLayout fleet = new FleetLayout(fleetDir);
        String deviceId;
        try {
            deviceId = Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8)
                    .get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path owner = dir.resolve("owner");
        ok(doorbell(
                "owner",
                "init",
                "--out",
                owner.toString(),
                "--phrase-file",
                dir.resolve("phrase.txt").toString()));
        Path deviceDir = fleet.device(deviceId);
        ok(doorbell("pair", "--owner", owner.toString(), "--device", deviceDir.toString()));
        return new BenchFleet(fleetDir, deviceId, deviceDir, owner);
    }

    /** Runs the doorbell command in this JVM; stdout and stderr together, after the command line. */
    public static Cli doorbell(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute(args);
        return new Cli(exit, String.join(" ", args) + "\n" + out);
    }

    private static void ok(Cli cli) {
        assertEquals(0, cli.exit(), cli.output());
    }
}
