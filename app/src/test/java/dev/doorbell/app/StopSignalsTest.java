package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.fleet.FleetReports;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.PortFiles;
import dev.doorbell.testing.Waits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Real `doorbell` processes sent SIGINT and SIGTERM while their clips are open: each run ends as its duration would,
 * the store then holds every clip whole (OK, not TRUNCATED), the summary is printed and the reports are written,
 * marked interrupted; a second signal exits at once. The output of a process is all of it, logs included.
 */
class StopSignalsTest {
    private static final String MAIN = DoorbellCli.class.getName();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static FleetLayout fleet;
    private static String firstDevice;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TrustFixtures.provision(dir.resolve("fleet"), 3);
        firstDevice = Files.readAllLines(fleet.fleetList()).get(0).trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void fleet_signal_endsTheRunAsItsDurationWouldAndWritesEveryReportMarkedInterrupted(String signal)
            throws Exception {
        Path store = dir.resolve("fleet-store-" + signal);
        Path report = dir.resolve("fleet-report-" + signal);
        int exit;
        ChildProcess child;
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), store)) {
            child = ChildProcess.java(
                    MAIN,
                    List.of(
                            "fleet",
                            "--devices",
                            "3",
                            "--uplink",
                            "127.0.0.1:" + uplink.port(),
                            "--fleet-dir",
                            fleet.root().toString(),
                            "--duration",
                            "60s",
                            "--clips-per-hour",
                            "3600",
                            "--min-clip",
                            "20s",
                            "--max-clip",
                            "30s",
                            "--report",
                            report.toString()));
            try (child) {
                child.awaitOutput("open-clips [1-9]", START);
                child.signal(signal);
                exit = child.awaitExit(EXIT);
            }
        }
        String name = "SIG" + signal;
        assertEquals(signal.equals("INT") ? 130 : 143, exit, child.out() + child.err());
        assertTrue(child.out().contains("interrupted by " + name + " after "), child.out());
        assertTrue(child.out().contains("PASS (interrupted: a shorter run than planned)"), child.out());
        Map<String, Object> json = FleetReports.json(report);
        assertEquals(Boolean.TRUE, json.get("interrupted"));
        assertEquals(name, json.get("endedBy"));
        assertTrue(Files.readString(report.resolve("summary.txt")).startsWith("interrupted by " + name), "summary.txt");
        assertTrue(Files.readString(report.resolve("report.html")).contains("interrupted by " + name), "report.html");
        assertTrue(Files.size(report.resolve("latency.hlog")) > 0);
        long clips = ((Number) ((Map<?, ?>) json.get("totals")).get("clips")).longValue();
        assertTrue(clips >= 1, json.toString());
        assertEveryClipOk(store, clips);
    }

    @Test
    void fleetWithWorkers_sigtermToTheParentOnly_stopsEveryWorkerTheSameWay() throws Exception {
        Path store = dir.resolve("workers-store");
        Path report = dir.resolve("workers-report");
        int exit;
        ChildProcess parent;
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), store)) {
            parent = ChildProcess.java(
                    MAIN,
                    List.of(
                            "fleet",
                            "--devices",
                            "2",
                            "--processes",
                            "2",
                            "--uplink",
                            "127.0.0.1:" + uplink.port(),
                            "--fleet-dir",
                            fleet.root().toString(),
                            "--duration",
                            "60s",
                            "--clips-per-hour",
                            "3600",
                            "--min-clip",
                            "20s",
                            "--max-clip",
                            "30s",
                            "--report",
                            report.toString()));
            try (parent) {
                parent.awaitOutput("open-clips [1-9]", START);
                parent.signal("TERM");
                exit = parent.awaitExit(EXIT);
            }
        }
        assertEquals(143, exit, parent.out() + parent.err());
        assertEquals(1, parent.err().lines().filter(l -> l.contains("SIGTERM")).count(), "said once:\n" + parent.err());
        assertEquals(Boolean.TRUE, FleetReports.json(report).get("interrupted"));
        for (String worker : List.of("worker-0", "worker-1")) {
            assertEquals("SIGTERM", FleetReports.json(report.resolve(worker)).get("endedBy"), worker);
        }
        long clips = ((Number) ((Map<?, ?>) FleetReports.json(report).get("totals")).get("clips")).longValue();
        assertEveryClipOk(store, clips);
    }

    @Test
    void simulate_sigint_closesOpenClipsAndPrintsTheSummary() throws Exception {
        Path store = dir.resolve("simulate-store");
        int exit;
        ChildProcess child;
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), store)) {
            child = ChildProcess.java(
                    MAIN,
                    List.of(
                            "simulate",
                            "--devices-dir",
                            fleet.devicesDir().toString(),
                            "--uplink",
                            "127.0.0.1:" + uplink.port(),
                            "--duration",
                            "60s",
                            "--profile",
                            "240p",
                            "--progress-every",
                            "1s",
                            "--ring-at",
                            firstDevice + "=1s"));
            try (child) {
                child.awaitOutput("clips [0-9]+ \\([1-9][0-9]* open", START);
                child.signal("INT");
                exit = child.awaitExit(EXIT);
            }
        }
        assertEquals(130, exit, child.out() + child.err());
        assertTrue(child.out().contains("interrupted by SIGINT after "), child.out());
        assertTrue(child.out().contains("every sealed frame is PERSISTED on the uplink"), child.out());
        Matcher clips = Pattern.compile("clips (\\d+) \\(0 open").matcher(child.out());
        assertTrue(clips.find(), "the last progress lines show every clip closed:\n" + child.out());
        assertEveryClipOk(store, Long.parseLong(clips.group(1)));
    }

    @Test
    void fleet_secondSignalWhileWaitingForAcks_exitsAtOnce() throws Exception {
        Path portFile = dir.resolve("uplink.port");
        try (ChildProcess uplink = ChildProcess.java(
                "dev.doorbell.uplink.cli.UplinkCli",
                List.of(
                        "serve",
                        "--data",
                        dir.resolve("stalled-store").toString(),
                        "--tls",
                        fleet.uplinkDir().toString(),
                        "--port",
                        "0",
                        "--port-file",
                        portFile.toString()))) {
            int port = awaitPort(portFile, uplink);
            try (ChildProcess child = ChildProcess.java(
                    MAIN,
                    List.of(
                            "fleet",
                            "--devices",
                            "3",
                            "--uplink",
                            "127.0.0.1:" + port,
                            "--fleet-dir",
                            fleet.root().toString(),
                            "--duration",
                            "60s",
                            "--clips-per-hour",
                            "3600",
                            "--min-clip",
                            "20s",
                            "--max-clip",
                            "30s",
                            "--drain-timeout",
                            "60s",
                            "--report",
                            dir.resolve("stalled-report").toString()))) {
                child.awaitOutput("open-clips [1-9]", START);
                // An uplink that takes everything and acknowledges nothing: the drain waits its 60 s.
                uplink.signal("STOP");
                child.signal("INT");
                awaitErr(child, "SIGINT: stopping");
                assertTrue(child.alive(), "waiting for acknowledgements");
                child.signal("INT");
                assertEquals(130, child.awaitExit(Duration.ofSeconds(10)), child.out() + child.err());
                assertTrue(child.err().contains("SIGINT again: exiting now"), child.err());
            } finally {
                uplink.signal("CONT");
            }
        }
    }

    /** The owner's `open` of the store: {@code clips} clips, every one OK (the command exits 0 only then). */
    private static void assertEveryClipOk(Path store, long clips) {
        StringWriter out = new StringWriter();
        CommandLine open = DoorbellCli.commandLine();
        open.setOut(new PrintWriter(out, true));
        int exit = open.execute(
                "open",
                "--store",
                store.toString(),
                "--identity",
                PairedFleets.ownerDir(fleet).toString(),
                "--out",
                store.resolveSibling(store.getFileName() + "-opened").toString());
        assertEquals(0, exit, out.toString());
        long ok = out.toString()
                .lines()
                .filter(l -> l.matches(".*\\s+OK \\d+ frames"))
                .count();
        assertEquals(clips, ok, out.toString());
    }

    private static int awaitPort(Path portFile, ChildProcess uplink) {
        try {
            return PortFiles.await(portFile, START, () -> !uplink.alive());
        } catch (RuntimeException e) {
            throw new AssertionError("the uplink did not listen:\n" + uplink.out() + uplink.err(), e);
        }
    }

    private static void awaitErr(ChildProcess child, String text) {
        Waits.await("'" + text + "' on stderr", Duration.ofSeconds(10))
                .untilAsserted(() -> assertTrue(child.err().contains(text), () -> "stderr:\n" + child.err()));
    }
}
