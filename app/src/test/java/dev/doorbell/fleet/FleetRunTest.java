package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.FleetCommand;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.LoopbackPeers;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    @TempDir
    static Path dir;

    private static FleetLayout fleet;
    /** Another fleet, with its own CA: its uplink trusts none of {@link #fleet}'s devices. */
    private static FleetLayout otherFleet;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TrustFixtures.provision(dir.resolve("fleet"), 20);
        otherFleet = TrustFixtures.provision(dir.resolve("other-fleet"), 1);
    }

    @Test
    void run_smallFleet_printsProgressAndWritesAReportThatAgreesWithTheHlog() throws Exception {
        Path report = dir.resolve("report");
        StringWriter text = new StringWriter();
        int exit;
        long stored;
        try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            exit = command(text)
                    .execute(
                            "--devices",
                            "20",
                            "--uplink",
                            "127.0.0.1:" + port,
                            "--fleet-dir",
                            fleet.root().toString(),
                            "--ramp",
                            "100/s",
                            "--duration",
                            "6s",
                            "--clips-per-hour",
                            "3600",
                            "--min-clip",
                            "1s",
                            "--max-clip",
                            "2s",
                            "--profile",
                            "240p",
                            "--seed",
                            "7",
                            "--report",
                            report.toString());
            uplink.stop(Duration.ofSeconds(5));
            stored = store.stats().records();
        }
        String out = text.toString();
        assertEquals(0, exit, out);
        long progressLines = out.lines()
                .filter(l -> l.contains("connected") && l.contains("p99"))
                .count();
        assertTrue(progressLines >= 5, "a progress line a second for 6 s:\n" + out);
        assertTrue(out.contains("connected 20 "), "every device connects:\n" + out);

        Histogram hlog = LatencyLog.total(LatencyLog.readSeconds(List.of(report.resolve(LatencyLog.FILE))));
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        FleetTotals totals = FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
        Map<?, ?> latency = (Map<?, ?>) json.get("latencyMillis");
        assertTrue(totals.framesPersisted() > 100, "20 devices at ~1 clip/s of 10-20 frames: " + totals);
        assertEquals(totals.framesSent(), totals.framesPersisted(), "every frame sent is persisted: " + totals);
        assertEquals(hlog.getTotalCount(), totals.framesPersisted(), "one latency per persisted frame");
        assertEquals(hlog.getTotalCount(), ((Number) latency.get("count")).longValue());
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
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            exit = command(text)
                    .execute(
                            "--devices",
                            "6",
                            "--uplink",
                            "127.0.0.1:" + port,
                            "--fleet-dir",
                            fleet.root().toString(),
                            "--duration",
                            "8s",
                            "--clips-per-hour",
                            "3600",
                            "--min-clip",
                            "1s",
                            "--max-clip",
                            "2s",
                            "--processes",
                            "2",
                            "--report",
                            report.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
        assertEquals(0, exit, text.toString());
        FleetTotals w0 = totals(report.resolve("worker-0"));
        FleetTotals w1 = totals(report.resolve("worker-1"));
        FleetTotals merged = totals(report);
        assertEquals(3, w0.devices());
        assertEquals(6, merged.devices());
        assertEquals(w0.framesPersisted() + w1.framesPersisted(), merged.framesPersisted());
        Histogram both = LatencyLog.total(LatencyLog.readSeconds(
                List.of(report.resolve("worker-0/latency.hlog"), report.resolve("worker-1/latency.hlog"))));
        assertEquals(both, LatencyLog.total(LatencyLog.readSeconds(List.of(report.resolve(LatencyLog.FILE)))));
        assertTrue(
                text.toString().lines().filter(l -> l.contains("connecting")).count() >= 4,
                "one progress line a second, the workers' seconds added:\n" + text);
        // The merged report's time series adds the workers' second by second: all six devices connected at once.
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        List<RunSeries.Point> series = RunSeries.fromReport(json);
        assertEquals(
                6, series.stream().mapToLong(RunSeries.Point::connected).max().orElse(0), series.toString());
        assertEquals(
                merged.framesPersisted(),
                series.stream().mapToLong(RunSeries.Point::framesPersisted).sum(),
                "every persisted frame in the series");
        assertEquals(6, SlowDevice.fromReport(json).size(), "both workers' devices among the slowest");
        assertEquals(2, RunMeta.fromReport(json).inputs().size(), "both workers' runs listed");
    }

    private static FleetTotals totals(Path report) throws Exception {
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        return FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
    }

    @Test
    void run_uplinkNotListening_failsInSecondsWithOneLineAndAFailedReport() throws Exception {
        int port = LoopbackPeers.closedPort();
        Path report = dir.resolve("report-refused");
        long t0 = System.nanoTime();
        Result r = fleet(
                "--devices",
                "3",
                "--uplink",
                "127.0.0.1:" + port,
                "--fleet-dir",
                fleet.root().toString(),
                "--duration",
                "60s",
                "--connect-timeout",
                "60s",
                "--report",
                report.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.exit, r.out + r.err);
        assertTrue(seconds < 20, "refused everywhere stops in seconds, not at the 60 s timeout: " + seconds);
        assertEquals(
                List.of("fleet: cannot connect to the uplink at 127.0.0.1:" + port + ": connection refused (is the "
                        + "uplink running and listening there?); 3 devices tried for 2.0 s, none was welcomed"),
                r.err.lines()
                        .map(l -> l.replaceAll("for [0-9.]+ s", "for 2.0 s"))
                        .toList());
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        assertEquals(3L, FleetTotals.fromMap((Map<?, ?>) json.get("totals")).connectFailures());
        assertEquals(Boolean.FALSE, json.get("passed"));
        assertTrue(((String) json.get("abort")).contains("connection refused"), json.toString());
        assertEquals(Map.of("connection refused", 3), json.get("connectFailureReasons"));
        assertTrue(Files.readString(report.resolve("summary.txt")).contains("FAIL: cannot connect"));
    }

    @Test
    void run_anotherFleetsUplink_failsSayingThisFleetDoesNotTrustTheUplink() throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(otherFleet.uplinkDir(), dir.resolve("store-b"))) {
            Result r = fleet(
                    "--devices",
                    "3",
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--duration",
                    "60s",
                    "--report",
                    dir.resolve("report-b").toString());
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(
                    r.err.startsWith(
                            "fleet: this fleet does not trust the uplink's certificate: the uplink at " + "127.0.0.1:"
                                    + uplink.port() + " presented a certificate that this fleet's CA did not issue"),
                    r.err);
        }
    }

    @Test
    void run_uplinkTrustingAnotherCa_failsSayingTheUplinkDoesNotTrustThisFleet() throws Exception {
        Path tls = TrustFixtures.uplinkTrustingOtherCa(fleet, otherFleet, dir.resolve("mixed"));
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(tls, dir.resolve("store-mixed"))) {
            Result r = fleet(
                    "--devices",
                    "3",
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--duration",
                    "60s",
                    "--report",
                    dir.resolve("report-mixed").toString());
            assertEquals(2, r.exit, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(
                    r.err.startsWith("fleet: the uplink does not trust this fleet's CA: the uplink at 127.0.0.1:"
                            + uplink.port() + " refused the certificate of device "),
                    r.err);
        }
    }

    @Test
    void run_neverWelcomedWithinAShortRun_everyDeviceIsAConnectFailure() throws Exception {
        try (LoopbackPeers.CannedReply closer = new LoopbackPeers.CannedReply("")) {
            Path report = dir.resolve("report-closer");
            Result r = fleet(
                    "--devices",
                    "3",
                    "--uplink",
                    "127.0.0.1:" + closer.port(),
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--duration",
                    "3s",
                    "--connect-timeout",
                    "60s",
                    "--drain-timeout",
                    "1s",
                    "--report",
                    report.toString());
            assertEquals(1, r.exit, r.out + r.err);
            Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
            assertEquals(3L, FleetTotals.fromMap((Map<?, ?>) json.get("totals")).connectFailures(), json.toString());
            assertEquals(Map.of("closed before Welcome", 3), json.get("connectFailureReasons"));
            assertTrue(
                    r.out.contains("FAIL: connect failures 3 of 3 devices (rate 1.00000) over the limit 0.01000; "
                            + "nothing was persisted (no device was welcomed)"),
                    r.out);
        }
    }

    @Test
    void run_noClipStarted_nothingPersistedFails() throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), dir.resolve("store-idle"))) {
            Path report = dir.resolve("report-idle");
            Result r = fleet(
                    "--devices",
                    "2",
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--duration",
                    "2s",
                    "--clips-per-hour",
                    "0.0001",
                    "--report",
                    report.toString());
            assertEquals(1, r.exit, r.out + r.err);
            assertTrue(r.out.contains("devices 2, connects 2, connect failures 0"), r.out);
            assertTrue(
                    r.out.contains("FAIL: nothing was persisted (no clip was started: raise --clips-per-hour or "
                            + "--duration)"),
                    r.out);
            assertEquals(
                    List.of("nothing was persisted (no clip was started: raise --clips-per-hour or --duration)"),
                    Json.parseObject(Files.readString(report.resolve("report.json")))
                            .get("failures"));
        }
    }

    @Test
    void run_constantRateConnectFirst_sendsTheRateOfRandomPayloads() throws Exception {
        Path report = dir.resolve("report-constant");
        Result r;
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), dir.resolve("store-constant"))) {
            r = fleet(
                    "--devices",
                    "6",
                    "--uplink",
                    "127.0.0.1:" + uplink.port(),
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--connect-first",
                    "--traffic",
                    "constant",
                    "--rate",
                    "30/s",
                    "--inflight",
                    "8",
                    "--frame-bytes",
                    "2000",
                    "--pad",
                    "4096",
                    "--duration",
                    "3s",
                    "--report",
                    report.toString());
        }
        assertEquals(0, r.exit, r.out + r.err);
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        FleetTotals totals = FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
        assertTrue(
                totals.framesSent() >= 80 && totals.framesSent() <= 100,
                "30 frames/s for 3 s once all are connected, and a last frame for each clip still open: " + totals);
        assertEquals(totals.framesSent(), totals.framesPersisted(), totals.toString());
        // A v3 frame seals its FrameInfo (a few bytes that vary with its time) with the payload; the 4096-byte
        // bucket makes every stored frame one size, so the total is exact.
        assertEquals(
                totals.framesPersisted() * 4096,
                totals.bytesPersisted(),
                "every frame seals a 2000-byte payload, its frame info and its 16-byte tag, padded to 4096 bytes");
        assertEquals(0, totals.skipped());
        assertEquals(
                Map.of("model", "constant", "parameters", Map.of("framesPerSecond", 30.0, "inflight", 8)),
                json.get("traffic"));
        assertTrue(r.out.contains("traffic constant 30.0 frames/s, at most 8 in flight per device"), r.out);
    }

    @Test
    void run_trafficOptionsThatDisagree_exitTwoWithOneLineNamingTheOption() {
        String[] base = {
            "--devices",
            "2",
            "--fleet-dir",
            fleet.root().toString(),
            "--report",
            dir.resolve("report-usage").toString()
        };
        assertUsage(fleet(concat(base, "--rate", "10/s")), "--rate is for --traffic constant, not poisson");
        assertUsage(fleet(concat(base, "--traffic", "constant")), "--traffic constant needs --rate N/s");
        assertUsage(fleet(concat(base, "--inflight", "3")), "--inflight is for --traffic constant or saturation");
        assertUsage(
                fleet(concat(base, "--traffic", "bursty")), "--traffic must be one of [poisson, constant, saturation]");
        assertUsage(fleet(concat(base, "--traffic", "saturation", "--inflight", "0")), "--inflight must be at least 1");
        assertUsage(fleet(concat(base, "--frame-bytes", "9..3")), "frame sizes must satisfy 1 <= min <= max, got 9..3");
    }

    private static void assertUsage(Result r, String message) {
        assertEquals(2, r.exit, r.out + r.err);
        assertEquals(1, r.err.lines().filter(l -> !l.isBlank()).count(), r.err);
        assertTrue(r.err.contains(message), r.err);
    }

    private static String[] concat(String[] base, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private record Result(int exit, String out, String err) {}

    /** `doorbell fleet ARGS` as the command line runs it, with its exit status, stdout and stderr. */
    private static Result fleet(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("fleet"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private static CommandLine command(StringWriter text) {
        CommandLine cmd = new CommandLine(new FleetCommand());
        cmd.setOut(new PrintWriter(text, true));
        return cmd;
    }

    /**
     * The page's text (ReportBrowserTest renders it in a browser): each inline SVG parses as XML, every polyline's
     * points are inside its chart and as many as it says, the frames chart has a point per interval, and the
     * percentile curve has its twelve points, rising left to right.
     */
    private static void checkCharts(String html, int intervals) throws Exception {
        assertFalse(
                Pattern.compile("https?://")
                        .matcher(html.replace("http://www.w3.org/2000/svg", ""))
                        .find(),
                "no address to fetch: only the SVG namespace");
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        List<String> charts = new java.util.ArrayList<>();
        while (m.find()) {
            Document doc = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(
                            m.group().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            String id = doc.getDocumentElement().getAttribute("id");
            charts.add(id);
            org.w3c.dom.NodeList lines = doc.getElementsByTagName("polyline");
            for (int k = 0; k < lines.getLength(); k++) {
                Element line = (Element) lines.item(k);
                String[] points = line.getAttribute("points").trim().split("\\s+");
                assertEquals(Integer.parseInt(line.getAttribute("data-points")), points.length, id);
                double lastY = Double.MAX_VALUE;
                for (String p : points) {
                    double x = Double.parseDouble(p.split(",")[0]);
                    double y = Double.parseDouble(p.split(",")[1]);
                    assertTrue(
                            x >= 0 && x <= SvgCharts.WIDTH && y >= 0 && y <= SvgCharts.HEIGHT,
                            "point in the chart: " + p);
                    if (id.equals("chart-latency-percentiles")) {
                        assertTrue(y <= lastY, "latency never falls as the percentile rises: " + p);
                        lastY = y;
                    }
                }
                if (id.equals("chart-latency-percentiles")) {
                    assertEquals(12, points.length, id);
                }
                if (id.equals("chart-frames")) {
                    assertEquals(intervals, points.length, id);
                }
            }
        }
        assertEquals(
                List.of(
                        "chart-connected",
                        "chart-connects",
                        "chart-welcome",
                        "chart-frames",
                        "chart-mbps",
                        "chart-latency-bands",
                        "chart-latency-histogram",
                        "chart-latency-percentiles",
                        "chart-errors"),
                charts);
    }
}
