package dev.doorbell.uplink.identity;

import java.security.cert.X509Certificate;

/**
 * Who the peer of a TLS connection is, from its client certificate ({@link PeerIdentifier}): the device it names, or
 * why it is refused. A refused peer still carries the device its certificate names, when it names exactly one, so that
 * the refusal and the logs can name it.
 *
 * @param deviceId the device the certificate names; null when it names none
 * @param certificate the certificate as TLS verified it; null when the peer sent none
 * @param refusal why the peer is refused; null when it is accepted
 * @param reason for a refusal, what is refused and why, naming the device or else the peer's address; null when
 *     accepted
 */
public record PeerIdentity(String deviceId, X509Certificate certificate, Refusal refusal, String reason) {
    /** Why a peer is refused. The session answers each with its own error code. */
    public enum Refusal {
        /** The certificate is on the fleet CA's revocation list: final, the device must not come back with it. */
        REVOKED,
        /** No certificate, none naming exactly one device, or one outside its validity dates. */
        NO_IDENTITY
    }

    public boolean accepted() {
        return refusal == null;
    }

    static PeerIdentity device(String deviceId, X509Certificate certificate) {
        return new PeerIdentity(deviceId, certificate, null, null);
    }

    static PeerIdentity refused(String deviceId, X509Certificate certificate, Refusal refusal, String reason) {
        return new PeerIdentity(deviceId, certificate, refusal, reason);
    }
}
