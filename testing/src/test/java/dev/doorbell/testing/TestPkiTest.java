package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed test PKI, over real TLS 1.3 on loopback. */
class TestPkiTest {
    private static final long WAIT_SECONDS = 10;

    @AutoClose
    private final TlsLoopback loopback = new TlsLoopback();

    @TempDir
    Path tmp;

    @Test
    void files_listed_everyCommittedFileAndNoOther() throws IOException {
        Path committed =
                Path.of(System.getProperty("doorbell.root"), "testing/src/main/resources/dev/doorbell/testing/pki");
        List<String> onDisk;
        try (Stream<Path> files = Files.list(committed)) {
            onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("generate.sh"))
                    .sorted()
                    .toList();
        }
        assertEquals(onDisk, TestPki.FILES.stream().sorted().toList());
        for (String name : TestPki.FILES) {
            assertEquals(Files.size(committed.resolve(name)), Files.size(TestPki.file(name)), name);
        }
    }

    @Test
    void file_notInThePki_refusedNamingWhatThereIs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestPki.file("dev-z-cert.pem"));
        assertTrue(
                e.getMessage().contains("dev-z-cert.pem") && e.getMessage().contains("dev-a-cert.pem"), e.getMessage());
    }

    @Test
    void certificate_device_namesItsDeviceId() throws Exception {
        X509Certificate cert = TestPki.certificate("dev-b-cert.pem");
        assertTrue(
                cert.getSubjectAlternativeNames().contains(List.of(6, "urn:doorbell:device:dev-b")),
                String.valueOf(cert.getSubjectAlternativeNames()));
    }

    @Test
    void serverContext_deviceOfTheTestCa_handshakesTls13AndServerSeesItsCertificate() throws Exception {
        TlsLoopback.Server server = loopback.server(TestPki.serverContext());
        SSLSession client = loopback.connect(TestPki.clientContext("dev-a"), server.port(), "localhost")
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        SSLSession accepted = server.session(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("TLSv1.3", client.getProtocol());
        assertEquals(TestPki.certificate("dev-a-cert.pem"), accepted.getPeerCertificates()[0]);
    }

    @Test
    void serverContext_deviceOfAnotherCa_refusedBothWays() throws Exception {
        TlsLoopback.Server server = loopback.server(TestPki.serverContext());
        loopback.connect(TestPki.clientContext("foreign-dev-a"), server.port(), "localhost");
        assertThrows(ExecutionException.class, () -> server.session(0).get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void installCrl_existingList_replacedWholeByTheOther() throws Exception {
        Path tls = TestPki.copyServerFiles(tmp.resolve("tls"));
        Path crl = tls.resolve(TestPki.CRL_FILE);
        TestPki.installCrl("crl.pem", crl);
        TestPki.installCrl("crl-dev-b.pem", crl);
        assertEquals(Files.readString(TestPki.file("crl-dev-b.pem")), Files.readString(crl));
        try (Stream<Path> files = Files.list(tls)) {
            assertEquals(
                    List.of("ca-cert.pem", "crl.pem", "server-cert.pem", "server-key.pem"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
