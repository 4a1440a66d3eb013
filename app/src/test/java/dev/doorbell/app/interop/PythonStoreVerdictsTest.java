package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.owner.StoreCases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The two owner's readers, this one and clients/python (written from docs/FORMAT.md §6), open the same stores
 * (whole, damaged, shortened, with missing segments, v1, v2, upgraded, live) and must agree case by case: the exit
 * status, every store finding (kind and place), every warning, and for every clip the verdict word, where it
 * failed and the keyword of the reason.
 */
class PythonStoreVerdictsTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CLIP = Pattern.compile("^(\\S+)\\s+([0-9a-f]{16})\\s(.*)$");
    private static final Pattern WORD = Pattern.compile("\\b(OK|TRUNCATED|TAMPERED|DAMAGED|NO KEY)\\b");
    private static final Pattern FAILED = Pattern.compile("^ at (header|frame \\d+): ([^(;]+?)(?: \\(|;|$)");

    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    /** What one reader said about one store, in a form both readers share. */
    private record Reading(int exit, List<String> findings, List<String> warnings, Map<String, String> clips) {}

    @Test
    void open_everyStoreCase_javaAndPythonAgree() throws Exception {
        Path keyring = StoreCases.keyring(dir.resolve("keyring"));
        List<StoreCases.Case> cases = StoreCases.build(dir.resolve("stores"), keyring);
        // Python's start-up dominates: its runs of the stopped stores go on in parallel with the Java reader's.
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Map<String, Future<Reading>> pythonRuns = new TreeMap<>();
            for (StoreCases.Case c : cases) {
                if (!c.live()) {
                    pythonRuns.put(c.name(), pool.submit(() -> python(c, keyring)));
                }
            }
            List<String> disagreements = new ArrayList<>();
            for (StoreCases.Case c : cases) {
                Reading java;
                Reading python;
                if (c.live()) {
                    try (AutoCloseable uplink = StoreCases.holdLock(c.store())) {
                        java = java(c, keyring);
                        python = python(c, keyring);
                    }
                } else {
                    java = java(c, keyring);
                    python = pythonRuns.get(c.name()).get(PYTHON_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
                assertFalse(
                        java.clips().isEmpty()
                                && python.clips().isEmpty()
                                && java.findings().isEmpty(),
                        c.name() + ": a case with nothing to compare");
                if (!java.equals(python)) {
                    disagreements.add(c.name() + ":\n  java   " + java + "\n  python " + python);
                }
            }
            assertEquals(List.of(), disagreements, String.join("\n", disagreements));
        } finally {
            pool.shutdownNow();
        }
    }

    private Reading java(StoreCases.Case c, Path keyring) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(
                "open",
                "--store",
                c.store().toString(),
                "--keyring",
                keyring.toString(),
                "--out",
                dir.resolve("java-" + c.name()).toString());
        return reading(exit, out + err.toString());
    }

    private Reading python(StoreCases.Case c, Path keyring) throws Exception {
        PythonClient.Result r = PythonClient.doorbellPy(
                List.of(
                        "open",
                        "--store",
                        c.store().toString(),
                        "--keyring",
                        keyring.toString(),
                        "--out",
                        dir.resolve("python-" + c.name()).toString()),
                PYTHON_TIMEOUT);
        return reading(r.exitCode(), r.output());
    }

    private static Reading reading(int exit, String output) {
        List<String> findings = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> clips = new TreeMap<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("warning: ")) {
                warnings.add(beforeDetails(line));
            } else if (line.startsWith("  ")) {
                findings.add(beforeDetails(line.strip()));
            } else {
                Matcher m = CLIP.matcher(line);
                if (m.matches()) {
                    clips.put(m.group(1) + "/" + m.group(2), verdict(m.group(3), line));
                }
            }
        }
        findings.sort(null);
        warnings.sort(null);
        return new Reading(exit, findings, warnings, clips);
    }

    /** The verdict word, where and keyword; OK and TRUNCATED have a fixed keyword, NO KEY none. */
    private static String verdict(String text, String line) {
        Matcher w = WORD.matcher(text);
        if (!w.find()) {
            return "unreadable: " + line;
        }
        String word = w.group(1);
        if (word.equals("OK") || word.equals("TRUNCATED") || word.equals("NO KEY")) {
            return word;
        }
        Matcher f = FAILED.matcher(text.substring(w.end()));
        return f.find() ? word + " at " + f.group(1) + ": " + f.group(2) : "unreadable: " + line;
    }

    private static String beforeDetails(String line) {
        int details = line.indexOf(" (");
        return details < 0 ? line : line.substring(0, details);
    }
}
