package dev.doorbell.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The {@code --port-file} of the commands that listen: the bound port and a newline. */
public final class PortFile {
    private PortFile() {}

    /** Written to a temporary name and moved, so that a script never reads a half-written port. */
    public static void write(Path file, int port) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, port + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("cannot write the port file " + file, e);
        }
    }
}
