package dev.doorbell.uplink.cli;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.logging.LogFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The uplink's command line: {@code doorbell-uplink serve ...}, {@code doorbell-uplink store list|verify|expire|delete
 * ...} ({@code fsck} is {@code store verify}), {@code doorbell-uplink publish-recipients ...}. Exit status 0 on
 * success, 1 when fsck finds what was acknowledged lost, 2 on a usage or I/O error.
 */
@Command(
        name = "doorbell-uplink",
        mixinStandardHelpOptions = true,
        versionProvider = UplinkCli.Version.class,
        description = "The blind uplink of doorbell: stores sealed clips from devices, holds no keys.")
public final class UplinkCli implements Runnable {
    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        // Before any logger exists: logback reads the format when it starts (LogFormat).
        LogFormat.select(args);
        System.exit(commandLine(new ServeCommand(ServeCommand.DIRECTORY_STORE)).execute(args));
    }

    /**
     * The command line with {@code serve} bound to the given instance, so that tests can stop it, and the exit codes
     * scripts rely on: 2 and one line for a usage or I/O error ({@link Cli}).
     */
    public static CommandLine commandLine(ServeCommand serve) {
        CommandLine store = new CommandLine(new StoreCommand());
        // The same command as the top-level fsck, named verify here: in its usage line and the list of store commands.
        store.addSubcommand("verify", new CommandLine(new FsckCommand()).setCommandName("verify"));
        return Cli.configure(new CommandLine(new UplinkCli())
                .addSubcommand("serve", serve)
                .addSubcommand("store", store)
                .addSubcommand("fsck", new FsckCommand())
                .addSubcommand("publish-recipients", new PublishRecipientsCommand()));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "give a command: " + String.join(", ", Cli.commandNames(spec))
                        + " ('doorbell-uplink --help' says what each does)");
    }

    /** The version of the jar, or "development build" when run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = UplinkCli.class.getPackage().getImplementationVersion();
            return new String[] {"doorbell-uplink " + (version == null ? "development build" : version)};
        }
    }
}
