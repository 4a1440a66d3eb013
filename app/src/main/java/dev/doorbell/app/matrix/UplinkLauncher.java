package dev.doorbell.app.matrix;

import dev.doorbell.fleet.faults.UplinkProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How the matrix gets a fresh real uplink for each fault: a child JVM of the uplink's jar ({@code app} does not link
 * the uplink, docs/ARCHITECTURE.md), or of this JVM's class path where the uplink is on it (the tests).
 */
@FunctionalInterface
public interface UplinkLauncher {
    /** Not started yet; {@code extraArgs} follow serve's own. */
    UplinkProcess create(Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs) throws IOException;

    /** The quick-start JVM options of the fault tests: each row starts one uplink. */
    List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

    static UplinkLauncher jar(Path uplinkJar) {
        return (data, tls, work, extra) -> UplinkProcess.fromJar(uplinkJar, JVM_OPTIONS, data, tls, work, extra);
    }

    static UplinkLauncher classPath() {
        return UplinkProcess::new;
    }
}
