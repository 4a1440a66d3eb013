package dev.doorbell.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The text of a usage or I/O error: what is wrong with which value or path, in words. Never a Java exception name or
 * "null"; {@link Cli} prints it as one line.
 */
public final class CliErrors {
    /** Exit status of a usage or I/O error. */
    public static final int EXIT_USAGE = 2;

    // Netty's native transport prefixes the OS text with the call that failed: "bind(..) failed with error(-99): ".
    private static final Pattern NATIVE_CALL =
            Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");
    private static final Pattern CAMEL_NAME = Pattern.compile("^([a-z]+(?:[A-Z][a-z]*)+|[a-z]+)\\b");

    private CliErrors() {}

    /**
     * One line for {@code e}: its message, then what the underlying I/O error says about which path, unless the
     * message already says it. Never the exception's class name.
     */
    public static String message(Throwable e) {
        Throwable top = e instanceof UncheckedIOException
                        && e.getMessage() != null
                        && e.getMessage().equals(String.valueOf(e.getCause()))
                ? e.getCause()
                : e;
        String text = top instanceof IOException io && !(top.getCause() instanceof IOException)
                ? describe(io)
                : top instanceof UnresolvedAddressException
                        ? "the host name does not resolve"
                        : top.getMessage() == null ? "" : top.getMessage();
        Throwable root = rootCause(top.getCause());
        if (root != null) {
            String reason = describe(root);
            if (root instanceof FileSystemException fs && fs.getFile() != null && text.contains(fs.getFile())) {
                reason = reason(root);
            }
            if (!text.toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT))) {
                text = text.isEmpty() ? reason : text + ": " + reason;
            }
        }
        // A message built from another exception's null message ("cannot listen on HOST:PORT: null") says nothing.
        text = text.replaceAll(": null$", "").replace(": null: ", ": ");
        if (text.isBlank()) {
            text = "failed without a message (the stack trace is logged with -Ddoorbell.log.level=DEBUG)";
        }
        return text;
    }

    /** What went wrong with which path: "PATH: no such file or directory", "PATH: permission denied", ... */
    public static String describe(Throwable io) {
        if (io instanceof FileSystemException fs && fs.getFile() != null) {
            return fs.getFile() + ": " + reason(io);
        }
        return reason(io);
    }

    private static String reason(Throwable io) {
        if (io instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (io instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (io instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (io instanceof FileAlreadyExistsException fs) {
            // Files.createDirectories says this of a path that is a file.
            return fs.getFile() != null
                            && Files.exists(Path.of(fs.getFile()))
                            && !Files.isDirectory(Path.of(fs.getFile()))
                    ? "exists and is not a directory"
                    : "already exists";
        }
        if (io instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (io instanceof FileSystemException fs) {
            return fs.getReason() == null ? "I/O error" : lowerFirst(fs.getReason());
        }
        if (io instanceof UnknownHostException) {
            return io.getMessage() == null ? "unknown host" : "unknown host " + io.getMessage();
        }
        if (io instanceof UnresolvedAddressException) {
            return "the host name does not resolve";
        }
        String message = io.getMessage();
        return message == null
                ? "I/O error"
                : lowerFirst(NATIVE_CALL.matcher(message).replaceFirst(""));
    }

    /** The deepest I/O error under {@code cause}, else the deepest cause with a message; null when there is none. */
    private static Throwable rootCause(Throwable cause) {
        Throwable io = null;
        Throwable said = null;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UnresolvedAddressException) {
                io = t;
            }
            if (t.getMessage() != null) {
                said = t;
            }
        }
        return io != null ? io : said;
    }

    /**
     * {@code message} with a leading parameter name ("maxConnections must be ...") replaced by the option that sets it
     * ("--max-connections must be ..."), when {@code spec} has that option: library checks name their parameters,
     * users typed options.
     */
    public static String withOptionNames(CommandSpec spec, String message) {
        Matcher m = CAMEL_NAME.matcher(message);
        if (!m.find()) {
            return message;
        }
        String option = "--" + m.group(1).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
        return spec.findOption(option) == null ? message : option + message.substring(m.end());
    }

    static String lowerFirst(String s) {
        if (s == null || s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) {
            return s == null ? "" : s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
