package dev.doorbell.device.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks the uplink's certificate chain for a whole fleet in one JVM: the chain and host are the same for every
 * device, so the full check (PKIX path to the fleet CA, host name) runs once per distinct chain and host, and
 * later handshakes that present exactly the same encoded chain for the same host only have its validity dates
 * checked again. Bounded: a fleet talks to a few uplinks; beyond {@code capacity} the oldest entry goes.
 */
final class ServerChainCache extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Clock clock;
    private final int capacity;
    private final Map<List<Object>, Boolean> verified;

    ServerChainCache(X509ExtendedTrustManager delegate, Clock clock, int capacity) {
        this.delegate = delegate;
        this.clock = clock;
        this.capacity = capacity;
        this.verified = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<List<Object>, Boolean> eldest) {
                return size() > ServerChainCache.this.capacity;
            }
        };
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (chain == null || chain.length == 0 || engine == null) {
            delegate.checkServerTrusted(chain, authType, engine);
            return;
        }
        List<Object> key = key(chain, engine.getPeerHost(), authType);
        synchronized (verified) {
            if (verified.containsKey(key)) {
                Date now = Date.from(clock.instant());
                for (X509Certificate certificate : chain) {
                    certificate.checkValidity(now);
                }
                return;
            }
        }
        delegate.checkServerTrusted(chain, authType, engine);
        synchronized (verified) {
            verified.put(key, Boolean.TRUE);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** Host, key exchange type and every certificate's exact encoding (wrapped so lists compare by content). */
    private static List<Object> key(X509Certificate[] chain, String host, String authType) throws CertificateException {
        List<Object> key = new ArrayList<>(chain.length + 2);
        key.add(String.valueOf(host));
        key.add(String.valueOf(authType));
        for (X509Certificate certificate : chain) {
            key.add(new Encoded(certificate.getEncoded()));
        }
        return key;
    }

    private record Encoded(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Encoded e && Arrays.equals(e.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Encoded{" + bytes.length + " bytes}";
        }
    }
}
