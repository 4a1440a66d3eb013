package dev.doorbell.app.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.OwnerSecret;
import dev.doorbell.seal.keys.KeyFileText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every form in which an owner's secret could leak into a file: the secret {@code S}, the signing key's seed and the
 * viewer key's input derived from it, the owner's viewer private key and any further private keys given (viewers'),
 * each raw and in base64.
 */
public final class OwnerSecrets {
    private final List<byte[]> forms = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private OwnerSecrets() {}

    public static OwnerSecrets of(Path ownerDir, byte[]... morePrivateKeys) {
        OwnerSecrets secrets = new OwnerSecrets();
        Path secretFile = ownerDir.resolve(OwnerDirectory.SECRET_FILE);
        byte[] s = KeyFileText.decodeKey(
                secretFile,
                KeyFileText.parse(secretFile, OwnerDirectory.SECRET_MAGIC, List.of("key"))
                        .get("key"));
        OwnerSecret secret = OwnerSecret.fromBytes(s);
        OwnerDirectory owner = OwnerDirectory.load(ownerDir);
        secrets.add("the owner's secret", s);
        secrets.add("the owner's signing seed", secret.signingKeySeed());
        secrets.add("the owner's viewer key material", secret.viewerKeyMaterial());
        secrets.add("the owner's viewer private key", owner.viewerKey().privateKey());
        for (byte[] key : morePrivateKeys) {
            secrets.add("a viewer's private key", key);
        }
        return secrets;
    }

    private void add(String name, byte[] value) {
        forms.add(value);
        names.add(name);
        forms.add(Base64.getEncoder().encode(value));
        names.add(name + " in base64");
    }

    /** Fails naming the file and the secret if any file under {@code root} holds any form; returns the files read. */
    public int assertNoneUnder(Path root) throws IOException {
        int files = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(file);
                for (int i = 0; i < forms.size(); i++) {
                    if (contains(content, forms.get(i))) {
                        fail(file + " holds " + names.get(i));
                    }
                }
                files++;
            }
        }
        return files;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
