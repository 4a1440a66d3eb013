package dev.doorbell.conformance.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.conformance.bench.BenchOutcome.Verdict;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.Pem;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.Identity;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench must catch a device that misbehaves: a scripted device over real TLS on loopback that ignores the window
 * and repeats a nonce prefix gets FAIL for exactly those cases, and the run does not pass.
 */
class DeviceBenchTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;

    @BeforeEach
    void provision() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC())
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        deviceId = java.nio.file.Files.readAllLines(fleet.fleetList()).get(0);
    }

    @Test
    void run_deviceIgnoresWindowAndRepeatsNoncePrefix_thoseCasesFailWithTheReason() throws Exception {
        List<String> faults = Collections.synchronizedList(new ArrayList<>());
        try (DeviceBench bench =
                new DeviceBench(BenchConfig.defaults("127.0.0.1", 0, fleet.root()), Optional.empty(), faults::add)) {
            int port = bench.start();
            List<UplinkMessage> received;
            try (RawDevice device = new RawDevice(port)) {
                device.hello();
                device.lockStepClip(1001, 6, 0x11);
                received = device.blastClip(1002, 8, 0x11);
            }
            bench.finish();
            Map<BenchCase, BenchOutcome> outcomes = bench.await(Duration.ofSeconds(10)).stream()
                    .collect(Collectors.toMap(BenchOutcome::benchCase, Function.identity()));
            assertEquals(Verdict.PASS, outcomes.get(BenchCase.NORMAL_CLIP).verdict(), outcomes.toString());
            BenchOutcome window = outcomes.get(BenchCase.SMALL_WINDOW);
            assertEquals(Verdict.FAIL, window.verdict(), outcomes.toString());
            assertTrue(window.detail().contains("the window is 4 frames"), window.detail());
            assertTrue(
                    received.stream()
                            .anyMatch(m -> m.hasError() && m.getError().getCode() == ErrorCode.WINDOW_EXCEEDED),
                    "the device was told WINDOW_EXCEEDED");
            BenchOutcome headers = outcomes.get(BenchCase.CLIP_HEADERS);
            assertEquals(Verdict.FAIL, headers.verdict(), outcomes.toString());
            assertTrue(headers.detail().contains("repeats the nonce prefix"), headers.detail());
            assertEquals(Verdict.NOT_RUN, outcomes.get(BenchCase.REVOKED).verdict(), outcomes.toString());
            assertFalse(outcomes.containsKey(BenchCase.SEALING), "no identity, no sealing case");
            assertTrue(faults.stream().anyMatch(f -> f.startsWith("HEADER ")), faults.toString());
            assertFalse(
                    new BenchReport(deviceId, false, java.time.Instant.now(), List.copyOf(outcomes.values())).passed());
        }
    }

    @Test
    void run_frameSentWithOtherAadThanSealed_sealingFaultReportedAtThatFrameBeforeTheNext() throws Exception {
        TestOwner owner = new TestOwner();
        PairedDevice paired = owner.pair(fleet.device(deviceId));
        Identity identity = Identity.of(owner.publicKey(), List.of(owner.viewer()));
        List<String> faults = Collections.synchronizedList(new ArrayList<>());
        try (DeviceBench bench = new DeviceBench(
                        BenchConfig.defaults("127.0.0.1", 0, fleet.root()), Optional.of(identity), faults::add);
                RawDevice device = new RawDevice(bench.start())) {
            device.hello();
            ClipSealing clip = paired.startClip(
                    new ClipParams(deviceId, 2001, Trigger.TRIGGER_MANUAL, Codec.CODEC_MJPEG, 16, 16, 10, 1, 0),
                    List.of(),
                    0,
                    new SecureRandom());
            device.send(DeviceMessage.newBuilder()
                    .setClipOpen(
                            ClipOpen.newBuilder().setClipId(2001).setHeader(ByteString.copyFrom(clip.headerBytes())))
                    .build());
            for (int seq = 0; seq < 4; seq++) {
                SealedFrame f = clip.seal(seq * 100_000L, new byte[] {1, 2, 3, (byte) seq}, seq == 3);
                byte[] meta = f.meta().clone();
                if (seq == 2) {
                    // A v3 frame's AAD is sealed with empty metadata: a frame carrying any is not the frame sealed.
                    meta = java.util.Arrays.copyOf(meta, meta.length + 1);
                    meta[meta.length - 1] ^= 0x5a;
                }
                device.send(DeviceMessage.newBuilder()
                        .setFrame(Frame.newBuilder()
                                .setClipId(2001)
                                .setSeq(seq)
                                .setLast(f.last())
                                .setMeta(ByteString.copyFrom(meta))
                                .setSealed(ByteString.copyFrom(f.sealed())))
                        .build());
                device.awaitPersisted(2001, seq + 1);
                if (seq == 1) {
                    assertEquals(List.of(), faults, "frames 0 and 1 open");
                }
                if (seq == 2) {
                    assertEquals(1, faults.size(), faults.toString());
                    assertTrue(
                            faults.get(0).startsWith("SEALING clip 00000000000007d1: TAMPERED at frame 2"),
                            faults.get(0));
                }
            }
            bench.finish();
            BenchOutcome sealing = bench.await(Duration.ofSeconds(10)).stream()
                    .filter(o -> o.benchCase() == BenchCase.SEALING)
                    .findFirst()
                    .orElseThrow();
            assertEquals(Verdict.FAIL, sealing.verdict(), sealing.toString());
            assertTrue(sealing.detail().contains("TAMPERED at frame 2"), sealing.detail());
        } finally {
            paired.destroy();
        }
    }

    /** A device written for this test: its own TLS client, messages written by hand. */
    private final class RawDevice implements AutoCloseable {
        private final SSLSocket socket;

        RawDevice(int port) throws Exception {
            Path device = fleet.device(deviceId);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(
                    "device", Pem.readPrivateKey(device.resolve("device-key.pem")), new char[0], new Certificate[] {
                        Pem.readCertificate(device.resolve("device-cert.pem"))
                    });
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", Pem.readCertificate(device.resolve("ca-cert.pem")));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
        }

        void hello() throws Exception {
            send(DeviceMessage.newBuilder()
                    .setHello(Hello.newBuilder().addVersions(1).setDeviceId(deviceId))
                    .build());
            assertTrue(read().hasWelcome());
        }

        /** Waits for each frame's PERSISTED ack before the next, as a well-behaved device may. */
        void lockStepClip(long clipId, int frames, int prefixByte) throws Exception {
            open(clipId, prefixByte);
            for (int seq = 0; seq < frames; seq++) {
                send(frame(clipId, seq, seq == frames - 1));
                awaitPersisted(clipId, seq + 1);
            }
            send(DeviceMessage.newBuilder()
                    .setClipClose(ClipClose.newBuilder().setClipId(clipId).setFrameCount(frames))
                    .build());
            awaitPersisted(clipId, frames);
        }

        /** Sends every frame at once, whatever the window: the fault this test plants. */
        List<UplinkMessage> blastClip(long clipId, int frames, int prefixByte) throws Exception {
            open(clipId, prefixByte);
            for (int seq = 0; seq < frames; seq++) {
                send(frame(clipId, seq, seq == frames - 1));
            }
            List<UplinkMessage> received = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                UplinkMessage m = read();
                received.add(m);
                if (m.hasError() && m.getError().getCode() == ErrorCode.WINDOW_EXCEEDED) {
                    break;
                }
            }
            return received;
        }

        private void open(long clipId, int prefixByte) throws Exception {
            ClipHeader header = ClipHeader.newBuilder()
                    .setFormatVersion(1)
                    .setDeviceId(deviceId)
                    .setClipId(clipId)
                    .setNoncePrefix(ByteString.copyFrom(new byte[] {(byte) prefixByte, 1, 2, 3, 4, 5, 6}))
                    .build();
            send(DeviceMessage.newBuilder()
                    .setClipOpen(ClipOpen.newBuilder().setClipId(clipId).setHeader(header.toByteString()))
                    .build());
        }

        private DeviceMessage frame(long clipId, int seq, boolean last) {
            return DeviceMessage.newBuilder()
                    .setFrame(Frame.newBuilder()
                            .setClipId(clipId)
                            .setSeq(seq)
                            .setLast(last)
                            .setSealed(ByteString.copyFrom(new byte[] {(byte) seq, 1, 2, 3})))
                    .build();
        }

        void awaitPersisted(long clipId, int frames) throws Exception {
            for (int i = 0; i < 100; i++) {
                UplinkMessage m = read();
                if (m.hasAck()
                        && m.getAck().getClipId() == clipId
                        && m.getAck().getKindValue() == 2
                        && m.getAck().getFrames() >= frames) {
                    return;
                }
            }
            throw new AssertionError("no PERSISTED ack for frame " + (frames - 1) + " of clip " + clipId);
        }

        void send(DeviceMessage message) throws Exception {
            message.writeDelimitedTo(socket.getOutputStream());
            socket.getOutputStream().flush();
        }

        private UplinkMessage read() throws Exception {
            UplinkMessage m = UplinkMessage.parseDelimitedFrom(socket.getInputStream());
            if (m == null) {
                throw new AssertionError("the bench closed the connection");
            }
            return m;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
