package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.fleet.TestFleet;
import dev.doorbell.pki.FleetLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real uplink process, with the logging configuration it ships with, stopped by Ctrl-C (SIGINT) and by SIGTERM:
 * each stop is graceful (exit 0) and logged under the signal's own name, with an ISO 8601 UTC timestamp.
 */
class UplinkSignalTest {
    private static final Pattern STOP_LINE =
            Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO .*(SIG[A-Z]+): stopping$");

    @TempDir
    Path dir;

    @Test
    void serve_sigintThenSigterm_eachGracefulAndLoggedByItsName() throws Exception {
        FleetLayout layout = TestFleet.provision(dir.resolve("fleet"), 1);
        Path shippedConfig = repositoryRoot().resolve("uplink/src/main/resources/logback.xml");
        try (UplinkProcess uplink = new UplinkProcess(
                dir.resolve("store"),
                layout.uplinkDir(),
                dir.resolve("uplink"),
                List.of(),
                List.of("-XX:TieredStopAtLevel=1", "-Xmx256m", "-Dlogback.configurationFile=" + shippedConfig))) {
            for (String signal : List.of("INT", "TERM")) {
                uplink.start();
                assertEquals(0, uplink.stop(signal), "SIG" + signal + " stops gracefully; log:\n" + uplink.tail());
            }
            String log = Files.readString(uplink.logFile(), StandardCharsets.UTF_8);
            List<String> named =
                    STOP_LINE.matcher(log).results().map(m -> m.group(1)).toList();
            assertEquals(List.of("SIGINT", "SIGTERM"), named, log);
        }
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("uplink/src/main/resources"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "the repository root is not above " + Path.of("").toAbsolutePath());
    }
}
