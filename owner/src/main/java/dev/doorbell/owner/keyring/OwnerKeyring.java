package dev.doorbell.owner.keyring;

import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.keys.RootKeyFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The owner's keyring: a directory of {@code <device>.root} files (docs/FORMAT.md §5), one root key per device.
 * All files are read and checked when the keyring is opened, so a bad file is reported at once, by name.
 */
public final class OwnerKeyring implements ClipOpener.KeySource {
    static final String SUFFIX = RootKeyFile.SUFFIX;

    private final Path dir;
    private final Map<String, RootKey> keys;

    private OwnerKeyring(Path dir, Map<String, RootKey> keys) {
        this.dir = dir;
        this.keys = keys;
    }

    public static OwnerKeyring open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new KeyFileException("owner keyring " + dir + " is not a directory");
        }
        Map<String, RootKey> keys = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                RootKey key = RootKeyFile.read(file);
                keys.put(key.deviceId(), key);
            }
        } catch (IOException e) {
            throw new KeyFileException("cannot list owner keyring " + dir + ": " + e.getMessage(), e);
        }
        return new OwnerKeyring(dir, keys);
    }

    /** Writes {@code <dir>/<device>.root} with mode 0600, atomically and durably. */
    public static void writeRootKey(Path dir, RootKey key) {
        writeRootKey(dir, key, true);
    }

    /** As {@link #writeRootKey(Path, RootKey)}; without {@code sync} the caller makes it durable later. */
    public static void writeRootKey(Path dir, RootKey key, boolean sync) {
        RootKeyFile.write(dir, key, sync);
    }

    /** The root key of {@code deviceId}; throws {@link KeyFileException} naming the expected file if there is none. */
    public RootKey rootKey(String deviceId) {
        RootKey key = keys.get(deviceId);
        if (key == null) {
            throw new KeyFileException("no root key for device '" + deviceId + "' in owner keyring " + dir
                    + " (expected " + dir.resolve(deviceId + SUFFIX).getFileName() + ")");
        }
        return key;
    }

    public Set<String> deviceIds() {
        return Collections.unmodifiableSet(keys.keySet());
    }

    /** K_(epoch) of {@code deviceId}, derived from its root key through cached checkpoints; owned by the caller. */
    public EpochKey epochKey(String deviceId, int epoch) {
        return rootKey(deviceId).epochKey(epoch);
    }

    /** For {@link ClipOpener}: a missing or bad key becomes a {@link KeyUnavailableException} naming the clip. */
    @Override
    public EpochKey epochKey(String deviceId, int epoch, long clipId) {
        try {
            return epochKey(deviceId, epoch);
        } catch (KeyFileException e) {
            throw new KeyUnavailableException(
                    "cannot open clip " + Long.toUnsignedString(clipId) + " of device " + deviceId + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
