package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.identity.PeerIdentity.Refusal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who a peer is, from the test PKI's real certificates: every refusal, what it names, and which one wins. */
class PeerIdentifierTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40123);

    @TempDir
    Path dir;

    private static X509Certificate cert(String name) throws IOException {
        return CrlFile.readCa(TestPki.file(name));
    }

    private static PeerIdentifier identifier(Clock clock) {
        return new PeerIdentifier(CertificateRevocations.none(), clock);
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void identify_deviceOfTheFleet_acceptedWithTheIdOfItsSanUri() throws IOException {
        X509Certificate devA = cert("dev-a-cert.pem");
        PeerIdentity identity = identifier(Clock.systemUTC()).identify(devA, PEER);
        assertTrue(identity.accepted(), String.valueOf(identity.reason()));
        assertEquals("dev-a", identity.deviceId());
        assertSame(devA, identity.certificate());
    }

    @Test
    void identify_noCertificate_noIdentityNamingThePeersAddress() {
        PeerIdentity identity = identifier(Clock.systemUTC()).identify((X509Certificate) null, PEER);
        assertEquals(Refusal.NO_IDENTITY, identity.refusal());
        assertNull(identity.deviceId());
        assertEquals("unidentified peer " + PEER + " sent no client certificate", identity.reason());
    }

    @Test
    void identify_noDeviceSanUri_noIdentitySayingWhy() throws IOException {
        PeerIdentity identity = identifier(Clock.systemUTC()).identify(cert("no-san-cert.pem"), PEER);
        assertEquals(Refusal.NO_IDENTITY, identity.refusal());
        assertNull(identity.deviceId(), "an https URI naming dev-c is not a device id");
        assertEquals(
                "the client certificate of " + PEER + " names no device: it has no SAN URI urn:doorbell:device:<id>"
                        + " with a valid device id",
                identity.reason());
    }

    @Test
    void identify_twoDeviceIds_noIdentityAsAmbiguousNamingBothNeverTheFirst() throws IOException {
        PeerIdentity identity = identifier(Clock.systemUTC()).identify(cert("two-ids-cert.pem"), PEER);
        assertEquals(Refusal.NO_IDENTITY, identity.refusal());
        assertNull(identity.deviceId());
        assertTrue(
                identity.reason().contains("ambiguous") && identity.reason().contains("(dev-a, dev-b)"),
                identity.reason());
    }

    /** A resumed TLS session skips the trust manager's date check: the identifier's own check is the one that counts. */
    @Test
    void identify_atAndJustOutsideTheValidityDates_acceptedInsideRefusedOutside() throws IOException {
        X509Certificate devA = cert("dev-a-cert.pem");
        Instant from = devA.getNotBefore().toInstant();
        Instant to = devA.getNotAfter().toInstant();
        assertTrue(identifier(at(from)).identify(devA, PEER).accepted(), "valid from its first second");
        assertTrue(identifier(at(to)).identify(devA, PEER).accepted(), "valid up to its last second");
        for (Instant outside : new Instant[] {from.minus(Duration.ofSeconds(1)), to.plus(Duration.ofSeconds(1))}) {
            PeerIdentity identity = identifier(at(outside)).identify(devA, PEER);
            assertEquals(Refusal.NO_IDENTITY, identity.refusal(), outside.toString());
            assertEquals("dev-a", identity.deviceId(), "the refusal still names the device");
            assertEquals(
                    "the client certificate of device dev-a is valid from " + from + " to " + to + ", not now ("
                            + outside + ")",
                    identity.reason());
        }
    }

    @Test
    void identify_expiredAndNotYetValidCertificates_refusedAgainstTheRealClock() throws IOException {
        for (String name : new String[] {"expired-cert.pem", "not-yet-valid-cert.pem"}) {
            PeerIdentity identity = identifier(Clock.systemUTC()).identify(cert(name), PEER);
            assertEquals(Refusal.NO_IDENTITY, identity.refusal(), name);
            assertTrue(identity.reason().contains("not now"), identity.reason());
        }
    }

    @Test
    void identify_revokedCertificate_revokedNamingDeviceSerialAndReasonEvenOutsideItsDates() throws IOException {
        PeerIdentifier identifier =
                new PeerIdentifier(revocations("crl.pem"), at(Instant.parse("2150-01-01T00:00:00Z")));
        X509Certificate revoked = cert("revoked-cert.pem");
        PeerIdentity identity = identifier.identify(revoked, PEER);
        assertEquals(Refusal.REVOKED, identity.refusal(), "revocation is final and wins over the dates");
        assertEquals("dev-revoked", identity.deviceId());
        assertTrue(
                identity.reason()
                        .startsWith("device dev-revoked: certificate serial "
                                + revoked.getSerialNumber().toString(16)),
                identity.reason());
        assertTrue(
                identity.reason().contains("KEY_COMPROMISE")
                        && identity.reason().contains("CRL number 1")
                        && identity.reason().endsWith("refused from now on, ask the fleet operator for a new one"),
                identity.reason());
    }

    @Test
    void revocation_listTakenAfterTheHandshake_revokesThatIdentityOnly() throws IOException {
        CertificateRevocations revocations = revocations("crl.pem");
        PeerIdentifier identifier = new PeerIdentifier(revocations, Clock.systemUTC());
        PeerIdentity devB = identifier.identify(cert("dev-b-cert.pem"), PEER);
        PeerIdentity devA = identifier.identify(cert("dev-a-cert.pem"), PEER);
        assertTrue(devB.accepted() && devA.accepted());
        assertTrue(identifier.revocation(devB).isEmpty());

        install("crl-dev-b.pem");
        assertTrue(revocations.reloadIfChanged());
        PeerIdentity revoked = identifier.revocation(devB).orElseThrow();
        assertEquals(Refusal.REVOKED, revoked.refusal());
        assertEquals("dev-b", revoked.deviceId());
        assertTrue(
                revoked.reason().startsWith("device dev-b: ")
                        && revoked.reason().contains("CRL number 2"),
                revoked.reason());
        assertTrue(identifier.revocation(devA).isEmpty());
    }

    private CertificateRevocations revocations(String crl) throws IOException {
        install(crl);
        return CertificateRevocations.load(dir.resolve(CrlFile.FILE_NAME), cert("ca-cert.pem"), Clock.systemUTC());
    }

    private void install(String name) throws IOException {
        Path tmp = dir.resolve("crl.pem.tmp");
        Files.copy(TestPki.file(name), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
                tmp,
                dir.resolve(CrlFile.FILE_NAME),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
