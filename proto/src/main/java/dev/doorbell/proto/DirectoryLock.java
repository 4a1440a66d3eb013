package dev.doorbell.proto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One directory, one process: an exclusive OS lock on the whole of a lock file in the directory, held for the life of
 * the process. The uplink's store ({@code STORE/lock}, docs/FORMAT.md §6) and a device directory ({@code
 * DEVICE_DIR/device.lock}, docs/FIRMWARE.md) are owned this way. The kernel drops the lock when the process ends,
 * SIGKILL included, so a stale lock file never blocks a restart; the file stays, naming its last holder in one line,
 * {@code pid=N host=H started=T}.
 *
 * <p>On Linux these are POSIX (fcntl) record locks, which belong to the process: closing any descriptor of the file in
 * the process drops them. So this process never opens a lock file it holds a second time ({@link #HELD} answers for it
 * instead). Another implementation that takes the same lock must use fcntl locks too (Python's {@code fcntl.lockf}):
 * on Linux, {@code flock(2)} locks do not see them.
 */
public final class DirectoryLock implements AutoCloseable {
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");
    /** The lock files this process holds, by real path. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dir/fileName}, creating the file (0600) when missing, and writes this process's line
     * into it. {@code dir} must exist; nothing else in it is touched.
     *
     * @throws Held when another process, or this one, holds it
     */
    public static DirectoryLock acquire(Path dir, String fileName) throws IOException {
        Path key = dir.toRealPath().resolve(fileName);
        if (!HELD.add(key)) {
            throw new Held(dir, ProcessHandle.current().pid(), true);
        }
        FileChannel channel = null;
        try {
            channel = open(dir.resolve(fileName));
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new Held(dir, holderPid(channel), false);
            }
            channel.truncate(0);
            String line = "pid=" + ProcessHandle.current().pid() + " host=" + hostName() + " started="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
            return new DirectoryLock(key, channel, lock);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    /**
     * Whether a process holds the lock on {@code dir/fileName} now, without taking it: a non-blocking shared lock,
     * released at once. Empty when none does; else the holder's pid, or -1 when the lock file does not name one.
     */
    public static Optional<Long> holder(Path dir, String fileName) throws IOException {
        Path file = dir.resolve(fileName);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (HELD.contains(dir.toRealPath().resolve(fileName))) {
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

    /** "pid 1234" for a holder's pid, or "pid unknown" for -1 (a lock file that does not say). */
    public static String holderName(long pid) {
        return pid > 0 ? "pid " + pid : "pid unknown";
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

    /** The lock is held by another process, or already by this one; nothing in the directory was touched. */
    public static final class Held extends IOException {
        private static final long serialVersionUID = 1L;

        private final transient Path dir;
        private final long holderPid;
        private final boolean thisProcess;

        Held(Path dir, long holderPid, boolean thisProcess) {
            super(dir + " is locked by " + (thisProcess ? "this process" : "another process") + " ("
                    + DirectoryLock.holderName(holderPid) + ")");
            this.dir = dir;
            this.holderPid = holderPid;
            this.thisProcess = thisProcess;
        }

        public Path dir() {
            return dir;
        }

        /** The holder's pid as its lock file names it, or -1 when unknown. */
        public long holderPid() {
            return holderPid;
        }

        /** Whether this process holds it already (the same directory taken twice). */
        public boolean thisProcess() {
            return thisProcess;
        }

        /** "pid 1234", or "pid unknown" when the lock file does not say. */
        public String holderName() {
            return DirectoryLock.holderName(holderPid);
        }
    }

    /** Opens {@code file} for reading and writing, creating it 0600 where the file system has POSIX permissions. */
    private static FileChannel open(Path file) throws IOException {
        Set<StandardOpenOption> options =
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null
                && parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return FileChannel.open(
                    file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return FileChannel.open(file, options, new FileAttribute<?>[0]);
    }

    /** The pid the holder wrote into the lock file, read through {@code channel}, or -1 when not (yet) readable. */
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
