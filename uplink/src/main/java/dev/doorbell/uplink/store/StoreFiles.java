package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files and folders of a store are private to the uplink's user, like the other private files of the project:
 * files 0600, folders 0700, set when they are created (the umask can only take bits away). On a file system
 * without POSIX permissions they get its defaults.
 */
final class StoreFiles {
    private static final Logger log = LoggerFactory.getLogger(StoreFiles.class);
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");

    private StoreFiles() {}

    /** Creates {@code dir} (0700) unless it is already a directory. */
    static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (posix(dir.toAbsolutePath().getParent())) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FOLDER));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /** Opens {@code file}, creating it 0600 when the options say so. */
    static FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
        if (posix(file.toAbsolutePath().getParent())) {
            return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(FILE));
        }
        return FileChannel.open(file, options, new FileAttribute<?>[0]);
    }

    /**
     * Takes away group and other permissions that a store made by an older uplink (0644 files, 0755 folders) still
     * has; true when it did. Failures (another owner, a read-only mount) are logged and do not stop the store.
     */
    static boolean restrict(Path path, boolean folder) {
        try {
            if (!posix(path)) {
                return false;
            }
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(path);
            Set<PosixFilePermission> narrowed = EnumSet.noneOf(PosixFilePermission.class);
            narrowed.addAll(now);
            narrowed.retainAll(folder ? FOLDER : FILE);
            if (narrowed.equals(now)) {
                return false;
            }
            Files.setPosixFilePermissions(path, narrowed);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("store could not make {} private: {}", path, e.toString());
            return false;
        }
    }

    private static boolean posix(Path path) {
        return path != null
                && path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
