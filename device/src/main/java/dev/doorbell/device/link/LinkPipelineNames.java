package dev.doorbell.device.link;

/**
 * Names of the link client's pipeline stages, in pipeline order. Inbound bytes pass TLS, are cut into messages by
 * the bounded length decoder (before any large buffer exists), then parsed; outbound messages are serialized and
 * prefixed, then encrypted. The idle stage is added only after Welcome, because the heartbeat comes from it.
 */
public final class LinkPipelineNames {
    public static final String TLS = "tls";
    public static final String FRAME_DECODER = "frame-decoder";
    public static final String PROTOBUF_DECODER = "protobuf-decoder";
    public static final String FRAME_PREPENDER = "frame-prepender";
    public static final String PROTOBUF_ENCODER = "protobuf-encoder";
    public static final String IDLE = "idle";
    public static final String HANDLER = "link-handler";

    private LinkPipelineNames() {}
}
