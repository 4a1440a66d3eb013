package dev.doorbell.app;

import dev.doorbell.cli.Cli;
import dev.doorbell.owner.ForgetRequest;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code doorbell store check-request}: lets an operator check an owner's request to delete clips before applying it.
 * The uplink cannot (it holds no key type, by design); this tool can, with the owner's public key (owner.pub, which
 * the owner may give the operator: it opens nothing).
 */
@Command(
        name = "store",
        mixinStandardHelpOptions = true,
        subcommands = {StoreRequestCommand.CheckRequest.class},
        description = "Tools for the operator that need a key the uplink never holds: check-request.")
final class StoreRequestCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "give a subcommand: " + String.join(", ", Cli.commandNames(spec)));
    }

    @Command(
            name = "check-request",
            mixinStandardHelpOptions = true,
            description = {
                "Check an owner's request to delete clips (doorbell owner forget) against the owner's public key,"
                        + " before 'scripts/uplink store delete --request FILE' applies it: the uplink cannot check it.",
                "Exit status: 0 the signature verifies, 1 it does not (or the request does not parse), 2 usage or I/O"
                        + " error."
            })
    static final class CheckRequest implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--request", required = true, paramLabel = "FILE", description = "The request file.")
        Path request;

        @Option(
                names = "--owner-key",
                required = true,
                paramLabel = "OWNER_PUB",
                description = "The owner's owner.pub (from the owner's or a viewer's directory).")
        Path ownerKey;

        @Override
        public Integer call() throws IOException {
            VerifyingKey owner = KeyFiles.readOwnerPublic(ownerKey).signing();
            ForgetRequest.Checked checked = ForgetRequest.check(Files.readAllBytes(request), owner);
            PrintWriter out = spec.commandLine().getOut();
            if (!checked.valid()) {
                out.println("INVALID " + request + ": " + checked.problem());
                out.flush();
                return 1;
            }
            ForgetRequest r = checked.request();
            out.println("VALID " + request + ": signed by the owner " + owner.fingerprint() + " on " + r.issued()
                    + ", device " + r.deviceId() + ", " + r.clipIds().size() + " named clip(s)"
                    + (r.beforePosition() > 1 ? ", every clip before position " + r.beforePosition() : ""));
            out.flush();
            return 0;
        }
    }
}
