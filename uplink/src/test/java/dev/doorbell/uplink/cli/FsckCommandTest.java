package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fsck}: lists, verifies and salvages a store without a server (issue 9.3). */
class FsckCommandTest {
    private static final String DEVICE = "side-gate";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private Path store;
    private Path first;

    @BeforeEach
    void twoClips() throws Exception {
        store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            for (long clip = 1; clip <= 2; clip++) {
                await(s.openClip(DEVICE, clip, new byte[90]));
                for (int seq = 0; seq < 3; seq++) {
                    await(s.appendFrame(DEVICE, clip, seq, seq == 2, new byte[12], new byte[500 + seq]));
                }
                await(s.closeClip(DEVICE, clip, 3));
            }
        }
        first = store.resolve("segments/0000000001.seg");
    }

    private static void await(Submission submission) throws Exception {
        assertEquals(Outcome.ACCEPTED, submission.outcome(), submission.detail());
        submission.durable().get(10, TimeUnit.SECONDS);
    }

    private int fsck(String... args) {
        CommandLine cli = UplinkCli.commandLine(new ServeCommand(d -> new InMemoryClipStore()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "fsck";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    private void flipByte(long offset) throws Exception {
        byte[] bytes = Files.readAllBytes(first);
        bytes[(int) offset] ^= 0x01;
        Files.write(first, bytes);
    }

    @Test
    void fsck_cleanStore_exitZeroListingSegmentsAndCheckpoint() {
        assertEquals(0, fsck("--data", store.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("store " + store + ": doorbell-store v2\n"), text);
        assertTrue(text.contains("checkpoint: sequence "), text);
        assertTrue(
                text.matches("(?s).*segment 0000000001\\.seg: \\d+ bytes, 11 records, start record: first segment, "
                        + "committed \\d+ bytes and 11 records by the checkpoint\n.*"),
                text);
        assertTrue(text.endsWith("fsck: clean; 1 segment, 11 records, 2 clips\n"), text);
    }

    @Test
    void fsck_byteFlippedMidLog_exitOneNamingTheRangeAndChangingNothing() throws Exception {
        flipByte(300);
        byte[] before = Files.readAllBytes(first);
        assertEquals(1, fsck("--data", store.toString()));
        String text = out.toString();
        assertTrue(
                text.matches(
                        "(?s).*\nERROR damaged range: segment 0000000001\\.seg offset \\d+ to \\d+ \\(\\d+ bytes\\): "
                                + "CRC32C mismatch in a record of \\d+ bytes\n.*"),
                text);
        assertTrue(text.contains("\nERROR damaged clip: "), text);
        assertTrue(text.contains("the store is not what was acknowledged"), text);
        assertArrayEquals(before, Files.readAllBytes(first));
        assertFalse(Files.exists(store.resolve("damaged")), "fsck without --salvage only reads");
    }

    @Test
    void fsck_salvage_copiesTheRangeAsideAndListsIt() throws Exception {
        flipByte(300);
        assertEquals(1, fsck("--data", store.toString(), "--salvage"));
        assertTrue(out.toString().contains("\nsalvaged: copied segment 0000000001.seg offset "), out.toString());
        assertEquals(1, Files.readAllLines(store.resolve("damaged/ranges.txt")).size());
        out.getBuffer().setLength(0);
        assertEquals(1, fsck("--data", store.toString(), "--salvage"), "the damage is still in the segment");
        assertFalse(out.toString().contains("salvaged:"), "kept once: " + out);
    }

    @Test
    void fsck_shortenedStore_exitOne() throws Exception {
        try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 100);
        }
        assertEquals(1, fsck("--data", store.toString()));
        assertTrue(
                out.toString()
                        .contains("ERROR shorter than committed: segment 0000000001.seg is shorter than committed: "),
                out.toString());
    }

    @Test
    void fsck_storeHeldByAnUplink_readsLiveButSalvageRefused() throws Exception {
        try (DirectoryStore held = DirectoryStore.open(store, StoreOptions.defaults())) {
            assertEquals(0, fsck("--data", store.toString()), err.toString());
            long pid = ProcessHandle.current().pid();
            assertTrue(out.toString().contains("live (uplink pid " + pid + ")"), out.toString());
            assertTrue(
                    out.toString()
                            .contains("INFO note: live store (uplink pid " + pid + "): read up to the last "
                                    + "group commit, segment 0000000001.seg offset "),
                    out.toString());
            assertEquals(2, fsck("--data", store.toString(), "--salvage"));
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(
                    err.toString().startsWith("fsck: store " + store + " is in use by this process (pid " + pid + ")"),
                    err.toString());
            assertTrue(held.status(DEVICE, 2).closePersisted(), "the holder goes on");
        }
    }

    @Test
    void fsck_notAStore_exitTwoWithOneLine() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(2, fsck("--data", empty.toString()));
        assertEquals("fsck: " + empty + " is not a doorbell store: it has no doorbell-store marker\n", err.toString());
        assertEquals(2, fsck("--data", dir.resolve("absent").toString(), "--salvage"));
        assertFalse(Files.exists(dir.resolve("absent")), "fsck never makes a store");
        assertEquals(2, fsck());
    }
}
