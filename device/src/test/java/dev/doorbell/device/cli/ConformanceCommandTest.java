package dev.doorbell.device.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.provision.FleetLayout;
import dev.doorbell.device.provision.FleetProvisioner;
import dev.doorbell.device.provision.ProvisionRequest;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConformanceCommandTest {
  @TempDir Path dir;

  private FleetLayout fleet;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void provision() throws Exception {
    fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC())
        .provision(ProvisionRequest.of(fleet.root(), 2), (done, total) -> {});
  }

  @Test
  void call_passingCases_exitZeroTableAndTranscripts() throws Exception {
    int code = runAgainstUplink(Duration.ofSeconds(10), "--case", "valid-session", "--case", "sequence-gap",
        "--transcripts", dir.resolve("transcripts").toString());
    assertEquals(0, code, out + "\n" + err);
    assertTrue(out.toString().contains("2 cases: 2 passed, 0 failed"), out.toString());
    assertTrue(Files.readString(dir.resolve("transcripts").resolve("sequence-gap.txt")).contains("SEQUENCE_GAP"));
  }

  @Test
  void call_caseThatFails_exitOneAndSaysWhy() throws Exception {
    // The uplink's handshake deadline (10 s) is longer than the suite waits: the case must fail, not hang.
    int code = runAgainstUplink(Duration.ofSeconds(10), "--case", "handshake-timeout", "--handshake-wait", "300ms");
    assertEquals(1, code, out + "\n" + err);
    assertTrue(out.toString().contains("FAIL") && out.toString().contains("HANDSHAKE_TIMEOUT"), out.toString());
  }

  @Test
  void call_unknownCase_usageErrorNamingTheCases() throws Exception {
    int code = runAgainstUplink(Duration.ofSeconds(10), "--case", "no-such-case");
    assertEquals(2, code);
    assertTrue(err.toString().contains("valid-session"), err.toString());
  }

  private int runAgainstUplink(Duration handshakeDeadline, String... options) throws Exception {
    try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).handshakeDeadline(handshakeDeadline).build(), store)) {
      int port = uplink.start().getPort();
      CommandLine command = new CommandLine(new ConformanceCommand());
      command.setOut(new PrintWriter(out, true));
      command.setErr(new PrintWriter(err, true));
      String[] args = new String[options.length + 4];
      args[0] = "--uplink";
      args[1] = "127.0.0.1:" + port;
      args[2] = "--devices-dir";
      args[3] = fleet.root().resolve("devices").toString();
      System.arraycopy(options, 0, args, 4, options.length);
      int code = command.execute(args);
      uplink.stop(Duration.ofSeconds(5));
      return code;
    }
  }
}
