package dev.doorbell.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** The {@code --port-file} of a command under test: the port it listens on, once it does. */
public final class PortFiles {
    private PortFiles() {}

    /**
     * Waits until {@code portFile} holds a port and returns it; fails at the deadline, or at once when {@code ended}
     * says the command is gone (it exited, or its future completed) without writing one.
     */
    public static int await(Path portFile, Duration atMost, Callable<Boolean> ended) {
        String text = Waits.await("a port in " + portFile, atMost)
                .failFast(
                        "the command ended before it wrote " + portFile,
                        () -> ended.call() && read(portFile).isBlank())
                .until(() -> read(portFile), port -> !port.isBlank());
        return Integer.parseInt(text.strip());
    }

    private static String read(Path portFile) {
        try {
            return Files.readString(portFile);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
