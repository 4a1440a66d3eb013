package dev.doorbell.fleet.scenario;

import dev.doorbell.fleet.faults.FaultPlan;
import dev.doorbell.fleet.faults.FaultProxy;
import dev.doorbell.fleet.faults.FaultStats;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A slow uplink: a {@link FaultProxy} between the devices and the real uplink that delays everything the uplink
 * sends (Welcome, acks) by a constant per connection drawn in [0, {@code delayMax}], and optionally stalls one
 * direction of some connections. Point the devices at {@link #address()} instead of the uplink. TLS stays end to
 * end; the proxy sees only bytes.
 */
public final class SlowUplink implements AutoCloseable {
    private final FaultProxy proxy;
    private final InetSocketAddress address;

    private SlowUplink(FaultProxy proxy, InetSocketAddress address) {
        this.proxy = proxy;
        this.address = address;
    }

    /** Acks delayed by up to {@code delayMax} on every connection; no stalls. */
    public static SlowUplink start(InetSocketAddress uplink, Duration delayMax, long seed) throws InterruptedException {
        return start(uplink, FaultPlan.none().withDelays(1.0, delayMax), seed);
    }

    /** Any plan of delays and stalls; the proxy listens on an ephemeral port of the uplink's loopback address. */
    public static SlowUplink start(InetSocketAddress uplink, FaultPlan plan, long seed) throws InterruptedException {
        if (!uplink.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("a slow uplink is for loopback benchmarks only, not " + uplink);
        }
        FaultProxy proxy = new FaultProxy(new InetSocketAddress(uplink.getAddress(), 0), uplink, plan, seed);
        return new SlowUplink(proxy, proxy.start());
    }

    /** Where the devices should connect. */
    public InetSocketAddress address() {
        return address;
    }

    public FaultStats stats() {
        return proxy.stats();
    }

    public FaultPlan plan() {
        return proxy.plan();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
