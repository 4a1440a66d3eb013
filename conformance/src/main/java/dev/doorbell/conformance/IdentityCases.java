package dev.doorbell.conformance;

import static dev.doorbell.conformance.CaseRun.hello;
import static dev.doorbell.conformance.Expect.require;

import dev.doorbell.device.link.UplinkFailure;
import dev.doorbell.pki.FleetCa;
import dev.doorbell.proto.v1.UplinkMessage;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

/** Cases about who may connect: a certificate from another fleet's CA must not get a session. */
final class IdentityCases {
    private IdentityCases() {}

    static List<ConformanceCase> all() {
        return List.of(new ConformanceCase(
                "foreign-certificate",
                "TLS with a certificate for this device's id, issued by another CA; then Hello",
                "the TLS handshake fails or the connection closes; never a Welcome (no Error can be sent before TLS is up)",
                IdentityCases::foreignCertificate));
    }

    private static void foreignCertificate(CaseRun r) throws Exception {
        // A throwaway CA and key from a fresh random source: nothing of them appears in the transcript.
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        FleetCa foreign = FleetCa.create(random, now, Duration.ofDays(1));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();
        X509Certificate certificate =
                foreign.issueDevice(r.device().id(), pair.getPublic(), random, now, Duration.ofDays(1));
        SSLContext tls = ((JdkSslContext) SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        .keyManager(pair.getPrivate(), certificate)
                        .trustManager(r.deviceCaCertificate())
                        .protocols("TLSv1.3")
                        .build())
                .context();

        try (RawSession session = RawSession.connect(
                tls,
                r.target().host(),
                r.target().port(),
                r.target().replyTimeout(),
                Transcript.discarding(),
                "foreign")) {
            session.send(hello(r.device().id(), List.of(1), List.of()));
            UplinkMessage reply = session.next(r.target().replyTimeout());
            require(
                    reply == null && session.closedByPeer(),
                    reply == null
                            ? "the connection stayed open for "
                                    + r.target().replyTimeout().toMillis() + " ms"
                            : "a certificate from another CA got " + Expect.brief(reply));
        } catch (IOException e) {
            // Refused during the handshake itself, or at the write after it: both are what the protocol requires, but a
            // connection that never reached the uplink, or that this side refused, proves nothing about the uplink.
            UplinkFailure why = UplinkFailure.of(
                    e, r.target().host(), r.target().port(), r.device().id());
            require(
                    why.kind() == UplinkFailure.Kind.DEVICE_NOT_TRUSTED
                            || why.kind() == UplinkFailure.Kind.CLOSED
                            || why.kind() == UplinkFailure.Kind.OTHER,
                    "the uplink never judged the certificate: " + why.message());
        }
        r.note("the uplink refused a certificate from another CA: no Welcome");
    }
}
