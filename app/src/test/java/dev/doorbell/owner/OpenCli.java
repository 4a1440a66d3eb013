package dev.doorbell.owner;

import dev.doorbell.app.DoorbellCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code doorbell open} in this JVM and keeps its exit status, standard output and standard error. */
final class OpenCli {
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private OpenCli() {}

    static Result open(Path store, Path keyring, Path out, String... more) {
        List<String> args = new ArrayList<>(
                List.of("open", "--store", store.toString(), "--keyring", keyring.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
