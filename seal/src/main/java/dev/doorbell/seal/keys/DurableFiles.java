package dev.doorbell.seal.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Crash-safe replacement of a private file: write a 0600 temporary file beside it, fsync it, rename it over the
 * target atomically, fsync the directory. After a crash the target holds either the old or the new contents.
 */
public final class DurableFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private DurableFiles() {}

    /**
     * Replaces {@code file} with {@code content}; without {@code sync} nothing is forced to disk and the caller makes
     * the whole tree durable later (provisioning thousands of devices, then one sync of the file system).
     */
    public static void writePrivate(Path file, byte[] content, boolean sync) throws IOException {
        write(file, content, sync, OWNER_ONLY);
    }

    /** As {@link #writePrivate}, for a file that holds nothing secret (a public key): mode 0644. */
    public static void writePublic(Path file, byte[] content, boolean sync) throws IOException {
        write(file, content, sync, WORLD_READABLE);
    }

    private static void write(Path file, byte[] content, boolean sync, Set<PosixFilePermission> mode)
            throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Made 0600 whatever the final mode: nothing readable by others exists before it holds its final contents.
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", ownerOnly());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (sync) {
                    channel.force(true);
                }
            }
            if (!mode.equals(OWNER_ONLY) && posix()) {
                Files.setPosixFilePermissions(temp, mode);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        if (sync) {
            fsyncDirectory(dir);
        }
    }

    /** Overwrites the contents of an open (possibly already unlinked) file with zeros and forces them to disk. */
    static void zeroFill(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer zeros = ByteBuffer.allocate(4096);
        for (long position = 0; position < size; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
            position += channel.write(zeros, position);
        }
        channel.force(true);
    }

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] ownerOnly() {
        if (posix()) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
        }
        return new FileAttribute<?>[0];
    }
}
