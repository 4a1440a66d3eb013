package dev.doorbell.app.matrix;

/** Who may catch a firmware fault, in the order the matrix lists them (docs/FIRMWARE.md §6). */
public enum Layer {
    /** The doorbell's own report: something went wrong that no uplink told it. */
    DEVICE("device", "the device's own self-checks"),
    /** The real uplink, holding no key: its misuse flags and the Errors it sent, from its /metrics. */
    UPLINK("uplink", "the uplink without keys"),
    /** {@code bench-device} with {@code --insecure-owner-identity}: a FAULT line at once. */
    BENCH("bench", "the test uplink with the owner's identity"),
    /** The owner's {@code open} of the uplink's store: a verdict other than OK, or a chain finding. */
    OWNER("owner", "the owner's open");

    private final String id;
    private final String description;

    Layer(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }
}
