package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.FrameMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A clip as the link sees it: header bytes and frames of opaque "sealed" bytes, random from a seed. */
record TestClip(long id, byte[] header, List<byte[]> metas, List<byte[]> sealed) {

    static TestClip of(String deviceId, long id, int frames, int sealedSize) {
        Random random = new Random(id);
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        byte[] header = ClipHeader.newBuilder()
                .setFormatVersion(1)
                .setDeviceId(deviceId)
                .setClipId(id)
                .setSalt(ByteString.copyFrom(salt))
                .build()
                .toByteArray();
        List<byte[]> metas = new ArrayList<>();
        List<byte[]> sealed = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            metas.add(FrameMeta.newBuilder()
                    .setPtsUs(i * 66_666L)
                    .setPlaintextLength(sealedSize - 16)
                    .build()
                    .toByteArray());
            byte[] s = new byte[sealedSize];
            random.nextBytes(s);
            sealed.add(s);
        }
        return new TestClip(id, header, metas, sealed);
    }

    int frames() {
        return sealed.size();
    }

    long frameCost(int seq) {
        return (long) metas.get(seq).length + sealed.get(seq).length;
    }

    boolean sendFrame(LinkClient client, int seq) {
        return client.send(id, seq, seq == frames() - 1, metas.get(seq), sealed.get(seq));
    }

    /** Opens, sends every frame and closes; asserts nothing was refused. */
    void enqueue(LinkClient client) {
        if (!client.openClip(id, header)) {
            throw new AssertionError("open of clip " + id + " refused");
        }
        for (int seq = 0; seq < frames(); seq++) {
            if (!sendFrame(client, seq)) {
                throw new AssertionError("frame " + seq + " of clip " + id + " refused");
            }
        }
        client.closeClip(id, frames());
    }

    List<ByteString> sealedAsByteStrings() {
        return sealed.stream().map(ByteString::copyFrom).toList();
    }
}
