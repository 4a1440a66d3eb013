package dev.doorbell.device.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FaultProxyCommandTest {

  @Test
  void call_shortDuration_printsAddressAndFinalCounters() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new FaultProxyCommand());
    cli.setOut(new PrintWriter(out));
    int status = cli.execute("--listen", "127.0.0.1:0", "--target", "127.0.0.1:9", "--seed", "4",
        "--duration", "1200ms");
    assertEquals(0, status, out.toString());
    assertTrue(out.toString().startsWith("fault proxy on 127.0.0.1:"), out.toString());
    assertTrue(out.toString().contains("done: connections 0 (refused 0), resets 0"), out.toString());
  }

  @Test
  void call_rateAboveOne_refusedWithUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new FaultProxyCommand());
    cli.setErr(new PrintWriter(err));
    int status = cli.execute("--target", "127.0.0.1:9", "--reset-rate", "1.5");
    assertEquals(2, status);
    assertTrue(err.toString().contains("resetRate must be a probability"), err.toString());
  }
}
