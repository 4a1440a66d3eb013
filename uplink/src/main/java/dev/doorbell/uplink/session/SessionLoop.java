package dev.doorbell.uplink.session;

import dev.doorbell.uplink.logging.LogContext;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where other threads come into a session. Everything of a session runs on its channel's event loop, so that its
 * state needs no lock; what arrives from elsewhere hops onto that loop here, and nowhere else: the store's durable
 * futures (completed on the store's syncer thread), SUPERSEDED from the registry (on another connection's loop), a
 * new revocation list (on the watcher's thread) and the server's stop. A task that arrives after the loop stopped
 * (the uplink is shutting down; the connection is gone) is dropped with a DEBUG line.
 */
final class SessionLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLoop.class);

    private final Channel channel;

    SessionLoop(Channel channel) {
        this.channel = channel;
    }

    /** Queues {@code task} on the loop, behind what is waiting there already, even when called on the loop. */
    void later(Runnable task) {
        try {
            channel.eventLoop().execute(() -> {
                // The device this task is about, for its log lines: the loop runs other devices' tasks in between.
                try (LogContext device = LogContext.device(
                        channel.attr(DeviceSessionHandler.DEVICE_ID).get())) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException e) {
            String id = channel.attr(DeviceSessionHandler.DEVICE_ID).get();
            LOG.debug(
                    "{}: event loop stopped before a task from another thread ran",
                    id != null ? "device " + id : "unidentified peer " + channel.remoteAddress());
        }
    }

    /** Runs {@code task} on the loop: at once when called there, else queued. */
    void run(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            later(task);
        }
    }

    /**
     * Once {@code future} completes, on whichever thread, runs {@code then} on the loop with its failure (null when
     * it succeeded).
     */
    void whenComplete(CompletableFuture<?> future, Consumer<Throwable> then) {
        future.whenComplete((ignored, failure) -> run(() -> then.accept(failure)));
    }
}
