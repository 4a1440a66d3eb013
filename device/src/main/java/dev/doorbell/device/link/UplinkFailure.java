package dev.doorbell.device.link;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why a device could not get a session with the uplink, as one line that says which side refused whom: the one place
 * where connection and TLS exceptions (Netty's, BoringSSL's and the JDK's, which say the same things in different
 * words) become a message for people. The exception stays in {@link #cause()} for logs at debug level.
 *
 * <p>A device that checked the uplink's certificate and rejected it holds a {@link CertificateException} in the
 * chain; a device whose own certificate the uplink rejected holds only the TLS alert the uplink sent (the device's
 * check of the uplink passed before the uplink asked for the device's certificate).
 *
 * @param kind what failed
 * @param message one line naming the uplink (and the device when the uplink refused that device)
 * @param cause what the transport or TLS engine threw
 */
public record UplinkFailure(Kind kind, String message, Throwable cause) {
    /** TLS alerts an uplink sends when it does not accept a client certificate. */
    private static final Set<String> CERTIFICATE_ALERTS = Set.of(
            "bad_certificate",
            "unsupported_certificate",
            "certificate_unknown",
            "unknown_ca",
            "certificate_required",
            "access_denied",
            "decrypt_error",
            "internal_error",
            "handshake_failure");

    private static final Pattern OPENSSL_ALERT = Pattern.compile("(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)");
    private static final Pattern JDK_ALERT = Pattern.compile("[Rr]eceived fatal alert: ([a-z0-9_]+)");

    /** What failed, from the device's side. */
    public enum Kind {
        /** Nothing listens at the address: no uplink there (yet). */
        REFUSED(true, "connection refused"),
        /** No route, unknown host, or the TCP connect timed out. */
        UNREACHABLE(false, "unreachable"),
        /** The device checked the uplink's certificate and rejected it. */
        UPLINK_NOT_TRUSTED(true, "uplink's certificate not trusted"),
        /** The uplink rejected the device's certificate during the handshake. */
        DEVICE_NOT_TRUSTED(true, "device certificate refused by the uplink"),
        /** The peer does not speak TLS. */
        NOT_TLS(true, "not TLS"),
        /** The connection closed or reset before the session began. */
        CLOSED(false, "closed before Welcome"),
        /** Any other failure, a TLS error or no Welcome in time. */
        OTHER(false, "other failure");

        private final boolean definitive;
        private final String label;

        Kind(boolean definitive, String label) {
            this.definitive = definitive;
            this.label = label;
        }

        /**
         * Whether retrying cannot help until someone changes the uplink or the fleet: when every device of a run meets
         * such a failure and none is welcomed, the run stops at once instead of waiting out its connect timeout.
         */
        public boolean definitive() {
            return definitive;
        }

        /** A few words for counts by reason (report.json, the summary). */
        public String label() {
            return label;
        }
    }

    public UplinkFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** Classifies {@code cause}, met by device {@code deviceId} connecting to {@code host}:{@code port}. */
    public static UplinkFailure of(Throwable cause, String host, int port, String deviceId) {
        String uplink = "the uplink at " + host + ":" + port;
        CertificateException rejected = find(cause, CertificateException.class);
        if (rejected != null) {
            return new UplinkFailure(
                    Kind.UPLINK_NOT_TRUSTED,
                    "this fleet does not trust the uplink's certificate: "
                            + uplink + " presented " + whyNotTrusted(rejected, host)
                            + "; start it with this fleet's uplink "
                            + "directory (serve --tls FLEET/uplink)",
                    cause);
        }
        String alert = alert(cause);
        if (alert != null) {
            return refusedByUplink(alert, uplink, deviceId, cause);
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof ConnectException && text.contains("refused")) {
                return new UplinkFailure(
                        Kind.REFUSED,
                        "cannot connect to " + uplink + ": connection refused (is the "
                                + "uplink running and listening there?)",
                        cause);
            }
            if (t instanceof ConnectTimeoutException
                    || (t instanceof SocketTimeoutException && text.contains("connect"))) {
                return new UplinkFailure(
                        Kind.UNREACHABLE, "cannot connect to " + uplink + ": the connection timed out", cause);
            }
            if (t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException
                    || text.contains("network is unreachable")
                    || text.contains("no route to host")) {
                return new UplinkFailure(
                        Kind.UNREACHABLE, "cannot connect to " + uplink + ": " + t.getMessage(), cause);
            }
            if (t instanceof NotSslRecordException
                    || text.contains("not an ssl/tls record")
                    || text.contains("unrecognized ssl message")
                    || text.contains("wrong_version_number")) {
                return new UplinkFailure(
                        Kind.NOT_TLS,
                        uplink + " does not speak TLS (an uplink started with "
                                + "--insecure-plaintext-for-debugging, or another service?)",
                        cause);
            }
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof ClosedChannelException
                    || text.contains("connection reset")
                    || text.contains("closed")
                    || text.contains("broken pipe")
                    || text.contains("end of stream")) {
                return new UplinkFailure(
                        Kind.CLOSED,
                        uplink + " closed the connection before the session began"
                                + (find(cause, SSLException.class) != null ? " (during the TLS handshake)" : ""),
                        cause);
            }
        }
        if (find(cause, SSLException.class) != null) {
            return new UplinkFailure(
                    Kind.OTHER,
                    "the TLS handshake with " + uplink + " failed: "
                            + innermost(cause).getMessage(),
                    cause);
        }
        Throwable root = innermost(cause);
        return new UplinkFailure(
                Kind.OTHER,
                "no session with " + uplink + ": "
                        + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()),
                cause);
    }

    private static UplinkFailure refusedByUplink(String alert, String uplink, String deviceId, Throwable cause) {
        String tail = " (TLS alert " + alert + ")";
        return switch (alert) {
            case "certificate_expired" ->
                new UplinkFailure(
                        Kind.DEVICE_NOT_TRUSTED,
                        uplink + " refused the certificate " + "of device " + deviceId
                                + ": it has expired or is not valid yet" + tail,
                        cause);
            case "certificate_revoked" ->
                new UplinkFailure(
                        Kind.DEVICE_NOT_TRUSTED,
                        uplink + " refused the " + "certificate of device " + deviceId + ": it is revoked" + tail,
                        cause);
            case "protocol_version" -> new UplinkFailure(Kind.OTHER, uplink + " does not speak TLS 1.3" + tail, cause);
            default ->
                CERTIFICATE_ALERTS.contains(alert)
                        ? new UplinkFailure(
                                Kind.DEVICE_NOT_TRUSTED,
                                "the uplink does not trust this fleet's CA: " + uplink
                                        + " refused the certificate of device " + deviceId + tail
                                        + "; start it with this fleet's uplink "
                                        + "directory (serve --tls FLEET/uplink)",
                                cause)
                        : new UplinkFailure(Kind.OTHER, "the TLS handshake with " + uplink + " failed" + tail, cause);
        };
    }

    /** What was wrong with the uplink's certificate, as far as the device's check says. */
    private static String whyNotTrusted(CertificateException e, String host) {
        if (e instanceof CertificateExpiredException || e instanceof CertificateNotYetValidException) {
            return "a certificate that has expired or is not valid yet";
        }
        String text = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (text.contains("subject alternative name") || text.contains("no name matching")) {
            return "a certificate that does not name " + host;
        }
        return "a certificate that this fleet's CA did not issue";
    }

    /** The name of the TLS alert the peer sent, lower case as in RFC 8446, or null if none was received. */
    private static String alert(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String text = t.getMessage();
            if (text == null) {
                continue;
            }
            Matcher openssl = OPENSSL_ALERT.matcher(text);
            if (openssl.find()) {
                return openssl.group(1).toLowerCase(Locale.ROOT);
            }
            Matcher jdk = JDK_ALERT.matcher(text);
            if (jdk.find()) {
                return jdk.group(1);
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable cause, Class<T> type) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable innermost(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
