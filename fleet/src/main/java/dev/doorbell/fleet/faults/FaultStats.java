package dev.doorbell.fleet.faults;

/**
 * What a {@link FaultProxy} has done so far.
 *
 * @param connections connections accepted and relayed to the target
 * @param refused connections closed on accept (over maxConnections) or because the target was unreachable
 * @param resets connections reset with RST
 * @param stalls direction stalls started
 * @param halfOpens connections held half-open (then reset; not counted in {@code resets})
 * @param oneByteConnections connections whose first bytes went one byte per write
 * @param oneByteWrites single-byte writes made
 * @param delayedConnections connections whose uplink-to-device direction was delayed
 * @param bytesUp bytes forwarded device to uplink
 * @param bytesDown bytes forwarded uplink to device
 */
public record FaultStats(
        long connections,
        long refused,
        long resets,
        long stalls,
        long halfOpens,
        long oneByteConnections,
        long oneByteWrites,
        long delayedConnections,
        long bytesUp,
        long bytesDown) {

    /** One line for a progress report. */
    public String line() {
        return String.format(
                "connections %d (refused %d), resets %d, stalls %d, half-open %d, 1-byte writes %d on %d "
                        + "connections, delayed %d, up %d bytes, down %d bytes",
                connections,
                refused,
                resets,
                stalls,
                halfOpens,
                oneByteWrites,
                oneByteConnections,
                delayedConnections,
                bytesUp,
                bytesDown);
    }
}
