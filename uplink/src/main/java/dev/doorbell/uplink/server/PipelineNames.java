package dev.doorbell.uplink.server;

/** The name of every stage of a device connection's pipeline, so that tests and handlers can find them. */
public final class PipelineNames {
    public static final String TLS = "tls";
    public static final String IDLE = "idle";
    public static final String FRAME_DECODER = "frameDecoder";
    public static final String MESSAGE_DECODER = "messageDecoder";
    public static final String FRAME_ENCODER = "frameEncoder";
    public static final String MESSAGE_ENCODER = "messageEncoder";
    public static final String SESSION = "session";
    public static final String EXCEPTIONS = "exceptions";

    private PipelineNames() {}
}
