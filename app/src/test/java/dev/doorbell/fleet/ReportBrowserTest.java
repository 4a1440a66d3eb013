package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.FleetCommand;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * report.html as people see it: a short real fleet run against the real uplink on loopback, with thresholds one of
 * which fails, rendered by headless Chromium; the test reads the DOM the browser built and its screenshot, not the
 * file's text. Skipped, saying so, only where chromium is not installed.
 */
class ReportBrowserTest {
    private static final int DEVICES = 6;

    @TempDir
    static Path dir;

    private static FleetLayout fleet;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TrustFixtures.provision(dir.resolve("fleet"), DEVICES);
    }

    @Test
    void report_renderedInChromium_showsRunThresholdsSeriesAndSlowestDevices() throws Exception {
        Optional<HeadlessChromium> chromium = HeadlessChromium.find(dir);
        Assumptions.assumeTrue(chromium.isPresent(), HeadlessChromium::missing);
        Path report = dir.resolve("report");
        StringWriter text = new StringWriter();
        int exit;
        try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            CommandLine cmd = new CommandLine(new FleetCommand());
            cmd.setOut(new PrintWriter(text, true));
            exit = cmd.execute(
                    "--devices",
                    String.valueOf(DEVICES),
                    "--uplink",
                    "127.0.0.1:" + port,
                    "--fleet-dir",
                    fleet.root().toString(),
                    "--ramp",
                    "100/s",
                    "--duration",
                    "3s",
                    "--clips-per-hour",
                    "3600",
                    "--min-clip",
                    "1s",
                    "--max-clip",
                    "2s",
                    "--seed",
                    "5",
                    "--threshold",
                    "p99<60s",
                    "--threshold",
                    "connect-failures=0",
                    // No frame is persisted within a microsecond: this one fails, and the run with it.
                    "--threshold",
                    "p50<0.001ms",
                    "--report",
                    report.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
        String out = text.toString();
        assertEquals(1, exit, "a missed threshold fails the run:\n" + out);
        assertTrue(out.contains("thresholds: p99<60s pass"), out);
        assertTrue(out.contains("FAIL: threshold p50<0.001ms not met: p50 was "), out);

        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        FleetTotals totals = FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
        assertTrue(totals.framesPersisted() > 20, "6 devices at ~1 clip/s for 3 s: " + totals);
        List<?> slowest = (List<?>) json.get("slowestDevices");
        assertEquals(DEVICES, slowest.size(), "every device, fewer than ten: " + slowest);

        Path page = report.resolve("report.html");
        Document dom = Jsoup.parse(chromium.get().dumpDom(page));

        for (String section : List.of(
                "verdict",
                "run",
                "thresholds",
                "summary",
                "connections",
                "throughput",
                "latency",
                "slowest",
                "errors")) {
            assertNotNull(dom.getElementById(section), "section " + section + " on the page");
        }
        assertEquals("FAIL", dom.selectFirst(".verdict").text());

        Map<String, String> run = new java.util.LinkedHashMap<>();
        for (Element row : dom.select("table.meta tr")) {
            run.put(row.selectFirst("th").text(), row.selectFirst("td").text());
        }
        assertEquals("5", run.get("seed"), run.toString());
        assertEquals(
                "127.0.0.1:"
                        + ((Map<?, ?>) json.get("meta"))
                                .get("uplink")
                                .toString()
                                .split(":")[1],
                run.get("uplink"));
        assertTrue(run.get("command").startsWith("fleet --devices 6 "), run.toString());
        assertTrue(run.get("command").contains("--threshold p50<0.001ms"), run.toString());
        assertEquals("0/1", run.get("shard"));
        assertTrue(run.get("machine").contains(Runtime.getRuntime().availableProcessors() + " cores"), run.toString());
        assertTrue(run.get("JVM").startsWith(System.getProperty("java.version")), run.toString());
        assertTrue(run.get("started").endsWith("Z (UTC)"), run.toString());

        Map<String, Element> thresholds = new java.util.LinkedHashMap<>();
        for (Element row : dom.select("tr.threshold")) {
            thresholds.put(row.selectFirst("code").text(), row);
        }
        assertEquals(7, thresholds.size(), "four built-in rules and three --thresholds: " + thresholds.keySet());
        assertThreshold(thresholds.get("p99<60s"), true);
        assertThreshold(thresholds.get("connect-failures=0"), true);
        assertThreshold(thresholds.get("p50<0.001ms"), false);
        assertThreshold(thresholds.get("lost-acked=0"), true);
        assertThreshold(thresholds.get("persisted>0"), true);

        List<?> series = (List<?>) json.get("series");
        assertTrue(series.size() >= 3, "a point a second: " + series.size());
        for (String chart : List.of(
                "chart-connected",
                "chart-connects",
                "chart-welcome",
                "chart-frames",
                "chart-mbps",
                "chart-errors",
                "chart-latency-bands",
                "chart-latency-histogram",
                "chart-latency-percentiles")) {
            Element svg = dom.getElementById(chart);
            assertNotNull(svg, chart + " on the page");
            assertTrue(Integer.parseInt(svg.attr("data-points")) > 0, chart + " has data points");
            for (Element line : svg.select("polyline")) {
                int points = line.attr("points").trim().split("\\s+").length;
                assertEquals(
                        Integer.parseInt(line.attr("data-points")), points, chart + " " + line.attr("data-series"));
            }
        }
        for (Element line : dom.select("#chart-connected polyline, #chart-mbps polyline, #chart-errors polyline")) {
            assertEquals(series.size(), line.attr("points").trim().split("\\s+").length, line.attr("data-series"));
        }
        assertEquals(
                List.of("max", "p99", "p90", "p50"),
                dom.select("#chart-latency-bands polyline").eachAttr("data-series"));
        long histogram = dom.select("#chart-latency-histogram rect.bar").stream()
                .mapToLong(b -> Long.parseLong(b.attr("data-count")))
                .sum();
        assertEquals(totals.framesPersisted(), histogram, "the histogram's bars hold every persisted frame");

        List<Element> devices = dom.select("table.slowest tr.device");
        assertEquals(DEVICES, devices.size());
        double previous = Double.MAX_VALUE;
        for (Element d : devices) {
            assertTrue(d.selectFirst("code").text().length() > 0);
            double max = Double.parseDouble(d.child(3).text());
            assertTrue(max <= previous, "slowest first");
            previous = max;
        }

        Element csp = dom.selectFirst("meta[http-equiv=Content-Security-Policy]");
        assertNotNull(csp, "a Content-Security-Policy forbids requests");
        assertTrue(csp.attr("content").startsWith("default-src 'none'"), csp.attr("content"));
        for (Element e : dom.select("[src], [href], [xlink:href], link, script[src], img, iframe, object")) {
            fail("the page names nothing to fetch, found " + e.outerHtml());
        }
        assertFalse(dom.html().contains("url("), "no CSS url()");

        Path png = dir.resolve("report.png");
        chromium.get().screenshot(page, png, 900, 5200);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(pixels(image, 0x1f6feb) > 500, "the series' blue lines are drawn");
        assertTrue(pixels(image, 0xcf222e) > 200, "the failed threshold and verdict in red");
        assertTrue(pixels(image, 0x1a7f37) > 200, "the passed thresholds in green");
    }

    private static void assertThreshold(Element row, boolean passed) {
        assertNotNull(row);
        assertEquals(passed ? "pass" : "fail", row.selectFirst("td.result").text(), row.outerHtml());
        assertTrue(row.hasClass(passed ? "pass" : "fail"), row.outerHtml());
    }

    private static void fail(String message) {
        org.junit.jupiter.api.Assertions.fail(message);
    }

    /** Pixels of exactly {@code rgb}: what was drawn in that colour. */
    private static long pixels(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
