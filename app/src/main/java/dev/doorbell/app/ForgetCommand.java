package dev.doorbell.app;

import dev.doorbell.owner.ForgetRequest;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code doorbell owner forget}: writes a request, signed with the owner's key, that an uplink delete clips of one
 * device (docs/OPERATIONS.md, "Store tools and retention"). The operator applies it ({@code scripts/uplink store
 * delete --request FILE}, or drops it into {@code DIR/retention/inbox/}); the owner's {@code open} then calls the
 * clips it covers DELETED, not MISSING.
 */
@Command(
        name = "forget",
        mixinStandardHelpOptions = true,
        description = {
            "Write a signed request that the uplink delete clips of one device: named clips (--clip), every clip"
                    + " before a chain position (--before-position), or both.",
            "The operator applies it with 'scripts/uplink store delete --request FILE' (or drops it into the store's"
                    + " retention/inbox/); 'doorbell open' then reports the clips it covers as DELETED.",
            "Exit status: 0 written, 2 usage or I/O error."
        })
final class ForgetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
    Path ownerDir;

    @Option(names = "--device", required = true, paramLabel = "ID", description = "The device whose clips go.")
    String device;

    @Option(
            names = "--clip",
            paramLabel = "CLIP",
            description = "A clip id in hex, as 'open' lists it (repeatable).",
            converter = ClipIdConverter.class)
    List<String> clipIds = new ArrayList<>();

    @Option(
            names = "--before-position",
            paramLabel = "P",
            description = "Every clip of the device at a chain position below P.")
    long beforePosition;

    @Option(
            names = "--store",
            paramLabel = "DIR",
            description = "A store holding the named clips: their chain positions go into the request, so that open"
                    + " can tell every deleted position apart (repeatable; optional).")
    List<Path> stores = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The request file to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<Long> clips =
                clipIds.stream().map(c -> Long.parseUnsignedLong(c, 16)).toList();
        if (clips.isEmpty() && beforePosition <= 1) {
            throw new ParameterException(spec.commandLine(), "name clips with --clip or --before-position P (P > 1)");
        }
        if (Files.exists(out)) {
            throw new ParameterException(
                    spec.commandLine(), "--out " + out + " exists; a request is never written" + " over a file");
        }
        Map<Long, Long> positions = new TreeMap<>();
        List<Long> unplaced = new ArrayList<>(clips);
        for (Path store : stores) {
            for (StoredClip c : StoreDirectoryReader.read(store).clips()) {
                if (c.deviceId().equals(device) && unplaced.contains(c.clipId()) && position(c.header()) > 0) {
                    positions.put(position(c.header()), c.clipId());
                    unplaced.remove(c.clipId());
                }
            }
        }
        OwnerDirectory owner = OwnerDirectory.load(ownerDir);
        byte[] request;
        try {
            request =
                    ForgetRequest.sign(owner.signingKey(), device, Instant.now(), positions, unplaced, beforePosition);
        } finally {
            owner.destroy();
        }
        Files.write(out, request);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("request to forget " + clips.size() + " named clip(s)"
                + (beforePosition > 1 ? " and every clip before position " + beforePosition : "") + " of " + device
                + " written to " + out
                + (unplaced.isEmpty() ? "" : " (" + unplaced.size() + " without a known position)")
                + "; the operator applies it with 'scripts/uplink store delete --request " + out + "'");
        stdout.flush();
        return 0;
    }

    private static long position(byte[] header) {
        try {
            return ClipHeader.parseFrom(SignedClipHeader.parseFrom(header).getHeader())
                    .getChain()
                    .getPosition();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return 0;
        }
    }
}
