package dev.doorbell.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes the files of a fleet with the right modes from the first byte: a private file is created 0600 (never
 * created readable and narrowed later), a directory that holds private files 0700. Every file goes to a temporary
 * name first, is forced to disk and is renamed into place, so a reader never sees half a key. A new directory entry
 * is durable only once its directory is synced: either here ({@code durable}) or by the caller, once per directory
 * after its last file, which is what makes a large fleet fast ({@link #syncDirectory}).
 */
final class PrivateFiles {
    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");
    static final Set<PosixFilePermission> PUBLIC_DIR = PosixFilePermissions.fromString("rwxr-xr-x");

    private PrivateFiles() {}

    /** Creates {@code dir} (and missing parents) and sets it to 0700, whatever the umask. */
    static Path privateDirectory(Path dir) throws IOException {
        return directory(dir, PRIVATE_DIR);
    }

    /** Creates {@code dir} (and missing parents) and sets it to 0755: for folders that hold only public files. */
    static Path publicDirectory(Path dir) throws IOException {
        return directory(dir, PUBLIC_DIR);
    }

    /**
     * Writes a secret with mode 0600, its contents forced to disk before the rename. When {@code durable}, the
     * directory is synced after the rename too; otherwise the caller syncs it.
     */
    static void writePrivate(Path file, byte[] contents, boolean durable) throws IOException {
        write(file, contents, PRIVATE_FILE, durable);
    }

    static void writePrivate(Path file, String contents, boolean durable) throws IOException {
        write(file, contents.getBytes(StandardCharsets.UTF_8), PRIVATE_FILE, durable);
    }

    /** Writes a file anyone may read (certificates, fleet lists, README), forced to disk; the caller syncs the folder. */
    static void writePublic(Path file, String contents) throws IOException {
        write(file, contents.getBytes(StandardCharsets.UTF_8), PUBLIC_FILE, false);
    }

    /**
     * Writes a file (temporary name, then rename) without forcing anything to disk: for the thousands of device files
     * of a fleet, which {@link FleetSync} makes durable all at once before provisioning reports success.
     */
    static void writeDeferred(Path file, String contents, Set<PosixFilePermission> mode) throws IOException {
        write(file, contents.getBytes(StandardCharsets.UTF_8), mode, false, false);
    }

    /**
     * Makes {@code file} a hard link to {@code existing}, a public file already written and forced to disk, so that
     * ten thousand devices share one inode of the CA certificate instead of ten thousand writes and fsyncs; writes
     * {@code contents} instead where the file system has no hard links. Either way the caller syncs the directory.
     */
    static void linkPublic(Path file, Path existing, String contents) throws IOException {
        try {
            Files.createLink(file, existing);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            writePublic(file, contents);
        }
    }

    private static Path directory(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(mode));
        }
        Files.setPosixFilePermissions(dir, mode);
        return dir;
    }

    private static void write(Path file, byte[] contents, Set<PosixFilePermission> mode, boolean durable)
            throws IOException {
        write(file, contents, mode, true, durable);
    }

    private static void write(Path file, byte[] contents, Set<PosixFilePermission> mode, boolean force, boolean durable)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(mode);
        try (FileChannel channel =
                FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attribute)) {
            ByteBuffer buffer = ByteBuffer.wrap(contents);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (force) {
                channel.force(true);
            }
        }
        // The umask can only remove bits, but a public file must be readable by the uplink's user whatever it is.
        Files.setPosixFilePermissions(tmp, mode);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        if (durable) {
            syncDirectory(file.getParent());
        }
    }

    /** Makes a rename or a new entry in {@code dir} durable (Linux allows fsync on a directory opened read-only). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
