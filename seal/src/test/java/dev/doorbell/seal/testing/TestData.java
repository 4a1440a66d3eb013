package dev.doorbell.seal.testing;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Finds the repository's {@code testdata/} directory: the {@code doorbell.vectors} system property that surefire
 * sets, else the first {@code testdata} found walking up from {@code user.dir} (for runs from an IDE); reads and
 * writes its JSON files. Read back, objects are {@code Map}s in file order, arrays {@code List}s, integers
 * {@code Integer} or {@code Long} (take them as {@code Number}), other numbers {@code Double}.
 */
public final class TestData {
  /**
   * Two spaces a level, {@code "key": value}, every array and object on its own lines, empty ones as {@code []}
   * and {@code {}}: the layout of Python's {@code json.dumps(value, indent=2)}, so either side can regenerate a file.
   * Null values are written: a vector says "no failed frame" with {@code "failedSeq": null}.
   */
  private static final JSON PRETTY = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES)
      .with(new DefaultPrettyPrinter(Separators.createDefaultInstance()
              .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
              .withObjectEmptySeparator("")
              .withArrayEmptySeparator(""))
          .withArrayIndenter(new DefaultIndenter("  ", "\n"))
          .withObjectIndenter(new DefaultIndenter("  ", "\n")));

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

  public static Map<String, Object> readJson(String relative) throws IOException {
    return JSON.std.mapFrom(Files.readString(dir().resolve(relative)));
  }

  /** {@code value} (maps, lists, strings, numbers, booleans) as a vector file holds it, ending with a newline. */
  public static String writeJson(Object value) throws IOException {
    return PRETTY.asString(value) + "\n";
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
