package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs clients/python (the second implementation, written from the docs) as a separate process with Debian's
 * python3, with a deadline. Fails with the apt packages to install when the runtime is missing, instead of skipping:
 * CI must run both directions.
 */
final class PythonClient {
    static final String PYTHON = "/usr/bin/python3";
    static final String APT_PACKAGES = "python3-cryptography python3-protobuf protobuf-compiler";

    private PythonClient() {}

    record Result(int exitCode, String output) {}

    static Path root() {
        String property = System.getProperty("doorbell.root");
        Path start = property != null ? Paths.get(property) : Paths.get(System.getProperty("user.dir"));
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("clients").resolve("python"))) {
                return p;
            }
        }
        throw new IllegalStateException("clients/python not found above " + start);
    }

    static Path dir() {
        return root().resolve("clients").resolve("python");
    }

    /** Fails the test, naming the apt packages, if python3, its cryptography or protobuf module, or protoc is missing. */
    static void requireRuntime() throws Exception {
        String missing = APT_PACKAGES + " (apt-get install -y " + APT_PACKAGES + ")";
        if (!Files.isExecutable(Paths.get(PYTHON))) {
            fail(PYTHON + " is missing; the Python client needs Debian's python3 with " + missing);
        }
        Result modules = run(List.of(PYTHON, "-c", "import cryptography, google.protobuf"), Duration.ofSeconds(30));
        if (modules.exitCode() != 0) {
            fail("python3 cannot import cryptography or google.protobuf: install " + missing + "\n" + modules.output());
        }
        Result protoc = run(List.of("/bin/sh", "-c", "command -v protoc"), Duration.ofSeconds(10));
        if (protoc.exitCode() != 0) {
            fail("protoc is not on the PATH: install " + missing);
        }
    }

    /** Runs {@code clients/python/doorbell-py} with these arguments. */
    static Result doorbellPy(List<String> args, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(dir().resolve("doorbell-py").toString());
        command.addAll(args);
        return run(command, timeout);
    }

    /** Runs a command with stderr merged into stdout; kills it and fails the test when it outlives {@code timeout}. */
    static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path log = Files.createTempFile("doorbell-py", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(root().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(command + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
