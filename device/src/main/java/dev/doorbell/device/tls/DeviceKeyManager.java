package dev.doorbell.device.tls;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client key manager of a {@link SharedDeviceTls} context: many devices share one TLS context, and each TLS
 * engine is bound to one device before its handshake starts, so the handshake presents that device's certificate
 * and key and no other. An engine that is not bound presents nothing (the uplink then refuses it).
 * Holds each device's certificate and PKCS#8 key as encoded bytes (under a kilobyte) and parses them when a
 * handshake asks, which costs less memory than a parsed certificate per held device.
 */
final class DeviceKeyManager extends X509ExtendedKeyManager {
    private final Map<String, DeviceKeys> devices = new ConcurrentHashMap<>();
    // Weak: an engine is forgotten with its connection; SSLEngine keeps identity equality.
    private final Map<SSLEngine, String> engines = Collections.synchronizedMap(new WeakHashMap<>());

    void add(String deviceId, byte[] certificateDer, byte[] pkcs8Key, String keyAlgorithm) {
        devices.put(deviceId, new DeviceKeys(certificateDer, pkcs8Key, keyAlgorithm));
    }

    void bind(SSLEngine engine, String deviceId) {
        if (!devices.containsKey(deviceId)) {
            throw new IllegalArgumentException("device " + deviceId + " has no key in this shared TLS context");
        }
        engines.put(engine, deviceId);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return engine == null ? null : engines.get(engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        DeviceKeys keys = alias == null ? null : devices.get(alias);
        if (keys == null) {
            return null;
        }
        try {
            return new X509Certificate[] {
                (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(keys.certificateDer))
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "device " + alias + ": its certificate no longer parses: " + e.getMessage(), e);
        }
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        DeviceKeys keys = alias == null ? null : devices.get(alias);
        if (keys == null) {
            return null;
        }
        try {
            return KeyFactory.getInstance(keys.keyAlgorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.pkcs8Key));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("device " + alias + ": its key no longer parses", e);
        }
    }

    /** A device presents itself as a client only; these are never asked by a client handshake. */
    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    /** One device's TLS identity; a class, not a record, because it holds a private key (equals/toString). */
    private static final class DeviceKeys {
        private final byte[] certificateDer;
        private final byte[] pkcs8Key;
        private final String keyAlgorithm;

        DeviceKeys(byte[] certificateDer, byte[] pkcs8Key, String keyAlgorithm) {
            this.certificateDer = certificateDer;
            this.pkcs8Key = pkcs8Key;
            this.keyAlgorithm = keyAlgorithm;
        }

        @Override
        public String toString() {
            return "DeviceKeys{certificate " + certificateDer.length + " bytes, " + keyAlgorithm + " key}";
        }
    }
}
