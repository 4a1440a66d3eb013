package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.DeviceKeyCertificate;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedDeviceKeyCertificate;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.StoreReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the uplink's operator sees of the clips a doorbell sends (V3-SPEC §A; docs/THREATS.md, "What the uplink
 * sees"). Two paired doorbells stream ring and motion clips over TLS 1.3 to the real uplink and its directory store;
 * the store is then read as its operator would, with the uplink's own {@link StoreReader} and protobuf, and every
 * field present in each stored header (known to this build or not) and in each stored record is listed and compared
 * with the public list: no trigger, start time, pre-roll, resolution or codec in a header, no presentation time or
 * plaintext length beside a frame, and clip ids that are not times. The owner, for contrast, opens the same clips
 * and finds every one of those facts sealed inside.
 */
class UplinkViewTest {
    private static final int PAD = 4096;

    /** Every field a v3 header may show the uplink, as paths from the SignedClipHeader (V3-SPEC §A's table). */
    private static final Set<String> HEADER_FIELDS_PUBLIC = Set.of(
            "header.format_version",
            "header.device_id",
            "header.clip_id",
            "header.nonce_prefix",
            "header.key_commitment",
            "header.wrapped_keys.recipient_key_id",
            "header.wrapped_keys.kem",
            "header.wrapped_keys.enc",
            "header.wrapped_keys.ciphertext",
            "header.recipient_list_version",
            "header.device_key_certificate.certificate.device_id",
            "header.device_key_certificate.certificate.signing_public_key",
            "header.device_key_certificate.certificate.paired_unix_ms",
            "header.device_key_certificate.signature",
            "header.chain.position",
            "header.chain.prev_clip_id",
            "header.chain.prev_header_sha256",
            "header.chain.prev_acknowledged_frames",
            "header.chain.prev_final_acknowledged",
            "header.sealed_info",
            "signature");

    /** Present in every clip's header; a clip after a device's first also names its predecessor. */
    private static final Set<String> HEADER_FIELDS_EVERY_CLIP = Set.of(
            "header.format_version",
            "header.device_id",
            "header.clip_id",
            "header.nonce_prefix",
            "header.key_commitment",
            "header.wrapped_keys.recipient_key_id",
            "header.wrapped_keys.kem",
            "header.wrapped_keys.enc",
            "header.wrapped_keys.ciphertext",
            "header.recipient_list_version",
            "header.device_key_certificate.certificate.device_id",
            "header.device_key_certificate.certificate.signing_public_key",
            "header.device_key_certificate.certificate.paired_unix_ms",
            "header.device_key_certificate.signature",
            "header.chain.position",
            "header.sealed_info",
            "signature");

    /** The public fields of format v2 that v3 seals: none may appear. */
    private static final Set<String> HEADER_FIELDS_SEALED = Set.of(
            "header.key_epoch",
            "header.salt",
            "header.trigger",
            "header.codec",
            "header.width",
            "header.height",
            "header.fps",
            "header.start_time_unix_ms",
            "header.pre_roll_ms");

    /** Every field a stored record may hold, by kind (store.proto): a frame record has no meta in v3. */
    private static final Set<String> RECORD_FIELDS_PUBLIC = Set.of(
            "clip_open.device_id",
            "clip_open.clip_id",
            "clip_open.header",
            "clip_open.received_unix_ms",
            "frame.device_id",
            "frame.clip_id",
            "frame.seq",
            "frame.last",
            "frame.sealed",
            "frame.received_unix_ms",
            "clip_close.device_id",
            "clip_close.clip_id",
            "clip_close.frame_count",
            "clip_close.received_unix_ms",
            "segment_start.segment",
            "segment_start.previous_segment",
            "segment_start.previous_length",
            "segment_start.previous_records",
            "segment_start.created_unix_ms");

    /** Byte fields whose contents the uplink can parse too (public messages), so they are listed field by field. */
    private static final Map<String, Parser<? extends Message>> PUBLIC_INSIDE = Map.of(
            "header", ClipHeader.parser(),
            "header.device_key_certificate", SignedDeviceKeyCertificate.parser(),
            "header.device_key_certificate.certificate", DeviceKeyCertificate.parser());

