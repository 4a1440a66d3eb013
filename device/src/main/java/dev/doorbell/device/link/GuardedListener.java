package dev.doorbell.device.link;

import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the caller's listener so that an exception in it cannot break the link's own state machine. */
final class GuardedListener implements LinkListener {
    private static final Logger log = LoggerFactory.getLogger(GuardedListener.class);

    private final LinkListener delegate;
    private final String deviceId;

    GuardedListener(LinkListener delegate, String deviceId) {
        this.delegate = delegate;
        this.deviceId = deviceId;
    }

    private void guard(String event, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("link listener failed on {} device={}", event, deviceId, e);
        }
    }

    @Override
    public void onConnected() {
        guard("connected", delegate::onConnected);
    }

    @Override
    public void onWelcome(Welcome welcome) {
        guard("welcome", () -> delegate.onWelcome(welcome));
    }

    @Override
    public void onConnectFailed(UplinkFailure failure) {
        guard("connect failed", () -> delegate.onConnectFailed(failure));
    }

    @Override
    public void onPersisted(long clipId, int frames) {
        guard("persisted", () -> delegate.onPersisted(clipId, frames));
    }

    @Override
    public void onClipPersisted(long clipId, int frames, long sealedBytes) {
        guard("clip persisted", () -> delegate.onClipPersisted(clipId, frames, sealedBytes));
    }

    @Override
    public void onError(Error error) {
        guard("error", () -> delegate.onError(error));
    }

    @Override
    public void onClipDropped(long clipId, String reason) {
        guard("clip dropped", () -> delegate.onClipDropped(clipId, reason));
    }

    @Override
    public void onDisconnected() {
        guard("disconnected", delegate::onDisconnected);
    }
}
