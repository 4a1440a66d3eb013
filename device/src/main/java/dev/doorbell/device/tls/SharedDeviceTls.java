package dev.doorbell.device.tls;

import dev.doorbell.wire.Transports;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS for thousands of devices in one JVM (the load generator, the fleet): one BoringSSL context per fleet
 * CA instead of one per device, so that a held device costs its connection and not a context of its own, and the
 * uplink's certificate chain is checked once per JVM ({@link ServerChainCache}) instead of once per device.
 * {@link #contextFor} returns a per-device view whose engines present that device's certificate and key only
 * ({@link DeviceKeyManager}). The same rules as {@link DeviceTls}: TLS 1.3, the fleet CA as the only anchor, the
 * uplink's host name checked. The client session cache is off: a session resumed from a cache shared by devices
 * could carry another device's identity. With the JDK's TLS, or a key that is not PKCS#8, each device gets its
 * own {@link DeviceTls#clientContext}.
 */
public final class SharedDeviceTls {
    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";
    private static final int SERVER_CHAINS = 16;

    private final Clock clock;
    private final Map<String, Shared> byCa = new ConcurrentHashMap<>();

    public SharedDeviceTls(Clock clock) {
        this.clock = clock;
    }

    /** The TLS context for one device; fails naming the device if one of its files does not parse. */
    public SslContext contextFor(DeviceDirectory device) {
        if (Transports.sslProvider() != SslProvider.OPENSSL) {
            return DeviceTls.clientContext(device);
        }
        try {
            String keyPem = Files.readString(device.deviceKeyFile(), StandardCharsets.US_ASCII)
                    .trim();
            if (!keyPem.startsWith(PKCS8_BEGIN) || !keyPem.endsWith(PKCS8_END)) {
                return DeviceTls.clientContext(device);
            }
            byte[] key = Base64.getMimeDecoder()
                    .decode(keyPem.substring(PKCS8_BEGIN.length(), keyPem.length() - PKCS8_END.length()));
            X509Certificate certificate = read(device.deviceCertFile());
            String algorithm = certificate.getPublicKey().getAlgorithm();
            // Parsed once here so that a bad key fails now, naming the device, and not in a handshake.
            KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key));
            X509Certificate ca = read(device.caCertFile());
            Shared shared =
                    byCa.computeIfAbsent(Base64.getEncoder().encodeToString(ca.getEncoded()), k -> build(ca, device));
            shared.keys.add(device.deviceId(), certificate.getEncoded(), key, algorithm);
            return new DeviceView(shared.context, shared.keys, device.deviceId());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new DeviceDirectoryException(
                    "device " + device.deviceId() + " at " + device.path()
                            + ": cannot add its certificate and key to the shared TLS context: " + e.getMessage(),
                    e);
        }
    }

    /** How many distinct fleet CAs (and so shared contexts) this holds. */
    public int contexts() {
        return byCa.size();
    }

    private Shared build(X509Certificate ca, DeviceDirectory first) {
        DeviceKeyManager keys = new DeviceKeyManager();
        try {
            KeyStore anchors = KeyStore.getInstance(DeviceTls.IN_MEMORY_KEY_STORE);
            anchors.load(null, null);
            anchors.setCertificateEntry("fleet-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            SslContext context = SslContextBuilder.forClient()
                    .keyManager(keys)
                    .trustManager(new ServerChainCache(x509(factory.getTrustManagers()), clock, SERVER_CHAINS))
                    .protocols(DeviceTls.PROTOCOL)
                    .sslProvider(SslProvider.OPENSSL)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
            ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
            return new Shared(context, keys);
        } catch (GeneralSecurityException | IOException e) {
            throw new DeviceDirectoryException(
                    "device " + first.deviceId() + " at " + first.path()
                            + ": cannot build the shared TLS context for its fleet CA: " + e.getMessage(),
                    e);
        }
    }

    private static X509ExtendedTrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the platform has no X509ExtendedTrustManager");
    }

    private static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private record Shared(SslContext context, DeviceKeyManager keys) {}

    /** One device's view of a shared context: binds every engine it makes to that device before the handshake. */
    private static final class DeviceView extends DelegatingSslContext {
        private final DeviceKeyManager keys;
        private final String deviceId;

        DeviceView(SslContext shared, DeviceKeyManager keys, String deviceId) {
            super(shared);
            this.keys = keys;
            this.deviceId = deviceId;
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            keys.bind(engine, deviceId);
        }
    }
}
