package dev.doorbell.owner.identity;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.KeyFileText;
import dev.doorbell.seal.keys.SecretBytes;
import dev.doorbell.seal.v2.CertificateRefused;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.Destroyable;

/**
 * The owner's directory (docs/FORMAT.md "Format v2", the owner), on the owner's machine only:
 *
 * <pre>
 *   OWNER/owner.secret        doorbell-owner-secret v2, key: base64(S)                 0600
 *   OWNER/owner.pub           doorbell-owner-public v2, signing and listed viewer keys 0644
 *   OWNER/viewers/NAME.pub    each recipient's public key; owner.pub is the owner's own   (0700 directory)
 *   OWNER/devices/ID.cert     the device key certificate made when ID was paired        (0700 directory)
 *   OWNER/lists/ID.list       the newest signed recipient list issued for ID            (0700 directory)
 * </pre>
 *
 * Everything but the viewers' keys, the certificates and the lists is derived from {@code S}, so that
 * {@link #recover} from the phrase writes owner.secret and owner.pub byte for byte as {@link #init} did. As an
 * {@link Identity} it opens clips with both of the owner's own viewer keys (X25519 and X-Wing, both derived from
 * {@code S}), whichever a clip was wrapped to, and checks each clip's device key against the certificate kept at
 * pairing. Which of the two its lists name as recipient {@value #OWNER_VIEWER} is owner.pub's choice ({@code
 * viewer-kem}): X-Wing for an owner made, recovered or switched with {@code --pq}.
 */
public final class OwnerDirectory implements Identity, Destroyable {
    public static final String SECRET_FILE = "owner.secret";
    public static final String SECRET_MAGIC = "doorbell-owner-secret v2";
    public static final String PUBLIC_FILE = "owner.pub";
    public static final String VIEWERS = "viewers";
    public static final String DEVICES = "devices";
    public static final String LISTS = "lists";
    /** The recipient name of the owner's own viewer key, which is always in every list. */
    public static final String OWNER_VIEWER = "owner";

    static final String CERT_SUFFIX = ".cert";
    static final String LIST_SUFFIX = ".list";
    static final String VIEWER_SUFFIX = ".pub";

    private final Path dir;
    private final SigningKey signingKey;
    private final RecipientKeyPair x25519ViewerKey;
    private final RecipientKeyPair xWingViewerKey;
    private volatile Kem listedKem;

    private OwnerDirectory(
            Path dir,
            SigningKey signingKey,
            RecipientKeyPair x25519ViewerKey,
            RecipientKeyPair xWingViewerKey,
            Kem listedKem) {
        this.dir = dir;
        this.signingKey = signingKey;
        this.x25519ViewerKey = x25519ViewerKey;
        this.xWingViewerKey = xWingViewerKey;
        this.listedKem = listedKem;
    }

    /**
     * A new owner: a fresh secret from {@code random}, written into {@code dir} (new or empty, made 0700). The
     * returned phrase is the only copy of the secret outside owner.secret: show it to the owner once.
     */
    public static Created init(Path dir, SecureRandom random) {
        return init(dir, random, Kem.X25519);
    }

    /** {@link #init(Path, SecureRandom)} whose lists name the owner's own viewer key of {@code listedKem}. */
    public static Created init(Path dir, SecureRandom random, Kem listedKem) {
        OwnerFiles.createIdentityDirectory(dir, "owner directory");
        OwnerSecret secret = OwnerSecret.generate(random);
        try {
            OwnerDirectory owner = write(dir, secret, listedKem);
            return new Created(owner, secret.phrase());
        } finally {
            secret.destroy();
        }
    }

    /** Rebuilds the owner's directory in {@code dir} (new or empty) from the recovery phrase. */
    public static OwnerDirectory recover(Path dir, String phrase) throws RecoveryPhraseException {
        return recover(dir, phrase, Kem.X25519);
    }

    /**
     * {@link #recover(Path, String)} for an owner whose lists name its own viewer key of {@code listedKem} (the phrase
     * alone cannot say which; both keys are derived from it and both open clips either way).
     */
    public static OwnerDirectory recover(Path dir, String phrase, Kem listedKem) throws RecoveryPhraseException {
        OwnerSecret secret = OwnerSecret.fromPhrase(phrase);
        try {
            OwnerFiles.createIdentityDirectory(dir, "owner directory");
            return write(dir, secret, listedKem);
        } finally {
            secret.destroy();
        }
    }

