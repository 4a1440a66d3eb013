package dev.doorbell.uplink.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Ping;
import dev.doorbell.proto.v1.Recipient;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.WrappedKey;
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

    /** Hello saying the device holds recipient list {@code listVersion}. */
    public static DeviceMessage helloHolding(String deviceId, long listVersion, long... openClips) {
        DeviceMessage hello = hello(deviceId, openClips);
        return hello.toBuilder()
                .setHello(hello.getHello().toBuilder().setRecipientListVersion(listVersion))
                .build();
    }

    /**
     * A format v2 header: a SignedClipHeader around a ClipHeader with format_version 2. The signature is 64 bytes of
     * filler: the uplink parses, it cannot verify.
     */
    public static ByteString signedHeader(String deviceId, long clipId) {
        ByteString inner = ClipHeader.newBuilder()
                .setFormatVersion(2)
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setNoncePrefix(ByteString.copyFrom(new byte[7]))
                .setKeyCommitment(ByteString.copyFrom(new byte[32]))
                .addWrappedKeys(WrappedKey.newBuilder()
                        .setRecipientKeyId(ByteString.copyFrom(new byte[8]))
                        .setKem(0x20)
                        .setEnc(ByteString.copyFrom(new byte[32]))
                        .setCiphertext(ByteString.copyFrom(new byte[48])))
                .setRecipientListVersion(1)
                .setDeviceKeyCertificate(ByteString.copyFromUtf8("certificate"))
                .build()
                .toByteString();
        return SignedClipHeader.newBuilder()
                .setHeader(inner)
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteString();
    }

    /**
     * A format v3 header as a device writes it: format_version 3, no public event field, a chain link, sealed clip
     * info (filler), and a field this uplink does not know (field 99), which a newer device may add. The signature
     * is filler, as in {@link #signedHeader}.
     */
    public static ByteString signedHeaderV3(String deviceId, long clipId) {
        ClipHeader inner = ClipHeader.newBuilder()
                .setFormatVersion(3)
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setNoncePrefix(ByteString.copyFrom(new byte[7]))
                .setKeyCommitment(ByteString.copyFrom(new byte[32]))
                .addWrappedKeys(WrappedKey.newBuilder()
                        .setRecipientKeyId(ByteString.copyFrom(new byte[8]))
                        .setKem(0x20)
                        .setEnc(ByteString.copyFrom(new byte[32]))
                        .setCiphertext(ByteString.copyFrom(new byte[48])))
                .setRecipientListVersion(1)
                .setDeviceKeyCertificate(ByteString.copyFromUtf8("certificate"))
                .setChain(ChainLink.newBuilder()
                        .setPosition(2)
                        .setPrevClipId(0x1234_5678_9abc_def0L)
                        .setPrevHeaderSha256(ByteString.copyFrom(new byte[32]))
                        .setPrevAcknowledgedFrames(5)
                        .setPrevFinalAcknowledged(true))
                .setSealedInfo(ByteString.copyFrom(new byte[80]))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(
                                99,
                                UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                        .build())
                .build();
        return SignedClipHeader.newBuilder()
                .setHeader(inner.toByteString())
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteString();
    }

    /**
     * SignedRecipientList bytes for {@code deviceId} at {@code version}, with a filler signature: what an operator
     * publishes is opaque to the uplink, which reads only the device id and the version.
     */
    public static byte[] signedList(String deviceId, long version) {
        ByteString list = RecipientList.newBuilder()
                .setDeviceId(deviceId)
                .setVersion(version)
                .setIssuedUnixMs(1_760_000_000_000L + version)
                .addRecipients(Recipient.newBuilder()
                        .setName("owner")
                        .setKem(0x20)
                        .setPublicKey(ByteString.copyFrom(new byte[32])))
                .build()
                .toByteString();
        byte[] signature = new byte[64];
        Arrays.fill(signature, (byte) version);
        return SignedRecipientList.newBuilder()
                .setList(list)
                .setSignature(ByteString.copyFrom(signature))
                .build()
                .toByteArray();
    }

    public static DeviceMessage recipientListResult(long version, RecipientListResult.Status status, String detail) {
        return DeviceMessage.newBuilder()
                .setRecipientListResult(RecipientListResult.newBuilder()
                        .setVersion(version)
                        .setStatus(status)
                        .setDetail(detail))
                .build();
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
