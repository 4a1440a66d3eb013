package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The scan behind the architecture tests: every class a compiled class refers to is named in its constant pool as
 * UTF-8 ({@code dev/doorbell/seal/keys/RootKey}), so a byte search of the class file finds every use of a forbidden
 * type or package, whatever the source looked like (imports, fully qualified names, lambdas, generics).
 */
public final class ClassScan {
    private ClassScan() {}

    /**
     * The compiled main classes of {@code module}: {@code target/classes} when the test runs in the module's directory
     * (Maven), else under the repository root that the build passes as {@code doorbell.root}.
     */
    public static Path mainClasses(String module) {
        Path here = Path.of("target", "classes");
        if (Files.isDirectory(here)
                && Path.of("").toAbsolutePath().getFileName().toString().equals(module)) {
            return here;
        }
        return Path.of(System.getProperty("doorbell.root", "."), module, "target", "classes");
    }

    /** A compiled test class of {@code module}, by binary name ({@code a.b.Outer$Inner}). */
    public static Path testClass(String module, String binaryName) {
        Path classes = mainClasses(module).resolveSibling("test-classes");
        return classes.resolve(binaryName.replace('.', '/') + ".class");
    }

    public static List<Path> classFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
    }

    /** Which of {@code forbidden} (internal names or prefixes, {@code dev/doorbell/owner/}) the class file names. */
    public static List<String> references(Path classFile, List<String> forbidden) throws IOException {
        String text = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        return forbidden.stream().filter(text::contains).toList();
    }

    /**
     * Fails unless the main classes of {@code module} were found (more than {@code atLeast} class files, the one named
     * {@code known} among them: a scan of nothing finds nothing) and none of them names a {@code forbidden} type.
     */
    public static void assertNoneReferenced(String module, List<String> forbidden, int atLeast, String known)
            throws IOException {
        Path classes = mainClasses(module);
        List<Path> files = classFiles(classes);
        assertTrue(
                files.size() > atLeast,
                "expected " + module + "'s classes under " + classes + ", found " + files.size());
        assertTrue(files.stream().anyMatch(p -> p.endsWith(known + ".class")), known + " not scanned");
        assertEquals(List.of(), violations(classes, forbidden));
    }

    /** One line per class file under {@code dir} and forbidden name it references: {@code a/B.class references x}. */
    public static List<String> violations(Path dir, List<String> forbidden) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : classFiles(dir)) {
            for (String name : references(file, forbidden)) {
                found.add(dir.relativize(file) + " references " + name);
            }
        }
        return found;
    }
}
