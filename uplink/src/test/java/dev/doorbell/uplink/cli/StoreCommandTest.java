package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code store list}, {@code store verify} (fsck's checks under the name operators look for) and {@code expire}. */
class StoreCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private Path store;

    @BeforeEach
    void clips() throws Exception {
        store = dir.resolve("store");
        Clock at = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults(), at)) {
            for (long clip = 1; clip <= 3; clip++) {
                await(s.openClip("porch", clip, new byte[90]));
                for (int seq = 0; seq < 2; seq++) {
                    await(s.appendFrame("porch", clip, seq, clip != 3 && seq == 1, new byte[12], new byte[300]));
                }
                if (clip == 1) {
                    await(s.closeClip("porch", clip, 2));
                }
            }
            await(s.openClip("garage", 9, new byte[90]));
        }
    }

    private static void await(Submission submission) throws Exception {
        assertEquals(Outcome.ACCEPTED, submission.outcome(), submission.detail());
        submission.durable().get(10, TimeUnit.SECONDS);
    }

    private int run(String... args) {
        CommandLine cli = UplinkCli.commandLine(new ServeCommand(d -> new InMemoryClipStore()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void list_stoppedStore_perDeviceCountsArrivalsTotalsAndSegments() {
        assertEquals(0, run("store", "list", "--data", store.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("store " + store + ": doorbell-store v2, stopped\n"), text);
        assertTrue(
                text.matches("(?s).*\ngarage\\s+1\\s+0\\s+1\\s+0\\s+0\\s+\\S+ \\S+\\s+2026-01-02T03:04:05Z\\s+"
                        + "2026-01-02T03:04:05Z\\s+0\n.*"),
                text);
        assertTrue(text.matches("(?s).*\nporch\\s+3\\s+2\\s+1\\s+0\\s+6\\s.*"), "3 clips: 2 closed, 1 open: " + text);
        assertTrue(text.contains("total: 2 devices, 4 clips, 6 frames, "), text);
        assertTrue(text.matches("(?s).*\nsegment 0000000001\\.seg: \\S+ \\S+ \\(\\d+ bytes\\), 12 records\n.*"), text);
    }

    @Test
    void listJson_oneObjectWithDevicesSegmentsAndTotals() {
        assertEquals(0, run("store", "list", "--data", store.toString(), "--json"), err.toString());
        String json = out.toString().strip();
        assertTrue(json.startsWith("{\"store\":") && json.endsWith("}"), json);
        assertTrue(
                json.contains(
                        "{\"device\":\"porch\",\"clips\":3,\"closed\":2,\"open\":1,\"damaged\":0," + "\"frames\":6,"),
                json);
        assertTrue(json.contains("\"first_arrival\":\"2026-01-02T03:04:05Z\""), json);
        assertTrue(json.contains("\"totals\":{\"devices\":2,\"clips\":4,\"frames\":6,"), json);
        assertTrue(json.contains("\"live\":false,\"uplink_pid\":null"), json);
    }

    @Test
    void verify_isFsck_sameLinesAndExitCodes() throws Exception {
        assertEquals(0, run("store", "verify", "--data", store.toString()), err.toString());
        String verified = out.toString();
        out.getBuffer().setLength(0);
        assertEquals(0, run("fsck", "--data", store.toString()));
        assertEquals(verified, out.toString());
        Path segment = store.resolve("segments/0000000001.seg");
        byte[] bytes = Files.readAllBytes(segment);
        bytes[200] ^= 1;
        Files.write(segment, bytes);
        assertEquals(1, run("store", "verify", "--data", store.toString()));
        assertEquals(2, run("store", "verify", "--data", dir.resolve("absent").toString()));
    }

    @Test
    void expire_dryRunThenForReal_onAStoppedStore() {
        assertEquals(0, run("store", "expire", "--data", store.toString(), "--older-than", "1d", "--dry-run"));
        assertTrue(out.toString().contains("would delete device garage clip 9"), out.toString());
        assertTrue(out.toString().endsWith("store expire: 4 clips would delete\n"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("store", "expire", "--data", store.toString(), "--older-than", "1d"));
        assertTrue(out.toString().contains("store expire: 4 clips deleted, "), out.toString());
        assertTrue(out.toString().contains(" wait in the newest segment until it is closed"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("store", "list", "--data", store.toString()));
        assertTrue(out.toString().contains("0 clips, 0 frames"), out.toString());
        assertTrue(out.toString().contains("4 clips deleted by retention (11 of their records wait"), out.toString());
        assertEquals(0, run("store", "verify", "--data", store.toString()));
    }

    @Test
    void store_withoutACommand_exitTwoNamingThem() {
        assertEquals(2, run("store"));
        assertTrue(err.toString().contains("list, verify, expire or delete"), err.toString());
    }
}
