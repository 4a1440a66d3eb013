package dev.doorbell.cli;

import dev.doorbell.cli.logging.LogFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The conventions every command of this module follows. A usage or I/O error is one line on stderr,
 * {@code <command>: what is wrong with which value or path} ({@link CliErrors}), and exit status 2; never a stack
 * trace (it is logged at DEBUG, {@code -Ddoorbell.log.level=DEBUG}). Help text wraps whole paragraphs.
 */
public final class Cli {
    private static final Logger LOG = LoggerFactory.getLogger(Cli.class);

    private Cli() {}

    /**
     * Gives {@code cli} and its subcommands these conventions; an argument that matches no command or option
     * is an error even next to {@code --help} (picocli would print the help and exit 0).
     */
    public static CommandLine configure(CommandLine cli) {
        wrapParagraphs(cli);
        addLogFormat(cli);
        inheritVersion(cli, cli.getCommandSpec().versionProvider());
        cli.setParameterExceptionHandler(Cli::usageError);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            LOG.debug("{} failed", prefix(commandLine.getCommandSpec()), ex);
            commandLine.getErr().println(prefix(commandLine.getCommandSpec()) + ": " + CliErrors.message(ex));
            commandLine.getErr().flush();
            return CliErrors.EXIT_USAGE;
        });
        cli.setExecutionStrategy(parseResult -> {
            for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
                if (!level.unmatched().isEmpty()) {
                    throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
                }
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cli;
    }

    /**
     * Joins description lines that break a sentence (the line does not end with '.', ':', '?' or '!') with the next,
     * so that help wraps whole sentences at its width instead of breaking the source's lines a second time. A
     * command's summary in its parent's list is its first line, so that is a whole sentence too.
     */
    private static void wrapParagraphs(CommandLine cli) {
        CommandSpec spec = cli.getCommandSpec();
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : spec.usageMessage().description()) {
            String text = line.strip();
            if (text.isEmpty()) {
                if (current.length() > 0) {
                    paragraphs.add(current.toString());
                    current.setLength(0);
                }
                paragraphs.add("");
                continue;
            }
            current.append(current.length() == 0 ? "" : " ").append(text);
            if (text.matches(".*[.:?!]$")) {
                paragraphs.add(current.toString());
                current.setLength(0);
            }
        }
        if (current.length() > 0) {
            paragraphs.add(current.toString());
        }
        spec.usageMessage().description(paragraphs.toArray(String[]::new));
        cli.getSubcommands().values().forEach(Cli::wrapParagraphs);
    }

    /**
     * {@code --log-format text|json} on every command. Its value takes effect through {@link LogFormat#select} in
     * {@code main}, before logback starts; here it is checked and documented like any other option.
     */
    private static void addLogFormat(CommandLine cli) {
        CommandSpec spec = cli.getCommandSpec();
        if (!spec.optionsMap().containsKey(LogFormat.OPTION)) {
            spec.addOption(OptionSpec.builder(LogFormat.OPTION)
                    .paramLabel("FORMAT")
                    .type(LogFormat.class)
                    .converters(new LogFormat.Converter())
                    .description("Log lines on stderr as text (ISO 8601 UTC dates) or json (one object per line); "
                            + "also DOORBELL_LOG_FORMAT (default: text).")
                    .build());
        }
        cli.getSubcommands().values().forEach(Cli::addLogFormat);
    }

    /** {@code --version} of a subcommand prints what the top-level command's does, unless it says more itself. */
    private static void inheritVersion(CommandLine cli, CommandLine.IVersionProvider provider) {
        CommandSpec spec = cli.getCommandSpec();
        if (provider != null && spec.versionProvider() == null && spec.version().length == 0) {
            spec.versionProvider(provider);
        }
        cli.getSubcommands().values().forEach(sub -> inheritVersion(sub, provider));
    }

    /** The name an error line starts with: the command's name under the top-level command, e.g. "fleet merge". */
    public static String prefix(CommandSpec spec) {
        String qualified = spec.qualifiedName(" ");
        CommandSpec root = spec.root();
        return spec == root || !qualified.startsWith(root.name() + " ")
                ? qualified
                : qualified.substring(root.name().length() + 1);
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        CommandSpec spec = commandLine.getCommandSpec();
        String text;
        if (ex instanceof UnmatchedArgumentException unmatched) {
            text = unmatched(spec, unmatched);
        } else {
            // picocli says "option option '--x'" in one of its messages.
            text = CliErrors.lowerFirst(ex.getMessage()).replace("option option", "option");
            if (ex instanceof CommandLine.MissingParameterException) {
                text += "; " + help(spec);
            }
        }
        PrintWriter err = commandLine.getErr();
        err.println(prefix(spec) + ": " + text);
        err.flush();
        return CliErrors.EXIT_USAGE;
    }

    private static String unmatched(CommandSpec spec, UnmatchedArgumentException ex) {
        List<String> args = ex.getUnmatched();
        String first = args.isEmpty() ? "" : args.get(0);
        List<String> suggestions = ex.getSuggestions();
        String didYouMean = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
        if (first.startsWith("-")) {
            return "unknown option '" + first + "'" + didYouMean + " (" + help(spec) + ")";
        }
        if (!spec.subcommands().isEmpty()) {
            return "unknown command '" + first + "'; the commands are " + String.join(", ", commandNames(spec));
        }
        return "unexpected argument '" + first + "'" + didYouMean + " (" + help(spec) + ")";
    }

    /** The command names of {@code spec}, without the help-only ones picocli may add. */
    public static List<String> commandNames(CommandSpec spec) {
        return spec.subcommands().values().stream()
                .map(c -> c.getCommandName())
                .distinct()
                .toList();
    }

    private static String help(CommandSpec spec) {
        return "'" + spec.qualifiedName(" ") + " --help' lists the options";
    }
}
