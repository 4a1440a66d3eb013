package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve --metrics} and {@code --log-format}: wrong values and a taken port are one line and exit 2. */
class ServeOperationsOptionsTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cli =
                UplinkCli.commandLine(new ServeCommand(data -> DirectoryStore.open(data, StoreOptions.defaults())));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    @Test
    void serve_metricsPortTaken_exitTwoNamingItAndTheStoreFreeAgain() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String[] args = {
                "serve",
                "--data",
                dir.resolve("store").toString(),
                "--tls",
                TestPki.dir().toString(),
                "--port",
                "0",
                "--metrics",
                "127.0.0.1:" + taken.getLocalPort()
            };
            assertEquals(2, cli().execute(args));
            assertTrue(
                    err.toString().startsWith("serve: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()),
                    err.toString());
        }
        // The uplink that could not serve its metrics stopped and let go of its store.
        DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults()).close();
    }

    @Test
    void serve_badMetricsOrLogFormat_exitTwoOneLine() {
        assertEquals(2, cli().execute("serve", "--data", "d", "--metrics", "99999"));
        assertTrue(err.toString().contains("'99999' is not a port from 0 to 65535"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cli().execute("serve", "--data", "d", "--log-format", "yaml"));
        assertTrue(err.toString().contains("'yaml' is not a log format: text or json"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void serve_negativeIndexClosedClips_exitTwoNamingTheOption() {
        assertEquals(2, cli().execute("serve", "--data", "d", "--index-closed-clips", "-1"));
        assertTrue(err.toString().contains("--index-closed-clips must not be negative, got -1"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void help_serve_listsTheIndexBoundWithItsDefault() {
        assertEquals(0, cli().execute("serve", "--help"));
        String help = out.toString();
        int at = help.lastIndexOf("--index-closed-clips=N");
        assertTrue(at >= 0, help);
        int next = help.indexOf("\n      -", at);
        String option = help.substring(at, next < 0 ? help.length() : next).replaceAll("\\s+", " ");
        assertTrue(option.contains("(default: 4096)"), option);
    }

    @Test
    void help_serve_listsMetricsAndLogFormat() {
        assertEquals(0, cli().execute("serve", "--help"));
        assertTrue(out.toString().contains("--metrics=HOST:PORT"), out.toString());
        assertTrue(out.toString().contains("--log-format=FORMAT"), out.toString());
    }
}
