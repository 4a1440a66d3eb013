package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.SettableClock;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreCheck;
import dev.doorbell.uplink.store.StoreListing;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --retain} in a real uplink process (issue 14.4): its sweeper deletes the old clips and reclaims their
 * closed segments off the event loop, the metrics endpoint counts both, {@code store list} reads the live store
 * without its lock, and after {@code kill -9} the store is whole for fsck and a restarted uplink.
 */
class ServeRetentionTest {
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void serveRetain_oldClipsDeletedCountedInMetricsListedLiveAndWholeAfterKill() throws Exception {
        Path store = dir.resolve("store");
        SettableClock clock = new SettableClock(LONG_AGO);
        try (DirectoryStore s =
                DirectoryStore.open(store, StoreOptions.defaults().withSegmentBytes(4096), clock)) {
            for (long clip = 1; clip <= 6; clip++) {
                clock.set(clip <= 4 ? LONG_AGO : Instant.now());
                await(s.openClip("porch", clip, new byte[90]));
                for (int seq = 0; seq < 3; seq++) {
                    await(s.appendFrame("porch", clip, seq, seq == 2, new byte[12], new byte[600]));
                }
                await(s.closeClip("porch", clip, 3));
            }
        }
        long before = StoreListing.list(store).segmentBytes();
        try (ChildProcess serve = ChildProcess.java(
                "dev.doorbell.uplink.cli.UplinkCli",
                List.of(
                        "serve",
                        "--data",
                        store.toString(),
                        "--insecure-plaintext-for-debugging",
                        "--port",
                        "0",
                        "--metrics",
                        "127.0.0.1:0",
                        "--retain",
                        "30d",
                        "--retention-interval",
                        "200ms"))) {
            serve.awaitOutput("metrics on http://\\S+/metrics", Duration.ofSeconds(30));
            Matcher m = Pattern.compile("metrics on (http://\\S+/metrics)").matcher(serve.out());
            assertTrue(m.find());
            URI metrics = URI.create(m.group(1));
            HttpClient http = HttpClient.newHttpClient();
            String[] scraped = {""};
            Waits.await("retention counted in /metrics", Duration.ofSeconds(20)).until(() -> {
                scraped[0] = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                return scraped[0].contains("doorbell_uplink_retention_deleted_clips_total{reason=\"policy\"} 4.0");
            });
            Matcher reclaimed = Pattern.compile("doorbell_uplink_retention_reclaimed_bytes_total (\\d+)")
                    .matcher(scraped[0]);
            assertTrue(reclaimed.find(), scraped[0]);
            assertTrue(Double.parseDouble(reclaimed.group(1)) > 0, scraped[0]);

            StringWriter out = new StringWriter();
            CommandLine cli = UplinkCli.commandLine(new ServeCommand(d -> {
                throw new AssertionError("not served here");
            }));
            cli.setOut(new PrintWriter(out));
            assertEquals(0, cli.execute("store", "list", "--data", store.toString()));
            assertTrue(
                    out.toString()
                            .contains("live (uplink pid " + serve.pid() + "): read up to the last group" + " commit"),
                    out.toString());
            assertTrue(out.toString().contains("4 clips deleted by retention"), out.toString());
            StoreListing.Listing live = StoreListing.list(store);
            assertEquals(2, live.clips(), "the two new clips are kept");
            assertTrue(live.segmentBytes() < before, before + " -> " + live.segmentBytes());

            serve.signal("KILL");
            assertEquals(137, serve.awaitExit(Duration.ofSeconds(10)));
        }
        StoreCheck.Report check = StoreCheck.check(store);
        assertFalse(check.damage(), check.findings().toString());
        try (DirectoryStore reopened = DirectoryStore.open(store, StoreOptions.defaults())) {
            assertTrue(reopened.status("porch", 1).closePersisted(), "deleted: known, closed");
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    reopened.openClip("porch", 1, new byte[90]).outcome());
            assertEquals(3, reopened.status("porch", 6).persistedFrames());
        }
    }

    private static void await(Submission submission) throws Exception {
        assertEquals(Outcome.ACCEPTED, submission.outcome(), submission.detail());
        submission.durable().get(10, TimeUnit.SECONDS);
    }
}
