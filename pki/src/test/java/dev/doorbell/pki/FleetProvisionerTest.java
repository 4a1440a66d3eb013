package dev.doorbell.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.DeviceIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetProvisionerTest {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    @TempDir
    Path dir;

    private final RecordingEnrollment enrollment = new RecordingEnrollment();
    private final FleetProvisioner provisioner =
            new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), enrollment);

    @Test
    void provision_newFleet_writesLayoutWithPrivateModes() throws Exception {
        FleetLayout fleet =
                provision(ProvisionRequest.of(dir.resolve("fleet"), 2).withDeviceIds(List.of("front-door")));

        assertEquals(List.of("front-door", "doorbell-0001", "doorbell-0002"), Files.readAllLines(fleet.fleetList()));
        for (Path secret : List.of(fleet.caKey(), fleet.serverKey())) {
            assertMode("rw-------", secret);
        }
        for (Path privateDir : List.of(fleet.caDir(), fleet.uplinkDir())) {
            assertMode("rwx------", privateDir);
        }
        for (String id : List.of("front-door", "doorbell-0001", "doorbell-0002")) {
            Path device = fleet.device(id);
            assertMode("rwx------", device);
            assertMode("rw-------", device.resolve("device-key.pem"));
            assertMode("rw-------", device.resolve(RecordingEnrollment.FILE));
            assertMode("rw-r--r--", device.resolve("ca-cert.pem"));
            assertEquals(
                    Set.of(
                            "ca-cert.pem",
                            "device-cert.pem",
                            "device-key.pem",
                            RecordingEnrollment.FILE,
                            "device.properties"),
                    names(device));
            assertTrue(Files.readString(device.resolve("device.properties")).contains("device.id=" + id + "\n"));
            assertTrue(Files.readString(device.resolve("device-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
        }
    }

    @Test
    void provision_newFleet_deviceCertificateNamesDeviceAndChainsToCa() throws Exception {
        FleetLayout fleet =
                provision(ProvisionRequest.of(dir.resolve("fleet"), 0).withDeviceIds(List.of("porch-1")));
        X509Certificate ca = Pem.readCertificate(fleet.caCert());
        Path device = fleet.device("porch-1");
        X509Certificate cert = Pem.readCertificate(device.resolve("device-cert.pem"));

        assertEquals("CN=porch-1,O=doorbell", cert.getSubjectX500Principal().getName());
        assertEquals(List.of(List.of(6, DeviceIds.sanUri("porch-1"))), List.copyOf(cert.getSubjectAlternativeNames()));
        assertEquals(List.of(CLIENT_AUTH), cert.getExtendedKeyUsage());
        assertTrue(cert.getKeyUsage()[0], "digitalSignature");
        assertFalse(cert.getKeyUsage()[5], "keyCertSign");
        assertEquals(-1, cert.getBasicConstraints());
        assertTrue(cert.getSerialNumber().signum() > 0 && cert.getSerialNumber().bitLength() <= 128);
        assertChainsTo(ca, cert);
        assertKeyPair(Pem.readPrivateKey(device.resolve("device-key.pem")), cert.getPublicKey());
        assertArrayEquals(Files.readAllBytes(fleet.caCert()), Files.readAllBytes(device.resolve("ca-cert.pem")));
    }

    @Test
    void provision_device_keyAndCertificateNameTheP256CurveByOid() throws Exception {
        Path device = provision(ProvisionRequest.of(dir.resolve("fleet"), 1)).device("doorbell-0001");

        // The bytes as written, not re-encoded by a JDK provider: readers such as Python's cryptography refuse explicit
        // curve parameters, so both files must name the curve by its OID.
        PrivateKeyInfo key = (PrivateKeyInfo) readPem(device.resolve("device-key.pem"));
        X509CertificateHolder cert = (X509CertificateHolder) readPem(device.resolve("device-cert.pem"));
        assertEquals(
                SECObjectIdentifiers.secp256r1, key.getPrivateKeyAlgorithm().getParameters());
        assertEquals(
                SECObjectIdentifiers.secp256r1,
                cert.getSubjectPublicKeyInfo().getAlgorithm().getParameters());
        assertEquals(
                X9ObjectIdentifiers.ecdsa_with_SHA256,
                cert.getSignatureAlgorithm().getAlgorithm());
    }

    private static Object readPem(Path file) throws Exception {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            return parser.readObject();
        }
    }

    @Test
    void provision_newFleet_caSignsCertificatesOnly() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 1));
        X509Certificate ca = Pem.readCertificate(fleet.caCert());

        assertTrue(ca.getBasicConstraints() >= 0, "CA:true");
        assertTrue(ca.getKeyUsage()[5] && ca.getKeyUsage()[6], "keyCertSign and cRLSign");
        assertFalse(ca.getKeyUsage()[0], "digitalSignature");
        ca.verify(ca.getPublicKey());
        assertKeyPair(Pem.readPrivateKey(fleet.caKey()), ca.getPublicKey());
    }

    @Test
    void provision_uplinkNames_serverCertificateHasLocalhostLoopbackAndExtras() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 1)
                .withUplinkNames(List.of("uplink.example.org", "10.0.0.7", "::1")));
        X509Certificate server = Pem.readCertificate(fleet.serverCert());

        assertEquals(
                Set.of(
                        List.of(2, "localhost"),
                        List.of(2, "uplink.example.org"),
                        List.of(7, "127.0.0.1"),
                        List.of(7, "10.0.0.7"),
                        List.of(7, "0:0:0:0:0:0:0:1")),
                Set.copyOf(server.getSubjectAlternativeNames()));
        assertEquals(List.of(SERVER_AUTH), server.getExtendedKeyUsage());
        assertChainsTo(Pem.readCertificate(fleet.uplinkCaCert()), server);
        assertKeyPair(Pem.readPrivateKey(fleet.serverKey()), server.getPublicKey());
    }

    @Test
    void provision_newFleet_uplinkHoldsNoContentKey() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 3));

        assertEquals(Set.of("ca-cert.pem", "server-cert.pem", "server-key.pem", "crl.pem"), names(fleet.uplinkDir()));
        try (Stream<Path> files = Files.walk(fleet.uplinkDir())) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                assertFalse(text.contains("doorbell-epoch-key") || text.contains("doorbell-root-key"), file.toString());
            }
        }
    }

    @Test
    void provision_withoutEnrollment_writesNoContentKeyAnywhere() throws Exception {
        FleetLayout fleet = new FleetProvisioner(new SecureRandom(), Clock.systemUTC())
                .provision(ProvisionRequest.of(dir.resolve("fleet"), 3), (d, t) -> {})
                .layout();

        assertEquals(
                Set.of("ca-cert.pem", "device-cert.pem", "device-key.pem", "device.properties"),
                names(fleet.device("doorbell-0001")));
        assertFalse(Files.exists(fleet.ownerDir()), "the vendor's provisioning makes no owner's files");
        try (Stream<Path> files = Files.walk(fleet.root())) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                assertFalse(text.contains("doorbell-epoch-key") || text.contains("doorbell-root-key"), file.toString());
            }
        }
    }

    @Test
    void provision_enrollment_calledOncePerNewDeviceInItsDirectory() throws Exception {
        FleetLayout fleet =
                provision(ProvisionRequest.of(dir.resolve("fleet"), 2).withDeviceIds(List.of("porch")));

        assertEquals(Set.of("porch", "doorbell-0001", "doorbell-0002"), enrollment.enrolled);
        for (String id : enrollment.enrolled) {
            assertEquals(id + "\n", Files.readString(fleet.device(id).resolve(RecordingEnrollment.FILE)));
        }
    }

    @Test
    void provision_addDeviceTheEnrollmentHolds_refusedWithDeviceExists() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 1));
        enrollment.presentBefore.add("garage");

        ProvisionException e = assertThrows(
                ProvisionException.class,
                () -> provisioner.provision(
                        ProvisionRequest.of(fleet.root(), 0)
                                .withDeviceIds(List.of("garage"))
                                .withAdd(true),
                        (d, t) -> {}));

        assertEquals(ProvisionException.Code.DEVICE_EXISTS, e.code());
        assertFalse(Files.exists(fleet.device("garage")));
    }

    @Test
    void request_invalidDeviceId_refusedWithRuleBeforeAnythingIsWritten() {
        Path out = dir.resolve("fleet");
        for (String bad : List.of("Front-Door", "-door", "door-", "a".repeat(64), "door/../x", "")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ProvisionRequest.of(out, 1).withDeviceIds(List.of("ok-1", bad)));
            assertTrue(e.getMessage().contains(DeviceIds.RULE), e.getMessage());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void provision_nonEmptyOutputWithoutForce_refusedAndLeftAlone() throws Exception {
        Path out = Files.createDirectories(dir.resolve("fleet"));
        Files.writeString(out.resolve("notes.txt"), "mine");

        ProvisionException e = assertThrows(
                ProvisionException.class, () -> provisioner.provision(ProvisionRequest.of(out, 1), (d, t) -> {}));

        assertEquals(ProvisionException.Code.OUTPUT_EXISTS, e.code());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals(Set.of("notes.txt"), names(out));
    }

    @Test
    void provision_force_replacesFleetAndKeepsOtherFiles() throws Exception {
        FleetLayout first = provision(ProvisionRequest.of(dir.resolve("fleet"), 3));
        byte[] oldCa = Files.readAllBytes(first.caCert());
        Files.writeString(first.root().resolve("notes.txt"), "mine");

        FleetLayout second =
                provision(ProvisionRequest.of(dir.resolve("fleet"), 1).withForce(true));

        assertFalse(Arrays.equals(oldCa, Files.readAllBytes(second.caCert())));
        assertEquals(Set.of("doorbell-0001"), names(second.devicesDir()));
        assertEquals("mine", Files.readString(second.root().resolve("notes.txt")));
    }

    @Test
    void provision_add_reusesCaAndNumbersAfterExistingDevices() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 2));
        byte[] ca = Files.readAllBytes(fleet.caCert());
        byte[] server = Files.readAllBytes(fleet.serverCert());

        ProvisionResult added = provisioner.provision(
                ProvisionRequest.of(fleet.root(), 2)
                        .withDeviceIds(List.of("garage"))
                        .withAdd(true),
                (d, t) -> {});

        assertEquals(List.of("garage", "doorbell-0003", "doorbell-0004"), added.added());
        assertEquals(5, added.fleetSize());
        assertEquals(
                List.of("doorbell-0001", "doorbell-0002", "garage", "doorbell-0003", "doorbell-0004"),
                Files.readAllLines(fleet.fleetList()));
        assertArrayEquals(ca, Files.readAllBytes(fleet.caCert()));
        assertArrayEquals(server, Files.readAllBytes(fleet.serverCert()));
        assertChainsTo(
                Pem.readCertificate(fleet.caCert()),
                Pem.readCertificate(fleet.device("garage").resolve("device-cert.pem")));
        assertTrue(Files.isRegularFile(fleet.device("doorbell-0004").resolve(RecordingEnrollment.FILE)));
    }

    @Test
    void provision_addDeviceAlreadyInFleet_refusedWithDeviceExists() throws Exception {
        FleetLayout fleet = provision(ProvisionRequest.of(dir.resolve("fleet"), 2));
        byte[] deviceKey = Files.readAllBytes(fleet.device("doorbell-0002").resolve("device-key.pem"));

        ProvisionException e = assertThrows(
                ProvisionException.class,
                () -> provisioner.provision(
                        ProvisionRequest.of(fleet.root(), 0)
                                .withDeviceIds(List.of("new-one", "doorbell-0002"))
                                .withAdd(true),
                        (d, t) -> {}));

        assertEquals(ProvisionException.Code.DEVICE_EXISTS, e.code());
        assertTrue(e.getMessage().contains("doorbell-0002"), e.getMessage());
        assertFalse(Files.exists(fleet.device("new-one")));
        assertArrayEquals(
                deviceKey, Files.readAllBytes(fleet.device("doorbell-0002").resolve("device-key.pem")));
    }

    @Test
    void provision_addWithoutFleet_refusedAsNotAFleet() {
        Path out = dir.resolve("nothing-here");

        ProvisionException e = assertThrows(
                ProvisionException.class,
                () -> provisioner.provision(ProvisionRequest.of(out, 1).withAdd(true), (d, t) -> {}));

        assertEquals(ProvisionException.Code.NOT_A_FLEET, e.code());
        assertFalse(Files.exists(out));
    }

    private FleetLayout provision(ProvisionRequest request) throws ProvisionException {
        return provisioner.provision(request, (done, total) -> {}).layout();
    }

    private static void assertMode(String expected, Path path) throws Exception {
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), path.toString());
    }

    private static Set<String> names(Path directory) throws Exception {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** Full PKIX path validation (signature, validity, CA constraints, key usage), not just a signature check. */
    private static void assertChainsTo(X509Certificate ca, X509Certificate leaf) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    }

    private static void assertKeyPair(PrivateKey key, PublicKey publicKey) throws Exception {
        byte[] message = "key pair check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(message);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertTrue(verifier.verify(signer.sign()), "private key does not match the certificate");
    }
}
