package dev.doorbell.uplink.session;

import dev.doorbell.proto.DeviceIds;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the device id from the client certificate that TLS verified: its SAN URI of the form
 * {@code urn:doorbell:device:<id>}, which must be the only device it names. The certificate is the only source of
 * identity; what the device says in Hello is only compared with it.
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

  /** What a certificate says about who it is: a device id, or why it names none. Exactly one is set. */
  record Claim(String deviceId, String refusal) {}

  /**
   * The device id of a certificate, or why there is none: no SAN URI {@code urn:doorbell:device:<id>} with a valid
   * id, or several naming different ids. A certificate that names two devices is refused, not read as the first:
   * which one it means is not the uplink's guess to make.
   */
  static Claim claim(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return new Claim(null, "its subject alternative names cannot be read: " + e.getMessage());
    }
    Set<String> ids = new TreeSet<>();
    int invalid = 0;
    for (List<?> name : names == null ? List.<List<?>>of() : names) {
      if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri
          && uri.startsWith(DeviceIds.SAN_URI_PREFIX)) {
        String id = DeviceIds.fromSanUri(uri);
        if (id != null) {
          ids.add(id);
        } else {
          invalid++;
        }
      }
    }
    if (ids.size() > 1 || (ids.size() == 1 && invalid > 0)) {
      // Only valid ids are safe to echo into logs and messages.
      return new Claim(null, "it is ambiguous: " + (ids.size() + invalid) + " SAN URIs " + DeviceIds.SAN_URI_PREFIX
          + "<id> name different devices (" + String.join(", ", ids) + (invalid > 0 ? ", and " + invalid
          + " invalid id" + (invalid > 1 ? "s" : "") : "") + ")");
    }
    if (ids.isEmpty()) {
      return new Claim(null, "it has no SAN URI " + DeviceIds.SAN_URI_PREFIX + "<id> with a valid device id");
    }
    return new Claim(ids.iterator().next(), null);
  }
}
