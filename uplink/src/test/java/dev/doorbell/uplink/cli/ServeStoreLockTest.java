package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve} on a store another uplink holds: refused at once (issue 9.1). */
class ServeStoreLockTest {
    @Test
    void serve_storeHeld_exitTwoWithOneLineNamingDirAndPid(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (DirectoryStore held = DirectoryStore.open(store, StoreOptions.defaults())) {
            CommandLine cli = UplinkCli.commandLine(new ServeCommand(ServeCommand.DIRECTORY_STORE));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            Path portFile = dir.resolve("port");
            assertEquals(
                    2,
                    cli.execute(
                            "serve",
                            "--data",
                            store.toString(),
                            "--tls",
                            TestPki.dir().toString(),
                            "--port",
                            "0",
                            "--port-file",
                            portFile.toString()));
            assertEquals(
                    "serve: store " + store + " is in use by this process (pid "
                            + ProcessHandle.current().pid() + "); one store, one uplink\n",
                    err.toString());
            assertFalse(Files.exists(portFile), "never listened");
            assertEquals("", out.toString());
        }
    }
}
