package dev.doorbell.seal.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Finds the repository's {@code testdata/} directory: the {@code doorbell.vectors} system property that surefire
 * sets, else the first {@code testdata} found walking up from {@code user.dir} (for runs from an IDE).
 */
public final class TestData {
    private TestData() {}

    public static Path dir() {
        String property = System.getProperty("doorbell.vectors");
        if (property != null && Files.isDirectory(Paths.get(property))) {
            return Paths.get(property);
        }
        for (Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata").resolve("vectors"))) {
                return p.resolve("testdata");
            }
        }
        throw new IllegalStateException("testdata/ not found: set -Ddoorbell.vectors or run inside the repository");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    public static byte[] hex(Object s) {
        return HexFormat.of().parseHex((String) s);
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
