package dev.doorbell.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.pki.FleetCa;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.testing.ClassScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build shows what a stolen doorbell holds: no compiled class of the device names an owner's key type (a root
 * key derives every epoch key of every clip, past and future), a clip opener or a recipient's private key (a device
 * wraps each clip key to public keys only and never unwraps one), anything of the owner's side (the owner's secret
 * and identity), the vendor's tools (the fleet CA's key among them), the test tools or the uplink. Maven Enforcer keeps those modules off the
 * device's class path (but for test identities); this scan also catches a type reached through a library.
 */
class DeviceArchitectureTest {
    static final List<String> FORBIDDEN = List.of(
            "dev/doorbell/seal/keys/RootKey",
            "dev/doorbell/seal/ClipOpener",
            "dev/doorbell/seal/v2/ClipOpenerV2",
            "dev/doorbell/seal/v2/RecipientKeyPair",
            "dev/doorbell/seal/v2/Shares",
            "dev/doorbell/owner/",
            "dev/doorbell/pki/",
            "dev/doorbell/fleet/",
            "dev/doorbell/conformance/",
            "dev/doorbell/app/",
            "dev/doorbell/uplink/");

    @Test
    void mainClasses_noOwnerKeyOrVendorReferences() throws IOException {
        ClassScan.assertNoneReferenced("device", FORBIDDEN, 50, "ClipRecorder");
    }

    @Test
    void scan_classHoldingRootKeyOrFleetCa_isCaught() throws IOException {
        // Guards the scan itself: the canary below names both kinds of forbidden type and must be caught.
        Path canary = ClassScan.testClass("device", Canary.class.getName());
        assertEquals(
                List.of("dev/doorbell/seal/keys/RootKey", "dev/doorbell/seal/v2/RecipientKeyPair", "dev/doorbell/pki/"),
                ClassScan.references(canary, FORBIDDEN));
    }

    /** Only here to be found by {@link #scan_classHoldingRootKeyOrFleetCa_isCaught()}. */
    private static final class Canary {
        @SuppressWarnings("unused")
        private RootKey ownersKey;

        @SuppressWarnings("unused")
        private RecipientKeyPair viewersKey;

        @SuppressWarnings("unused")
        private FleetCa vendorsCa;
    }
}
