package dev.doorbell.device.camera;

/**
 * The camera's source of time, injected so that a run can be replayed: {@link SystemSimClock} follows the wall
 * clock and really sleeps, {@link VirtualSimClock} jumps ahead instantly for tests and fast runs.
 */
public interface SimClock {

    /** Microseconds since the Unix epoch (UTC). Never goes backwards. */
    long nowMicros();

    /**
     * Returns once {@link #nowMicros()} has reached {@code targetMicros}, or at once when it already has. Returns
     * early, with the thread's interrupt flag set, when the thread is interrupted.
     */
    void sleepUntilMicros(long targetMicros);
}
