package dev.doorbell.conformance;

import com.google.protobuf.TextFormat;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import java.io.IOException;
import java.time.Duration;

/**
 * Waits for what the protocol requires next and fails the case, saying what came instead, when something else
 * arrives. Acks that are not the one waited for are passed over (they are cumulative and may be coalesced); an
 * unexpected Error never is.
 */
final class Expect {
    private final Duration timeout;

    Expect(Duration timeout) {
        this.timeout = timeout;
    }

    /** Welcome for version 1 naming {@code deviceId}, with every limit set. */
    Welcome welcome(RawSession session, String deviceId) throws IOException, CaseFailure {
        UplinkMessage m = next(session, timeout, "Welcome");
        if (!m.hasWelcome()) {
            throw new CaseFailure("expected Welcome after Hello, got " + brief(m));
        }
        Welcome w = m.getWelcome();
        require(w.getVersion() == 1, "Welcome.version is " + w.getVersion() + ", not 1");
        require(w.getDeviceId().equals(deviceId), "Welcome.device_id is '" + w.getDeviceId() + "', not " + deviceId);
        require(
                w.getMaxMessageBytes() > 0
                        && w.getMaxFrameBytes() > 0
                        && w.getMaxFramesPerClip() > 0
                        && w.getMaxOpenClips() > 0
                        && w.getWindowFrames() > 0
                        && w.getWindowBytes() > 0
                        && w.getHeartbeatMs() > 0
                        && w.getIdleTimeoutMs() > 0,
                "Welcome leaves a limit at 0: " + brief(m));
        require(
                w.getMaxFrameBytes() < w.getMaxMessageBytes(),
                "max_frame_bytes " + w.getMaxFrameBytes() + " does not fit in max_message_bytes "
                        + w.getMaxMessageBytes());
        return w;
    }

    /** The next PERSISTED ack of {@code clipId} covering at least {@code frames} (and the close, if asked). */
    Ack persisted(RawSession session, long clipId, int frames, boolean closed) throws IOException, CaseFailure {
        String what = "PERSISTED ack of clip " + clipId + " with frames " + frames + (closed ? " and closed" : "");
        while (true) {
            UplinkMessage m = next(session, timeout, what);
            if (m.hasAck() && m.getAck().getClipId() == clipId && m.getAck().getKind() == AckKind.ACK_KIND_PERSISTED) {
                Ack ack = m.getAck();
                require(
                        Integer.compareUnsigned(ack.getFrames(), frames) <= 0,
                        "clip " + clipId + ": ack of " + ack.getFrames() + " frames, more than the " + frames
                                + " sent");
                if (ack.getFrames() == frames && (ack.getClosed() || !closed)) {
                    return ack;
                }
            } else if (!m.hasAck()) {
                throw new CaseFailure("waiting for " + what + ", got " + brief(m));
            }
        }
    }

    /** An ack (RECEIVED or PERSISTED) of {@code clipId} covering at least {@code frames}. */
    Ack acked(RawSession session, long clipId, int frames) throws IOException, CaseFailure {
        while (true) {
            UplinkMessage m = next(session, timeout, "an ack of clip " + clipId + " frames " + frames);
            if (!m.hasAck()) {
                throw new CaseFailure(
                        "waiting for an ack of clip " + clipId + " frames " + frames + ", got " + brief(m));
            }
            if (m.getAck().getClipId() == clipId
                    && Integer.compareUnsigned(m.getAck().getFrames(), frames) >= 0) {
                return m.getAck();
            }
        }
    }

    /**
     * The Error {@code code} with the fatal and retriable flags of docs/PROTOCOL.md, naming {@code clipId} (when not
     * 0) and {@code seq} (when not negative); acks before it are passed over. A fatal error must close the connection.
     */
    Error error(RawSession session, ErrorCode code, long clipId, int seq, Duration wait)
            throws IOException, CaseFailure {
        UplinkMessage m;
        do {
            m = next(session, wait, "Error " + code);
        } while (m.hasAck());
        if (!m.hasError()) {
            throw new CaseFailure("expected Error " + code + ", got " + brief(m));
        }
        Error e = m.getError();
        require(e.getCode() == code, "expected Error " + code + ", got " + brief(m));
        require(
                e.getFatal() == ExpectedErrors.fatal(code),
                code + ": fatal is " + e.getFatal() + ", PROTOCOL.md says " + ExpectedErrors.fatal(code));
        require(
                e.getRetriable() == ExpectedErrors.retriable(code),
                code + ": retriable is " + e.getRetriable() + ", PROTOCOL.md says " + ExpectedErrors.retriable(code));
        require(!e.getMessage().isBlank(), code + ": the message is empty");
        if (clipId != 0) {
            require(e.getClipId() == clipId, code + ": clip_id is " + e.getClipId() + ", not " + clipId);
        }
        if (seq >= 0) {
            require(
                    e.getHasSeq() && e.getSeq() == seq,
                    code + ": expected has_seq and seq " + seq + ", got has_seq " + e.getHasSeq() + " seq "
                            + e.getSeq());
        }
        if (e.getFatal()) {
            closed(session);
        }
        return e;
    }

    Error error(RawSession session, ErrorCode code, long clipId, int seq) throws IOException, CaseFailure {
        return error(session, code, clipId, seq, timeout);
    }

    /** The uplink closes the connection and sends nothing more before it does. */
    void closed(RawSession session) throws IOException, CaseFailure {
        UplinkMessage after = session.next(timeout);
        if (after != null) {
            throw new CaseFailure("expected the connection to close, got " + brief(after));
        }
        require(session.closedByPeer(), "the uplink did not close the connection within " + timeout.toMillis() + " ms");
    }

    /** Ping → Pong with the same token, with no Error before it: the session is alive and accepted all before. */
    void alive(RawSession session, long token) throws IOException, CaseFailure {
        session.send(CaseRun.ping(token));
        while (true) {
            UplinkMessage m = next(session, timeout, "Pong " + token);
            if (m.hasPong()) {
                require(
                        m.getPong().getToken() == token,
                        "Pong token " + m.getPong().getToken() + ", not " + token);
                return;
            }
            if (!m.hasAck()) {
                throw new CaseFailure("waiting for Pong " + token + ", got " + brief(m));
            }
        }
    }

    /** The next message (acks aside) must be a RecipientListUpdate; returns its signed_list bytes. */
    byte[] recipientListUpdate(RawSession session) throws IOException, CaseFailure {
        while (true) {
            UplinkMessage m = next(session, timeout, "a RecipientListUpdate");
            if (m.hasRecipientListUpdate()) {
                return m.getRecipientListUpdate().getSignedList().toByteArray();
            }
            if (!m.hasAck()) {
                throw new CaseFailure("waiting for a RecipientListUpdate after Welcome, got " + brief(m));
            }
        }
    }

    static void require(boolean condition, String problem) throws CaseFailure {
        if (!condition) {
            throw new CaseFailure(problem);
        }
    }

    private static UplinkMessage next(RawSession session, Duration wait, String what) throws IOException, CaseFailure {
        UplinkMessage m = session.next(wait);
        if (m == null) {
            throw new CaseFailure(
                    session.closedByPeer()
                            ? "the uplink closed the connection while the device waited for " + what
                            : "nothing within " + wait.toMillis() + " ms while the device waited for " + what);
        }
        return m;
    }

    static String brief(UplinkMessage m) {
        String text = TextFormat.printer().shortDebugString(m);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