    private static final long YEAR_MS = Duration.ofDays(366).toMillis();

    @TempDir
    Path dir;

    @Test
    void storedClips_readAsTheUplinkWould_showOnlyThePublicFieldsAndNoEventMetadata() throws Exception {
        FleetLayout fleet = PairedFleets.provision(dir.resolve("fleet"), 2);
        List<DeviceDirectory> devices = new ArrayList<>();
        for (String id : Files.readAllLines(fleet.fleetList())) {
            devices.add(DeviceDirectory.load(fleet.device(id)));
        }
        Path storeDir = dir.resolve("store");
        SimulationReport report = stream(fleet, devices, storeDir);
        long nowMs = System.currentTimeMillis();
        assertTrue(report.complete(), "every frame PERSISTED: " + report);

        Map<String, Set<String>> headerFieldsByClip = new TreeMap<>();
        Set<String> headerFieldsSeen = new TreeSet<>();
        Set<Trigger> triggers = EnumSet.noneOf(Trigger.class);
        int frames = 0;
        OwnerDirectory owner = OwnerDirectory.load(PairedFleets.ownerDir(fleet));
        try (StoreReader reader = StoreReader.open(storeDir)) {
            assertTrue(reader.report().ok(), reader.report().problems().toString());
            for (ClipStatus status : reader.clips()) {
                StoreReader.Clip clip = reader.clip(status.deviceId(), status.clipId());
                String name = clip.deviceId() + "/" + String.format("%016x", clip.clipId());
                assertTrue(clip.closed(), name + " closed");

                Set<String> fields = new TreeSet<>();
                list(SignedClipHeader.parseFrom(clip.header()), "", fields);
                headerFieldsByClip.put(name, fields);
                headerFieldsSeen.addAll(fields);
                ClipHeader header = ClipHeader.parseFrom(
                        SignedClipHeader.parseFrom(clip.header()).getHeader());
                assertEquals(3, header.getFormatVersion(), name);

                List<StoredFrameBytes> stored = new ArrayList<>();
                for (StoreReader.Frame f : clip.frames()) {
                    assertEquals(0, f.meta().length, name + " frame " + f.seq() + ": no public frame metadata");
                    assertEquals(0, f.sealed().length % PAD, name + " frame " + f.seq() + " is padded");
                    stored.add(new StoredFrameBytes(f.seq(), f.last(), f.meta(), f.sealed()));
                    frames++;
                }

                // What the uplink cannot see, the owner opens: the facts are there, sealed.
                ClipVerdict verdict =
                        new ClipOpenerV2(owner).open(clip.deviceId(), clip.clipId(), clip.header(), stored);
                assertTrue(verdict.isOk(), name + ": " + verdict.summary());
                ClipInfo info = verdict.info().orElseThrow();
                triggers.add(info.getTrigger());
                assertEquals(PAD, info.getPadTo(), name);
                assertNotTimeLike(clip.clipId(), nowMs, name + " (now)");
                assertNotTimeLike(clip.clipId(), info.getStartTimeUnixMs(), name + " (its own start time)");
            }
        } finally {
            owner.destroy();
        }

        assertTrue(triggers.containsAll(Set.of(Trigger.TRIGGER_RING, Trigger.TRIGGER_MOTION)), "clips: " + triggers);
        assertTrue(frames > 50, "the doorbells streamed clips; stored frames: " + frames);
        for (Map.Entry<String, Set<String>> clip : headerFieldsByClip.entrySet()) {
            Set<String> extra = new TreeSet<>(clip.getValue());
            extra.removeAll(HEADER_FIELDS_PUBLIC);
            assertEquals(Set.of(), extra, "fields of " + clip.getKey() + " beyond V3-SPEC §A: " + clip.getValue());
            assertTrue(
                    clip.getValue().containsAll(HEADER_FIELDS_EVERY_CLIP),
                    clip.getKey() + " lacks a field every v3 header has: " + clip.getValue());
        }
        Set<String> sealed = new TreeSet<>(headerFieldsSeen);
        sealed.retainAll(HEADER_FIELDS_SEALED);
        assertEquals(Set.of(), sealed, "event metadata in the clear");
        assertTrue(
                headerFieldsSeen.containsAll(Set.of("header.chain.prev_clip_id", "header.chain.prev_header_sha256")),
                "the later clips of a device name their predecessors: " + headerFieldsSeen);

        Set<String> recordFields = recordFields(storeDir);
        Set<String> extra = new TreeSet<>(recordFields);
        extra.removeAll(RECORD_FIELDS_PUBLIC);
        assertEquals(Set.of(), extra, "stored record fields beyond the public ones (all: " + recordFields + ")");
        assertTrue(
                recordFields.contains("frame.sealed") && !recordFields.contains("frame.meta"), recordFields.toString());
    }

