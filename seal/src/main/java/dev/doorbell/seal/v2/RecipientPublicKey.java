package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.Recipient;
import dev.doorbell.seal.internal.ClipFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One recipient of clips: a name (unique in a recipient list; {@code owner} is the owner's own viewer key), a KEM id
 * and the KEM's public key: DHKEM(X25519, HKDF-SHA256), kem 0x0020, with a 32-byte key, or the hybrid
 * post-quantum X-Wing, kem 0x647a, with a 1216-byte key ({@link Kem}). Compared by content.
 */
public record RecipientPublicKey(String name, int kem, byte[] publicKey) {
    /** RFC 9180 KEM id of DHKEM(X25519, HKDF-SHA256). */
    public static final int KEM_X25519 = 0x0020;
    /** KEM id of X-Wing (ML-KEM-768 and X25519, draft-connolly-cfrg-xwing-kem). */
    public static final int KEM_X_WING = 0x647a;

    public static final int X25519_PUBLIC_KEY_BYTES = 32;
    public static final int KEY_ID_BYTES = 8;
    /** The recipient name of the owner's own viewer key. */
    public static final String OWNER = "owner";
    /** What a recipient name may be: it names files ({@code viewers/<name>.pub}) and appears in lists and logs. */
    public static final String NAME_RULE =
            "1 to 63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public RecipientPublicKey {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("recipient name '" + name + "' is not valid: a name is " + NAME_RULE);
        }
        Kem type = Kem.byId(kem)
                .orElseThrow(() -> new IllegalArgumentException("recipient " + name + ": kem " + Kem.hex(kem)
                        + " is not supported; this version knows " + Kem.known()));
        if (publicKey == null || publicKey.length != type.publicKeyBytes()) {
            throw new IllegalArgumentException("recipient " + name + ": a public key of kem " + type.label() + " is "
                    + type.publicKeyBytes() + " bytes, not " + (publicKey == null ? "null" : publicKey.length));
        }
        String problem = Hpke.publicKeyProblem(type, publicKey);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "recipient " + name + ": the public key of kem " + type.label() + " is not usable: " + problem);
        }
        publicKey = publicKey.clone();
    }

    /** An X25519 recipient (kem 0x0020). */
    public static RecipientPublicKey x25519(String name, byte[] publicKey) {
        return new RecipientPublicKey(name, KEM_X25519, publicKey);
    }

    /** An X-Wing recipient (kem 0x647a). */
    public static RecipientPublicKey xWing(String name, byte[] publicKey) {
        return new RecipientPublicKey(name, KEM_X_WING, publicKey);
    }

    public static RecipientPublicKey of(String name, Kem kem, byte[] publicKey) {
        return new RecipientPublicKey(name, kem.id(), publicKey);
    }

    /** The kem as a {@link Kem}; the constructor admits known kems only. */
    public Kem kemType() {
        return Kem.byId(kem).orElseThrow();
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** A copy of the public key bytes. */
    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** {@code SHA-256(u16be(kem) ‖ public_key)[0..8)}: how a wrapped key names its recipient. */
    public byte[] keyId() {
        return keyId(kem, publicKey);
    }

    static byte[] keyId(int kem, byte[] publicKey) {
        byte[] digest = ClipFormat.sha256(ByteBuffer.allocate(2 + publicKey.length)
                .putShort((short) kem)
                .put(publicKey)
                .array());
        return Arrays.copyOf(digest, KEY_ID_BYTES);
    }

    /** The same recipient under another name (a key file's own name, a list's). */
    public RecipientPublicKey withName(String newName) {
        return new RecipientPublicKey(newName, kem, publicKey);
    }

    public Recipient toProto() {
        return Recipient.newBuilder()
                .setName(name)
                .setKem(kem)
                .setPublicKey(ByteString.copyFrom(publicKey))
                .build();
    }

    /**
     * The recipient of a list entry.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static RecipientPublicKey fromProto(Recipient recipient) {
        return new RecipientPublicKey(
                recipient.getName(),
                recipient.getKem(),
                recipient.getPublicKey().toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecipientPublicKey other
                && name.equals(other.name)
                && kem == other.kem
                && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + kem) + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "RecipientPublicKey{" + name + ", kem " + Kem.hex(kem) + ", key id "
                + HexFormat.of().formatHex(keyId()) + "}";
    }
}
