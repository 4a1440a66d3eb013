package dev.doorbell.app;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.VersionProvider;
import dev.doorbell.cli.logging.LogFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "doorbell",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Doorbell cameras that seal what they see, and the owner's tools to open it.",
            "The uplink stores only sealed bytes; only the owner and the viewers the owner names open them."
        },
        subcommands = {
            ProvisionCommand.class,
            OwnerCommand.class,
            PairCommand.class,
            SimulateCommand.class,
            OpenCommand.class,
            RevokeCommand.class,
            FaultProxyCommand.class,
            ConformanceCommand.class,
            BenchDeviceCommand.class,
            FaultMatrixCommand.class,
            CrashDeviceCommand.class,
            FleetCommand.class,
            HostileUplinkCommand.class,
            StoreRequestCommand.class
        })
public final class DoorbellCli implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "give a command: " + String.join(", ", Cli.commandNames(spec))
                        + " ('doorbell --help' says what each does)");
    }

    public static void main(String[] args) {
        // Before any logger exists: logback reads the format when it starts (LogFormat).
        LogFormat.select(args);
        System.exit(commandLine().execute(args));
    }

    /** The command line with the exit codes scripts rely on: 2 and one line for a usage or I/O error (CliErrors). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new DoorbellCli()));
    }
}
