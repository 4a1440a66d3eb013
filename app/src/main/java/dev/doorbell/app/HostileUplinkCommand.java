package dev.doorbell.app;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What an uplink operator who wants to watch can do with the recipient lists it relays, so that the demo and the
 * tests can show a device refusing it. The operator holds the published lists (public: names and public keys) and
 * any key of its own, never the owner's signing key; so the best it can make is a list that adds its own viewer,
 * with a higher version, signed by a key of its own. Nothing here is a way around the format: it is the attack the
 * format must refuse, made with the same library a real attacker would use.
 */
@Command(
        name = "hostile-uplink",
        mixinStandardHelpOptions = true,
        description = {
            "Attacks of a hostile uplink operator on recipient lists, for demonstrations and tests (devices must refuse"
                    + " them).",
            "",
            "Nothing here needs or touches an owner's secret: the operator has only the lists it relays."
        },
        subcommands = {HostileUplinkCommand.AddViewer.class})
final class HostileUplinkCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a command: add-viewer");
    }

    @Command(
            name = "add-viewer",
            mixinStandardHelpOptions = true,
            description = {
                "The ghost-viewer attack: a device's published list with the operator's own viewer key added, the"
                        + " version raised by one, signed with a fresh key of the operator's own (it cannot sign as"
                        + " the owner).",
                "",
                "Publish the result with 'scripts/uplink publish-recipients'; the device answers REFUSED_SIGNATURE"
                        + " and keeps its list, so no later clip opens for the added key."
            })
    static final class AddViewer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--list",
                required = true,
                paramLabel = "FILE",
                description = "A published SignedRecipientList (what the uplink relays: OWNER/lists/ID.list).")
        Path list;

        @Option(
                names = "--viewer",
                required = true,
                paramLabel = "VIEWER.pub",
                description = "The operator's own viewer public key ('doorbell owner viewer new').")
        Path viewer;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The forged list to write.")
        Path out;

        @Override
        public Integer call() {
            RecipientList published = parse(list);
            RecipientPublicKey ghost = KeyFiles.readViewerPublic(viewer);
            List<RecipientPublicKey> recipients = new ArrayList<>(RecipientLists.recipients(published));
            recipients.add(ghost);
            RecipientList forged = RecipientLists.list(
                    published.getDeviceId(),
                    published.getVersion() + 1,
                    Clock.systemUTC().millis(),
                    recipients);
            SigningKey operatorKey = SigningKey.generate(new SecureRandom());
            try {
                byte[] signed = RecipientLists.sign(operatorKey, forged);
                Files.write(out, signed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            } finally {
                operatorKey.destroy();
            }
            spec.commandLine()
                    .getOut()
                    .println("forged list for " + published.getDeviceId() + ": version " + forged.getVersion() + ", "
                            + recipients.size() + " recipients with '" + ghost.name() + "' added, signed with a key"
                            + " of the operator's own -> " + out);
            return 0;
        }

        private static RecipientList parse(Path file) {
            try {
                SignedRecipientList signed = SignedRecipientList.parseFrom(Files.readAllBytes(file));
                return RecipientList.parseFrom(signed.getList());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(file + " is not a signed recipient list: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }
}
