package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.bench.BenchFleet;
import dev.doorbell.conformance.bench.BenchCase;
import dev.doorbell.conformance.bench.BenchConfig;
import dev.doorbell.conformance.bench.BenchOutcome;
import dev.doorbell.conformance.bench.BenchTranscripts;
import dev.doorbell.conformance.bench.DeviceBench;
import dev.doorbell.seal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python device (clients/python, a real python3 process) against the device bench, compared with the golden
 * transcripts the Java device made (testdata/transcripts/bench). The bytes cannot be the same (another device, other
 * keys, its own random source), so both are reduced to their outline ({@link #outline}): which message went which way
 * in which session, in which order, with every number the protocol decides (seq, last, ack kind and count, error
 * code, open clips, clip states) and clip ids as their order of appearance. Those must be equal, but where
 * {@link #ALLOWED} says why not.
 */
class PythonBenchTranscriptsTest {
    /**
     * Where the Python device's outline may differ from the Java device's, and why that is allowed; empty when both
     * speak the protocol the same way in every case.
     */
    private static final Map<String, String> ALLOWED = Map.of();

    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @Test
    void benchDevice_pythonDevice_outlinesEqualTheJavaDevicesGoldenTranscripts() throws Exception {
        BenchFleet fleet = BenchFleet.pairedDevice(dir);
        BenchTranscripts transcripts = BenchTranscripts.recording();
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                0,
                fleet.fleetDir(),
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(3));
        List<String> faults = Collections.synchronizedList(new ArrayList<>());
        List<BenchOutcome> outcomes;
        PythonClient.Result device;
        try (DeviceBench bench = new DeviceBench(config, Optional.empty(), faults::add, transcripts)) {
            int port = bench.start();
            CompletableFuture<PythonClient.Result> python = CompletableFuture.supplyAsync(() -> {
                try {
                    return PythonClient.doorbellPy(
                            List.of(
                                    "upload",
                                    "--device-dir",
                                    fleet.deviceDir().toString(),
                                    "--uplink",
                                    "127.0.0.1:" + port,
                                    "--synthetic",
                                    "6",
                                    "--clip-id",
                                    "3000",
                                    "--clips",
                                    "7",
                                    "--timeout",
                                    "60"),
                            Duration.ofSeconds(70));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            outcomes = bench.await(Duration.ofSeconds(60));
            device = python.get(70, TimeUnit.SECONDS);
        }
        String run = outcomes + "\nfaults: " + faults + "\n--- python device:\n" + device.output();
        assertTrue(outcomes.stream().allMatch(BenchOutcome::passed), run);

        Map<String, String> rendered = transcripts.render(outcomes);
        Path golden = TestData.dir().resolve("transcripts").resolve("bench");
        Map<String, String> differing = new LinkedHashMap<>();
        for (BenchCase c : BenchTranscripts.clipCases()) {
            String file = c.id() + ".txt";
            List<String> java = outline(Files.readString(golden.resolve(file), StandardCharsets.UTF_8));
            List<String> python = outline(rendered.get(file));
            Files.writeString(dir.resolve("python-" + file), rendered.get(file), StandardCharsets.UTF_8);
            assertTrue(python.stream().anyMatch(l -> l.startsWith("> session ")), file + ": nothing of the device");
            if (!java.equals(python)) {
                differing.put(c.id(), firstDifference(java, python));
            }
        }
        assertEquals(
                ALLOWED.keySet(),
                differing.keySet(),
                "outlines that differ from the Java device's golden transcripts: " + differing + " (python's in " + dir
                        + ")\n" + run);
    }

    private static final Pattern CLIP_NUMBER = Pattern.compile("(clip_id|open_clips): (\\d+)");
    private static final Pattern VERDICT = Pattern.compile("-- verdict [a-z-]+: [A-Z_]+");
    private static final Pattern MESSAGE = Pattern.compile("^([<>]) (session \\d+) \\(\\d+ bytes\\)$");

    /**
     * A transcript without what depends on the device's keys and ids: the hex, every byte or string field (headers,
     * sealed frames, device id, firmware, Error texts), the decoded header; clip ids numbered in order of appearance;
     * verdicts without their detail (frame counts and delays).
     */
    static List<String> outline(String transcript) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> clips = new LinkedHashMap<>();
        boolean decoded = false;
        for (String line : transcript.split("\n")) {
            Matcher message = MESSAGE.matcher(line);
            if (message.matches()) {
                out.add(message.group(1) + " " + message.group(2));
                decoded = false;
            } else if (line.startsWith("-- ")) {
                Matcher verdict = VERDICT.matcher(line);
                out.add(verdict.lookingAt() ? verdict.group() : line);
                decoded = false;
            } else if (line.startsWith("  | (")) {
                decoded = true;
            } else if (line.startsWith("  | ") && !decoded && !line.contains("\"")) {
                Matcher clip = CLIP_NUMBER.matcher(line);
                StringBuilder normalised = new StringBuilder();
                while (clip.find()) {
                    int n = clips.computeIfAbsent(clip.group(2), k -> clips.size() + 1);
                    clip.appendReplacement(normalised, clip.group(1) + ": #" + n);
                }
                clip.appendTail(normalised);
                out.add(normalised.toString());
            }
        }
        return out;
    }

    private static String firstDifference(List<String> java, List<String> python) {
        for (int i = 0; i < Math.max(java.size(), python.size()); i++) {
            String a = i < java.size() ? java.get(i) : "(end)";
            String b = i < python.size() ? python.get(i) : "(end)";
            if (!a.equals(b)) {
                return "outline line " + (i + 1) + ": java '" + a + "', python '" + b + "'";
            }
        }
        return "";
    }
}
