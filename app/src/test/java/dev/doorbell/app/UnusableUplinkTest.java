package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.conformance.CaseResult;
import dev.doorbell.conformance.ConformanceSuite;
import dev.doorbell.conformance.ConformanceTarget;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetReports;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.LoopbackPeers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * `simulate`, `conformance` and `fleet` against an uplink they cannot use at all: nothing listening, another fleet's
 * uplink (these devices refuse its certificate), an uplink that trusts another CA (it refuses these devices). Each
 * ends in seconds with exit 2 and one line that says which side refused whom (`fleet`'s other cases: FleetRunTest).
 */
class UnusableUplinkTest {
    @TempDir
    static Path dir;

    private static FleetLayout fleet;
    private static FleetLayout otherFleet;

    @BeforeAll
    static void fleets() throws Exception {
        fleet = TrustFixtures.provision(dir.resolve("fleet"), 2);
        otherFleet = TrustFixtures.provision(dir.resolve("other"), 1);
    }

    @Test
    void simulate_nothingListening_exitsTwoInSecondsWithOneLine() throws Exception {
        int port = LoopbackPeers.closedPort();
        long t0 = System.nanoTime();
        Result r = run(
                "simulate",
                "--devices-dir",
                fleet.devicesDir().toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--duration",
                "5s",
                "--connect-timeout",
                "60s");
        assertEquals(2, r.exit, r.out + r.err);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "not the 60 s connect timeout");
        assertEquals(
                List.of("simulate: cannot connect to the uplink at 127.0.0.1:" + port + ": connection refused (is "
                        + "the uplink running and listening there?); 2 devices tried for 2.0 s, none was welcomed"),
                r.err.lines()
                        .map(l -> l.replaceAll("for [0-9.]+ s", "for 2.0 s"))
                        .toList());
    }

    @Test
    void simulate_anotherFleetsUplink_thisFleetDoesNotTrustTheUplink() throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(otherFleet.uplinkDir(), dir.resolve("s-b"))) {
            Result r = run(
                    "simulate",
                    "--devices-dir",
                    fleet.devicesDir().toString(),
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--duration",
                    "5s",
                    "--connect-timeout",
                    "60s");
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(
                    r.err.startsWith("simulate: this fleet does not trust the uplink's certificate: the uplink at "
                            + "127.0.0.1:" + uplink.port()
                            + " presented a certificate that this fleet's CA did not issue"),
                    r.err);
        }
    }

    @Test
    void simulate_uplinkTrustingAnotherCa_theUplinkDoesNotTrustThisFleet() throws Exception {
        Path tls = TrustFixtures.uplinkTrustingOtherCa(fleet, otherFleet, dir.resolve("s-mixed-tls"));
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(tls, dir.resolve("s-mixed"))) {
            Result r = run(
                    "simulate",
                    "--devices-dir",
                    fleet.devicesDir().toString(),
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--duration",
                    "5s",
                    "--connect-timeout",
                    "60s");
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(
                    r.err.startsWith("simulate: the uplink does not trust this fleet's CA: the uplink at 127.0.0.1:"
                            + uplink.port() + " refused the certificate of device "),
                    r.err);
        }
    }

    @Test
    void conformance_nothingListening_exitsTwoWithOneLineAndNoCases() throws Exception {
        int port = LoopbackPeers.closedPort();
        Result r =
                run("conformance", "--devices-dir", fleet.conformanceDir().toString(), "--uplink", "127.0.0.1:" + port);
        assertEquals(2, r.exit, r.out + r.err);
        assertEquals("", r.out, "no case ran, none passed");
        assertEquals(
                List.of("conformance: cannot connect to the uplink at 127.0.0.1:" + port + ": connection refused "
                        + "(is the uplink running and listening there?)"),
                r.err.lines().toList());
    }

    @Test
    void conformance_anotherFleetsUplink_thisFleetDoesNotTrustTheUplink() throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(otherFleet.uplinkDir(), dir.resolve("c-b"))) {
            Result r = run(
                    "conformance",
                    "--devices-dir",
                    fleet.conformanceDir().toString(),
                    "--uplink",
                    "127.0.0.1:" + uplink.port());
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(r.err.startsWith("conformance: this fleet does not trust the uplink's certificate"), r.err);
        }
    }

    @Test
    void conformance_uplinkTrustingAnotherCa_theUplinkDoesNotTrustThisFleet() throws Exception {
        Path tls = TrustFixtures.uplinkTrustingOtherCa(fleet, otherFleet, dir.resolve("c-mixed-tls"));
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(tls, dir.resolve("c-mixed"))) {
            Result r = run(
                    "conformance",
                    "--devices-dir",
                    fleet.conformanceDir().toString(),
                    "--uplink",
                    "127.0.0.1:" + uplink.port());
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(
                    r.err.startsWith("conformance: the uplink does not trust this fleet's CA: the uplink at 127.0.0.1:"
                            + uplink.port() + " refused the certificate of device "),
                    r.err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void fleetProcess_nothingListening_oneLineOnStderrInAllAndAFailedReport(String processes) throws Exception {
        int port = LoopbackPeers.closedPort();
        Path report = dir.resolve("refused-report-" + processes);
        try (ChildProcess child = ChildProcess.java(
                DoorbellCli.class.getName(),
                List.of(
                        "fleet",
                        "--devices",
                        "2",
                        "--processes",
                        processes,
                        "--uplink",
                        "127.0.0.1:" + port,
                        "--fleet-dir",
                        fleet.root().toString(),
                        "--duration",
                        "60s",
                        "--report",
                        report.toString()))) {
            assertEquals(2, child.awaitExit(Duration.ofSeconds(40)), child.out() + child.err());
            assertEquals(1, child.err().lines().count(), "logs and worker processes included:\n" + child.err());
            assertTrue(
                    child.err()
                            .startsWith("fleet: cannot connect to the uplink at 127.0.0.1:" + port
                                    + ": connection refused"),
                    child.err());
        }
        assertEquals(Boolean.FALSE, FleetReports.json(report).get("passed"));
        assertEquals(2, ((Map<?, ?>) FleetReports.json(report).get("totals")).get("connectFailures"));
    }

    @Test
    void foreignCertificateCase_nothingListening_failsInsteadOfPassing() throws Exception {
        List<DeviceDirectory> two = ConformanceSuite.conformanceDevices(fleet.conformanceDir());
        ConformanceTarget target = new ConformanceTarget(
                "127.0.0.1",
                LoopbackPeers.closedPort(),
                two.get(0),
                two.get(1),
                1,
                new SecureRandom(),
                System.currentTimeMillis(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        List<CaseResult> results =
                new ConformanceSuite(target).run(ConformanceSuite.select(List.of("foreign-certificate")), result -> {});
        assertFalse(results.get(0).passed(), "a refused connection proves nothing about the uplink");
        assertTrue(
                results.get(0).detail().contains("the uplink never judged the certificate: cannot connect"),
                results.get(0).detail());
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(new ArrayList<>(List.of(args)).toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
