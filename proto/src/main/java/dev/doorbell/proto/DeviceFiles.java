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
    /** {@code device.id} and facts about the certificate. */
    public static final String PROPERTIES = "device.properties";

    public static final String PROPERTY_DEVICE_ID = "device.id";

    private DeviceFiles() {}
}
