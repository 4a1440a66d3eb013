package dev.doorbell.owner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an uplink holds a store (docs/FORMAT.md §6, "The lock file"): a shared lock on the whole of
 * {@code STORE/lock} that is refused means a live uplink; the reader takes it, if granted, only to release it at once.
 */
final class StoreLock {
    static final String FILE = "lock";
    private static final Pattern PID = Pattern.compile("(?:^|\\s)pid=(\\d+)(?:\\s|$)");

    /**
     * Channels that must stay open: POSIX record locks belong to a process, and closing any descriptor of the file
     * drops every lock this process holds on it, so a reader running inside the uplink's own JVM (tests do) would
     * silently release the uplink's lock by closing its channel. Such a channel is kept until a later probe finds the
     * lock free.
     */
    private static final Map<Path, FileChannel> HELD_HERE = new ConcurrentHashMap<>();

    /** Who holds the store. */
    record Holder(boolean live, String pid, String problem) {
        static final Holder STOPPED = new Holder(false, null, null);

        /** "uplink pid 1234", or "uplink pid unknown" when the lock file does not say. */
        String name() {
            return "uplink pid " + (pid == null ? "unknown" : pid);
        }
    }

    private StoreLock() {}

    static Holder probe(Path storeDir) {
        Path lock = storeDir.resolve(FILE).toAbsolutePath().normalize();
        FileChannel channel = HELD_HERE.remove(lock);
        try {
            if (channel == null) {
                channel = FileChannel.open(lock, StandardOpenOption.READ);
            }
        } catch (NoSuchFileException e) {
            return Holder.STOPPED;
        } catch (IOException e) {
            return new Holder(
                    false,
                    null,
                    "cannot test whether an uplink holds " + lock + " (" + e.getMessage()
                            + "): read as a stopped store");
        }
        try {
            FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
            if (shared != null) {
                shared.release();
                channel.close();
                return Holder.STOPPED;
            }
            Holder live = new Holder(true, pid(channel), null);
            channel.close();
            return live;
        } catch (OverlappingFileLockException e) {
            HELD_HERE.put(lock, channel);
            return new Holder(true, pid(channel), null);
        } catch (IOException e) {
            closeQuietly(channel);
            return new Holder(
                    false,
                    null,
                    "cannot test whether an uplink holds " + lock + " (" + e.getMessage()
                            + "): read as a stopped store");
        }
    }

    /** The holder's pid from its line in the lock file, read through {@code channel} (never another descriptor). */
    private static String pid(FileChannel channel) {
        try {
            ByteBuffer line = ByteBuffer.allocate(512);
            int n;
            do {
                n = channel.read(line, line.position());
            } while (n > 0 && line.hasRemaining());
            Matcher m = PID.matcher(new String(line.array(), 0, line.position(), StandardCharsets.US_ASCII));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was locked through this channel; the reader reads no further from it.
        }
    }
}
