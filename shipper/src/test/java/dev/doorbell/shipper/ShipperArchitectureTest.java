package dev.doorbell.shipper;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.ClassScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipper holds no key, as the uplink it ships for: no compiled class of it names a JCA cipher, a key type,
 * BouncyCastle, the format library or another party (Maven Enforcer bans them transitively in shipper/pom.xml). The
 * AWS SDK it uses signs requests with javax.crypto; that is why the shipper is a module of its own, beside the uplink.
 */
class ShipperArchitectureTest {
    private static final List<String> FORBIDDEN = List.of(
            "javax/crypto",
            "org/bouncycastle",
            "java/security/Key",
            "Cipher",
            "dev/doorbell/seal/",
            "dev/doorbell/device/",
            "dev/doorbell/owner/",
            "dev/doorbell/pki/",
            "dev/doorbell/fleet/",
            "dev/doorbell/conformance/",
            "dev/doorbell/app/");

    @Test
    void mainClasses_noKeyOrPartyReferences() throws IOException {
        ClassScan.assertNoneReferenced("shipper", FORBIDDEN, 3, "Shipper");
    }

    @Test
    void scan_classNamingAnOwnerType_isCaught() throws IOException {
        Path user = ClassScan.testClass("shipper", OwnerUser.class.getName());
        assertTrue(ClassScan.references(user, FORBIDDEN).contains("dev/doorbell/owner/"), "the scan missed " + user);
    }

    /** Only here to be found by {@link #scan_classNamingAnOwnerType_isCaught()}. */
    private static final class OwnerUser {
        @SuppressWarnings("unused")
        private static final String SECRET = "dev/doorbell/owner/identity/OwnerSecret";
    }
}
