package dev.doorbell.fleet;

/**
 * What a caller does at the phases of a fleet run, each on the runner's threads and each with a do-nothing default:
 * a benchmark measures when every device is loaded and when every one is connected and drops them all while they
 * are idle; a scenario acts while they send. A hook that throws InterruptedException ends its phase, not the run.
 */
public interface RunHook {
    RunHook NONE = new RunHook() {};

    /** Every device is built (certificates and keys loaded, links made) and none has started to connect. */
    default void loaded(int devices) throws InterruptedException {}

    /**
     * With {@link FleetPlan#connectFirst()}: every device has been welcomed or has failed, {@code connectNanos} after
     * the first started; {@code welcomed} devices are connected. Sending starts after this and {@link #idle}.
     */
    default void connected(int welcomed, long connectNanos) throws InterruptedException {}

    /**
     * With {@link FleetPlan#connectFirst()}, on the runner's thread: every welcomed device is connected and nothing
     * is sent yet. {@code live} ends one connect timeout from now; return by then.
     */
    default void idle(LiveFleet live) throws InterruptedException {}

    /**
     * On a thread of its own, from the start of sending to its end ({@link LiveFleet#endNanos()}): a reconnect storm,
     * churn. It is interrupted 10 s after the senders stop; what it measured until then stays.
     */
    default void sending(LiveFleet live) throws InterruptedException {}
}
