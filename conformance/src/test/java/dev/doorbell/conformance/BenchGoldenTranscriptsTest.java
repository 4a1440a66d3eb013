package dev.doorbell.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.conformance.bench.BenchConfig;
import dev.doorbell.conformance.bench.BenchOutcome;
import dev.doorbell.conformance.bench.BenchTranscripts;
import dev.doorbell.conformance.bench.DeviceBench;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceTls;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.TestData;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.wire.Transports;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device bench against the Java doorbell's link (LinkClient, the code `doorbell simulate` runs) with a seeded
 * clip source: every case passes, and each clip case's exchange must equal its golden transcript in
 * testdata/transcripts/bench, so that a change in what the bench plays or in how the device answers shows as a diff.
 * Regenerate with {@code -Ddoorbell.regenerateTranscripts=true} (testdata/transcripts/README.md).
 */
class BenchGoldenTranscriptsTest {
    private static final String REGENERATE = "doorbell.regenerateTranscripts";
    private static final Instant FIXED_NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** Clip ids of the seeded device: fixed, so that the files are (a doorbell draws them at random). */
    private static final long FIRST_CLIP_ID = 3000;

    private static final int FRAMES_PER_CLIP = 6;

    @TempDir
    Path dir;

    @Test
    void run_seededJavaDevice_everyCasePassesAndTranscriptsMatchGoldenFiles() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        // INSECURE on purpose: fixed keys make the transcripts reproducible; they are public test data.
        InsecureDeterministicRandom fleetRandom = new InsecureDeterministicRandom("bench fleet");
        new FleetProvisioner(fleetRandom, Clock.fixed(FIXED_NOW, ZoneOffset.UTC), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        String deviceId = Files.readAllLines(fleet.fleetList()).get(0);
        DeviceDirectory device = DeviceDirectory.load(fleet.device(deviceId));
        TestOwner owner = new TestOwner(fleetRandom);
        owner.pair(device.path()).destroy();
        Identity identity = Identity.of(owner.publicKey(), List.of(owner.viewer()));

        BenchTranscripts transcripts = BenchTranscripts.recording();
        List<String> faults = new ArrayList<>();
        List<BenchOutcome> outcomes;
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                0,
                fleet.root(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(3));
        EventLoopGroup group = Transports.newGroup(1);
        PairedDevice paired = DevicePairing.load(device.path());
        try (DeviceBench bench = new DeviceBench(config, Optional.of(identity), faults::add, transcripts)) {
            int port = bench.start();
            LinkClient link = new LinkClient(
                    LinkConfig.builder("127.0.0.1", port, deviceId)
                            .firmware("doorbell-bench-golden/1")
                            .tls(DeviceTls.clientContext(device))
                            .random(new Random(13))
                            .build(),
                    group,
                    LinkListener.NONE,
                    paired,
                    paired.chain());
            try {
                link.start().get(30, TimeUnit.SECONDS);
                ClipUploader uploader = new ClipUploader(link);
                InsecureDeterministicRandom clipRandom = new InsecureDeterministicRandom("bench clips");
                // One clip at a time, each queued whole and drained before the next: the cases then meet one clip
                // each, and what the device sends depends on its link code alone, not on a camera's timing.
                for (int i = 0; i < BenchTranscripts.clipCases().size(); i++) {
                    ClipSealing clip = paired.startClip(
                            new ClipParams(
                                    deviceId,
                                    FIRST_CLIP_ID + i,
                                    Trigger.TRIGGER_MANUAL,
                                    Codec.CODEC_MJPEG,
                                    CaseRun.TEST_FRAME_SIZE,
                                    CaseRun.TEST_FRAME_SIZE,
                                    10,
                                    FIXED_NOW.toEpochMilli(),
                                    0),
                            List.of(),
                            0,
                            clipRandom);
                    assertTrue(uploader.open(clip), "clip " + i + " queued");
                    for (int seq = 0; seq < FRAMES_PER_CLIP; seq++) {
                        uploader.send(seq * 100_000L, CaseRun.TEST_FRAME.clone(), seq == FRAMES_PER_CLIP - 1);
                    }
                    if (i < BenchTranscripts.clipCases().size() - 1) {
                        link.drain(Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
                    }
                }
                outcomes = bench.await(Duration.ofSeconds(30));
            } finally {
                link.close();
                paired.destroy();
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }

        assertTrue(outcomes.stream().allMatch(BenchOutcome::passed), outcomes + "\nfaults: " + faults);
        assertEquals(List.of(), faults);
        Map<String, String> rendered = transcripts.render(outcomes);
        Path golden = TestData.dir().resolve("transcripts").resolve("bench");
        if (Boolean.getBoolean(REGENERATE)) {
            Files.createDirectories(golden);
            for (Map.Entry<String, String> e : rendered.entrySet()) {
                Files.writeString(golden.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
        }
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> e : rendered.entrySet()) {
            Path file = golden.resolve(e.getKey());
            if (!Files.exists(file)
                    || !Files.readString(file, StandardCharsets.UTF_8).equals(e.getValue())) {
                differing.add(e.getKey() + firstDifference(file, e.getValue()));
                Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
        }
        assertTrue(
                differing.isEmpty(),
                "bench transcripts differ from testdata/transcripts/bench: " + differing + " (new ones in " + dir
                        + "; regenerate with -D" + REGENERATE + "=true if the change is intended)");
    }

    /**
     * Where a transcript first departs from its golden file: the line number and both lines, and when that is a hex
     * line, the first differing line of text too (which message, which field).
     */
    private static String firstDifference(Path file, String now) throws java.io.IOException {
        if (!Files.exists(file)) {
            return " (no golden file)";
        }
        String[] was = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        String[] is = now.split("\n", -1);
        String first = null;
        for (int i = 0; i < Math.max(was.length, is.length); i++) {
            String a = i < was.length ? was[i] : "(end of file)";
            String b = i < is.length ? is[i] : "(end of file)";
            if (a.equals(b)) {
                continue;
            }
            String at = " at line " + (i + 1) + ": golden '" + a + "', now '" + b + "'";
            if (first == null) {
                first = at;
            }
            if (!a.startsWith("  hex ") || !b.startsWith("  hex ")) {
                return first.equals(at) ? first : first + "; first text" + at;
            }
        }
        return first == null ? "" : first;
    }
}
