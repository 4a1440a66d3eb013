package dev.doorbell.device.testing;

import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.seal.v2.VerifyingKey;
import dev.doorbell.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;

/**
 * An owner for tests of the device, which may not see the owner's module: a signing key and the owner's own viewer
 * key, made with the format library directly, and what the owner's side does at pairing (certify the device's key,
 * sign its first recipient list). The owner's real tools live in {@code owner}; this is only what a device receives.
 */
public final class TestOwner {
    public static final long PAIRED_AT_MS = 1_760_000_000_000L;

    private final SecureRandom random;
    private final SigningKey signing;
    private final RecipientKeyPair viewer;

    public TestOwner() {
        this(new SecureRandom());
    }

    /** An owner whose keys, and the keys of the devices it pairs, come from {@code random} (seeded in some tests). */
    public TestOwner(SecureRandom random) {
        this.random = random;
        this.signing = SigningKey.generate(random);
        this.viewer = RecipientKeyPair.generate(RecipientPublicKey.OWNER, random);
    }

    public VerifyingKey publicKey() {
        return signing.publicKey();
    }

    public SigningKey signingKey() {
        return signing;
    }

    /** The owner's own viewer key: the one recipient of every first list. */
    public RecipientKeyPair viewer() {
        return viewer;
    }

    /** A SignedRecipientList for {@code deviceId}, signed by this owner. */
    public byte[] list(String deviceId, long version, List<RecipientPublicKey> recipients) {
        return RecipientLists.sign(signing, RecipientLists.list(deviceId, version, PAIRED_AT_MS + version, recipients));
    }

    /** Pairs a provisioned device directory as {@code doorbell pair} does: device key, certificate, first list. */
    public PairedDevice pair(Path deviceDir) {
        String deviceId = DevicePairing.deviceId(deviceDir);
        VerifyingKey deviceKey = DevicePairing.createSigningKey(deviceDir, random);
        byte[] certificate = DeviceKeyCertificates.issue(signing, deviceId, deviceKey, PAIRED_AT_MS);
        DevicePairing.install(deviceDir, publicKey(), certificate, list(deviceId, 1, List.of(viewer.publicKey())));
        return DevicePairing.load(deviceDir);
    }

    /**
     * A provisioned (not yet paired) device directory for {@code name} of the test PKI ({@code dev-a}, ...): its TLS
     * certificate and key, the CA certificate and device.properties, as provisioning writes them.
     */
    public static Path provisionedDirectory(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Files.copy(TestPki.file("ca-cert.pem"), dir.resolve(DeviceFiles.CA_CERT));
        Files.copy(TestPki.file(name + "-cert.pem"), dir.resolve(DeviceFiles.DEVICE_CERT));
        Files.copy(TestPki.file(name + "-key.pem"), dir.resolve(DeviceFiles.DEVICE_KEY));
        Files.setPosixFilePermissions(
                dir.resolve(DeviceFiles.DEVICE_KEY), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(
                dir.resolve(DeviceFiles.PROPERTIES),
                DeviceFiles.PROPERTY_DEVICE_ID + "=" + name + "\n",
                StandardCharsets.UTF_8);
        return dir;
    }
}
