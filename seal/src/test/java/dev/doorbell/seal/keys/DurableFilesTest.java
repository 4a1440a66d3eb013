package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
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
