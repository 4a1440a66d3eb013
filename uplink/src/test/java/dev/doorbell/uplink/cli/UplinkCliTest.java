package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UplinkCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CommandLine cli(ServeCommand serve) {
    CommandLine cli = UplinkCli.commandLine(serve);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  private CommandLine cli() {
    return cli(new ServeCommand(dir -> new InMemoryClipStore()));
  }

  @Test
  void help_everyCommand_exitZeroWithUsage() {
    assertEquals(0, cli().execute("--help"));
    assertTrue(out.toString().contains("serve"), out.toString());
    assertEquals(0, cli().execute("serve", "--help"));
    assertTrue(out.toString().contains("--port-file") && out.toString().contains("--insecure-plaintext-for-debugging"));
  }

  @Test
  void version_everyCommand_exitZero() {
    assertEquals(0, cli().execute("--version"));
    assertEquals(0, cli().execute("serve", "--version"));
    assertTrue(out.toString().contains("doorbell-uplink"), out.toString());
  }

  @Test
  void execute_noCommandOrUnknownOption_nonZero() {
    assertNotEquals(0, cli().execute());
    assertNotEquals(0, cli().execute("serve", "--data", "x", "--no-such-option"));
  }

  @Test
  void serve_withoutTlsOrPlaintext_nonZeroNamingTls(@TempDir Path dir) {
    assertEquals(2, cli().execute("serve", "--data", dir.toString()));
    assertTrue(err.toString().contains("--tls"), err.toString());
  }

  @Test
  void serve_storeCannotOpen_nonZeroWithReason(@TempDir Path dir) throws Exception {
    // A non-empty directory without the store marker is refused by DirectoryStore.open.
    Files.writeString(dir.resolve("unrelated.txt"), "not a store");
    CommandLine cli = cli(new ServeCommand(ServeCommand.DIRECTORY_STORE));
    assertEquals(1, cli.execute("serve", "--data", dir.toString(), "--tls", TestPki.dir().toString(), "--port", "0"));
    assertTrue(err.toString().contains(dir.toString()), err.toString());
  }

  @Test
  void serve_ephemeralPort_portFileListeningLineAndGracefulStop(@TempDir Path dir) throws Exception {
    InMemoryClipStore store = new InMemoryClipStore();
    ServeCommand serve = new ServeCommand(data -> store);
    Path portFile = dir.resolve("port");
    String[] args = {"serve", "--data", dir.toString(), "--tls", TestPki.dir().toString(), "--port", "0",
        "--port-file", portFile.toString()};
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli(serve).execute(args));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(portFile) && System.nanoTime() < deadline && !exit.isDone()) {
      Thread.sleep(10);
    }
    int port = Integer.parseInt(Files.readString(portFile).trim());
    try (TestDeviceClient device = TestDeviceClient.connect(new InetSocketAddress("127.0.0.1", port), "dev-a")) {
      device.send(Messages.hello("dev-a"), Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
      device.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
      assertTrue(out.toString().contains("uplink listening on 127.0.0.1:" + port
          + " (TLS 1.3, client certificates required)"), out.toString());
      serve.requestStop();
      assertTrue(device.awaitError(ErrorCode.SHUTTING_DOWN).getError().getRetriable());
      assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }
  }
}
