package dev.doorbell.uplink.store;

import dev.doorbell.uplink.recipients.RecipientListFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One store, one uplink (docs/FORMAT.md §6, "The lock"): an exclusive OS lock on the whole of {@code STORE/lock},
 * taken before anything else in the store is read or written and held for the life of the process. The kernel
 * drops it when the process ends, SIGKILL included, so a stale lock file never blocks a restart.
 *
 * <p>On Linux these are POSIX (fcntl) locks, which belong to the process: closing any descriptor of the file in the
 * process drops them. So this process never opens the lock file of a store it holds a second time; {@link #HELD}
 * answers for it instead.
 */
public final class StoreLock implements AutoCloseable {
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");
    /** The stores this process holds, by real path. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
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
        Path key = dir.toRealPath();
        if (!HELD.add(key)) {
            throw new StoreLockedException(dir, ProcessHandle.current().pid(), true);
        }
        FileChannel channel = null;
        try {
            channel = StoreFiles.open(
                    file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                long holder = holderPid(channel);
                throw new StoreLockedException(dir, holder, false);
            }
            channel.truncate(0);
            String line = "pid=" + ProcessHandle.current().pid() + " host=" + hostName() + " started="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
            return new StoreLock(key, channel, lock);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    /**
     * Whether an uplink holds the store in {@code dir} now, without taking the store: a non-blocking shared lock on
     * the lock file, released at once. Empty when the store is not live; else the holder's pid, or -1 when the lock
     * file does not name one.
     */
    public static Optional<Long> holder(Path dir) throws IOException {
        Path file = dir.resolve(SegmentFormat.LOCK_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (HELD.contains(dir.toRealPath())) {
            return Optional.of(ProcessHandle.current().pid());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe;
            try {
                probe = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                probe = null;
            }
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
            return Optional.of(holderPid(channel));
        }
    }

    /** Releases the lock; the file stays (removing it would let two processes lock two different files). */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            HELD.remove(key);
        }
    }

    /** The pid the holder wrote into the lock file, or -1 when it is not (yet) readable. */
    private static long holderPid(FileChannel channel) {
        try {
            ByteBuffer head = ByteBuffer.allocate(256);
            channel.read(head, 0);
            Matcher m = PID.matcher(new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Empty but for recipient lists published before the first serve made the store there. */
    private static boolean empty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(entry -> entry.getFileName().toString().equals(RecipientListFiles.FOLDER));
        }
    }

    private static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = Files.readString(Path.of("/etc/hostname"), StandardCharsets.US_ASCII)
                        .strip();
            } catch (IOException e) {
                name = "";
            }
        }
        return name.isBlank() ? "unknown" : name.replaceAll("\\s", "_");
    }
}
