package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void spend_maxWithinWindow_allowedAndTheNextRefused() {
        ErrorBudget budget = new ErrorBudget(3, Duration.ofSeconds(10));
        long t = 123 * SECOND;
        assertTrue(budget.spend(t));
        assertTrue(budget.spend(t + SECOND));
        assertTrue(budget.spend(t + 9 * SECOND));
        assertFalse(budget.spend(t + 9 * SECOND + 1));
        assertEquals(4, budget.counted());
    }

    @Test
    void spend_windowOver_countStartsAgain() {
        ErrorBudget budget = new ErrorBudget(2, Duration.ofSeconds(10));
        long t = -5 * SECOND;
        assertTrue(budget.spend(t));
        assertTrue(budget.spend(t + SECOND));
        assertTrue(budget.spend(t + 10 * SECOND), "a new window opens 10 s after the first error of the last one");
        assertEquals(1, budget.counted());
        assertTrue(budget.spend(t + 11 * SECOND));
        assertFalse(budget.spend(t + 12 * SECOND));
    }

    @Test
    void countsAgainstDevice_storageUnavailableAndFatalCodes_doNotCount() {
        assertTrue(ErrorCodes.countsAgainstDevice(ErrorCode.UNKNOWN_CLIP));
        assertTrue(ErrorCodes.countsAgainstDevice(ErrorCode.FRAME_CONFLICT));
        assertTrue(ErrorCodes.countsAgainstDevice(ErrorCode.WINDOW_EXCEEDED));
        assertFalse(
                ErrorCodes.countsAgainstDevice(ErrorCode.STORAGE_UNAVAILABLE), "a full disk is not the device's doing");
        assertFalse(ErrorCodes.countsAgainstDevice(ErrorCode.SHUTTING_DOWN));
        assertFalse(ErrorCodes.countsAgainstDevice(ErrorCode.TOO_MANY_ERRORS));
    }
}
