package dev.doorbell.conformance;

import static dev.doorbell.conformance.CaseRun.hello;
import static dev.doorbell.conformance.Expect.require;
import static dev.doorbell.conformance.ExpectedErrors.describe;

import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Cases about the session: Hello and Welcome, version negotiation, identity, framing, timeouts, superseding. */
final class SessionCases {
    private SessionCases() {}

    static List<ConformanceCase> all() {
        return List.of(
                new ConformanceCase(
                        "valid-session",
                        "Hello; ClipOpen; 3 frames, each awaited; ClipClose",
                        "Welcome v1 with the device id and every limit; PERSISTED acks 1, 2, 3; PERSISTED 3 with closed",
                        SessionCases::validSession),
                new ConformanceCase("ping", "Hello, then Ping with a token", "Pong with the same token", r -> {
                    RawSession s = r.connect(r.device(), "device");
                    s.send(hello(r.device().id(), List.of(1), List.of()));
                    r.expect.welcome(s, r.device().id());
                    r.expect.alive(s, 0x5eed);
                }),
                new ConformanceCase(
                        "unsupported-version",
                        "Hello offering versions 2 and 3 only",
                        describe(ErrorCode.UNSUPPORTED_VERSION) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(2, 3), List.of()));
                            r.expect.error(s, ErrorCode.UNSUPPORTED_VERSION, 0, -1);
                        }),
                new ConformanceCase(
                        "version-negotiation",
                        "Hello offering versions 7, 1 and 2",
                        "Welcome choosing version 1",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(7, 1, 2), List.of()));
                            r.expect.welcome(s, r.device().id());
                        }),
                new ConformanceCase(
                        "hello-required",
                        "Ping before Hello",
                        describe(ErrorCode.HELLO_REQUIRED) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(CaseRun.ping(1));
                            r.expect.error(s, ErrorCode.HELLO_REQUIRED, 0, -1);
                        }),
                new ConformanceCase(
                        "duplicate-hello",
                        "Hello, Welcome, then a second Hello",
                        describe(ErrorCode.DUPLICATE_HELLO) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(s, r.device().id());
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.error(s, ErrorCode.DUPLICATE_HELLO, 0, -1);
                        }),
                new ConformanceCase(
                        "wrong-device-id",
                        "Hello naming the other device, over this device's certificate",
                        describe(ErrorCode.IDENTITY_MISMATCH) + ", naming both ids; connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.other().id(), List.of(1), List.of()));
                            String message = r.expect
                                    .error(s, ErrorCode.IDENTITY_MISMATCH, 0, -1)
                                    .getMessage();
                            require(
                                    message.contains(r.device().id())
                                            && message.contains(r.other().id()),
                                    "IDENTITY_MISMATCH message does not name both ids: " + message);
                        }),
                new ConformanceCase(
                        "malformed-message",
                        "Hello, then a body that does not parse as DeviceMessage",
                        describe(ErrorCode.MALFORMED_MESSAGE) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(s, r.device().id());
                            s.sendRaw(new byte[] {3, 0x0a, 0x05, 0x01}, "length 3, then a hello field cut short");
                            r.expect.error(s, ErrorCode.MALFORMED_MESSAGE, 0, -1);
                        }),
                new ConformanceCase(
                        "empty-message",
                        "Hello, then a DeviceMessage with no body set (length 0)",
                        describe(ErrorCode.MALFORMED_MESSAGE) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(s, r.device().id());
                            s.sendRaw(new byte[] {0}, "length 0: a DeviceMessage with no body");
                            r.expect.error(s, ErrorCode.MALFORMED_MESSAGE, 0, -1);
                        }),
                new ConformanceCase(
                        "bad-length-prefix",
                        "Hello, then a varint length prefix of 6 bytes",
                        describe(ErrorCode.MALFORMED_MESSAGE) + ", connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(s, r.device().id());
                            s.sendRaw(
                                    new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01},
                                    "a 6-byte varint");
                            r.expect.error(s, ErrorCode.MALFORMED_MESSAGE, 0, -1);
                        }),
                new ConformanceCase(
                        "oversized-message",
                        "Hello, then only a length prefix of max_message_bytes + 1",
                        describe(ErrorCode.MESSAGE_TOO_LARGE) + " before any body byte is sent; connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            Welcome w = r.expect.welcome(s, r.device().id());
                            s.sendRaw(
                                    varint(w.getMaxMessageBytes() + 1),
                                    "a length prefix of max_message_bytes + 1, no body");
                            r.expect.error(s, ErrorCode.MESSAGE_TOO_LARGE, 0, -1);
                        }),
                new ConformanceCase(
                        "superseded",
                        "Hello on one connection, then Hello of the same device on a second",
                        "the first gets " + describe(ErrorCode.SUPERSEDED) + " and is closed; the second stays up",
                        r -> {
                            RawSession first = r.connect(r.device(), "first");
                            first.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(first, r.device().id());
                            RawSession second = r.connect(r.device(), "second");
                            second.send(hello(r.device().id(), List.of(1), List.of()));
                            r.expect.welcome(second, r.device().id());
                            r.expect.error(first, ErrorCode.SUPERSEDED, 0, -1);
                            r.expect.alive(second, 2);
                        }),
                new ConformanceCase(
                        "idle-timeout",
                        "Hello, then silence for longer than Welcome.idle_timeout_ms",
                        describe(ErrorCode.IDLE_TIMEOUT) + " after about idle_timeout_ms; connection closed",
                        r -> {
                            RawSession s = r.connect(r.device(), "device");
                            s.send(hello(r.device().id(), List.of(1), List.of()));
                            Welcome w = r.expect.welcome(s, r.device().id());
                            long started = System.nanoTime();
                            r.expect.error(
                                    s,
                                    ErrorCode.IDLE_TIMEOUT,
                                    0,
                                    -1,
                                    Duration.ofMillis(w.getIdleTimeoutMs())
                                            .plus(r.target().replyTimeout()));
                            long waited = Duration.ofNanos(System.nanoTime() - started)
                                    .toMillis();
                            require(
                                    waited >= w.getIdleTimeoutMs() * 9L / 10,
                                    "IDLE_TIMEOUT after " + waited + " ms, before idle_timeout_ms "
                                            + w.getIdleTimeoutMs());
                        }),
                new ConformanceCase(
                        "handshake-timeout",
                        "Hello to learn Welcome.handshake_deadline_ms; then TLS on a new connection, and no Hello",
                        describe(ErrorCode.HANDSHAKE_TIMEOUT) + " after about handshake_deadline_ms; connection closed",
                        SessionCases::handshakeTimeout));
    }

    /**
     * Waits as long as the uplink's announced handshake deadline (and the reply timeout on top), and no less than 90%
     * of it; an uplink that announces none (0) gets {@code --handshake-wait} and no lower bound.
     */
    private static void handshakeTimeout(CaseRun r) throws Exception {
        RawSession first = r.connect(r.device(), "first");
        first.send(hello(r.device().id(), List.of(1), List.of()));
        long deadlineMs = r.expect.welcome(first, r.device().id()).getHandshakeDeadlineMs();
        first.close();
        // The deadline runs from the TCP accept, so the clock starts before connecting.
        long started = System.nanoTime();
        RawSession s = r.connect(r.device(), "device");
        Duration wait = deadlineMs > 0
                ? Duration.ofMillis(deadlineMs).plus(r.target().replyTimeout())
                : r.target().handshakeWait();
        r.expect.error(s, ErrorCode.HANDSHAKE_TIMEOUT, 0, -1, wait);
        long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
        require(
                waited >= deadlineMs * 9 / 10,
                "HANDSHAKE_TIMEOUT after " + waited + " ms, before handshake_deadline_ms " + deadlineMs);
    }

    private static void validSession(CaseRun r) throws Exception {
        RawSession s = r.connect(r.device(), "device");
        s.send(hello(r.device().id(), List.of(1), List.of()));
        r.expect.welcome(s, r.device().id());
        ClipSealing clip = r.newClip(r.device());
        s.send(CaseRun.open(clip));
        for (SealedFrame f : r.sealAll(clip, 3)) {
            r.sendPersisted(s, f);
        }
        r.closePersisted(s, clip.clipId(), 3);
    }

    static byte[] varint(int value) {
        byte[] out = new byte[5];
        int n = 0;
        int v = value;
        while ((v & ~0x7f) != 0) {
            out[n++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[n++] = (byte) v;
        return Arrays.copyOf(out, n);
    }
}
