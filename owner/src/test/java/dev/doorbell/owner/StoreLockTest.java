package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether an uplink holds a store (docs/FORMAT.md §6, "Live or stopped"), with real locks: another process's, and
 * one held in this JVM, which the probe must not drop by closing its own descriptor of the file.
 */
class StoreLockTest {
    @TempDir
    Path dir;

    @Test
    void probe_noLockFile_stopped() {
        assertFalse(StoreLock.probe(dir).live());
    }

    @Test
    void probe_lockFileNobodyHolds_stopped() throws Exception {
        Files.writeString(dir.resolve("lock"), "pid=1 host=x started=y\n");
        assertFalse(StoreLock.probe(dir).live());
    }

    @Test
    void probe_anotherProcessHoldsIt_liveWithItsPid() throws Exception {
        try (LockHolder holder = LockHolder.hold(dir)) {
            StoreLock.Holder probed = StoreLock.probe(dir);
            assertTrue(probed.live());
            assertEquals("uplink pid " + holder.pid(), probed.name());
        }
        assertFalse(StoreLock.probe(dir).live(), "the kernel drops the lock when its holder dies");
    }

    @Test
    void probe_thisJvmHoldsIt_liveAndTheLockStaysHeld() throws Exception {
        try (FileChannel uplink = FileChannel.open(
                dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = uplink.tryLock();
            uplink.write(ByteBuffer.wrap("pid=4242 host=here started=now\n".getBytes(StandardCharsets.US_ASCII)));

            StoreLock.Holder probed = StoreLock.probe(dir);
            assertTrue(probed.live());
            assertEquals("uplink pid 4242", probed.name());
            assertTrue(StoreLock.probe(dir).live(), "a second probe, through the kept descriptor");
            assertThrows(
                    IllegalStateException.class,
                    () -> LockHolder.hold(dir).close(),
                    "another process still cannot take the lock: the probe did not drop it");

            lock.release();
            assertFalse(StoreLock.probe(dir).live(), "released, the store is stopped");
        }
    }
}
