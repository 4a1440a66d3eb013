package dev.doorbell.fleet.faults;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed connection, device side and uplink side, both on one event loop, where all of this state lives.
 * Neither side reads on its own (auto-read is off): a side reads again only when what it read last has been written
 * to the other side, so a slow or stalled peer holds back the sender instead of filling the proxy's memory. Stalls
 * and half-open holds simply stop asking for reads. Bytes pass through untouched: TLS stays end to end.
 */
final class ProxyConnection {
    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);
    /** Delayed bytes held at most; above it the uplink side stops being read until the delay releases some. */
    static final int DELAY_CAP_BYTES = 1 << 20;

    static final int CONNECT_TIMEOUT_MS = 5_000;

    private final long id;
    private final Channel device;
    private final ConnectionFaults faults;
    private final FaultCounters counters;
    private final Runnable onClosed;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final ArrayDeque<ByteBuf> delayed = new ArrayDeque<>();
    private Channel uplink;
    private boolean relaying;
    private boolean closed;
    private boolean halfOpen;
    private boolean stalledUp;
    private boolean stalledDown;
    private long forwarded;
    private long delayedBytes;
    private int oneByteLeftUp;
    private int oneByteLeftDown;

    ProxyConnection(long id, Channel device, ConnectionFaults faults, FaultCounters counters, Runnable onClosed) {
        this.id = id;
        this.device = device;
        this.faults = faults;
        this.counters = counters;
        this.onClosed = onClosed;
    }

    void connect(InetSocketAddress target) {
        ChannelFuture connecting = new Bootstrap()
                .group(device.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new RelayHandler(this, false))
                .connect(target);
        uplink = connecting.channel();
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                log.info(
                        "proxy connection {} cannot reach the target {}: {}",
                        id,
                        target,
                        f.cause().toString());
                counters.refused.increment();
                close(false);
            } else if (!closed) {
                relay();
            }
        });
    }

    private void relay() {
        relaying = true;
        counters.connections.increment();
        oneByteLeftUp = faults.oneByteBudget();
        oneByteLeftDown = faults.oneByteBudget();
        if (faults.oneByteBudget() > 0) {
            counters.oneByteConnections.increment();
        }
        if (faults.delayNanos() > 0) {
            counters.delayedConnections.increment();
        }
        if (faults.resetAtNanos() >= 0) {
            schedule(this::reset, faults.resetAtNanos());
        }
        if (faults.stallAtNanos() >= 0) {
            schedule(this::stall, faults.stallAtNanos());
        }
        if (faults.halfOpenAtNanos() >= 0) {
            schedule(this::holdHalfOpen, faults.halfOpenAtNanos());
        }
        log.debug("proxy connection {} relaying, faults {}", id, faults);
        device.read();
        uplink.read();
    }

    /** A buffer read from the device ({@code up}) or from the uplink; this connection now owns it. */
    void forward(boolean up, ByteBuf buf) {
        if (closed || halfOpen || !relaying) {
            buf.release();
            return;
        }
        int n = buf.readableBytes();
        (up ? counters.bytesUp : counters.bytesDown).add(n);
        forwarded += n;
        if (forwarded >= faults.resetAtBytes()) {
            buf.release();
            reset();
            return;
        }
        if (!up && faults.delayNanos() > 0) {
            delayed.add(buf);
            delayedBytes += n;
            schedule(this::releaseDelayed, faults.delayNanos());
            readMore(false);
        } else {
            write(up, buf);
        }
    }

    private void releaseDelayed() {
        ByteBuf buf = delayed.poll();
        if (buf != null) {
            delayedBytes -= buf.readableBytes();
            write(false, buf);
        }
    }

    private void write(boolean up, ByteBuf buf) {
        Channel dest = up ? uplink : device;
        int split = Math.min(up ? oneByteLeftUp : oneByteLeftDown, buf.readableBytes());
        if (split > 0) {
            for (int i = 0; i < split; i++) {
                dest.writeAndFlush(buf.readRetainedSlice(1), dest.voidPromise());
            }
            counters.oneByteWrites.add(split);
            if (up) {
                oneByteLeftUp -= split;
            } else {
                oneByteLeftDown -= split;
            }
        }
        dest.writeAndFlush(buf).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                readMore(up);
            } else {
                close(false);
            }
        });
    }

    private void readMore(boolean up) {
        if (closed || halfOpen || (up ? stalledUp : stalledDown)) {
            return;
        }
        if (!up && delayedBytes >= DELAY_CAP_BYTES) {
            return;
        }
        (up ? device : uplink).read();
    }

    private void stall() {
        boolean up = faults.stallUp();
        counters.stalls.increment();
        log.debug(
                "proxy connection {} stalls {} for {} ms",
                id,
                up ? "device->uplink" : "uplink->device",
                TimeUnit.NANOSECONDS.toMillis(faults.stallForNanos()));
        if (up) {
            stalledUp = true;
        } else {
            stalledDown = true;
        }
        schedule(
                () -> {
                    if (up) {
                        stalledUp = false;
                    } else {
                        stalledDown = false;
                    }
                    readMore(up);
                },
                faults.stallForNanos());
    }

    private void holdHalfOpen() {
        if (closed || halfOpen) {
            return;
        }
        halfOpen = true;
        counters.halfOpens.increment();
        log.debug(
                "proxy connection {} half-open for {} ms",
                id,
                TimeUnit.NANOSECONDS.toMillis(faults.halfOpenHoldNanos()));
        schedule(() -> close(true), faults.halfOpenHoldNanos());
    }

    private void reset() {
        if (closed || halfOpen) {
            return;
        }
        counters.resets.increment();
        log.debug("proxy connection {} reset after {} bytes", id, forwarded);
        close(true);
    }

    /** Closes both sides, with RST if {@code abort}; pending delayed bytes are dropped, as a dying link would. */
    void close(boolean abort) {
        if (closed) {
            return;
        }
        closed = true;
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        ByteBuf buf;
        while ((buf = delayed.poll()) != null) {
            buf.release();
        }
        closeSide(device, abort);
        if (uplink != null) {
            closeSide(uplink, abort);
        }
        onClosed.run();
    }

    private static void closeSide(Channel ch, boolean abort) {
        if (abort && ch.isOpen()) {
            // SO_LINGER 0 makes close() send RST and drop unsent data, which is the point of a reset.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ch.close();
    }

    private void schedule(Runnable task, long delayNanos) {
        timers.removeIf(ScheduledFuture::isDone);
        timers.add(device.eventLoop().schedule(task, delayNanos, TimeUnit.NANOSECONDS));
    }
}
