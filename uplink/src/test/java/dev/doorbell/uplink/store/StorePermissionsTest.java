package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store files are private to the uplink's user, like the project's other private files (issue 9.5). */
class StorePermissionsTest {
    private static final String DEVICE = "front-door";

    @TempDir
    Path dir;

    @Test
    void open_newStoreWithDamagedRange_files0600AndFolders0700() throws Exception {
        Path store = dir.resolve("store");
        try (DirectoryStore s =
                DirectoryStore.open(store, StoreFixtures.options().withSegmentBytes(4096), StoreFixtures.CLOCK)) {
            storeClip(s, DEVICE, 1, 4, 1500, true);
        }
        // A damaged range makes damaged/ and its files.
        Path first = store.resolve("segments").resolve(SegmentFormat.segmentName(1));
        byte[] bytes = Files.readAllBytes(first);
        bytes[100] ^= 1;
        Files.write(first, bytes);
        StoreFixtures.open(store).close();
        Map<String, String> modes = modes(store);
        assertTrue(
                modes.keySet()
                        .containsAll(List.of(
                                ".",
                                "doorbell-store",
                                "lock",
                                "checkpoint",
                                "segments",
                                "segments/0000000001.seg",
                                "segments/0000000002.seg",
                                "damaged",
                                "damaged/ranges.txt")),
                modes.toString());
        modes.forEach((name, mode) ->
                assertEquals(Files.isDirectory(store.resolve(name)) ? "rwx------" : "rw-------", mode, name));
    }

    @Test
    void open_storeOfAnOlderUplink_narrowedTo0600And0700() throws Exception {
        Path store = dir.resolve("store");
        try (DirectoryStore s = StoreFixtures.open(store)) {
            storeClip(s, DEVICE, 1, 2, 100, true);
        }
        try (Stream<Path> all = Files.walk(store)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        StoreFixtures.open(store).close();
        modes(store)
                .forEach((name, mode) ->
                        assertEquals(Files.isDirectory(store.resolve(name)) ? "rwx------" : "rw-------", mode, name));
    }

    private static Map<String, String> modes(Path root) throws Exception {
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String name = root.equals(p) ? "." : root.relativize(p).toString();
                modes.put(name, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return modes;
    }
}
