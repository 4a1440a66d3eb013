package dev.doorbell.seal.v2;

import java.util.Optional;

/**
 * The KEMs a recipient's key may be of (docs/FORMAT.md §9 and §12), with the sizes every check needs: the key
 * files, the list rules and the header checks read them here, and {@link Hpke} is the one place that does each
 * KEM's cryptography.
 */
public enum Kem {
    /** DHKEM(X25519, HKDF-SHA256) of RFC 9180: the private key is the X25519 scalar. */
    X25519(0x0020, "x25519", 32, 32, 32),
    /**
     * X-Wing (draft-connolly-cfrg-xwing-kem: ML-KEM-768 and X25519) as an HPKE KEM: the private key is the 32-byte
     * seed that the expanded decapsulation key is derived from whenever it is needed.
     */
    X_WING(0x647a, "x-wing", 1216, 32, 1120);

    private final int id;
    private final String fileName;
    private final int publicKeyBytes;
    private final int privateKeyBytes;
    private final int encBytes;

    Kem(int id, String fileName, int publicKeyBytes, int privateKeyBytes, int encBytes) {
        this.id = id;
        this.fileName = fileName;
        this.publicKeyBytes = publicKeyBytes;
        this.privateKeyBytes = privateKeyBytes;
        this.encBytes = encBytes;
    }

    /** The KEM id of RFC 9180 (and of the X-Wing draft): a recipient's and a wrapped key's {@code kem}. */
    public int id() {
        return id;
    }

    /** The value of the {@code kem:} line of a viewer.pub or viewer.key. */
    public String fileName() {
        return fileName;
    }

    public int publicKeyBytes() {
        return publicKeyBytes;
    }

    public int privateKeyBytes() {
        return privateKeyBytes;
    }

    /** The size of {@code enc}, the KEM's encapsulation in a wrapped key. */
    public int encBytes() {
        return encBytes;
    }

    public static Optional<Kem> byId(int id) {
        for (Kem kem : values()) {
            if (kem.id == id) {
                return Optional.of(kem);
            }
        }
        return Optional.empty();
    }

    public static Optional<Kem> byFileName(String name) {
        for (Kem kem : values()) {
            if (kem.fileName.equals(name)) {
                return Optional.of(kem);
            }
        }
        return Optional.empty();
    }

    /** "0x0020 (x25519)": how messages name a kem. */
    public String label() {
        return hex(id) + " (" + fileName + ")";
    }

    /** Every kem, for messages: "0x0020 (x25519) or 0x647a (x-wing)". */
    static String known() {
        return X25519.label() + " or " + X_WING.label();
    }

    static String hex(int id) {
        return String.format("0x%04x", id);
    }
}
