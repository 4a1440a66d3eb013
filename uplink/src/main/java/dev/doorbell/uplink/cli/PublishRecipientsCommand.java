package dev.doorbell.uplink.cli;

import com.google.protobuf.ByteString;
import dev.doorbell.cli.CliErrors;
import dev.doorbell.uplink.recipients.MalformedListException;
import dev.doorbell.uplink.recipients.PublishedList;
import dev.doorbell.uplink.recipients.RecipientListFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code publish-recipients}: files owner-signed recipient lists (the owner's OWNER/lists/&lt;device&gt;.list) where
 * the uplink relays them from, one per device, the highest version kept. A running uplink needs no restart: it reads
 * a device's list at each Hello. The uplink cannot check the owner's signature, and needs not: the device does.
 */
@Command(
        name = "publish-recipients",
        mixinStandardHelpOptions = true,
        versionProvider = UplinkCli.Version.class,
        description = {
            "Publish owner-signed recipient lists for the uplink to relay to their devices (at their next Hello).",
            "Each FILE is stored as DIR/recipient-lists/<device>.list unless that device has this version or a "
                    + "higher one published already. One line per file.",
            "Exit status: 0 every file read (stored or kept), 2 a file that is not a recipient list, or an I/O error."
        })
public final class PublishRecipientsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "The uplink's data directory " + "(serve's --data).")
    private Path data;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "SignedRecipientList files (OWNER/lists/*.list).")
    private List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RecipientListFiles published = new RecipientListFiles(data);
        int failed = 0;
        for (Path file : files) {
            try {
                PublishedList list = PublishedList.parse(file.toString(), read(file));
                RecipientListFiles.Published result = published.publish(list);
                String version = Long.toUnsignedString(list.version());
                String before = Long.toUnsignedString(result.before());
                out.println(
                        switch (result.outcome()) {
                            case STORED ->
                                "device " + list.deviceId() + ": version " + version + " published"
                                        + (result.before() == 0 ? "" : " (replaces version " + before + ")");
                            case KEPT ->
                                "device " + list.deviceId() + ": version " + before + " kept; " + file + " has version "
                                        + version + ", not newer";
                        });
            } catch (MalformedListException e) {
                err.println("publish-recipients: " + e.getMessage());
                failed++;
            } catch (IOException e) {
                err.println("publish-recipients: " + CliErrors.message(e));
                failed++;
            }
        }
        out.flush();
        return failed == 0 ? 0 : CliErrors.EXIT_USAGE;
    }

    private static ByteString read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ByteString.copyFrom(in.readNBytes(PublishedList.MAX_BYTES + 1));
        }
    }
}
