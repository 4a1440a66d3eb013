package dev.doorbell.device.link;

import dev.doorbell.proto.v1.Error;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every link event for assertions. */
final class RecordingListener implements LinkListener {
    final List<Error> errors = new CopyOnWriteArrayList<>();
    final List<Long> persistedClips = new CopyOnWriteArrayList<>();
    final List<Long> droppedClips = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected() {
        events.add("connected");
    }

    @Override
    public void onClipPersisted(long clipId, int frames, long sealedBytes) {
        persistedClips.add(clipId);
    }

    @Override
    public void onError(Error error) {
        errors.add(error);
    }

    @Override
    public void onClipDropped(long clipId, String reason) {
        droppedClips.add(clipId);
    }

    @Override
    public void onDisconnected() {
        events.add("disconnected");
    }
}
