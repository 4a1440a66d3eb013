package dev.doorbell.seal.testing;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * The JSON files of {@code testdata/} (vectors, Wycheproof), read and written with jackson-jr. Read back, objects are
 * {@code Map}s in file order, arrays {@code List}s, integers {@code Integer} or {@code Long} (take them as
 * {@code Number}), other numbers {@code Double}. Apart from {@link TestData}, so that tests which only find
 * {@code testdata/} need no JSON library on their class path.
 */
public final class JsonFiles {
    /**
     * Two spaces a level, {@code "key": value}, every array and object on its own lines, empty ones as {@code []}
     * and {@code {}}: the layout of Python's {@code json.dumps(value, indent=2)}, so either side can regenerate a file.
     * Null values are written: a vector says "no failed frame" with {@code "failedSeq": null}.
     */
    private static final JSON PRETTY = JSON.std
            .with(JSON.Feature.WRITE_NULL_PROPERTIES)
            .with(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                            .withObjectEmptySeparator("")
                            .withArrayEmptySeparator(""))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private JsonFiles() {}

    /** The JSON object in {@code relative} under {@code testdata/}. */
    public static Map<String, Object> read(String relative) throws IOException {
        return JSON.std.mapFrom(Files.readString(TestData.dir().resolve(relative)));
    }

    /** {@code value} (maps, lists, strings, numbers, booleans) as a vector file holds it, ending with a newline. */
    public static String write(Object value) throws IOException {
        return PRETTY.asString(value) + "\n";
    }
}
