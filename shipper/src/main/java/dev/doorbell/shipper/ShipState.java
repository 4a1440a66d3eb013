package dev.doorbell.shipper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the shipper keeps in the store directory, {@code STORE/ship/} (docs/FORMAT.md §6, "Shipped to S3"):
 * {@code instance}, the store's instance id, made once (a random UUID) and never changed, which names the store's
 * folder in the bucket; and {@code state}, the newest segment whose object and checkpoint are both in the bucket.
 * Each is written whole (temporary file, fsync, rename, directory fsync), so a shipper killed at any point finds the
 * old or the new one. The state only saves work: the bucket itself is checked before anything is put (an object
 * already there with the same size and CRC32C is not put again).
 */
final class ShipState {
    static final String DIR = "ship";
    static final String INSTANCE = "instance";
    static final String STATE = "state";
    private static final Pattern SHIPPED = Pattern.compile("shipped=(\\d{1,18})\\s*");

    private final Path dir;
    private final String instance;

    private ShipState(Path dir, String instance) {
        this.dir = dir;
        this.instance = instance;
    }

    /** The store's shipping state; the instance id is made on first use. */
    static ShipState open(Path store) throws IOException {
        Path dir = store.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            force(store);
        }
        Path file = dir.resolve(INSTANCE);
        String instance;
        try {
            instance = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            instance = UUID.randomUUID().toString();
            writeWhole(dir, INSTANCE, instance + "\n");
        }
        if (!instance.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IOException(file + " holds '" + instance + "', not an instance id (a UUID)");
        }
        return new ShipState(dir, instance);
    }

    String instance() {
        return instance;
    }

    /** The newest segment shipped whole (object and checkpoint), 0 when none. */
    long shipped() throws IOException {
        Path file = dir.resolve(STATE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return 0;
        }
        Matcher m = SHIPPED.matcher(text);
        if (!m.matches()) {
            throw new IOException(file + " holds '" + text.strip() + "', not 'shipped=N'");
        }
        return Long.parseLong(m.group(1));
    }

    void shipped(long segment) throws IOException {
        writeWhole(dir, STATE, "shipped=" + segment + "\n");
    }

    private static void writeWhole(Path dir, String name, String content) throws IOException {
        Path temp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(
                temp,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        force(dir);
    }

    private static void force(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
