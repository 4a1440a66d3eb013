package dev.doorbell.uplink.identity;

import dev.doorbell.proto.DeviceIds;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The device a client certificate names: its SAN URI of the form {@code urn:doorbell:device:<id>}, which must be the
 * only device it names, or why it names none. Exactly one of the two is set.
 */
record CertificateClaim(String deviceId, String refusal) {
    private static final int SAN_URI = 6;

    /**
     * What {@code certificate} claims: no SAN URI {@code urn:doorbell:device:<id>} with a valid id, or several naming
     * different ids, is a refusal. A certificate that names two devices is refused, not read as the first: which one
     * it means is not the uplink's guess to make.
     */
    static CertificateClaim of(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return new CertificateClaim(null, "its subject alternative names cannot be read: " + e.getMessage());
        }
        Set<String> ids = new TreeSet<>();
        int invalid = 0;
        for (List<?> name : names == null ? List.<List<?>>of() : names) {
            if (name.size() >= 2
                    && Integer.valueOf(SAN_URI).equals(name.get(0))
                    && name.get(1) instanceof String uri
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
            return new CertificateClaim(
                    null,
                    "it is ambiguous: " + (ids.size() + invalid) + " SAN URIs "
                            + DeviceIds.SAN_URI_PREFIX + "<id> name different devices (" + String.join(", ", ids)
                            + (invalid > 0 ? ", and " + invalid + " invalid id" + (invalid > 1 ? "s" : "") : "") + ")");
        }
        if (ids.isEmpty()) {
            return new CertificateClaim(
                    null, "it has no SAN URI " + DeviceIds.SAN_URI_PREFIX + "<id> with a valid device id");
        }
        return new CertificateClaim(ids.iterator().next(), null);
    }
}
