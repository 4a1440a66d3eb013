package dev.doorbell.owner.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A recovery phrase in a file, for scripts ({@code owner init --phrase-file F}, {@code owner recover --phrase-file
 * F}): the 24 words on one line, mode 0600, never over an existing file.
 */
public final class PhraseFile {
    private PhraseFile() {}

    public static void write(Path file, String phrase) {
        if (Files.exists(file)) {
            throw new IdentityException(
                    "phrase file " + file + " exists; a recovery phrase is never written over a" + " file");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(parent)) {
                throw new IdentityException(
                        "cannot write the phrase file " + file + ": " + parent + " is not a directory");
            }
            OwnerFiles.writePrivate(file, (phrase + "\n").getBytes(StandardCharsets.UTF_8), true);
        } catch (FileAlreadyExistsException e) {
            throw new IdentityException("phrase file " + file + " exists", e);
        } catch (IOException e) {
            throw new IdentityException("cannot write the phrase file " + file + ": " + e.getMessage(), e);
        }
    }

    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IdentityException("cannot read the phrase file " + file + ": " + e.getMessage(), e);
        }
    }
}
