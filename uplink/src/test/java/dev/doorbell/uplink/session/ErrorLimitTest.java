package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * One device cannot make the uplink work, answer or buffer without end: its refused requests are counted and the one
 * past the limit closes the session with TOO_MANY_ERRORS, which names a backoff that the uplink then enforces. Other
 * devices are not affected.
 */
class ErrorLimitTest {
    @AutoClose
    private TestUplink uplink;

    @Test
    void refusals_pastTheLimit_tooManyErrorsNamingBackoffAndClosedWhileOthersStream() throws Exception {
        uplink = TestUplink.start(b -> b.errorLimit(5, Duration.ofSeconds(10), Duration.ofSeconds(30)));
        TestDeviceClient good = uplink.session("dev-b");
        TestDeviceClient a = uplink.session("dev-a");
        for (int i = 0; i < 8; i++) {
            a.send(Messages.frame(77, i, false));
        }
        Error error = a.awaitError(ErrorCode.TOO_MANY_ERRORS).getError();
        assertTrue(error.getFatal() && error.getRetriable() && error.getClipId() == 0, error.toString());
        assertEquals(30_000, error.getRetryAfterMs());
        assertTrue(
                error.getMessage().contains("device dev-a")
                        && error.getMessage().contains("6 refused requests")
                        && error.getMessage().contains("UNKNOWN_CLIP"),
                error.getMessage());
        assertTrue(a.awaitClosed());
        assertEquals(
                5,
                a.received().stream()
                        .filter(m -> m.hasError() && m.getError().getCode() == ErrorCode.UNKNOWN_CLIP)
                        .count(),
                "the five errors within the limit are answered, nothing after the sixth");

        good.send(Messages.clipOpen("dev-b", 1), Messages.frame(1, 0, true), Messages.clipClose(1, 1));
        good.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, true);
        assertTrue(good.received().stream().noneMatch(UplinkMessage::hasError), "dev-b saw no error");
    }

    @Test
    void reconnect_duringBackoff_refusedWithTimeLeftThenWelcomeAfterIt() throws Exception {
        Duration backoff = Duration.ofMillis(1500);
        uplink = TestUplink.start(b -> b.errorLimit(2, Duration.ofSeconds(10), backoff));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipClose(5, 1), Messages.clipClose(5, 1), Messages.clipClose(5, 1));
        a.awaitError(ErrorCode.TOO_MANY_ERRORS);
        assertTrue(a.awaitClosed());
        long closedAt = System.nanoTime();

        TestDeviceClient again = uplink.connect("dev-a");
        again.send(Messages.hello("dev-a"));
        Error refused = again.awaitError(ErrorCode.TOO_MANY_ERRORS).getError();
        assertTrue(
                refused.getRetryAfterMs() > 0 && refused.getRetryAfterMs() <= backoff.toMillis(), refused.toString());
        assertTrue(again.awaitClosed());
        assertTrue(again.received().stream().noneMatch(UplinkMessage::hasWelcome), "no session during the backoff");

        LockSupport.parkNanos(closedAt + backoff.toNanos() - System.nanoTime());
        TestDeviceClient after = uplink.session("dev-a");
        after.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
        after.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
    }

    @Test
    void refusals_withinTheLimit_sessionStaysOpen() throws Exception {
        uplink = TestUplink.start(b -> b.errorLimit(3, Duration.ofSeconds(10), Duration.ofSeconds(10)));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.frame(9, 0, false), Messages.frame(9, 1, false), Messages.frame(9, 2, false), Messages.ping(4));
        a.await("Pong", UplinkMessage::hasPong);
        assertTrue(a.isOpen());
        assertTrue(
                a.received().stream()
                        .noneMatch(m -> m.hasError() && m.getError().getFatal()),
                a.received().toString());
    }
}
