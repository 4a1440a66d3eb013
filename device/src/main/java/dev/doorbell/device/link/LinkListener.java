package dev.doorbell.device.link;

import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Welcome;

/**
 * Events of one {@link LinkClient}, for one log line per clip and for latency measurement (record the time of
 * {@code send} per (clip, seq) and compare on {@link #onPersisted}). Called on the client's event loop: an
 * implementation must return quickly and never block. Exceptions thrown here are logged and ignored.
 */
public interface LinkListener {
    LinkListener NONE = new LinkListener() {};

    /** The TCP connection (and TLS handshake, if any) is up; Hello has been sent. */
    default void onConnected() {}

    default void onWelcome(Welcome welcome) {}

    /**
     * A connection attempt ended before Welcome: the TCP connect or the TLS handshake failed, the uplink closed the
     * connection, or no Welcome came in time. The client tries again after its backoff.
     */
    default void onConnectFailed(UplinkFailure failure) {}

    /** Frames 0 .. frames-1 of the clip are durable on the uplink (cumulative; called when the count grows). */
    default void onPersisted(long clipId, int frames) {}

    /** Every frame and the close of the clip are durable; the client no longer keeps any of it. */
    default void onClipPersisted(long clipId, int frames, long sealedBytes) {}

    /** An Error from the uplink, or one the client raised itself for a frame it cannot send. */
    default void onError(Error error) {}

    /** The clip was removed from the outbox before it was fully persisted, by buffer policy or after an error. */
    default void onClipDropped(long clipId, String reason) {}

    default void onDisconnected() {}
}
