package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real ffprobe and ffmpeg (Debian's ffmpeg package; CI installs it), run as processes on a video file: what a
 * player's demuxer and decoder make of it. A test that needs them skips, saying so, only where they are not installed.
 */
final class Ffmpeg {
    private static final long TIMEOUT_SECONDS = 60;

    /** What one run of a tool printed and how it ended. */
    record Run(int exit, String out, String err) {}

    private Ffmpeg() {}

    /** Skips the calling test, with the reason, when ffprobe or ffmpeg is not installed. */
    static void assumeInstalled() {
        Assumptions.assumeTrue(
                find("ffprobe").isPresent() && find("ffmpeg").isPresent(),
                "ffprobe/ffmpeg not found on PATH or in /usr/bin: install Debian's ffmpeg package (apt-get install"
                        + " ffmpeg) to play the videos in this test");
    }

    /** ffprobe's {@code -of flat} answer as key=value, quotes removed, e.g. {@code streams.stream.0.codec_name}. */
    static Map<String, String> probe(Path video, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("ffprobe"), "-v", "error", "-of", "flat"));
        command.addAll(List.of(options));
        command.add(video.toString());
        Run run = run(command);
        assertEquals(0, run.exit(), "ffprobe " + video + ": " + run.err());
        assertEquals("", run.err(), "ffprobe " + video + " complained");
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : run.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String value = line.substring(eq + 1);
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(line.substring(0, eq), value);
            }
        }
        return values;
    }

    /** Each video packet's presentation time in seconds, as ffprobe reads them from the container. */
    static List<Double> packetTimes(Path video) throws IOException, InterruptedException {
        Run run = run(List.of(
                tool("ffprobe"),
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts_time",
                "-of",
                "csv=p=0",
                video.toString()));
        assertEquals(0, run.exit(), run.err());
        List<Double> times = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            if (!line.isBlank()) {
                times.add(Double.parseDouble(line.strip().replace(",", "")));
            }
        }
        return times;
    }

    /** Decodes every frame and throws the pictures away: a clean file makes ffmpeg print nothing at level error. */
    static Run decodeAll(Path video) throws IOException, InterruptedException {
        return run(List.of(tool("ffmpeg"), "-nostdin", "-v", "error", "-i", video.toString(), "-f", "null", "-"));
    }

    /** The picture ffmpeg shows at {@code seconds}, written as a PNG (a player's seek to a chapter). */
    static Run pictureAt(Path video, double seconds, Path png) throws IOException, InterruptedException {
        return run(List.of(
                tool("ffmpeg"),
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-ss",
                String.format("%.3f", seconds),
                "-i",
                video.toString(),
                "-frames:v",
                "1",
                png.toString()));
    }

    private static String tool(String name) {
        return find(name)
                .orElseThrow(() -> new AssertionError(name + " is not installed"))
                .toString();
    }

    private static Optional<Path> find(String name) {
        List<Path> places = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    places.add(Path.of(dir, name));
                }
            }
        }
        places.add(Path.of("/usr/bin", name));
        return places.stream().filter(Files::isExecutable).findFirst();
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ffmpeg-out", ".txt");
        Path err = Files.createTempFile("ffmpeg-err", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            return new Run(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
