package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How other threads reach a session: always on its channel's event loop, and never into a stopped one. */
class SessionLoopTest {
    private EventLoopGroup group;
    private Channel channel;
    private SessionLoop loop;

    @BeforeEach
    void register() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        channel = new LocalChannel();
        group.register(channel).sync();
        loop = new SessionLoop(channel);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    @Test
    void whenComplete_futureFailedOnAnotherThread_seenOnTheChannelsLoopWithItsFailure() throws Exception {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        loop.whenComplete(durable, failure -> {
            onLoop.complete(channel.eventLoop().inEventLoop());
            seen.complete(failure);
        });
        IOException failure = new IOException("disk full");
        Thread store = new Thread(() -> durable.completeExceptionally(failure), "store-syncer");
        store.start();
        store.join(10_000);
        assertTrue(onLoop.get(10, TimeUnit.SECONDS), "the store's thread must not run session code");
        assertSame(failure, seen.get(10, TimeUnit.SECONDS));
    }

    @Test
    void later_calledOnTheLoop_runsAfterTheCurrentTaskNotInsideIt() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            loop.later(() -> {
                order.add("later");
                done.complete(null);
            });
            loop.run(() -> order.add("run"));
            order.add("end of the current task");
        });
        done.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("run", "end of the current task", "later"), order);
    }

    @Test
    void later_afterTheLoopStopped_droppedWithoutThrowingAtTheCaller() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        AtomicBoolean ran = new AtomicBoolean();
        loop.later(() -> ran.set(true));
        loop.whenComplete(CompletableFuture.completedFuture(null), failure -> ran.set(true));
        assertFalse(ran.get(), "a stopped loop runs nothing");
    }
}
