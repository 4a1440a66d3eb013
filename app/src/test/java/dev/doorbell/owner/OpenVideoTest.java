package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doorbell open --video}, played by the real ffprobe and ffmpeg: every video is MJPEG with one packet per
 * verified frame at that frame's capture time, decodes without an error, and has chapters exactly where the contact
 * sheet marks the press and the end of the pre-roll; a clip that is not OK gets a video of its verified frames named
 * by its verdict, and a clip with no verified frame gets none.
 */
class OpenVideoTest {
    @TempDir
    Path dir;

    @Test
    void openVideo_ringClipOfTheSeededScene_everyFramePlaysAndTheChaptersAreWhereTheSheetMarks() throws Exception {
        Ffmpeg.assumeInstalled();
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        String deviceId = ids.get(0);
        Path store = dir.resolve("store");
        stream(fleet, deviceId, store);
        Path ownerDir = FleetPairing.ownerDir(fleet.root(), 1);
        Path out = dir.resolve("opened");

        OpenCli.Result r = OpenCli.run(
                "open",
                "--store",
                store.toString(),
                "--identity",
                ownerDir.toString(),
                "--out",
                out.toString(),
                "--video");

        assertEquals(0, r.exit(), r.all());
        StoreSnapshot snapshot = StoreDirectoryReader.read(store);
        assertTrue(
                r.out()
                        .contains("videos: " + snapshot.clips().size() + " of "
                                + snapshot.clips().size() + " clips"),
                r.out());
        OwnerDirectory owner = OwnerDirectory.load(ownerDir);
        int presses = 0;
        try {
            for (StoredClip clip : snapshot.clips()) {
                ClipVerdict verdict =
                        new ClipOpenerV2(owner).open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames());
                assertTrue(verdict.isOk(), verdict.summary());
                Path clipDir = out.resolve(clip.deviceId()).resolve(clip.clipName());
                presses += checkVideo(clipDir, verdict.frames(), verdict.info().orElseThrow());
            }
        } finally {
            owner.destroy();
        }
        assertTrue(presses > 0, "the seeded scene's visitor pressed the bell in a clip");
    }

    @Test
    void openVideo_clipsNotOk_videoOfTheVerifiedFramesNamedByTheVerdict_noneWithoutAVerifiedFrame() throws Exception {
        Ffmpeg.assumeInstalled();
        Path keyring = SealedClips.keyring(dir.resolve("keyring-porch"), "porch");
        Path garageKeyring = SealedClips.keyring(dir.resolve("keyring-garage"), "garage");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            SealedClips.upload(s, SealedClips.seal(keyring, "porch", 1, 6), true);
            SealedClips.upload(s, SealedClips.seal(keyring, "porch", 2, 6).firstFrames(4), false);
            SealedClips.upload(s, SealedClips.seal(keyring, "porch", 3, 5).withFrameAltered(3), true);
            SealedClips.upload(s, SealedClips.seal(keyring, "porch", 4, 3).withFrameAltered(0), true);
            SealedClips.upload(s, SealedClips.seal(garageKeyring, "garage", 5, 2), true);
        }
        Path out = dir.resolve("out");
        // A video an earlier run left, when that clip's verdict was another: replaced, not left beside the new one.
        Path stale = out.resolve("porch/" + String.format("%016x", 1)).resolve("video-TRUNCATED.mkv");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "an earlier run's");

        OpenCli.Result r = OpenCli.open(store, keyring, out, "--video");

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("videos: 3 of 5 clips"), r.out());
        Path ok = out.resolve("porch/" + String.format("%016x", 1));
        assertEquals(List.of("video.mkv"), videos(ok));
        assertPlays(ok.resolve("video.mkv"), 6, 64, 48, 0.6);

        Path truncated = out.resolve("porch/" + String.format("%016x", 2));
        assertEquals(List.of("video-TRUNCATED.mkv"), videos(truncated));
        assertPlays(truncated.resolve("video-TRUNCATED.mkv"), 4, 64, 48, 0.4);
        assertTrue(
                Files.readString(truncated.resolve("verdict.txt"))
                        .contains("video: video-TRUNCATED.mkv (4 frames, 0.40 s, 64x48 MJPEG in Matroska): only the"
                                + " frames that verified, not the whole clip (TRUNCATED)"),
                Files.readString(truncated.resolve("verdict.txt")));
        assertTrue(
                Ffmpeg.probe(truncated.resolve("video-TRUNCATED.mkv"), "-show_format")
                        .get("format.tags.title")
                        .endsWith("TRUNCATED after 4 verified frames (no final frame)"),
                "the title says so too");

        Path tampered = out.resolve("porch/" + String.format("%016x", 3));
        assertEquals(List.of("video-TAMPERED.mkv"), videos(tampered));
        assertPlays(tampered.resolve("video-TAMPERED.mkv"), 3, 64, 48, 0.3);

        Path noFrame = out.resolve("porch/" + String.format("%016x", 4));
        assertEquals(List.of(), videos(noFrame));
        assertTrue(Files.readString(noFrame.resolve("verdict.txt")).contains("no video: no frame verified"));
        Path noKey = out.resolve("garage/" + String.format("%016x", 5));
        assertTrue(Files.isDirectory(noKey));
        assertEquals(List.of(), videos(noKey));

        OpenCli.Result again = OpenCli.open(store, keyring, dir.resolve("plain"));
        assertFalse(again.out().contains("videos:"), again.out());
        assertEquals(List.of(), videos(dir.resolve("plain/porch/" + String.format("%016x", 1))), "only with --video");
    }

    /**
     * Plays one clip's video: codec, size, a packet per frame at its pts, duration, a clean decode, and the chapters
     * at the frames the contact sheet marks, each showing that frame. Returns how many presses it marks.
     */
    private int checkVideo(Path clipDir, List<OpenedFrame> frames, ClipInfo info) throws Exception {
        Path video = clipDir.resolve("video.mkv");
        double frameSeconds = 1.0 / info.getFps();
        double duration = ClipVideo.millis(frames.get(frames.size() - 1).ptsMicros()) / 1000.0 + frameSeconds;
        assertPlays(video, frames.size(), info.getWidth(), info.getHeight(), duration);
        List<Double> packets = Ffmpeg.packetTimes(video);
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(
                    frames.get(i).ptsMicros() / 1e6,
                    packets.get(i),
                    0.0005,
                    "frame " + frames.get(i).seq() + " time");
        }

        ContactSheet.Sheet sheet = ContactSheet.render(frames, info, "t", "s");
        List<ContactSheet.Thumb> marked = new ArrayList<>();
        for (ContactSheet.Thumb t : sheet.thumbs()) {
            if (t.press()
                    || t.trigger()
                    || (t.preRoll() && t.seq() == frames.get(0).seq())) {
                marked.add(t);
            }
        }
        Map<String, String> chapters = Ffmpeg.probe(video, "-show_chapters");
        int presses = 0;
        for (int c = 0; c < marked.size(); c++) {
            ContactSheet.Thumb t = marked.get(c);
            OpenedFrame frame =
                    frames.stream().filter(f -> f.seq() == t.seq()).findFirst().orElseThrow();
            String key = "chapters.chapter." + c + ".";
            double start = Double.parseDouble(chapters.get(key + "start_time"));
            String title = chapters.get(key + "tags.title");
            assertEquals(frame.ptsMicros() / 1e6, start, 0.0005, "chapter " + c + " '" + title + "' of " + video);
            assertEquals(t.press(), title.contains("ring"), title);
            assertEquals(t.trigger(), title.contains("trigger"), title);
            assertTrue(title.endsWith("(frame " + t.seq() + ")"), title);
            if (t.press()) {
                presses++;
                assertShowsFrame(video, start, clipDir, frames, frames.indexOf(frame));
            }
        }
        assertNull(chapters.get("chapters.chapter." + marked.size() + ".start_time"), "no other chapter");
        return presses;
    }

    private static void assertPlays(Path video, int frames, int width, int height, double seconds) throws Exception {
        Map<String, String> stream = Ffmpeg.probe(video, "-count_frames", "-show_streams", "-select_streams", "v:0");
        assertEquals("mjpeg", stream.get("streams.stream.0.codec_name"), video.toString());
        assertEquals(String.valueOf(width), stream.get("streams.stream.0.width"));
        assertEquals(String.valueOf(height), stream.get("streams.stream.0.height"));
        assertEquals(String.valueOf(frames), stream.get("streams.stream.0.nb_read_frames"), video.toString());
        Map<String, String> format = Ffmpeg.probe(video, "-show_format");
        assertEquals("matroska,webm", format.get("format.format_name"));
        assertEquals(seconds, Double.parseDouble(format.get("format.duration")), 0.0005, video + " duration");
        Ffmpeg.Run decoded = Ffmpeg.decodeAll(video);
        assertEquals(0, decoded.exit(), decoded.err());
        assertEquals("", decoded.out() + decoded.err(), "ffmpeg decodes every frame of " + video + " without a word");
    }

    /**
     * A player that jumps to the chapter shows the press frame: the picture ffmpeg decodes there is nearer to that
     * frame's JPEG than to the frames either side of it (each frame of the scene differs by its sensor noise).
     */
    private void assertShowsFrame(Path video, double seconds, Path clipDir, List<OpenedFrame> frames, int index)
            throws Exception {
        Path png = dir.resolve("chapter.png");
        Ffmpeg.Run run = Ffmpeg.pictureAt(video, seconds, png);
        assertEquals(0, run.exit(), run.err());
        BufferedImage shown = ImageIO.read(png.toFile());
        double here = difference(shown, clipDir, frames.get(index));
        for (int other : new int[] {index - 1, index + 1}) {
            if (other >= 0 && other < frames.size()) {
                double there = difference(shown, clipDir, frames.get(other));
                assertTrue(
                        here < there,
                        "at " + seconds + " s the picture is frame "
                                + frames.get(index).seq() + "'s (difference " + here + "), not frame "
                                + frames.get(other).seq() + "'s (" + there + ")");
            }
        }
    }

    private static double difference(BufferedImage shown, Path clipDir, OpenedFrame frame) throws Exception {
        BufferedImage jpeg = ImageIO.read(
                clipDir.resolve(String.format("frame-%05d.jpg", frame.seq())).toFile());
        long sum = 0;
        for (int y = 0; y < jpeg.getHeight(); y++) {
            for (int x = 0; x < jpeg.getWidth(); x++) {
                int a = shown.getRGB(x, y);
                int b = jpeg.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
                }
            }
        }
        return sum / (3.0 * jpeg.getWidth() * jpeg.getHeight());
    }

    private static List<String> videos(Path clipDir) throws Exception {
        try (Stream<Path> files = Files.list(clipDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".mkv") || n.endsWith(".part"))
                    .sorted()
                    .toList();
        }
    }

    /** The seeded porch scene on a virtual clock: a visitor walks up and presses the bell 3 s in. */
    private static void stream(FleetLayout fleet, String deviceId, Path store) throws Exception {
        List<DeviceDirectory> devices = List.of(DeviceDirectory.load(fleet.device(deviceId)));
        try (DirectoryStore directoryStore = DirectoryStore.open(store, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        directoryStore)) {
            InetSocketAddress address = uplink.start();
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    address.getPort(),
                    false,
                    7,
                    Profile.P240,
                    Duration.ofSeconds(8),
                    Map.of(deviceId, Duration.ofSeconds(3)),
                    0,
                    0,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    0);
            StringWriter progress = new StringWriter();
            SimulationReport report = new Simulation(
                            devices,
                            options,
                            VirtualSimClock::startingAtDefault,
                            SealObserver.NONE,
                            new PrintWriter(progress))
                    .run();
            assertTrue(report.complete(), progress.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
    }
}
