package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.seal.v2.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionVerdictsTest {
    /**
     * Which request a DELETED line cites must not depend on the file system's directory order: docs/FORMAT.md §6
     * takes requests in `--store` order, then file-name order, and the Python reader does the same.
     */
    @Test
    void requestsAreTakenInStoreOrderThenFileNameOrder(@TempDir Path root) throws Exception {
        SigningKey owner = SigningKey.generate(new SecureRandom());
        List<Path> stores = List.of(root.resolve("b-store"), root.resolve("a-store"));
        List<Instant> expected = new ArrayList<>();
        for (Path store : stores) {
            Path requests = Files.createDirectories(store.resolve("retention").resolve("requests"));
            for (int n = 40; n >= 1; n--) {
                Instant issued =
                        Instant.parse("2026-12-05T00:00:00Z").plusSeconds(n * 60L + (store == stores.get(0) ? 0 : 7));
                Files.write(
                        requests.resolve(String.format("%010d.req", n)),
                        ForgetRequest.sign(owner, "front-door", issued, Map.of((long) n, 1000L + n), List.of(), 0));
            }
            for (int n = 1; n <= 40; n++) {
                expected.add(
                        Instant.parse("2026-12-05T00:00:00Z").plusSeconds(n * 60L + (store == stores.get(0) ? 0 : 7)));
            }
        }

        List<Instant> seen = RetentionVerdicts.requests(stores, Optional.of(owner.publicKey())).stream()
                .map(c -> c.request().issued())
                .toList();

        assertEquals(expected, seen);
    }
}
