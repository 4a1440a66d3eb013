package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRevocationsTest {
    @TempDir
    Path dir;

    private X509Certificate ca;
    private X509Certificate revoked;
    private X509Certificate devB;
    private X509Certificate devA;
    private Path crl;

    @BeforeEach
    void setUp() throws IOException {
        ca = CrlFile.readCa(TestPki.file("ca-cert.pem"));
        revoked = CrlFile.readCa(TestPki.file("revoked-cert.pem"));
        devB = CrlFile.readCa(TestPki.file("dev-b-cert.pem"));
        devA = CrlFile.readCa(TestPki.file("dev-a-cert.pem"));
        crl = dir.resolve(CrlFile.FILE_NAME);
    }

    @Test
    void load_crlOfFleetCa_revokedCertificateNamedWithSerialAndReason() throws IOException {
        install("crl.pem");
        CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
        String why = revocations.revocation(revoked).orElseThrow();
        assertTrue(why.contains(revoked.getSerialNumber().toString(16)), why);
        assertTrue(why.contains("KEY_COMPROMISE") && why.contains("CRL number 1"), why);
        assertTrue(revocations.revocation(devA).isEmpty());
        assertTrue(revocations.revocation(devB).isEmpty());
        assertEquals(BigInteger.ONE, CrlFile.number(CrlFile.read(crl, ca)));
    }

    @Test
    void load_noFile_nothingRevokedUntilOneAppears() throws IOException {
        CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
        assertTrue(revocations.revocation(revoked).isEmpty());
        assertFalse(revocations.reloadIfChanged());
        install("crl.pem");
        assertTrue(revocations.reloadIfChanged());
        assertTrue(revocations.revocation(revoked).isPresent());
    }

    @Test
    void load_forgedSignature_refusedNamingFile() throws IOException {
        install("crl-forged.pem");
        IOException e = assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC()));
        assertTrue(e.getMessage().contains(crl.toString()) && e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void load_notACrl_refusedNamingFile() throws IOException {
        Files.writeString(crl, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        IOException e = assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC()));
        assertTrue(e.getMessage().contains(crl.toString()), e.getMessage());
    }

    @Test
    void reload_newerList_takesEffect() throws IOException {
        install("crl.pem");
        CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
        assertFalse(revocations.reloadIfChanged(), "unchanged file");
        install("crl-dev-b.pem");
        assertTrue(revocations.reloadIfChanged());
        assertTrue(revocations.revocation(devB).orElseThrow().contains("SUPERSEDED"));
    }

    @Test
    void reload_forgedOrOlderOrDeleted_listInForceStays() throws IOException {
        install("crl-dev-b.pem");
        CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
        install("crl-forged.pem");
        assertFalse(revocations.reloadIfChanged());
        assertTrue(revocations.revocation(devB).isPresent(), "a forged list must not un-revoke");
        install("crl.pem");
        assertFalse(revocations.reloadIfChanged());
        assertTrue(revocations.revocation(devB).isPresent(), "CRL number 1 after 2 is a rollback");
        Files.delete(crl);
        assertFalse(revocations.reloadIfChanged());
        assertTrue(revocations.revocation(devB).isPresent(), "a deleted list must not un-revoke");
    }

    @Test
    void load_withDataDir_keepsTheListAndItsNumberPrivately() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        install("crl-dev-b.pem");
        CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);
        assertEquals("2\n", Files.readString(data.resolve(KeptCrl.NUMBER_FILE)));
        assertEquals(BigInteger.TWO, CrlFile.number(CrlFile.read(data.resolve(KeptCrl.LIST_FILE), ca)));
        for (String name : new String[] {KeptCrl.NUMBER_FILE, KeptCrl.LIST_FILE}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(name))));
        }
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void restart_lowerNumberOrNoFile_keptListInForceAndFileRefused() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        // Files of the store beside ours: they are none of this class's business.
        Files.writeString(data.resolve("lock"), "");
        Files.createDirectories(data.resolve("damaged"));
        install("crl-dev-b.pem");
        CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);

        install("crl.pem");
        CertificateRevocations rolledBack = CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);
        assertTrue(rolledBack.revocation(devB).orElseThrow().contains("CRL number 2"));
        assertEquals("CRL number 2, 2 revoked", rolledBack.describe());
        assertFalse(rolledBack.reloadIfChanged(), "the refused file is not taken later either");
        assertEquals("2\n", Files.readString(data.resolve(KeptCrl.NUMBER_FILE)));

        Files.delete(crl);
        CertificateRevocations removed = CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);
        assertTrue(removed.revocation(devB).isPresent(), "a removed file un-revokes nothing");
    }

    @Test
    void restart_numberKeptButListLostAndFileOlder_refusesToStart() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        install("crl-dev-b.pem");
        CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);
        Files.delete(data.resolve(KeptCrl.LIST_FILE));
        install("crl.pem");
        IOException e =
                assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC(), data));
        assertTrue(
                e.getMessage().contains("CRL number 2")
                        && e.getMessage().contains("lower number 1")
                        && e.getMessage().contains(crl.toString()),
                e.getMessage());
    }

    @Test
    void reload_newerList_keptForTheNextStart() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        install("crl.pem");
        CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC(), data);
        assertEquals("1\n", Files.readString(data.resolve(KeptCrl.NUMBER_FILE)));
        install("crl-dev-b.pem");
        assertTrue(revocations.reloadIfChanged());
        assertEquals("2\n", Files.readString(data.resolve(KeptCrl.NUMBER_FILE)));
        install("crl.pem");
        assertFalse(revocations.reloadIfChanged());
        assertEquals("2\n", Files.readString(data.resolve(KeptCrl.NUMBER_FILE)), "a refused list is not kept");
    }

    @Test
    void load_keptNumberNotANumber_refusedNamingTheFile() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve(KeptCrl.NUMBER_FILE), "two\n");
        install("crl.pem");
        IOException e =
                assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC(), data));
        assertTrue(e.getMessage().contains(data.resolve(KeptCrl.NUMBER_FILE).toString()), e.getMessage());
    }

    /** Replaced by a rename, as {@code doorbell revoke} does. */
    private void install(String name) throws IOException {
        TestPki.installCrl(name, crl);
    }
}
