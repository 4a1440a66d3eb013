package dev.doorbell.conformance;

/**
 * One protocol case: an id to select it by, what it does, what docs/PROTOCOL.md requires of the uplink, and the
 * steps. The steps throw {@link CaseFailure} when the uplink does something else.
 *
 * @param id short, stable, kebab-case (also the transcript's file name)
 * @param description what the device does
 * @param expected what the uplink must do: codes, fatal or retriable, acks
 */
public record ConformanceCase(String id, String description, String expected, Steps steps) {
    /** The body of a case. */
    @FunctionalInterface
    public interface Steps {
        void run(CaseRun run) throws Exception;
    }
}
