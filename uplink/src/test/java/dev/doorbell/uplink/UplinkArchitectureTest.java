package dev.doorbell.uplink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.ClassScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The build itself shows that the uplink cannot decrypt: no compiled class of the uplink names a JCA cipher, a
 * key type, BouncyCastle, the format library or any party, and its POM depends on nothing that could supply them
 * (Maven Enforcer also bans them transitively, in uplink/pom.xml).
 * Class names referenced by a class file sit in its constant pool as UTF-8, so a byte scan finds every use.
 */
class UplinkArchitectureTest {
    private static final List<String> FORBIDDEN = List.of(
            "javax/crypto",
            "org/bouncycastle",
            "java/security/Key",
            // No hash or signature either: the uplink compares bytes, it never computes a cryptographic function.
            "java/security/MessageDigest",
            "java/security/Signature",
            "Cipher",
            "dev/doorbell/seal/",
            "dev/doorbell/device/",
            "dev/doorbell/owner/",
            "dev/doorbell/pki/",
            "dev/doorbell/fleet/",
            "dev/doorbell/conformance/",
            "dev/doorbell/app/",
            // The long-term tier's code and the AWS SDK (it signs with javax.crypto) live beside the uplink, not in it.
            "dev/doorbell/tier/",
            "dev/doorbell/shipper/",
            "software/amazon/awssdk/");
    // jazzer-junit is test scope only (the fuzz tests); it never reaches the shaded uplink jar. error_prone_annotations
    // holds annotations only (@GuardedBy), provided scope: nothing of it runs, nor reaches the jar. The Prometheus
    // client
    // (prometheus-metrics-*) counts and exposes numbers over HTTP: no cipher, no key type.
    private static final Pattern ALLOWED_ARTIFACT = Pattern.compile("doorbell-(proto|wire|cli|testing)|netty-[a-z0-9-]+"
            + "|slf4j-api|logback-classic|picocli|prometheus-metrics-[a-z-]+|error_prone_annotations|junit-jupiter"
            + "|jazzer-junit");

    @Test
    void mainClasses_noCryptoReferences() throws IOException {
        ClassScan.assertNoneReferenced("uplink", FORBIDDEN, 15, "UplinkServer");
    }

    @Test
    void scan_classUsingCipher_isCaught() throws IOException {
        // Guards the scan itself: a compiled class that uses the JCA must be caught by the same byte search.
        Path user = ClassScan.testClass("uplink", CipherUser.class.getName());
        assertTrue(ClassScan.references(user, FORBIDDEN).contains("javax/crypto"), "the scan missed " + user);
    }

    /** Only here to be found by {@link #scan_classUsingCipher_isCaught()}. */
    private static final class CipherUser {
        @SuppressWarnings("unused")
        private final Class<?> cipher = javax.crypto.Cipher.class;
    }

    @Test
    void pom_onlyAllowedDependencies() throws IOException {
        String pom = Files.readString(
                ClassScan.mainClasses("uplink").resolve("../../pom.xml").normalize());
        String dependencies = pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>"));
        Matcher artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(dependencies);
        List<String> found = new ArrayList<>();
        while (artifact.find()) {
            found.add(artifact.group(1));
        }
        assertTrue(found.size() >= 5, "expected the uplink's dependencies in its POM, found " + found);
        for (String name : found) {
            assertTrue(
                    ALLOWED_ARTIFACT.matcher(name).matches()
                            && !name.matches("doorbell-(seal|device|owner|pki|fleet|conformance|app)"),
                    "uplink/pom.xml may not depend on " + name);
        }
    }
}
