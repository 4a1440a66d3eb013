package dev.doorbell.owner.identity;

import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import javax.security.auth.Destroyable;

/**
 * A viewer's directory (a phone, a laptop), made where the viewer lives so that its private key never travels:
 *
 * <pre>
 *   VIEWER/viewer.key   doorbell-viewer-key v2: name, kem (X-Wing only), the private key   0600
 *   VIEWER/viewer.pub   doorbell-viewer-public v2: name, kem, public key   0644 (give it to the owner)
 *   VIEWER/owner.pub    the owner's public keys, copied from the owner         0644 (to check devices' keys)
 * </pre>
 *
 * As an {@link Identity} it opens the clips whose list named this viewer, trusting devices certified by the owner
 * of owner.pub; it has no record of pairings, so it cannot say which key was paired.
 */
public final class ViewerDirectory implements Identity, Destroyable {
    public static final String KEY_FILE = "viewer.key";
    public static final String PUBLIC_FILE = "viewer.pub";
    public static final String OWNER_PUBLIC_FILE = OwnerDirectory.PUBLIC_FILE;

    private final Path dir;
    private final RecipientKeyPair key;
    private final VerifyingKey owner;

    private ViewerDirectory(Path dir, RecipientKeyPair key, VerifyingKey owner) {
        this.dir = dir;
        this.key = key;
        this.owner = owner;
    }

    /** Makes {@code dir} (new or empty, 0700) with a fresh X25519 key pair for viewer {@code name}. */
    public static RecipientPublicKey create(Path dir, String name, SecureRandom random) {
        return create(dir, name, Kem.X25519, random);
    }

    /**
     * Makes {@code dir} (new or empty, 0700) with a fresh key pair of {@code kem} for viewer {@code name} (X-Wing for
     * a viewer whose clips must stay closed to a future quantum computer); returns its public key.
     */
    public static RecipientPublicKey create(Path dir, String name, Kem kem, SecureRandom random) {
        ViewerNames.require(name);
        if (OwnerDirectory.OWNER_VIEWER.equals(name)) {
            throw new IdentityException("the viewer name '" + name + "' is the owner's own; choose another");
        }
        OwnerFiles.createIdentityDirectory(dir, "viewer directory");
        RecipientKeyPair pair = RecipientKeyPair.generate(name, kem, random);
        try {
            KeyFiles.writeViewerKey(dir.resolve(KEY_FILE), pair);
            KeyFiles.writeViewerPublic(dir.resolve(PUBLIC_FILE), pair.publicKey());
            OwnerFiles.syncDirectory(dir);
            return pair.publicKey();
        } catch (IOException | KeyFileException e) {
            throw new IdentityException("cannot write the viewer directory " + dir + ": " + e.getMessage(), e);
        } finally {
            pair.destroy();
        }
    }

    /** Opens a viewer directory: viewer.key (0600) and the owner's owner.pub, which the viewer must have been given. */
    public static ViewerDirectory load(Path dir) {
        Path keyFile = dir.resolve(KEY_FILE);
        if (!Files.isRegularFile(keyFile)) {
            throw new IdentityException(dir + " is not a viewer directory: it has no " + KEY_FILE
                    + " (make one with 'doorbell owner viewer new --out DIR --name NAME')");
        }
        Path ownerFile = dir.resolve(OWNER_PUBLIC_FILE);
        if (!Files.isRegularFile(ownerFile)) {
            throw new IdentityException("viewer directory " + dir + " has no " + OWNER_PUBLIC_FILE + ": copy the"
                    + " owner's OWNER/owner.pub there ('doorbell owner viewer add ... --viewer-dir " + dir
                    + "' does it)");
        }
        OwnerFiles.requireOwnerOnly(keyFile);
        VerifyingKey owner = KeyFiles.readOwnerPublic(ownerFile).signing();
        return new ViewerDirectory(dir, KeyFiles.readViewerKey(keyFile), owner);
    }

    /**
     * The viewer's key alone, for opening a share: the share carries the owner's public key, so owner.pub is not
     * needed; when it is there, {@link #ownerKeyIfKnown} lets the caller check that the share is from that owner.
     */
    public static RecipientKeyPair loadKey(Path dir) {
        Path keyFile = dir.resolve(KEY_FILE);
        if (!Files.isRegularFile(keyFile)) {
            throw new IdentityException(dir + " is not a viewer directory: it has no " + KEY_FILE
                    + " (make one with 'doorbell owner viewer new --out DIR --name NAME')");
        }
        OwnerFiles.requireOwnerOnly(keyFile);
        return KeyFiles.readViewerKey(keyFile);
    }

    /** The owner's signing key from {@code dir}/owner.pub, when the viewer has it. */
    public static Optional<VerifyingKey> ownerKeyIfKnown(Path dir) {
        Path ownerFile = dir.resolve(OWNER_PUBLIC_FILE);
        return Files.isRegularFile(ownerFile)
                ? Optional.of(KeyFiles.readOwnerPublic(ownerFile).signing())
                : Optional.empty();
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return key.publicKey().name();
    }

    @Override
    public VerifyingKey ownerKey() {
        return owner;
    }

    @Override
    public Optional<VerifyingKey> pairedDeviceKey(String deviceId) {
        return Optional.empty();
    }

    @Override
    public List<RecipientKeyPair> recipientKeys() {
        return List.of(key);
    }

    @Override
    public void destroy() {
        key.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return key.isDestroyed();
    }

    @Override
    public String toString() {
        return "ViewerDirectory[" + dir + ", " + name() + "]";
    }
}
