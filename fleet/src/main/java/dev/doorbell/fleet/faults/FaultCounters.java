package dev.doorbell.fleet.faults;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one {@link FaultProxy}, updated on its event loops and read from anywhere. */
final class FaultCounters {
    final LongAdder connections = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder stalls = new LongAdder();
    final LongAdder halfOpens = new LongAdder();
    final LongAdder oneByteConnections = new LongAdder();
    final LongAdder oneByteWrites = new LongAdder();
    final LongAdder delayedConnections = new LongAdder();
    final LongAdder bytesUp = new LongAdder();
    final LongAdder bytesDown = new LongAdder();

    FaultStats snapshot() {
        return new FaultStats(
                connections.sum(),
                refused.sum(),
                resets.sum(),
                stalls.sum(),
                halfOpens.sum(),
                oneByteConnections.sum(),
                oneByteWrites.sum(),
                delayedConnections.sum(),
                bytesUp.sum(),
                bytesDown.sum());
    }
}
