package dev.doorbell.seal.v2;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.KeyFileText;
import dev.doorbell.seal.keys.SecretBytes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text key files of format v2 (docs/FORMAT.md §13), in the layout of §5 and through its one reader: owner.pub,
 * viewer.key, viewer.pub and a device's signing.key. Private files are written 0600, public ones 0644, each
 * atomically (temporary file, rename) and, unless told otherwise, durably. The owner's secret file is the owner
 * module's; it uses {@link KeyFileText} the same way.
 */
public final class KeyFiles {
    public static final String OWNER_PUBLIC_MAGIC = "doorbell-owner-public v2";
    public static final String VIEWER_KEY_MAGIC = "doorbell-viewer-key v2";
    public static final String VIEWER_PUBLIC_MAGIC = "doorbell-viewer-public v2";
    public static final String DEVICE_SIGNING_KEY_MAGIC = "doorbell-device-signing-key v2";
    /** The value of a viewer.pub's {@code kem:} line for kem 0x0020. */
    public static final String KEM_X25519 = "x25519";
    /** The value of a viewer.pub's or viewer.key's {@code kem:} line for kem 0x647a. */
    public static final String KEM_X_WING = "x-wing";

    private KeyFiles() {}

    /**
     * The value of owner.pub's optional {@code viewer-kem:} line: the kem of the owner's own viewer key named in its
     * lists (absent = x25519, as every owner.pub older versions wrote).
     */
    public static final String OWNER_VIEWER_KEM = "viewer-kem";

    /**
     * owner.pub: the owner's signing public key and its own viewer key (recipient name {@code owner}), X25519 or,
     * for an owner made or switched with {@code --pq}, X-Wing.
     */
    public record OwnerPublic(VerifyingKey signing, RecipientPublicKey viewer) {}

    /** signing.key: a device's own signing key. */
    public record DeviceSigningKey(String deviceId, SigningKey key) {}