    private static SimulationReport stream(FleetLayout fleet, List<DeviceDirectory> devices, Path storeDir)
            throws Exception {
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            // A press on each doorbell makes a ring clip; the porch's passers-by (12 a minute) make motion clips.
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    address.getPort(),
                    false,
                    11,
                    Profile.P240,
                    Duration.ofSeconds(30),
                    Map.of(
                            devices.get(0).deviceId(),
                            Duration.ofSeconds(2),
                            devices.get(1).deviceId(),
                            Duration.ofSeconds(20)),
                    0,
                    12,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    PAD);
            SimulationReport report = new Simulation(
                            devices,
                            options,
                            VirtualSimClock::startingAtDefault,
                            SealObserver.NONE,
                            new PrintWriter(new StringWriter()))
                    .run();
            uplink.stop(Duration.ofSeconds(5));
            return report;
        }
    }

    /**
     * Lists every field present in {@code message} as a dotted path, descending into nested messages and into the
     * byte fields of {@link #PUBLIC_INSIDE}; an unknown field is listed as {@code path#number}, so that a field this
     * build does not know is reported too.
     */
    private static void list(Message message, String prefix, Set<String> out) throws InvalidProtocolBufferException {
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            String path = prefix + e.getKey().getName();
            List<?> values = e.getKey().isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
            for (Object value : values) {
                if (value instanceof Message nested) {
                    list(nested, path + ".", out);
                } else if (value instanceof ByteString bytes && PUBLIC_INSIDE.containsKey(path)) {
                    list(PUBLIC_INSIDE.get(path).parseFrom(bytes), path + ".", out);
                } else {
                    out.add(path);
                }
            }
        }
        for (int number : message.getUnknownFields().asMap().keySet()) {
            out.add(prefix + "#" + number);
        }
    }

    /**
     * The fields of every record in the store's segment files, read in the framing of docs/FORMAT.md §6 (magic, then
     * u32be length, u32be CRC32C, body) up to the first record that is not whole: the operator's raw view, with the
     * receive times the StoreReader leaves out.
     */
    private static Set<String> recordFields(Path storeDir) throws Exception {
        Set<String> fields = new TreeSet<>();
        int records = 0;
        List<Path> segments;
        try (Stream<Path> files = Files.list(storeDir.resolve("segments"))) {
            segments = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        for (Path segment : segments) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
            bytes.position(8);
            while (bytes.remaining() >= 8) {
                int length = bytes.getInt();
                int crc = bytes.getInt();
                if (length <= 0 || length > bytes.remaining()) {
                    break;
                }
                byte[] body = new byte[length];
                bytes.get(body);
                CRC32C check = new CRC32C();
                check.update(body);
                if ((int) check.getValue() != crc) {
                    break;
                }
                list(StoredRecord.parseFrom(body), "", fields);
                records++;
            }
        }
        assertTrue(records > 50, "records read from " + segments + ": " + records);
        return fields;
    }

    /** A clip id that is a time in ms, µs or s within a year of {@code aroundMs} says when the clip was made. */
    private static void assertNotTimeLike(long clipId, long aroundMs, String what) {
        boolean ms = Math.abs(clipId - aroundMs) < YEAR_MS;
        boolean micros = Math.abs(clipId - aroundMs * 1000) < YEAR_MS * 1000;
        boolean seconds = Math.abs(clipId - aroundMs / 1000) < YEAR_MS / 1000;
        assertTrue(
                !ms && !micros && !seconds,
                "clip id " + clipId + " of " + what + " is a time within a year of " + aroundMs + " ms");
    }
}
