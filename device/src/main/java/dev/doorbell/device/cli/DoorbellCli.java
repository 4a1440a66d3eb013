package dev.doorbell.device.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "doorbell",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Doorbell cameras that seal what they see, and the owner's tools to open it.",
      "The uplink stores only sealed bytes; only the owner's keyring opens them."
    },
    subcommands = {ProvisionCommand.class, SimulateCommand.class, OpenCommand.class, RevokeCommand.class,
      FaultProxyCommand.class, ConformanceCommand.class, FleetCommand.class})
public final class DoorbellCli implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with the exit codes scripts rely on: 2 for usage and I/O errors, never a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new DoorbellCli());
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println(commandLine.getCommandName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
        err.println("  caused by: " + cause);
      }
      return 2;
    });
    return cli;
  }
}
