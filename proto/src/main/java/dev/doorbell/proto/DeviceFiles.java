package dev.doorbell.proto;

/**
 * The names of the files in a device directory (docs/FORMAT.md §5): written by the vendor's provisioning and the
 * owner's enrolment, read by the device. One place, so that writer and reader agree.
 */
public final class DeviceFiles {
    /** The fleet CA's certificate: the device trusts uplinks whose certificate it signed. */
    public static final String CA_CERT = "ca-cert.pem";
    /** The device's TLS certificate, naming {@code urn:doorbell:device:<id>}. */
    public static final String DEVICE_CERT = "device-cert.pem";
    /** The device's TLS private key (PKCS#8). */
    public static final String DEVICE_KEY = "device-key.pem";
    /** The device's current epoch key (FORMAT.md §1). */
    public static final String EPOCH_KEY = "epoch.key";
    /** Format v2, written at pairing on the device: the device's own Ed25519 signing key (V2-SPEC §3). */
    public static final String SIGNING_KEY = "signing.key";
    /** Format v2, from the owner at pairing: the owner's signing public key, the device's trust anchor. */
    public static final String OWNER_PUB = "owner.pub";
    /** Format v2, from the owner at pairing: the SignedDeviceKeyCertificate of the device's signing key. */
    public static final String DEVICE_KEY_CERT = "device-key.cert";
    /** Format v2: the owner-signed recipient list in use (SignedRecipientList bytes), replaced by newer ones. */
    public static final String RECIPIENTS_LIST = "recipients.list";
    /**
     * Held locked by the one process that runs the device ({@link DirectoryLock}; docs/FIRMWARE.md, "The device
     * directory"): one device directory, one device. Its one line names the last holder's pid.
     */
    public static final String LOCK = "device.lock";
    /** {@code device.id} and facts about the certificate. */
    public static final String PROPERTIES = "device.properties";

    public static final String PROPERTY_DEVICE_ID = "device.id";

    private DeviceFiles() {}
}
