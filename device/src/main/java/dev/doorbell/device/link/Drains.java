package dev.doorbell.device.link;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Callers waiting until everything queued is PERSISTED: every queued frame, and every requested close. A clip
 * still being recorded counts as drained once what it has queued so far is durable. Confined to the event loop.
 */
final class Drains {
    private final String deviceId;
    private final Outbox outbox;
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

    Drains(String deviceId, Outbox outbox) {
        this.deviceId = deviceId;
        this.outbox = outbox;
    }

    void add(CompletableFuture<Void> future, Duration timeout, EventExecutor loop) {
        if (drained()) {
            future.complete(null);
            return;
        }
        waiting.add(future);
        ScheduledFuture<?> timer = loop.schedule(
                () -> {
                    // Identity is the equality wanted: each caller's own future, never an equal one.
                    @SuppressWarnings("CollectionUndefinedEquality")
                    boolean stillWaiting = waiting.remove(future);
                    if (stillWaiting) {
                        future.completeExceptionally(
                                new TimeoutException("drain of device " + deviceId + " not done after "
                                        + timeout.toMillis() + " ms: " + unsettled() + " clips not persisted, "
                                        + outbox.bufferedBytes().get()
                                        + " bytes buffered"));
                    }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        future.whenComplete((v, e) -> timer.cancel(false));
    }

    void check() {
        if (!waiting.isEmpty() && drained()) {
            List<CompletableFuture<Void>> done = new ArrayList<>(waiting);
            waiting.clear();
            done.forEach(f -> f.complete(null));
        }
    }

    void failAll(Throwable cause) {
        List<CompletableFuture<Void>> failed = new ArrayList<>(waiting);
        waiting.clear();
        failed.forEach(f -> f.completeExceptionally(cause));
    }

    private boolean drained() {
        return unsettled() == 0;
    }

    private int unsettled() {
        int n = 0;
        for (ClipOutbox c : outbox.clips()) {
            if (!c.ghost && !c.settled()) {
                n++;
            }
        }
        return n;
    }
}
