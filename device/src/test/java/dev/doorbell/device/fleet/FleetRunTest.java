package dev.doorbell.device.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.cli.FleetCommand;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import picocli.CommandLine;

/** A small fleet through the command against the real uplink and store over TLS on loopback, in seconds. */
class FleetRunTest {
  @TempDir static Path dir;
  private static FleetLayout fleet;

  @BeforeAll
  static void provision() throws Exception {
    fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC())
        .provision(ProvisionRequest.of(fleet.root(), 20), (done, total) -> {});
  }

  @Test
  void run_smallFleet_printsProgressAndWritesAReportThatAgreesWithTheHlog() throws Exception {
    Path report = dir.resolve("report");
    StringWriter text = new StringWriter();
    int exit;
    long stored;
    try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).build(), store)) {
      int port = uplink.start().getPort();
      exit = command(text).execute("--devices", "20", "--uplink", "127.0.0.1:" + port, "--fleet-dir",
          fleet.root().toString(), "--ramp", "100/s", "--duration", "6s", "--clips-per-hour", "3600", "--min-clip",
          "1s", "--max-clip", "2s", "--profile", "240p", "--seed", "7", "--report", report.toString());
      uplink.stop(Duration.ofSeconds(5));
      stored = store.stats().records();
    }
    String out = text.toString();
    assertEquals(0, exit, out);
    long progressLines = out.lines().filter(l -> l.contains("connected") && l.contains("p99")).count();
    assertTrue(progressLines >= 5, "a progress line a second for 6 s:\n" + out);
    assertTrue(out.contains("connected 20 "), "every device connects:\n" + out);

    Histogram hlog = LatencyLog.total(LatencyLog.readSeconds(List.of(report.resolve(LatencyLog.FILE))));
    Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
    FleetTotals totals = FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
    Map<?, ?> latency = (Map<?, ?>) json.get("latencyMillis");
    assertTrue(totals.framesPersisted() > 100, "20 devices at ~1 clip/s of 10-20 frames: " + totals);
    assertEquals(totals.framesSent(), totals.framesPersisted(), "every frame sent is persisted: " + totals);
    assertEquals(hlog.getTotalCount(), totals.framesPersisted(), "one latency per persisted frame");
    assertEquals(hlog.getTotalCount(), ((Double) latency.get("count")).longValue());
    assertEquals(hlog.getValueAtPercentile(99) / 1000.0, (Double) latency.get("p99"), 1e-9);
    assertEquals(hlog.getMaxValue() / 1000.0, (Double) latency.get("max"), 1e-9);
    assertEquals(Boolean.TRUE, json.get("passed"));
    assertTrue(stored >= totals.framesPersisted(), "the store holds every persisted frame: " + stored);
    assertTrue(Files.readString(report.resolve("summary.txt")).contains("p99.99"));
    checkCharts(Files.readString(report.resolve("report.html")), ((List<?>) json.get("intervals")).size());
  }

  @Test
  void run_twoWorkerProcesses_mergesTheirReportsIntoOne() throws Exception {
    Path report = dir.resolve("report-workers");
    StringWriter text = new StringWriter();
    int exit;
    try (DirectoryStore store = DirectoryStore.open(dir.resolve("store-workers"), StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).build(), store)) {
      int port = uplink.start().getPort();
      exit = command(text).execute("--devices", "6", "--uplink", "127.0.0.1:" + port, "--fleet-dir",
          fleet.root().toString(), "--duration", "8s", "--clips-per-hour", "3600", "--min-clip", "1s", "--max-clip",
          "2s", "--processes", "2", "--report", report.toString());
      uplink.stop(Duration.ofSeconds(5));
    }
    assertEquals(0, exit, text.toString());
    FleetTotals w0 = totals(report.resolve("worker-0"));
    FleetTotals w1 = totals(report.resolve("worker-1"));
    FleetTotals merged = totals(report);
    assertEquals(3, w0.devices());
    assertEquals(6, merged.devices());
    assertEquals(w0.framesPersisted() + w1.framesPersisted(), merged.framesPersisted());
    Histogram both = LatencyLog.total(LatencyLog.readSeconds(List.of(report.resolve("worker-0/latency.hlog"),
        report.resolve("worker-1/latency.hlog"))));
    assertEquals(both, LatencyLog.total(LatencyLog.readSeconds(List.of(report.resolve(LatencyLog.FILE)))));
    assertTrue(text.toString().lines().filter(l -> l.contains("connecting")).count() >= 4,
        "one progress line a second, the workers' seconds added:\n" + text);
  }

  private static FleetTotals totals(Path report) throws Exception {
    Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
    return FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
  }

  @Test
  void run_uplinkNotListening_exitsNonZeroOnConnectFailures() throws Exception {
    int unusedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      unusedPort = s.getLocalPort();
    }
    Path report = dir.resolve("report-refused");
    StringWriter text = new StringWriter();
    int exit = command(text).execute("--devices", "3", "--uplink", "127.0.0.1:" + unusedPort, "--fleet-dir",
        fleet.root().toString(), "--duration", "2s", "--connect-timeout", "1s", "--drain-timeout", "1s",
        "--report", report.toString());
    assertEquals(1, exit, text.toString());
    Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
    assertEquals(3L, FleetTotals.fromMap((Map<?, ?>) json.get("totals")).connectFailures());
    assertEquals(Boolean.FALSE, json.get("passed"));
  }

  private static CommandLine command(StringWriter text) {
    CommandLine cmd = new CommandLine(new FleetCommand());
    cmd.setOut(new PrintWriter(text, true));
    return cmd;
  }

  /**
   * No browser here: each inline SVG is parsed as XML, and its polyline must have a point per interval (or per
   * percentile) inside the plot area, with the percentile curve rising left to right.
   */
  private static void checkCharts(String html, int intervals) throws Exception {
    assertTrue(!html.contains("http://") || html.replace("http://www.w3.org/2000/svg", "").indexOf("http") < 0,
        "nothing is fetched from the network");
    Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
    int charts = 0;
    while (m.find()) {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new java.io.ByteArrayInputStream(m.group().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Element line = (Element) doc.getElementsByTagName("polyline").item(0);
      String[] points = line.getAttribute("points").trim().split("\\s+");
      double lastY = Double.MAX_VALUE;
      for (String p : points) {
        double x = Double.parseDouble(p.split(",")[0]);
        double y = Double.parseDouble(p.split(",")[1]);
        assertTrue(x >= 0 && x <= SvgCharts.WIDTH && y >= 0 && y <= SvgCharts.HEIGHT, "point in the chart: " + p);
        if (charts == 2) {
          assertTrue(y <= lastY, "latency never falls as the percentile rises: " + line.getAttribute("points"));
          lastY = y;
        }
      }
      assertEquals(charts == 2 ? 12 : intervals, points.length, "points of chart " + charts);
      charts++;
    }
    assertEquals(3, charts, "throughput, p99 over time and the percentile curve");
  }
}
