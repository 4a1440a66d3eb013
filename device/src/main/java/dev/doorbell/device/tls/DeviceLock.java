package dev.doorbell.device.tls;

import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.proto.DirectoryLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One device directory, one device (docs/FIRMWARE.md, "The device directory"): the process that runs a device holds an
 * exclusive OS lock on {@code DEVICE_DIR/device.lock} (0600) for its whole life ({@link DirectoryLock}, as the
 * uplink's store). Two processes that both read {@code chain.state} and the recipient list would both seal the next
 * clips from the same state and send the same chain positions, so a second one is refused before it reads or writes
 * any of the device's state. The kernel drops the lock when the process ends, SIGKILL and a crash point included, so
 * a restarted device takes it again at once.
 *
 * <p>Take it before {@code DevicePairing.load}, before the fault plan's boot state and before pairing writes, and
 * close it last. A fleet's devices do not take it: they keep their chain in memory (docs/FLEET.md), and a descriptor
 * per device would halve how many devices one process can hold.
 */
public final class DeviceLock implements AutoCloseable {
    private final Path directory;
    private final DirectoryLock lock;

    private DeviceLock(Path directory, DirectoryLock lock) {
        this.directory = directory;
        this.lock = lock;
    }

    /**
     * Takes the lock of the provisioned device directory {@code dir}: checks that the provisioning files are there
     * (reading none of them), then locks, creating {@code device.lock} when missing.
     *
     * @throws DeviceDirectoryInUse when another process, or this one, holds it: nothing in the directory was touched
     * @throws DeviceDirectoryException when {@code dir} is not a provisioned device directory or cannot be locked
     */
    public static DeviceLock acquire(Path dir) {
        DeviceDirectory.requireProvisioned(dir);
        try {
            return new DeviceLock(dir, DirectoryLock.acquire(dir, DeviceFiles.LOCK));
        } catch (DirectoryLock.Held e) {
            throw new DeviceDirectoryInUse(dir, e.holderPid(), e.thisProcess());
        } catch (IOException e) {
            throw new DeviceDirectoryException(
                    "device directory " + dir + ": cannot lock " + DeviceFiles.LOCK + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses {@code dir} when a process holds its lock now, without taking it: for a command that checks every
     * directory before it writes into any (pairing), and then takes each lock while it writes.
     *
     * @throws DeviceDirectoryInUse naming the holder
     */
    public static void refuseIfInUse(Path dir) {
        Optional<Long> holder;
        try {
            holder = DirectoryLock.holder(dir, DeviceFiles.LOCK);
        } catch (IOException e) {
            throw new DeviceDirectoryException(
                    "device directory " + dir + ": cannot read " + DeviceFiles.LOCK + ": " + e.getMessage(), e);
        }
        if (holder.isPresent()) {
            throw new DeviceDirectoryInUse(
                    dir, holder.get(), holder.get() == ProcessHandle.current().pid());
        }
    }

    public Path directory() {
        return directory;
    }

    /** Releases the lock (the file stays); the device must not seal from this directory's state after this. */
    @Override
    public void close() {
        try {
            lock.close();
        } catch (IOException e) {
            throw new UncheckedIOException("device directory " + directory + ": cannot release " + DeviceFiles.LOCK, e);
        }
    }

    @Override
    public String toString() {
        return "DeviceLock{" + directory + "}";
    }
}
