package dev.doorbell.uplink.session;

import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.store.ClipStore;

/** The Welcome of a session: the limits the uplink enforces, and where each clip to resume stands. */
final class Welcomes {
    private Welcomes() {}

    static Welcome of(UplinkConfig config, ClipStore store, String deviceId, Hello hello) {
        Welcome.Builder welcome = Welcome.newBuilder()
                .setVersion(1)
                .setDeviceId(deviceId)
                .setMaxMessageBytes(config.maxMessageBytes())
                .setMaxFrameBytes(config.maxFrameBytes())
                .setMaxFramesPerClip(config.maxFramesPerClip())
                .setMaxOpenClips(config.maxOpenClips())
                .setWindowFrames(config.windowFrames())
                .setWindowBytes(config.windowBytes())
                .setHeartbeatMs((int) config.heartbeat().toMillis())
                .setIdleTimeoutMs((int) config.idleTimeout().toMillis())
                .setHandshakeDeadlineMs((int) config.handshakeDeadline().toMillis());
        for (long clipId : hello.getOpenClipsList()) {
            // The store is keyed by the certificate's id: another device's clip id is simply unknown here.
            ClipStatus status = store.status(deviceId, clipId);
            welcome.addClips(ClipState.newBuilder()
                    .setClipId(clipId)
                    .setKnown(status != null)
                    .setPersistedFrames(status == null ? 0 : status.persistedFrames())
                    .setClosed(status != null && status.closePersisted()));
        }
        return welcome.build();
    }
}
