package dev.doorbell.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock within one process; the uplink's StoreLockProcessTest (fleet) and the app's DeviceDirectoryLockTest take
 * it from two real processes and SIGKILL the holder.
 */
class DirectoryLockTest {
    private static final String FILE = "test.lock";

    @TempDir
    Path dir;

    @Test
    void acquire_writesThisProcessesLineInA0600File_andReleasesOnClose() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (DirectoryLock lock = DirectoryLock.acquire(dir, FILE)) {
            String line = Files.readString(dir.resolve(FILE));
            assertTrue(line.matches("pid=" + pid + " host=\\S+ started=\\S+Z\n"), line);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(FILE))));
            assertEquals(pid, DirectoryLock.holder(dir, FILE).orElseThrow());
        }
        assertTrue(DirectoryLock.holder(dir, FILE).isEmpty(), "released on close");
        assertTrue(Files.exists(dir.resolve(FILE)), "the file stays");
    }

    @Test
    void acquire_twiceInOneProcess_refusedAsThisProcessAndTheFirstStaysHeld() throws Exception {
        try (DirectoryLock first = DirectoryLock.acquire(dir, FILE)) {
            String line = Files.readString(dir.resolve(FILE));
            DirectoryLock.Held e = assertThrows(DirectoryLock.Held.class, () -> DirectoryLock.acquire(dir, FILE));
            assertTrue(e.thisProcess());
            assertEquals(ProcessHandle.current().pid(), e.holderPid());
            assertEquals(line, Files.readString(dir.resolve(FILE)));
            assertEquals(
                    ProcessHandle.current().pid(),
                    DirectoryLock.holder(dir, FILE).orElseThrow());
        }
        try (DirectoryLock again = DirectoryLock.acquire(dir, FILE)) {
            assertTrue(DirectoryLock.holder(dir, FILE).isPresent());
        }
    }

    @Test
    void holder_noLockFile_noneAndNothingMade() throws Exception {
        assertTrue(DirectoryLock.holder(dir, FILE).isEmpty());
        assertTrue(Files.notExists(dir.resolve(FILE)));
    }

    @Test
    void holderName_unknownPid_saysSo() {
        assertEquals("pid 42", DirectoryLock.holderName(42));
        assertEquals("pid unknown", DirectoryLock.holderName(-1));
    }
}