    public static OwnerPublic readOwnerPublic(Path file) {
        Map<String, String> values =
                KeyFileText.parse(file, OWNER_PUBLIC_MAGIC, List.of("signing", "viewer"), List.of(OWNER_VIEWER_KEM));
        VerifyingKey signing = new VerifyingKey(KeyFileText.decodeKey(file, "signing", values.get("signing")));
        Kem kem = values.containsKey(OWNER_VIEWER_KEM)
                ? requireKem(file, OWNER_VIEWER_KEM, values.get(OWNER_VIEWER_KEM))
                : Kem.X25519;
        byte[] viewer = KeyFileText.decodePublic(file, "viewer", values.get("viewer"), kem.publicKeyBytes());
        try {
            return new OwnerPublic(signing, RecipientPublicKey.of(RecipientPublicKey.OWNER, kem, viewer));
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file + ": 'viewer' " + e.getMessage());
        }
    }

    public static void writeOwnerPublic(Path file, VerifyingKey signing, RecipientPublicKey viewer) {
        writeOwnerPublic(file, signing, viewer, true);
    }

    /** Without {@code sync} the caller makes the file durable later (a fleet pairs thousands, then syncs once). */
    public static void writeOwnerPublic(Path file, VerifyingKey signing, RecipientPublicKey viewer, boolean sync) {
        KeyFileText.writePublic(
                file, OWNER_PUBLIC_MAGIC, ownerPublicFields(signing, viewer), "the owner's public keys", sync);
    }

    private static Map<String, String> ownerPublicFields(VerifyingKey signing, RecipientPublicKey viewer) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("signing", base64(signing.bytes()));
        fields.put("viewer", base64(viewer.publicKey()));
        // An X25519 owner keeps the layout older versions wrote and read, without the line.
        if (viewer.kemType() != Kem.X25519) {
            fields.put(OWNER_VIEWER_KEM, viewer.kemType().fileName());
        }
        return fields;
    }

    /**
     * viewer.key: a viewer's name, its kem (a {@code kem:} line, absent in files of X25519 keys, which older versions
     * wrote without one) and its private key (the X25519 key, or the X-Wing seed: 32 bytes either way).
     */
    public static RecipientKeyPair readViewerKey(Path file) {
        Map<String, String> values = KeyFileText.parse(file, VIEWER_KEY_MAGIC, List.of("name", "key"), List.of("kem"));
        String name = requireName(file, values.get("name"));
        Kem kem = values.containsKey("kem") ? requireKem(file, values.get("kem")) : Kem.X25519;
        byte[] key = KeyFileText.decodeKey(file, values.get("key"));
        try {
            return RecipientKeyPair.fromPrivate(name, kem, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    public static void writeViewerKey(Path file, RecipientKeyPair pair) {
        writeViewerKey(file, pair, true);
    }

    public static void writeViewerKey(Path file, RecipientKeyPair pair, boolean sync) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", pair.name());
        // An X25519 key file keeps the layout older versions wrote and read, without a kem line.
        if (pair.kem() != Kem.X25519) {
            fields.put("kem", pair.kem().fileName());
        }
        writeSecret(file, VIEWER_KEY_MAGIC, fields, pair.privateKey(), "private key of viewer " + pair.name(), sync);
    }

    /** viewer.pub: a viewer's name, kem ({@code x25519} or {@code x-wing}) and public key of that kem's size. */
    public static RecipientPublicKey readViewerPublic(Path file) {
        Map<String, String> values = KeyFileText.parse(file, VIEWER_PUBLIC_MAGIC, List.of("name", "kem", "key"));
        String name = requireName(file, values.get("name"));
        Kem kem = requireKem(file, values.get("kem"));
        byte[] key = KeyFileText.decodePublic(file, "key", values.get("key"), kem.publicKeyBytes());
        try {
            return RecipientPublicKey.of(name, kem, key);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file + ": 'key' " + e.getMessage());
        }
    }

    public static void writeViewerPublic(Path file, RecipientPublicKey key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", key.name());
        fields.put("kem", key.kemType().fileName());
        fields.put("key", base64(key.publicKey()));
        KeyFileText.writePublic(file, VIEWER_PUBLIC_MAGIC, fields, "public key of viewer " + key.name(), true);
    }

    /** signing.key: the device id and the 32-byte Ed25519 seed. */
    public static DeviceSigningKey readDeviceSigningKey(Path file) {
        Map<String, String> values = KeyFileText.parse(file, DEVICE_SIGNING_KEY_MAGIC, List.of("device", "key"));
        String deviceId = values.get("device");
        if (!DeviceIds.isValid(deviceId)) {
            throw new KeyFileException(file + ": 'device' is not a valid device id: a device id is " + DeviceIds.RULE);
        }
        byte[] seed = KeyFileText.decodeKey(file, values.get("key"));
        try {
            return new DeviceSigningKey(deviceId, SigningKey.fromSeed(seed));
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    public static void writeDeviceSigningKey(Path file, String deviceId, SigningKey key) {
        writeDeviceSigningKey(file, deviceId, key, true);
    }

    /** Without {@code sync} the caller makes the file durable later (pairing a whole fleet, then one sync). */
    public static void writeDeviceSigningKey(Path file, String deviceId, SigningKey key, boolean sync) {
        DeviceIds.require(deviceId);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device", deviceId);
        writeSecret(file, DEVICE_SIGNING_KEY_MAGIC, fields, key.seed(), "signing key of device " + deviceId, sync);
    }

    /** Writes {@code secret} as the {@code key:} line, then zeroes it and every copy made on the way. */
    private static void writeSecret(
            Path file, String magic, Map<String, String> fields, byte[] secret, String what, boolean sync) {
        SecretBytes key = SecretBytes.copyOf(secret);
        Arrays.fill(secret, (byte) 0);
        try {
            KeyFileText.write(file, magic, fields, key, what, sync);
        } finally {
            key.destroy();
        }
    }

    private static Kem requireKem(Path file, String value) {
        return requireKem(file, "kem", value);
    }

    private static Kem requireKem(Path file, String field, String value) {
        return Kem.byFileName(value)
                .orElseThrow(() -> new KeyFileException(file + ": '" + field + "' must be " + KEM_X25519 + " or "
                        + KEM_X_WING + " (the kems of this version)"));
    }

    private static String requireName(Path file, String name) {
        if (!RecipientPublicKey.isValidName(name)) {
            throw new KeyFileException(
                    file + ": 'name' is not a valid recipient name: a name is " + RecipientPublicKey.NAME_RULE);
        }
        return name;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
