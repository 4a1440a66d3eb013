package dev.doorbell.uplink.testing;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Ping;
import java.util.Arrays;

/** Builders for the device messages of the tests. The "sealed" bytes are opaque filler: the uplink never looks. */
public final class Messages {
    private Messages() {}

    public static DeviceMessage hello(String deviceId, long... openClips) {
        Hello.Builder hello =
                Hello.newBuilder().addVersions(1).setDeviceId(deviceId).setFirmware("uplink-test/1");
        Arrays.stream(openClips).forEach(hello::addOpenClips);
        return DeviceMessage.newBuilder().setHello(hello).build();
    }

    public static ByteString header(String deviceId, long clipId) {
        return ClipHeader.newBuilder()
                .setFormatVersion(1)
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setSalt(ByteString.copyFrom(new byte[32]))
                .setNoncePrefix(ByteString.copyFrom(new byte[7]))
                .setWidth(640)
                .setHeight(480)
                .setFps(10)
                .build()
                .toByteString();
    }

    public static DeviceMessage clipOpen(String deviceId, long clipId) {
        return clipOpen(clipId, header(deviceId, clipId));
    }

    public static DeviceMessage clipOpen(long clipId, ByteString header) {
        return DeviceMessage.newBuilder()
                .setClipOpen(ClipOpen.newBuilder().setClipId(clipId).setHeader(header))
                .build();
    }

    /** Frame seq of a clip with {@code size} sealed bytes derived from (clip, seq, salt). */
    public static DeviceMessage frame(long clipId, int seq, boolean last, int size, int salt) {
        byte[] sealed = new byte[size];
        for (int i = 0; i < size; i++) {
            sealed[i] = (byte) (clipId * 31 + seq * 7L + i + salt);
        }
        FrameMeta meta = FrameMeta.newBuilder()
                .setPtsUs(seq * 100_000L)
                .setPlaintextLength(Math.max(0, size - 16))
                .build();
        return DeviceMessage.newBuilder()
                .setFrame(Frame.newBuilder()
                        .setClipId(clipId)
                        .setSeq(seq)
                        .setLast(last)
                        .setMeta(meta.toByteString())
                        .setSealed(ByteString.copyFrom(sealed)))
                .build();
    }

    public static DeviceMessage frame(long clipId, int seq, boolean last) {
        return frame(clipId, seq, last, 1000, 0);
    }

    public static DeviceMessage clipClose(long clipId, int frameCount) {
        return DeviceMessage.newBuilder()
                .setClipClose(ClipClose.newBuilder().setClipId(clipId).setFrameCount(frameCount))
                .build();
    }

    public static DeviceMessage ping(long token) {
        return DeviceMessage.newBuilder()
                .setPing(Ping.newBuilder().setToken(token))
                .build();
    }
}
