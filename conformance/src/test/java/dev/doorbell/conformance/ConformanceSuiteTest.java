package dev.doorbell.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.TestData;
import dev.doorbell.uplink.recipients.PublishedList;
import dev.doorbell.uplink.recipients.RecipientListFiles;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole conformance suite against the real uplink (in-process, real TLS, real directory store): every case must
 * pass. The run is reproducible (a deterministic fleet, clip ids, salts, frames, start time; lock-step exchanges),
 * so its transcripts must equal the golden ones in testdata/transcripts. Regenerate them with
 * {@code -Ddoorbell.regenerateTranscripts=true}.
 */
class ConformanceSuiteTest {
    private static final String REGENERATE = "doorbell.regenerateTranscripts";
    private static final Instant FIXED_NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void run_realUplink_everyCasePassesAndTranscriptsMatchGoldenFiles() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        // INSECURE on purpose: fixed keys make the transcripts reproducible; they are public test data.
        ProvisionRequest request = ProvisionRequest.of(fleet.root(), 0);
        InsecureDeterministicRandom fleetRandom = new InsecureDeterministicRandom("conformance fleet");
        Clock fixed = Clock.fixed(FIXED_NOW, ZoneOffset.UTC);
        new FleetProvisioner(fleetRandom, fixed, DeviceEnrollment.NONE)
                .provision(
                        new ProvisionRequest(
                                request.out(),
                                request.deviceIds(),
                                request.numbered(),
                                request.prefix(),
                                request.uplinkNames(),
                                request.validity(),
                                false,
                                false,
                                1),
                        (done, total) -> {});
        new ConformanceDevices(fleetRandom, fixed, DeviceEnrollment.NONE)
                .provision(fleet.root(), request.validity(), 1);
        List<DeviceDirectory> devices = ConformanceSuite.conformanceDevices(fleet.conformanceDir());
        // One owner pairs both devices, its keys and theirs from the same INSECURE deterministic source; the uplink
        // holds conformance-1's list, published as an operator would, for the recipient-list cases.
        TestOwner owner = new TestOwner(fleetRandom);
        for (DeviceDirectory device : devices) {
            owner.pair(device.path()).destroy();
        }
        Path data = dir.resolve("store");
        Files.createDirectories(data);
        new RecipientListFiles(data)
                .publish(PublishedList.parse(
                        "conformance-1's first list",
                        ByteString.copyFrom(
                                Files.readAllBytes(devices.get(0).path().resolve(DeviceFiles.RECIPIENTS_LIST)))));

        List<CaseResult> results;
        try (DirectoryStore store = DirectoryStore.open(data, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .dataDirectory(data)
                                .idleTimeout(Duration.ofSeconds(5))
                                .handshakeDeadline(Duration.ofSeconds(3))
                                .heartbeat(Duration.ofSeconds(1))
                                .maxOpenClips(4)
                                .maxFramesPerClip(1000)
                                .maxFrameBytes(64 * 1024)
                                .maxMessageBytes(64 * 1024 + 4096)
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            ConformanceTarget target = new ConformanceTarget(
                    "127.0.0.1",
                    address.getPort(),
                    devices.get(0),
                    devices.get(1),
                    1000,
                    new InsecureDeterministicRandom("conformance clips"),
                    FIXED_NOW.toEpochMilli(),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10));
            results = new ConformanceSuite(target).run(ConformanceSuite.cases(), r -> {});
            uplink.stop(Duration.ofSeconds(5));
        }

        StringWriter table = new StringWriter();
        ResultTable.print(results, new PrintWriter(table));
        assertTrue(results.stream().allMatch(CaseResult::passed), table.toString());
        assertEquals(ConformanceSuite.cases().size(), results.size());

        Path golden = TestData.dir().resolve("transcripts");
        if (Boolean.getBoolean(REGENERATE)) {
            ConformanceSuite.writeTranscripts(results, golden);
        }
        List<String> differing = new ArrayList<>();
        for (CaseResult r : results) {
            Path file = golden.resolve(r.conformanceCase().id() + ".txt");
            if (!Files.exists(file)
                    || !Files.readString(file, StandardCharsets.UTF_8).equals(r.transcript())) {
                differing.add(r.conformanceCase().id());
                Files.writeString(dir.resolve(r.conformanceCase().id() + ".txt"), r.transcript());
            }
        }
        assertTrue(
                differing.isEmpty(),
                "transcripts differ from testdata/transcripts for " + differing + " (new ones in " + dir
                        + "; regenerate with -D" + REGENERATE + "=true if the change is intended)");
    }
}
