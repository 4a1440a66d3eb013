package dev.doorbell.uplink.recipients;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The published recipient lists of a data directory: {@code DIR/recipient-lists/<device>.list}, one per device, the
 * highest version published, as the operator published it (SignedRecipientList bytes). Written by {@code
 * publish-recipients}, read by the running uplink on each Hello, so that a list published while it runs is relayed
 * at the device's next connection and no list is held in memory. Files 0600, the folder 0700; a list replaces
 * another by temporary file, fsync, rename and directory fsync, so a reader sees the old list or the new one whole.
 */
public final class RecipientListFiles {
    public static final String FOLDER = "recipient-lists";
    static final String SUFFIX = ".list";
    private static final String LOCK = ".publish.lock";
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");

    /** What {@link #publish} did with one list. */
    public enum Outcome {
        /** Stored: the device had no list here, or an older one. */
        STORED,
        /** Not stored: the folder holds this version or a higher one already. */
        KEPT
    }

    /** The outcome, and the version held before (0: none). */
    public record Published(Outcome outcome, long before) {}

    private final Path dataDirectory;
    private final Path folder;

    public RecipientListFiles(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
        this.folder = dataDirectory.resolve(FOLDER);
    }

    public Path folder() {
        return folder;
    }

    /** The file of a device's list (the id is checked by the caller: device ids are file-name safe). */
    public Path fileOf(String deviceId) {
        return folder.resolve(deviceId + SUFFIX);
    }

    /**
     * Stores {@code list} unless the device already has this version or a higher one here. Publishers serialize on a
     * lock file, so that two at once cannot put an older list over a newer one.
     */
    public Published publish(PublishedList list) throws IOException {
        if (!Files.isDirectory(dataDirectory)) {
            throw new NoSuchFileException(dataDirectory.toString(), null, "the uplink's data directory does not exist");
        }
        createFolder();
        try (FileChannel lockFile = FileChannel.open(
                        folder.resolve(LOCK),
                        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        attributes(FILE_MODE));
                FileLock ignored = lockFile.lock()) {
            long before = 0;
            Optional<PublishedList> held = read(list.deviceId());
            if (held.isPresent()) {
                before = held.get().version();
                if (Long.compareUnsigned(before, list.version()) >= 0) {
                    return new Published(Outcome.KEPT, before);
                }
            }
            Path target = fileOf(list.deviceId());
            Path temp = folder.resolve(list.deviceId() + SUFFIX + ".tmp");
            Files.deleteIfExists(temp);
            try (FileChannel out = FileChannel.open(
                    temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes(FILE_MODE))) {
                ByteBuffer bytes = list.signedList().asReadOnlyByteBuffer();
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncFolder();
            return new Published(Outcome.STORED, before);
        }
    }

    /**
     * The device's published list, or empty when none was published. A file that is not a list for this device
     * (damaged, or put there by hand) is a {@link MalformedListException} naming it.
     */
    public Optional<PublishedList> read(String deviceId) throws IOException {
        Path file = fileOf(deviceId);
        ByteString bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // One byte beyond the largest list is enough to refuse a file that is too large, without reading it all.
            bytes = ByteString.copyFrom(in.readNBytes(PublishedList.MAX_BYTES + 1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        PublishedList list;
        try {
            list = PublishedList.parse(file.toString(), bytes);
        } catch (MalformedListException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!list.deviceId().equals(deviceId)) {
            throw new IOException(file + " holds the list of device " + list.deviceId() + ", not " + deviceId);
        }
        return Optional.of(list);
    }

    private void createFolder() throws IOException {
        try {
            Files.createDirectory(folder, attributes(FOLDER_MODE));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(folder)) {
                throw e;
            }
        }
    }

    private void syncFolder() throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private FileAttribute<?>[] attributes(Set<PosixFilePermission> mode) {
        return dataDirectory.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
    }
}