    /**
     * Opens an existing owner directory: owner.secret must be 0600 and owner.pub must be what the secret derives
     * (a directory put together from two owners is refused).
     */
    public static OwnerDirectory load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IdentityException("owner directory " + dir + " does not exist or is not a directory (make one"
                    + " with 'doorbell owner init --out " + dir + "')");
        }
        Path secretFile = dir.resolve(SECRET_FILE);
        if (!Files.exists(secretFile)) {
            throw new IdentityException(dir + " is not an owner directory: it has no " + SECRET_FILE);
        }
        OwnerFiles.requireOwnerOnly(secretFile);
        OwnerSecret secret = readSecret(secretFile);
        try {
            KeyFiles.OwnerPublic written = KeyFiles.readOwnerPublic(dir.resolve(PUBLIC_FILE));
            OwnerDirectory owner = derive(dir, secret, written.viewer().kemType());
            if (!written.signing().equals(owner.ownerKey())
                    || !Arrays.equals(
                            written.viewer().publicKey(),
                            owner.viewerKey().publicKey().publicKey())) {
                owner.destroy();
                throw new IdentityException(dir.resolve(PUBLIC_FILE) + " does not hold the public keys of "
                        + secretFile + " (files of two different owners?); 'doorbell owner recover' rewrites it from"
                        + " the phrase");
            }
            return owner;
        } finally {
            secret.destroy();
        }
    }

    private static OwnerSecret readSecret(Path file) {
        Map<String, String> fields = KeyFileText.parse(file, SECRET_MAGIC, List.of("key"));
        byte[] s = KeyFileText.decodeKey(file, fields.get("key"));
        try {
            return OwnerSecret.fromBytes(s);
        } finally {
            Arrays.fill(s, (byte) 0);
        }
    }

    private static OwnerDirectory write(Path dir, OwnerSecret secret, Kem listedKem) {
        OwnerDirectory owner = derive(dir, secret, listedKem);
        try {
            byte[] s = secret.bytes();
            SecretBytes key = SecretBytes.copyOf(s);
            Arrays.fill(s, (byte) 0);
            try {
                KeyFileText.write(dir.resolve(SECRET_FILE), SECRET_MAGIC, Map.of(), key, "the owner's secret", true);
            } finally {
                key.destroy();
            }
            OwnerFiles.privateDirectory(dir.resolve(VIEWERS));
            OwnerFiles.privateDirectory(dir.resolve(DEVICES));
            OwnerFiles.privateDirectory(dir.resolve(LISTS));
            owner.writePublicFiles();
            OwnerFiles.syncDirectory(dir);
            return owner;
        } catch (IOException | KeyFileException e) {
            owner.destroy();
            throw new IdentityException("cannot write the owner directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** owner.pub and viewers/owner.pub, which name the listed key of the owner's two viewer keys. */
    private void writePublicFiles() {
        KeyFiles.writeOwnerPublic(
                dir.resolve(PUBLIC_FILE), ownerKey(), viewerKey().publicKey());
        KeyFiles.writeViewerPublic(
                dir.resolve(VIEWERS).resolve(OWNER_VIEWER + VIEWER_SUFFIX),
                viewerKey().publicKey());
    }

    private static OwnerDirectory derive(Path dir, OwnerSecret secret, Kem listedKem) {
        byte[] seed = secret.signingKeySeed();
        byte[] ikm = secret.viewerKeyMaterial();
        byte[] xWingSeed = secret.xWingViewerKeySeed();
        try {
            return new OwnerDirectory(
                    dir,
                    SigningKey.fromSeed(seed),
                    RecipientKeyPair.derive(OWNER_VIEWER, ikm),
                    RecipientKeyPair.fromPrivate(OWNER_VIEWER, Kem.X_WING, xWingSeed),
                    listedKem);
        } finally {
            Arrays.fill(seed, (byte) 0);
            Arrays.fill(ikm, (byte) 0);
            Arrays.fill(xWingSeed, (byte) 0);
        }
    }

    /**
     * Makes the lists this owner issues from now on name its own viewer key of {@code kem} (owner.pub's {@code
     * viewer-kem}, and viewers/owner.pub); issuing them is the caller's ({@link RecipientSet#issueAll}). Returns
     * whether anything changed.
     */
    public boolean useListedKem(Kem kem) {
        if (kem == listedKem) {
            return false;
        }
        listedKem = kem;
        try {
            writePublicFiles();
            OwnerFiles.syncDirectory(dir);
        } catch (IOException | KeyFileException e) {
            throw new IdentityException(
                    "cannot rewrite the public keys of owner directory " + dir + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** The kem of the owner's own viewer key its lists name: X25519, or X-Wing for a {@code --pq} owner. */
    public Kem listedKem() {
        return listedKem;
    }

    public Path dir() {
        return dir;
    }

    /** The owner's signing key: recipient lists, device key certificates, shares. */
    public SigningKey signingKey() {
        return signingKey;
    }

    /** The owner's own viewer key its lists name, recipient {@value #OWNER_VIEWER} in every list. */
    public RecipientKeyPair viewerKey() {
        return listedKem == Kem.X_WING ? xWingViewerKey : x25519ViewerKey;
    }

    @Override
    public VerifyingKey ownerKey() {
        return signingKey.publicKey();
    }

    /**
     * The key certified when {@code deviceId} was paired, from devices/ID.cert checked under the owner's key; empty
     * when the device was never paired with this owner.
     */
    @Override
    public Optional<VerifyingKey> pairedDeviceKey(String deviceId) {
        Optional<byte[]> certificate = deviceCertificate(deviceId);
        if (certificate.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(DeviceKeyCertificates.verify(ownerKey(), deviceId, certificate.get()));
        } catch (CertificateRefused e) {
            throw new IdentityException(
                    certificateFile(deviceId) + " is not a certificate of this owner for " + deviceId + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public List<RecipientKeyPair> recipientKeys() {
        // Both: a clip wrapped before the owner switched kems (or by a device that still has an older list) opens too.
        return List.of(x25519ViewerKey, xWingViewerKey);
    }

    /** The signed device key certificate of {@code deviceId} made at pairing, if it was paired with this owner. */
    public Optional<byte[]> deviceCertificate(String deviceId) {
        if (!DeviceIds.isValid(deviceId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(certificateFile(deviceId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IdentityException("cannot read " + certificateFile(deviceId) + ": " + e.getMessage(), e);
        }
    }

    /** The ids of the devices paired with this owner (devices/*.cert), in order. */
    public Set<String> pairedDevices() {
        Set<String> ids = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(DEVICES), "*" + CERT_SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - CERT_SUFFIX.length());
                if (DeviceIds.isValid(id)) {
                    ids.add(id);
                }
            }
        } catch (NoSuchFileException e) {
            return ids;
        } catch (IOException e) {
            throw new IdentityException("cannot list " + dir.resolve(DEVICES) + ": " + e.getMessage(), e);
        }
        return ids;
    }

    public Path certificateFile(String deviceId) {
        return dir.resolve(DEVICES).resolve(deviceId + CERT_SUFFIX);
    }

    public Path listFile(String deviceId) {
        return dir.resolve(LISTS).resolve(deviceId + LIST_SUFFIX);
    }

    public Path viewersDir() {
        return dir.resolve(VIEWERS);
    }

    @Override
    public void destroy() {
        signingKey.destroy();
        x25519ViewerKey.destroy();
        xWingViewerKey.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return signingKey.isDestroyed();
    }

    @Override
    public String toString() {
        return "OwnerDirectory[" + dir + "]";
    }

    /** A new owner directory and its recovery phrase, which {@link #toString()} does not print. */
    public static final class Created {
        private final OwnerDirectory owner;
        private final String phrase;

        Created(OwnerDirectory owner, String phrase) {
            this.owner = owner;
            this.phrase = phrase;
        }

        public OwnerDirectory owner() {
            return owner;
        }

        /** The 24 words: show them once, write them nowhere a log or a backup of the machine could keep them. */
        public String phrase() {
            return phrase;
        }

        @Override
        public String toString() {
            return "Created[" + owner.dir() + ", phrase not shown]";
        }
    }
}
