package dev.doorbell.uplink.store;

import dev.doorbell.proto.DirectoryLock;
import dev.doorbell.uplink.recipients.RecipientListFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One store, one uplink (docs/FORMAT.md §6, "The lock"): an exclusive OS lock on the whole of {@code STORE/lock},
 * taken before anything else in the store is read or written and held for the life of the process ({@link
 * DirectoryLock}, which a device directory is owned by too). The kernel drops it when the process ends, SIGKILL
 * included, so a stale lock file never blocks a restart.
 */
public final class StoreLock implements AutoCloseable {
    private final DirectoryLock lock;

    private StoreLock(DirectoryLock lock) {
        this.lock = lock;
    }

    /**
     * Takes the lock of the store in {@code dir}, creating the directory (0700) and the lock file (0600) when missing.
     * Nothing else in the directory is touched before the lock is held. A non-empty directory that has neither a
     * store marker nor a lock file is refused: the store never writes into a stranger's files.
     *
     * @throws StoreLockedException when another process (or this one) holds the store
     */
    public static StoreLock acquire(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        if (!Files.exists(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            StoreFiles.createDirectory(dir);
        }
        Path file = dir.resolve(SegmentFormat.LOCK_FILE);
        if (!Files.exists(file) && !Files.exists(dir.resolve(SegmentFormat.MARKER_FILE)) && !empty(dir)) {
            throw new IOException("refusing to make a store in " + dir + ": the directory is not empty and has no "
                    + SegmentFormat.MARKER_FILE + " marker");
        }
        try {
            return new StoreLock(DirectoryLock.acquire(dir, SegmentFormat.LOCK_FILE));
        } catch (DirectoryLock.Held e) {
            throw new StoreLockedException(dir, e);
        }
    }

    /**
     * Whether an uplink holds the store in {@code dir} now, without taking the store: a non-blocking shared lock on
     * the lock file, released at once. Empty when the store is not live; else the holder's pid, or -1 when the lock
     * file does not name one.
     */
    public static Optional<Long> holder(Path dir) throws IOException {
        return DirectoryLock.holder(dir, SegmentFormat.LOCK_FILE);
    }

    /** Releases the lock; the file stays (removing it would let two processes lock two different files). */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    /** Empty but for recipient lists published before the first serve made the store there. */
    private static boolean empty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(entry -> entry.getFileName().toString().equals(RecipientListFiles.FOLDER));
        }
    }
}
