package dev.doorbell.uplink.session;

import dev.doorbell.proto.DeviceIds;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the device id from the client certificate that TLS verified: the first SAN URI of the form
 * {@code urn:doorbell:device:<id>} with a valid id. The certificate is the only source of identity; what the device
 * says in Hello is only compared with it.
 */
final class PeerIdentity {
  private static final int SAN_URI = 6;

  private PeerIdentity() {}

  /** The peer's own (leaf) certificate as TLS verified it, or null when it sent none. */
  static X509Certificate certificate(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
      return null;
    }
    return (X509Certificate) chain[0];
  }

  /** The device id, or null when there is no certificate or it names no usable device id. */
  static String deviceId(X509Certificate certificate) {
    if (certificate == null) {
      return null;
    }
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (names == null) {
      return null;
    }
    for (List<?> name : names) {
      if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String) {
        String id = DeviceIds.fromSanUri((String) name.get(1));
        if (id != null) {
          return id;
        }
      }
    }
    return null;
  }
}
