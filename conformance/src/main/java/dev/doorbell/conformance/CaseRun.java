package dev.doorbell.conformance;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Ping;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The toolbox of one running case: sessions for either device, real sealed clips, and the message steps that the
 * cases are written in. Checks live in {@link Expect}. Every session opened here is closed when the case ends.
 */
final class CaseRun implements AutoCloseable {
    static final String FIRMWARE = "doorbell-conformance/1";
    /**
     * Every frame the suite seals: a 16x16 grey checkerboard, one complete baseline JPEG of 195 bytes, as the clip
     * header's codec (MJPEG) promises, so that an owner who opens the store sees a picture, not bytes that fail to
     * decode. Fixed bytes rather than encoded at run time: the golden transcripts must not depend on the JDK's encoder.
     */
    static final byte[] TEST_FRAME = Base64.getDecoder()
            .decode(
                    "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDABALDA4MChAODQ4SERAT"
                            + "GCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAQABABAREA/8QAFAABAAAAAAAAAAAAAAAA"
                            + "AAAAAP/EABwQAAEDBQAAAAAAAAAAAAAAABIAERQyNmSCkf/aAAgBAQAAPwBbmTI0EevUluZMjQR69SW5kyNBHr1JbmTI0EevUv/Z");

    static final int TEST_FRAME_SIZE = 16;
    /** 2^64-1 as the protocol's uint64: above every version an owner can issue. */
    static final long HOLDS_NEWEST_LIST = -1L;

    private final ConformanceTarget target;
    private final ConformanceDevice device;
    private final ConformanceDevice other;
    private final LongSupplier clipIds;
    private final Transcript transcript;
    private final List<RawSession> sessions = new ArrayList<>();
    private Welcome welcome;
    final Expect expect;

    CaseRun(
            ConformanceTarget target,
            ConformanceDevice device,
            ConformanceDevice other,
            LongSupplier clipIds,
            Transcript transcript) {
        this.target = target;
        this.device = device;
        this.other = other;
        this.clipIds = clipIds;
        this.transcript = transcript;
        this.expect = new Expect(target.replyTimeout());
    }

    ConformanceDevice device() {
        return device;
    }

    ConformanceDevice other() {
        return other;
    }

    ConformanceTarget target() {
        return target;
    }

    /** The fleet CA certificate that the device trusts, to reach the uplink with a certificate of another CA. */
    File deviceCaCertificate() {
        return target.device().caCertFile().toFile();
    }

    void note(String text) {
        transcript.note(text);
    }

    /** Connects as {@code who} and completes TLS; {@code label} names the session in the transcript. */
    RawSession connect(ConformanceDevice who, String label) throws IOException {
        RawSession session =
                RawSession.connect(who.tls(), target.host(), target.port(), target.replyTimeout(), transcript, label);
        sessions.add(session);
        return session;
    }

    /** Connects as {@code who}, says Hello (version 1, nothing to resume) and checks the Welcome. */
    RawSession helloed(ConformanceDevice who) throws IOException, CaseFailure {
        RawSession session = connect(who, who == device ? "device" : "other");
        session.send(hello(who.id(), List.of(1), List.of()));
        welcome = expect.welcome(session, who.id());
        return session;
    }

    /** The Welcome of the last {@link #helloed} session. */
    Welcome welcome() {
        return welcome;
    }

    /**
     * Hello as the suite's sessions say it: they claim to hold the newest recipient list there can be (version
     * 2^64-1, unsigned), so that no uplink relays a list into a case that does not expect one. The recipient-list
     * cases say the version they mean with {@link #hello(String, List, List, long)}.
     */
    static DeviceMessage hello(String deviceId, List<Integer> versions, List<Long> openClips) {
        return hello(deviceId, versions, openClips, HOLDS_NEWEST_LIST);
    }

    static DeviceMessage hello(String deviceId, List<Integer> versions, List<Long> openClips, long listVersion) {
        return DeviceMessage.newBuilder()
                .setHello(Hello.newBuilder()
                        .addAllVersions(versions)
                        .setDeviceId(deviceId)
                        .setFirmware(FIRMWARE)
                        .addAllOpenClips(openClips)
                        .setRecipientListVersion(listVersion))
                .build();
    }

    static DeviceMessage recipientListResult(long version, RecipientListResult.Status status, String detail) {
        return DeviceMessage.newBuilder()
                .setRecipientListResult(RecipientListResult.newBuilder()
                        .setVersion(version)
                        .setStatus(status)
                        .setDetail(detail))
                .build();
    }

