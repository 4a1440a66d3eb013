package dev.doorbell.pki;

import dev.doorbell.proto.DeviceFiles;
import java.nio.file.Path;

/**
 * Where {@code provision} puts each file of a fleet. The split is the security model on disk: {@code uplink/}
 * holds no content key, {@code devices/} holds TLS identities only (a device gets its signing key and the owner's
 * public key at pairing), {@code ca/} stays offline; nothing of an owner's is in a fleet directory.
 *
 * @param root the fleet directory, {@code --out}
 */
public record FleetLayout(Path root) {
    public static final String README = "README.txt";
    public static final String FLEET_LIST = "fleet.txt";
    public static final String CA_KEY = "ca-key.pem";
    public static final String SERVER_CERT = "server-cert.pem";
    public static final String SERVER_KEY = "server-key.pem";

    public Path readme() {
        return root.resolve(README);
    }

    public Path fleetList() {
        return root.resolve(FLEET_LIST);
    }

    public Path caDir() {
        return root.resolve("ca");
    }

    public Path caCert() {
        return caDir().resolve(DeviceFiles.CA_CERT);
    }

    public Path caKey() {
        return caDir().resolve(CA_KEY);
    }

    /** Everything the uplink needs, and nothing that can decrypt. */
    public Path uplinkDir() {
        return root.resolve("uplink");
    }

    public Path uplinkCaCert() {
        return uplinkDir().resolve(DeviceFiles.CA_CERT);
    }

    /** The CA's record of revoked device certificates, from which every CRL is made. */
    public Path revokedList() {
        return caDir().resolve(CrlLedger.FILE_NAME);
    }

    /** The revocation list the uplink reads and reloads. */
    public Path uplinkCrl() {
        return uplinkDir().resolve(CrlPublisher.CRL_FILE);
    }

    public Path serverCert() {
        return uplinkDir().resolve(SERVER_CERT);
    }

    public Path serverKey() {
        return uplinkDir().resolve(SERVER_KEY);
    }

    public Path devicesDir() {
        return root.resolve("devices");
    }

    public Path device(String deviceId) {
        return devicesDir().resolve(deviceId);
    }

    /** The devices reserved for {@code doorbell conformance} ({@link ConformanceDevices}), apart from the fleet's. */
    public Path conformanceDir() {
        return root.resolve("conformance");
    }

    public Path conformanceDevice(String deviceId) {
        return conformanceDir().resolve(deviceId);
    }

    public Path ownerDir() {
        return root.resolve("owner");
    }

    /**
     * Where the format v1 test tools (the fleet's v1 enrolment) keep a keyring of root keys beside a test fleet;
     * provisioning never writes or reads it.
     */
    public Path ownerKeyringDir() {
        return ownerDir().resolve("keyring");
    }
}
