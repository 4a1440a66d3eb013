package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void writePrivate_replacesTheFile_mode0600_noTemporaryLeft() throws Exception {
        Path file = dir.resolve("sub").resolve("epoch.key");
        DurableFiles.writePrivate(file, new byte[] {1, 2, 3}, true);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        DurableFiles.writePrivate(file, new byte[] {4, 5}, false);
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void writePrivate_sync_tellsEachStepInOrder_unsyncedOnlyWrittenAndRenamed() throws Exception {
        Path file = dir.resolve("chain.state");
        List<DurableFiles.Step> steps = new ArrayList<>();
        DurableFiles.writePrivate(file, new byte[] {1}, true, step -> {
            steps.add(step);
            if (step == DurableFiles.Step.RENAMED) {
                assertTrue(Files.exists(file), "renamed: the target holds the new contents");
            }
        });
        assertEquals(List.of(DurableFiles.Step.values()), steps);
        steps.clear();
        DurableFiles.writePrivate(file, new byte[] {2}, false, steps::add);
        assertEquals(List.of(DurableFiles.Step.TEMP_WRITTEN, DurableFiles.Step.RENAMED), steps);
    }

    @Test
    void removeStaleTemporaries_onlyTheTemporariesOfThatFile() throws Exception {
        Path file = dir.resolve("chain.state");
        DurableFiles.writePrivate(file, new byte[] {1}, true);
        // Named as write() names them: what a process killed before its rename leaves.
        Path left1 = Files.createTempFile(dir, ".chain.state.", ".tmp");
        Path left2 = Files.createTempFile(dir, ".chain.state.", ".tmp");
        Path other = Files.createTempFile(dir, ".recipients.list.", ".tmp");
        Path notOurs = Files.writeString(dir.resolve(".chain.state.backup.tmp"), "x");

        assertEquals(2, DurableFiles.removeStaleTemporaries(file));

        assertFalse(Files.exists(left1));
        assertFalse(Files.exists(left2));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(notOurs));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(file));
        assertEquals(
                0, DurableFiles.removeStaleTemporaries(dir.resolve("absent").resolve("chain.state")));
    }

    @Test
    void zeroFill_fileOfSeveralBlocks_everyByteZeroedSizeUnchanged() throws Exception {
        Path file = dir.resolve("old.key");
        byte[] content = new byte[2 * 4096 + 1808];
        Arrays.fill(content, (byte) 0x5a);
        Files.write(file, content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            DurableFiles.zeroFill(channel);
        }
        assertArrayEquals(new byte[content.length], Files.readAllBytes(file));
    }
}
