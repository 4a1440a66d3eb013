package dev.doorbell.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;

/**
 * Names a store that {@code open} fetched from S3 by its s3:// location wherever the reader's messages name the
 * scratch directory it was read from: every line printed, and the summary file.
 */
final class LocationNames {
    private LocationNames() {}

    /** {@code text} with each scratch directory (a key of {@code names}) replaced by its location. */
    static String rename(String text, Map<String, String> names) {
        String renamed = text;
        for (Map.Entry<String, String> name : names.entrySet()) {
            renamed = renamed.replace(name.getKey(), name.getValue());
        }
        return renamed;
    }

    /** {@code out} itself when there is nothing to rename; else a writer that renames whole lines. */
    static PrintWriter wrap(PrintWriter out, Map<String, String> names) {
        if (names.isEmpty()) {
            return out;
        }
        return new PrintWriter(new LineRenamer(out, names), true);
    }

    private static final class LineRenamer extends Writer {
        private final PrintWriter out;
        private final Map<String, String> names;
        private final StringBuilder line = new StringBuilder();

        LineRenamer(PrintWriter out, Map<String, String> names) {
            this.out = out;
            this.names = names;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                line.append(chars[i]);
                if (chars[i] == '\n') {
                    out.write(rename(line.toString(), names));
                    line.setLength(0);
                }
            }
        }

        @Override
        public void flush() {
            // A partial line stays until its end, so that a name is never cut in two.
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.write(rename(line.toString(), names));
            line.setLength(0);
            out.flush();
        }
    }
}
