package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.conformance.CaseResult;
import dev.doorbell.conformance.ConformanceCase;
import dev.doorbell.conformance.ConformanceSuite;
import dev.doorbell.conformance.ConformanceTarget;
import dev.doorbell.conformance.ResultTable;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceLock;
import dev.doorbell.seal.v2.ClipIds;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the wire-protocol conformance suite (docs/PROTOCOL.md) against an uplink.",
            "",
            "The cases: a valid session, version negotiation, identity, framing limits, sequence gaps, duplicates, other",
            "devices' clips, resume, timeouts, the relay of recipient lists.",
            "It runs as the two devices reserved for it (`provision --conformance` makes them in FLEET/conformance/; pair",
            "them with `doorbell pair`), never as a doorbell: its clips are real sealed format v2 clips (each frame a 16x16",
            "test JPEG), stored under the ids",
            "conformance-1 and conformance-2, which `open` shows as such. It waits for the idle timeout and the handshake",
            "deadline that the uplink announces in Welcome. The recipient-list cases need conformance-1's list published on",
            "the uplink (`scripts/uplink publish-recipients --data DIR OWNER/lists/conformance-1.list`).",
            "Prints a pass/fail table. Exit status: 0 when every case passes, 1 when any fails, 2 on a usage or I/O error or",
            "when the uplink cannot be used at all (nothing listening, TLS trust refused either way): one line says which."
        })
public final class ConformanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--uplink",
            paramLabel = "HOST:PORT",
            converter = HostPortConverter.class,
            description = "The uplink's address (required unless --list).")
    String uplink;

    @Option(
            names = "--devices-dir",
            paramLabel = "DIR",
            description =
                    "The conformance devices: FLEET/conformance of `provision --conformance` (required unless --list).")
    Path devices;

    @Option(names = "--case", paramLabel = "ID", description = "Run only this case (repeatable; default: all).")
    List<String> caseIds = List.of();

    @Option(
            names = "--transcripts",
            paramLabel = "DIR",
            description = "Write each case's messages (hex and protobuf text) to DIR/<case>.txt.")
    Path transcripts;

    @Option(
            names = "--reply-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How long to wait for each expected reply (default: ${DEFAULT-VALUE}).")
    Duration replyTimeout;

    @Option(
            names = "--handshake-wait",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "How long to wait for HANDSHAKE_TIMEOUT from an uplink whose Welcome does not announce its "
                    + "handshake deadline (default: ${DEFAULT-VALUE}).")
    Duration handshakeWait;

    @Option(names = "--list", description = "List the cases and exit.")
    boolean list;

    @Option(
            names = "--verbose",
            description = "Log at debug level, with the exceptions behind failures and their stack " + "traces.")
    boolean verbose;

    @Override
    public Integer call() throws UplinkFailureException {
        Verbosity.forFewDevices(verbose);
        PrintWriter out = spec.commandLine().getOut();
        List<ConformanceCase> chosen;
        try {
            chosen = ConformanceSuite.select(caseIds);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (list) {
            chosen.forEach(
                    c -> out.printf("%-24s %s%n%-24s   expects: %s%n", c.id(), c.description(), "", c.expected()));
            out.flush();
            return 0;
        }
        if (uplink == null || devices == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give --uplink HOST:PORT and --devices-dir DIR (only --list " + "runs without them)");
        }
        List<DeviceDirectory> two;
        try {
            two = ConformanceSuite.conformanceDevices(devices);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // The suite's devices write their recipient lists like any device: no other process may run them meanwhile.
        try (DeviceLock first = DeviceLock.acquire(two.get(0).path());
                DeviceLock second = DeviceLock.acquire(two.get(1).path())) {
            return run(out, chosen, two);
        }
    }

    private int run(PrintWriter out, List<ConformanceCase> chosen, List<DeviceDirectory> two)
            throws UplinkFailureException {
        // A random start, as a doorbell's clip ids are random: fresh on every run against a long-lived uplink, and
        // with room below 2^63 for the suite's few hundred ids that count up from it.
        SecureRandom random = new SecureRandom();
        long firstClipId = (ClipIds.random(random) >>> 1) + 1;
        ConformanceTarget target = new ConformanceTarget(
                HostPortConverter.host(uplink),
                HostPortConverter.port(uplink),
                two.get(0),
                two.get(1),
                firstClipId,
                random,
                System.currentTimeMillis(),
                replyTimeout,
                handshakeWait);
        ConformanceSuite suite = new ConformanceSuite(target);
        suite.checkUplink();
        out.printf(
                "conformance: %d cases against %s as devices %s and %s%n",
                chosen.size(), uplink, two.get(0).deviceId(), two.get(1).deviceId());
        out.flush();
        List<CaseResult> results = suite.run(chosen, r -> {
            out.printf("  %-24s %s%n", r.conformanceCase().id(), r.verdict());
            out.flush();
        });
        if (transcripts != null) {
            ConformanceSuite.writeTranscripts(results, transcripts);
        }
        ResultTable.print(results, out);
        return results.stream().allMatch(CaseResult::passed) ? 0 : 1;
    }
}