    /**
     * A new clip of {@code who} with a fresh clip id, sealed as the paired device seals (format v3: a fresh clip key
     * wrapped to its recipient list, what happened sealed in the clip info, the link to its previous clip, the header
     * signed by the device's key; no padding).
     */
    ClipSealing newClip(ConformanceDevice who) {
        ClipParams params = new ClipParams(
                who.id(),
                clipIds.getAsLong(),
                Trigger.TRIGGER_MANUAL,
                Codec.CODEC_MJPEG,
                TEST_FRAME_SIZE,
                TEST_FRAME_SIZE,
                10,
                target.startTimeUnixMs(),
                0);
        return who.paired().startClip(params, List.of(), 0, target.random());
    }

    /** Seals the next frame of {@code clip}: the {@link #TEST_FRAME}, public test content, never a real picture. */
    SealedFrame seal(ClipSealing clip, boolean last) {
        return clip.seal(clip.nextSeq() * 100_000L, TEST_FRAME.clone(), last);
    }

    /** Seals {@code count} frames, the last one with {@code last = true}. */
    List<SealedFrame> sealAll(ClipSealing clip, int count) {
        List<SealedFrame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(seal(clip, i == count - 1));
        }
        return frames;
    }

    static DeviceMessage open(ClipSealing clip) {
        return DeviceMessage.newBuilder()
                .setClipOpen(ClipOpen.newBuilder()
                        .setClipId(clip.clipId())
                        .setHeader(ByteString.copyFrom(clip.headerBytes())))
                .build();
    }

    /**
     * ClipOpen of {@code clip} with other header bytes that still name its device and id: its SignedClipHeader with
     * the signature's first byte flipped, which the uplink cannot tell from a real one. A device seals one header per
     * clip (a second clip under the same id would name itself as its predecessor in the chain), so this is how a
     * conflicting header is made.
     */
    static DeviceMessage openWithOtherHeader(ClipSealing clip) throws InvalidProtocolBufferException {
        SignedClipHeader signed = SignedClipHeader.parseFrom(clip.headerBytes());
        byte[] signature = signed.getSignature().toByteArray();
        signature[0] ^= 1;
        return DeviceMessage.newBuilder()
                .setClipOpen(ClipOpen.newBuilder()
                        .setClipId(clip.clipId())
                        .setHeader(signed.toBuilder()
                                .setSignature(ByteString.copyFrom(signature))
                                .build()
                                .toByteString()))
                .build();
    }

    static DeviceMessage frame(SealedFrame f) {
        return frame(f.clipId(), f.seq(), f.last(), f.meta(), f.sealed());
    }

    static DeviceMessage frame(long clipId, int seq, boolean last, byte[] meta, byte[] sealed) {
        return DeviceMessage.newBuilder()
                .setFrame(Frame.newBuilder()
                        .setClipId(clipId)
                        .setSeq(seq)
                        .setLast(last)
                        .setMeta(ByteString.copyFrom(meta))
                        .setSealed(ByteString.copyFrom(sealed)))
                .build();
    }

    static DeviceMessage close(long clipId, int frameCount) {
        return DeviceMessage.newBuilder()
                .setClipClose(ClipClose.newBuilder().setClipId(clipId).setFrameCount(frameCount))
                .build();
    }

    static DeviceMessage ping(long token) {
        return DeviceMessage.newBuilder()
                .setPing(Ping.newBuilder().setToken(token))
                .build();
    }

    /** Sends a frame and waits until it is PERSISTED, so that the exchange is lock-step and reproducible. */
    Ack sendPersisted(RawSession session, SealedFrame f) throws IOException, CaseFailure {
        session.send(frame(f));
        return expect.persisted(session, f.clipId(), f.seq() + 1, false);
    }

    /** Sends ClipOpen and proves with a Ping that the uplink accepted it (ClipOpen itself is not acknowledged). */
    void openAccepted(RawSession session, ClipSealing clip, long pingToken) throws IOException, CaseFailure {
        session.send(open(clip));
        expect.alive(session, pingToken);
    }

    /** Sends ClipClose for {@code frameCount} frames and waits for the PERSISTED ack with closed = true. */
    void closePersisted(RawSession session, long clipId, int frameCount) throws IOException, CaseFailure {
        session.send(close(clipId, frameCount));
        Ack ack = expect.persisted(session, clipId, frameCount, true);
        if (ack.getKind() != AckKind.ACK_KIND_PERSISTED) {
            throw new CaseFailure("clip " + clipId + ": expected a PERSISTED ack of the close, got " + ack);
        }
    }

    @Override
    public void close() {
        sessions.forEach(RawSession::close);
    }
}
