package dev.doorbell.owner.keyring;

import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.EpochKeyFile;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.RootKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The owner's side of enrolling a new device (format v1): the owner's keyring gets a fresh root key {@code R} in
 * {@code <device>.root}, the device gets {@code K_0} in {@code epoch.key} (docs/FORMAT.md §1 and §5). The vendor's
 * provisioning calls this through its enrolment hook and never sees either key; nothing here is written anywhere the
 * uplink reads.
 */
public final class ContentKeyWriter {
    static final String ROOT_SUFFIX = OwnerKeyring.SUFFIX;

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final SecureRandom random;
    private final Path keyringDir;

    /** Writes root keys into {@code keyringDir}, made 0700 (with its parent) at the first write when missing. */
    public ContentKeyWriter(SecureRandom random, Path keyringDir) {
        this.random = random;
        this.keyringDir = keyringDir;
    }

    /**
     * Writes {@code deviceDir/epoch.key} and {@code <keyring>/<deviceId>.root}, both 0600, not yet forced to disk:
     * the provisioner makes the fleet durable at once.
     */
    public void write(String deviceId, Path deviceDir) throws IOException {
        privateDirectory(keyringDir.getParent());
        privateDirectory(keyringDir);
        RootKey root = RootKey.generate(deviceId, random);
        EpochKey first = root.epochKey(0);
        try {
            EpochKeyFile.write(deviceDir.resolve(DeviceFiles.EPOCH_KEY), first, false);
            OwnerKeyring.writeRootKey(keyringDir, root, false);
        } catch (KeyFileException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            first.destroy();
            root.destroy();
        }
    }

    /** Whether the keyring holds a root key for {@code deviceId} already. */
    public boolean holds(String deviceId) {
        return Files.exists(rootKeyFile(deviceId));
    }

    private static void privateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            // Another device's write made it first: provisioning writes devices from several threads.
        }
    }

    /** Where the root key of {@code deviceId} is kept. */
    public Path rootKeyFile(String deviceId) {
        return keyringDir.resolve(deviceId + ROOT_SUFFIX);
    }
}
