package dev.doorbell.seal.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Crash-safe replacement of a private file: write a 0600 temporary file beside it, fsync it, rename it over the
 * target atomically, fsync the directory. After a crash the target holds either the old or the new contents.
 */
public final class DurableFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private DurableFiles() {}

    /**
     * The steps of one replacement, in order, for a caller that must act between them: the device's crash harness
     * (docs/FIRMWARE.md, "Crash safety") ends the process at one of them. The synced steps are reached only with
     * {@code sync}.
     */
    public enum Step {
        /** The temporary file holds the new contents (not yet forced to disk); the target is untouched. */
        TEMP_WRITTEN("temp-written"),
        /** The temporary file is forced to disk; the target is untouched. */
        TEMP_SYNCED("temp-synced"),
        /** The temporary file is renamed over the target: every reader now sees the new contents. */
        RENAMED("renamed"),
        /** The directory is forced to disk: the rename survives a power loss too. */
        DIR_SYNCED("dir-synced");

        private final String label;

        Step(String label) {
            this.label = label;
        }

        /** The step's name in crash point names, e.g. {@code renamed}. */
        public String label() {
            return label;
        }
    }

    /** Told of each {@link Step} as it is done, on the writing thread. */
    @FunctionalInterface
    public interface StepListener {
        StepListener NONE = step -> {};

        void reached(Step step);
    }

    /**
     * Replaces {@code file} with {@code content}; without {@code sync} nothing is forced to disk and the caller makes
     * the whole tree durable later (provisioning thousands of devices, then one sync of the file system).
     */
    public static void writePrivate(Path file, byte[] content, boolean sync) throws IOException {
        write(file, content, sync, OWNER_ONLY, StepListener.NONE);
    }

    /** As {@link #writePrivate(Path, byte[], boolean)}, telling {@code steps} of each step as it is done. */
    public static void writePrivate(Path file, byte[] content, boolean sync, StepListener steps) throws IOException {
        write(file, content, sync, OWNER_ONLY, steps);
    }

    /** As {@link #writePrivate}, for a file that holds nothing secret (a public key): mode 0644. */
    public static void writePublic(Path file, byte[] content, boolean sync) throws IOException {
        write(file, content, sync, WORLD_READABLE, StepListener.NONE);
    }

    private static void write(
            Path file, byte[] content, boolean sync, Set<PosixFilePermission> mode, StepListener steps)
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
                steps.reached(Step.TEMP_WRITTEN);
                if (sync) {
                    channel.force(true);
                    steps.reached(Step.TEMP_SYNCED);
                }
            }
            if (!mode.equals(OWNER_ONLY) && posix()) {
                Files.setPosixFilePermissions(temp, mode);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            steps.reached(Step.RENAMED);
        } finally {
            Files.deleteIfExists(temp);
        }
        if (sync) {
            fsyncDirectory(dir);
            steps.reached(Step.DIR_SYNCED);
        }
    }

    /**
     * Deletes the temporary files that replacements of {@code file} left when the process died between making one and
     * renaming it (kill -9, a power cut): each holds a copy of contents that never took effect, a private key's among
     * them, and they would pile up with every crash. Call it at start, while no replacement of {@code file} is under
     * way; returns how many it deleted.
     */
    public static int removeStaleTemporaries(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Pattern ours =
                Pattern.compile("\\." + Pattern.quote(target.getFileName().toString()) + "\\.[0-9]+\\.tmp");
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (ours.matcher(entry.getFileName().toString()).matches() && Files.deleteIfExists(entry)) {
                    deleted++;
                }
            }
        }
        return deleted;
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
