package dev.doorbell.uplink.identity;

import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Establishes who the peer of a completed TLS handshake is, from its client certificate only (what a device says in
 * Hello is only compared with it). The checks, in this order, so that a refusal says the most important thing:
 * <ol>
 *   <li>a certificate at all (TLS requires one; this guards the invariant);</li>
 *   <li>revocation: a certificate on the fleet CA's list is refused as revoked whatever else is wrong with it, and
 *   named by its device when it names exactly one;</li>
 *   <li>exactly one device id in its SAN URIs ({@link CertificateClaim});</li>
 *   <li>its validity dates, against the injected clock: {@link DeviceTrustManager} checks them in a full handshake,
 *   but a resumed TLS session skips the trust manager.</li>
 * </ol>
 * A list that comes into force later applies to sessions already open: {@link #revocation(PeerIdentity)}. Holds no
 * state of its own; one instance serves every connection of a server.
 */
public final class PeerIdentifier {
    private final CertificateRevocations revocations;
    private final Clock clock;

    public PeerIdentifier(CertificateRevocations revocations, Clock clock) {
        this.revocations = revocations;
        this.clock = clock;
    }

    /** Who the peer of {@code session} is; {@code peer}, its address, names a peer whose certificate names no device. */
    public PeerIdentity identify(SSLSession session, SocketAddress peer) {
        return identify(leafCertificate(session), peer);
    }

    /** As {@link #identify(SSLSession, SocketAddress)}, for the certificate the peer sent (null: none). */
    PeerIdentity identify(X509Certificate certificate, SocketAddress peer) {
        if (certificate == null) {
            return PeerIdentity.refused(
                    null,
                    null,
                    PeerIdentity.Refusal.NO_IDENTITY,
                    "unidentified peer " + peer + " sent no client certificate");
        }
        CertificateClaim claim = CertificateClaim.of(certificate);
        String subject = claim.deviceId() != null ? "device " + claim.deviceId() : "unidentified peer " + peer;
        Optional<PeerIdentity> revoked = revoked(claim.deviceId(), certificate, subject);
        if (revoked.isPresent()) {
            return revoked.get();
        }
        if (claim.deviceId() == null) {
            return PeerIdentity.refused(
                    null,
                    certificate,
                    PeerIdentity.Refusal.NO_IDENTITY,
                    "the client certificate of " + peer + " names no device: " + claim.refusal());
        }
        Instant now = clock.instant();
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        if (now.isBefore(from) || now.isAfter(to)) {
            return PeerIdentity.refused(
                    claim.deviceId(),
                    certificate,
                    PeerIdentity.Refusal.NO_IDENTITY,
                    "the client certificate of device " + claim.deviceId() + " is valid from " + from + " to " + to
                            + ", not now (" + now + ")");
        }
        return PeerIdentity.device(claim.deviceId(), certificate);
    }

    /**
     * After a new revocation list came into force: the refusal of an accepted {@code identity} whose certificate it
     * revokes, or empty when it does not.
     */
    public Optional<PeerIdentity> revocation(PeerIdentity identity) {
        if (identity.certificate() == null) {
            return Optional.empty();
        }
        return revoked(identity.deviceId(), identity.certificate(), "device " + identity.deviceId());
    }

    private Optional<PeerIdentity> revoked(String deviceId, X509Certificate certificate, String subject) {
        return revocations
                .revocation(certificate)
                .map(why -> PeerIdentity.refused(
                        deviceId,
                        certificate,
                        PeerIdentity.Refusal.REVOKED,
                        subject + ": " + why
                                + "; this certificate is refused from now on, ask the fleet operator for a new one"));
    }

    /** The peer's own (leaf) certificate as TLS verified it, or null when it sent none. */
    private static X509Certificate leafCertificate(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
    }
}
