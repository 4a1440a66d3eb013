package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store, one uplink (issue 9.1), within one process; UplinkLockProcessTest in the device module does the same
 * with two real uplink processes and SIGKILL.
 */
class StoreLockTest {
    private static final String DEVICE = "front-door";

    @TempDir
    Path dir;

    @Test
    void open_storeAlreadyOpen_refusedNamingDirAndPidWithoutTouchingAFile() throws Exception {
        try (DirectoryStore first = StoreFixtures.open(dir)) {
            storeClip(first, DEVICE, 1, 3, 500, false);
            Map<String, byte[]> before = snapshot(dir);
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> StoreFixtures.open(dir));
            long pid = ProcessHandle.current().pid();
            assertEquals(pid, e.holderPid());
            assertTrue(
                    e.getMessage().contains(dir.toString()) && e.getMessage().contains("pid " + pid), e.getMessage());
            assertSnapshotEquals(before, snapshot(dir));
            // The first store goes on as if nothing happened.
            storeClip(first, DEVICE, 2, 3, 500, true);
            assertEquals(new ClipStatus(DEVICE, 2, 3, 3, true, true, true), first.status(DEVICE, 2));
        }
        try (DirectoryStore again = StoreFixtures.open(dir)) {
            assertNotNull(again.status(DEVICE, 2));
            assertEquals(0, again.findings().size(), again.findings().toString());
        }
    }

    @Test
    void acquire_lockFile_namesThisProcess() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            String line = Files.readString(dir.resolve("lock"));
            assertTrue(line.matches("pid=" + ProcessHandle.current().pid() + " host=\\S+ started=\\S+Z\n"), line);
            assertEquals(ProcessHandle.current().pid(), StoreLock.holder(dir).orElseThrow());
        }
        assertTrue(StoreLock.holder(dir).isEmpty(), "released on close");
    }

    @Test
    void acquire_strangersDirectory_refusedAndNothingWritten() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> StoreFixtures.open(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("marker"), e.getMessage());
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(1, entries.count(), "no lock file made in a stranger's directory");
        }
    }

    @Test
    void open_makingInterruptedBeforeTheMarker_madeAgain() throws Exception {
        StoreFixtures.open(dir).close();
        // What a stop between the first checkpoint and the marker leaves.
        Files.delete(dir.resolve("doorbell-store"));
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 1, 10, true);
            assertEquals(0, store.findings().size(), store.findings().toString());
        }
        assertEquals("doorbell-store v2\n", Files.readString(dir.resolve("doorbell-store")));
        assertFalse(
                Files.exists(dir.resolve("segments").resolve(SegmentFormat.segmentName(2))),
                "made again from segment 1");
    }

    private static Map<String, byte[]> snapshot(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p)) {
                    files.put(root.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    private static void assertSnapshotEquals(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertTrue(java.util.Arrays.equals(bytes, actual.get(name)), name));
    }
}
