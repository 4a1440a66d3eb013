package dev.doorbell.owner.identity;

import dev.doorbell.seal.keys.DurableFiles;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How the owner's side puts files on disk: directories 0700, private files 0600, public files 0644, each file
 * replaced atomically (a temporary file beside it, fsync, rename, fsync of the directory), so that a crash leaves the
 * old or the new contents and never a file readable by others before it has its final mode.
 */
final class OwnerFiles {
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private OwnerFiles() {}

    /**
     * Makes {@code dir} (and missing parents) as a new 0700 directory for an identity, or takes an existing empty
     * directory and makes it 0700; refuses a file or a directory that holds anything, so that no identity is ever
     * overwritten.
     */
    static void createIdentityDirectory(Path dir, String what) {
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IdentityException(what + " " + dir + " exists and is not a directory");
                }
                try (Stream<Path> entries = Files.list(dir)) {
                    Path first = entries.findFirst().orElse(null);
                    if (first != null) {
                        throw new IdentityException(what + " " + dir + " is not empty (it holds " + first.getFileName()
                                + "); give a new or empty directory, nothing is overwritten");
                    }
                }
                if (posix()) {
                    Files.setPosixFilePermissions(dir, DIRECTORY);
                }
            } else {
                Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.createDirectory(dir, directoryMode());
            }
        } catch (IOException e) {
            throw new IdentityException("cannot make " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A 0700 directory under an identity directory, made if missing. */
    static Path privateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, directoryMode());
        }
        return dir;
    }

    static void writePrivate(Path file, byte[] content, boolean sync) throws IOException {
        DurableFiles.writePrivate(file, content, sync);
    }

    static void writePublic(Path file, byte[] content, boolean sync) throws IOException {
        DurableFiles.writePublic(file, content, sync);
    }

    static void syncDirectory(Path dir) throws IOException {
        DurableFiles.fsyncDirectory(dir);
    }

    /**
     * Refuses a private file that others may read or write, as ssh refuses such a key: a secret that was exposed is
     * not one to keep using without noticing.
     */
    static void requireOwnerOnly(Path file) {
        if (!posix()) {
            return;
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : mode) {
                if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
                    throw new IdentityException(file + " has mode " + PosixFilePermissions.toString(mode)
                            + ", readable or writable by others; it must be rw------- (chmod 600 " + file
                            + "), and if others could read it, treat the secret as known to them");
                }
            }
        } catch (IOException e) {
            throw new IdentityException("cannot read the mode of " + file + ": " + e.getMessage(), e);
        }
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] directoryMode() {
        return fileMode(DIRECTORY);
    }

    private static FileAttribute<?>[] fileMode(Set<PosixFilePermission> mode) {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }
}
