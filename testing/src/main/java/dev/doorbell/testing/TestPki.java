package dev.doorbell.testing;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * The committed test PKI (resources {@code dev/doorbell/testing/pki}, made by {@code generate.sh} there with the
 * openssl CLI): the test fleet CA, the uplink's certificate for localhost and 127.0.0.1, devices dev-a, dev-b and
 * dev-c, the certificates an uplink must refuse (expired, not yet valid, revoked, another CA's, no device id, two
 * device ids) and the CA's revocation lists. Loaded, never generated, so that it needs neither BouncyCastle nor a
 * party module: the uplink's tests use it as well as the device's. A {@code NAME} below is the part before
 * {@code -cert.pem} / {@code -key.pem}.
 */
public final class TestPki {
    /** Every file of the test PKI. */
    public static final List<String> FILES = List.of(
            "ca-cert.pem",
            "ca-key.pem",
            "other-ca-cert.pem",
            "server-cert.pem",
            "server-key.pem",
            "dev-a-cert.pem",
            "dev-a-key.pem",
            "dev-b-cert.pem",
            "dev-b-key.pem",
            "dev-c-cert.pem",
            "dev-c-key.pem",
            "foreign-dev-a-cert.pem",
            "foreign-dev-a-key.pem",
            "no-san-cert.pem",
            "no-san-key.pem",
            "two-ids-cert.pem",
            "two-ids-key.pem",
            "expired-cert.pem",
            "expired-key.pem",
            "not-yet-valid-cert.pem",
            "not-yet-valid-key.pem",
            "revoked-cert.pem",
            "revoked-key.pem",
            "crl.pem",
            "crl-dev-b.pem",
            "crl-forged.pem");
    /** The name of the revocation list in an uplink's TLS directory. */
    public static final String CRL_FILE = "crl.pem";

    private static final String RESOURCES = "/dev/doorbell/testing/pki/";
    private static Path dir;

    private TestPki() {}

    /**
     * The test PKI as a directory, which an uplink can serve TLS from ({@code --tls}): a copy made once per JVM, since
     * the resources may be inside a jar, and removed when the JVM exits. Copy files out of it to change them.
     */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                Path copy = Files.createTempDirectory("doorbell-test-pki-");
                for (String name : FILES) {
                    try (InputStream in = TestPki.class.getResourceAsStream(RESOURCES + name)) {
                        if (in == null) {
                            throw new IllegalStateException(
                                    "test PKI file missing: " + RESOURCES + name + " (run generate.sh there)");
                        }
                        Files.copy(in, copy.resolve(name));
                    }
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(copy), "test-pki-cleanup"));
                dir = copy;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the test PKI", e);
            }
        }
        return dir;
    }

    /** One file of the test PKI, one of {@link #FILES}. */
    public static Path file(String name) {
        if (!FILES.contains(name)) {
            throw new IllegalArgumentException("no file " + name + " in the test PKI; it has " + FILES);
        }
        return dir().resolve(name);
    }

    /** The certificate of {@code file} ({@code dev-a-cert.pem}). */
    public static X509Certificate certificate(String file) {
        try (InputStream in = Files.newInputStream(file(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("cannot read the test certificate " + file, e);
        }
    }

    /** The uplink's side: its certificate, client certificates of the test CA required, TLS 1.3. */
    public static SslContext serverContext() throws SSLException {
        return TlsLoopback.serverContext(file("server-cert.pem"), file("server-key.pem"), file("ca-cert.pem"));
    }

    /** A client presenting {@code NAME}'s certificate and trusting the test CA, TLS 1.3; a new context each call. */
    public static SslContext clientContext(String name) throws SSLException {
        return clientBuilder(name).build();
    }

    /** The builder of {@link #clientContext}, to choose a TLS provider or a trust manager of one's own. */
    public static SslContextBuilder clientBuilder(String name) {
        return SslContextBuilder.forClient()
                .keyManager(
                        file(name + "-cert.pem").toFile(),
                        file(name + "-key.pem").toFile())
                .trustManager(file("ca-cert.pem").toFile())
                .protocols("TLSv1.3");
    }

    /** The files an uplink serves TLS from (CA certificate, server certificate and key) copied into {@code tls}. */
    public static Path copyServerFiles(Path tls) throws IOException {
        Files.createDirectories(tls);
        for (String name : List.of("ca-cert.pem", "server-cert.pem", "server-key.pem")) {
            Files.copy(file(name), tls.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        return tls;
    }

    /**
     * The revocation list {@code crl} of the test PKI ({@code crl-dev-b.pem}) as {@code target}, replaced by a rename as
     * {@code doorbell revoke} does, so that a watcher never reads half a file.
     */
    public static void installCrl(String crl, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(file(crl), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void delete(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
