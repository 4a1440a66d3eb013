package dev.doorbell.conformance.bench;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The bench's TLS: the uplink's own server identity from a provisioned fleet ({@code FLEET/uplink/}), TLS 1.3 only,
 * client certificates required and verified against the fleet CA, exactly as the real uplink does, so that a device
 * under test connects to it with the files it would use in the field.
 */
final class BenchTls {
    static final String PROTOCOL = "TLSv1.3";

    private BenchTls() {}

    static SSLContext serverContext(Path fleetDir) throws IOException {
        FleetLayout layout = new FleetLayout(fleetDir);
        for (Path required : new Path[] {layout.serverCert(), layout.serverKey(), layout.uplinkCaCert()}) {
            if (!Files.isRegularFile(required)) {
                throw new IOException(
                        required + " is missing: --fleet must be a directory made by `doorbell provision`");
            }
        }
        X509Certificate server = Pem.readCertificate(layout.serverCert());
        PrivateKey key = Pem.readPrivateKey(layout.serverKey());
        X509Certificate ca = Pem.readCertificate(layout.uplinkCaCert());
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("uplink", key, password, new Certificate[] {server, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("fleet-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the bench's TLS context from " + layout.uplinkDir() + ": " + e, e);
        }
    }
}
