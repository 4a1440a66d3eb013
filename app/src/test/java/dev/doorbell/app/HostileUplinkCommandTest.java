package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.seal.v2.RecipientPublicKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The demo's ghost-viewer attack is the real one: a list the operator can make, which a paired device refuses. */
class HostileUplinkCommandTest {
    @TempDir
    Path dir;

    @Test
    void addViewer_publishedList_forgedListHasTheGhostAndAHigherVersionAndTheDeviceRefusesItsSignature()
            throws Exception {
        FleetLayout fleet = PairedFleets.provision(dir.resolve("fleet"), 1);
        String id = Files.readAllLines(fleet.fleetList()).get(0);
        Path published = PairedFleets.ownerDir(fleet).resolve("lists").resolve(id + ".list");
        RecipientPublicKey ghost = ViewerDirectory.create(dir.resolve("ghost"), "ghost", new SecureRandom());
        Path forged = dir.resolve("forged.list");

        StringWriter out = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        int exit = cli.execute(
                "hostile-uplink",
                "add-viewer",
                "--list",
                published.toString(),
                "--viewer",
                dir.resolve("ghost").resolve("viewer.pub").toString(),
                "--out",
                forged.toString());

        assertEquals(0, exit, out.toString());
        RecipientList before = RecipientList.parseFrom(
                SignedRecipientList.parseFrom(Files.readAllBytes(published)).getList());
        RecipientList after = RecipientList.parseFrom(
                SignedRecipientList.parseFrom(Files.readAllBytes(forged)).getList());
        assertEquals(before.getVersion() + 1, after.getVersion());
        assertEquals(before.getRecipientsCount() + 1, after.getRecipientsCount());
        assertArrayEquals(
                ghost.publicKey(),
                after.getRecipients(after.getRecipientsCount() - 1)
                        .getPublicKey()
                        .toByteArray());
        assertTrue(out.toString().contains("version " + after.getVersion()), out.toString());

        Path deviceDir = fleet.device(id);
        byte[] listBefore = Files.readAllBytes(deviceDir.resolve("recipients.list"));
        PairedDevice device = DevicePairing.load(deviceDir);
        try {
            RecipientListResult result = device.apply(ByteString.copyFrom(Files.readAllBytes(forged)));
            assertEquals(RecipientListResult.Status.REFUSED_SIGNATURE, result.getStatus(), result.getDetail());
            assertEquals(before.getVersion(), device.heldVersion(), "the device keeps the owner's list");
        } finally {
            device.destroy();
        }
        assertArrayEquals(listBefore, Files.readAllBytes(deviceDir.resolve("recipients.list")));
    }
}
