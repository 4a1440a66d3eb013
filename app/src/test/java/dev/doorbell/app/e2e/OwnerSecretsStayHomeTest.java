package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.OwnerSecrets;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The owner's files stay on the owner's machine: after provisioning, owner init, a viewer added, pairing, a new list
 * delivered and clips sealed by the devices and stored as the uplink stores them (with the lists the operator
 * publishes beside them), no form of the owner's secret, of the keys derived from it or of the viewer's private key
 * is in any file of the fleet (the devices' and the uplink's directories) or of the uplink's data directory.
 */
class OwnerSecretsStayHomeTest {
    @TempDir
    Path dir;

    @Test
    void ownerAndViewerSecrets_neverInADeviceOrUplinkDirectory() throws Exception {
        Path fleet = dir.resolve("fleet");
        Path ownerDir = dir.resolve("owner");
        Path phone = dir.resolve("phone");
        run("provision", "--devices", "2", "--out", fleet.toString());
        run(
                "owner",
                "init",
                "--out",
                ownerDir.toString(),
                "--phrase-file",
                dir.resolve("phrase").toString());
        run(
                "pair",
                "--owner",
                ownerDir.toString(),
                "--devices-dir",
                fleet.resolve("devices").toString());
        run("owner", "viewer", "new", "--out", phone.toString(), "--name", "phone");
        run(
                "owner",
                "viewer",
                "add",
                "--owner",
                ownerDir.toString(),
                phone.resolve(ViewerDirectory.PUBLIC_FILE).toString(),
                "--viewer-dir",
                phone.toString());

        Path uplinkData = dir.resolve("uplink-data");
        Path published = Files.createDirectories(uplinkData.resolve("recipient-lists"));
        try (DirectoryStream<Path> lists = Files.newDirectoryStream(ownerDir.resolve(OwnerDirectory.LISTS))) {
            for (Path list : lists) {
                Files.copy(list, published.resolve(list.getFileName()));
            }
        }
        try (DirectoryStore store = DirectoryStore.open(uplinkData, StoreOptions.defaults())) {
            for (String id : new String[] {"doorbell-0001", "doorbell-0002"}) {
                PairedDevice device =
                        DevicePairing.load(fleet.resolve("devices").resolve(id));
                device.apply(ByteString.copyFrom(Files.readAllBytes(published.resolve(id + ".list"))));
                ClipSealing sealer = device.startClip(
                        new ClipParams(
                                id, 1, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0),
                        List.of(),
                        0,
                        new SecureRandom());
                store.openClip(id, 1, sealer.headerBytes()).durable().get(10, TimeUnit.SECONDS);
                SealedFrame f = sealer.seal(0, "a frame".getBytes(StandardCharsets.UTF_8), true);
                store.appendFrame(id, 1, f.seq(), f.last(), f.meta(), f.sealed())
                        .durable()
                        .get(10, TimeUnit.SECONDS);
            }
        }

        ViewerDirectory viewer = ViewerDirectory.load(phone);
        OwnerSecrets secrets =
                OwnerSecrets.of(ownerDir, viewer.recipientKeys().get(0).privateKey());
        assertTrue(secrets.assertNoneUnder(fleet) >= 20, "the fleet's files were read");
        assertTrue(secrets.assertNoneUnder(uplinkData) >= 3, "the uplink's files were read");
    }

    private static void run(String... args) {
        CommandLine cli = DoorbellCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(args), String.join(" ", args) + ": " + err);
    }
}
