package dev.doorbell.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, rendering a local page: the DOM after it loaded, or a screenshot. Each call has its own
 * fresh profile directory, no network services of the browser's own, and a deadline; the process is killed past it.
 */
final class HeadlessChromium {
    static final Path DEFAULT = Path.of("/usr/bin/chromium");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path binary;
    private final Path work;

    private HeadlessChromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** The browser at $CHROMIUM or /usr/bin/chromium, working in {@code work}; empty when it is not installed. */
    static Optional<HeadlessChromium> find(Path work) {
        String env = System.getenv("CHROMIUM");
        Path binary = env == null || env.isBlank() ? DEFAULT : Path.of(env);
        return Files.isExecutable(binary) ? Optional.of(new HeadlessChromium(binary, work)) : Optional.empty();
    }

    static String missing() {
        return "chromium is not installed at " + DEFAULT + " (nor named by $CHROMIUM): the fleet report's browser test "
                + "is skipped; apt-get install chromium to run it";
    }

    /** The page's DOM as the browser serialised it after loading {@code page}. */
    String dumpDom(Path page) throws IOException, InterruptedException {
        Path out = work.resolve("dom-" + System.nanoTime() + ".html");
        run(List.of("--dump-dom", page.toUri().toString()), out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of {@code page} in a window {@code width} x {@code height}, written to {@code png}. */
    void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        run(
                List.of(
                        "--screenshot=" + png.toAbsolutePath(),
                        "--window-size=" + width + "," + height,
                        "--hide-scrollbars",
                        page.toUri().toString()),
                work.resolve("screenshot-" + System.nanoTime() + ".log"));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new IOException("chromium wrote no screenshot at " + png);
        }
    }

    private void run(List<String> args, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path stderr = work.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            // The launcher script's browser and its helpers go too, not only the script.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException("chromium did not finish within " + DEADLINE.toSeconds() + " s: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited " + p.exitValue() + ": " + cmd + "\n" + Files.readString(stderr));
        }
    }
}
