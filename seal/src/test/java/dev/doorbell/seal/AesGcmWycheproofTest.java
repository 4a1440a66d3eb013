package dev.doorbell.seal;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.doorbell.seal.internal.AesGcm;
import dev.doorbell.seal.testing.JsonFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every Wycheproof AES-GCM vector that fits the engine (12-byte IV, 16-byte tag) through {@link AesGcm}, on each
 * provider. The others (IVs of other lengths, which doorbell never uses and the engine refuses) are counted.
 */
class AesGcmWycheproofTest {
    private static final int EXPECTED_RUN = 197;
    private static final int EXPECTED_SKIPPED = 119;

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void sealAndOpen_allTwelveByteIvVectors_matchWycheproof(GcmProvider provider) throws Exception {
        Map<String, Object> file = JsonFiles.read("wycheproof/wycheproof_aes_gcm_test.json");
        int run = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (Object g : list(file.get("testGroups"))) {
            Map<String, Object> group = map(g);
            boolean fits = ((Number) group.get("ivSize")).intValue() == 96
                    && ((Number) group.get("tagSize")).intValue() == 128;
            for (Object t : list(group.get("tests"))) {
                Map<String, Object> test = map(t);
                if (!fits) {
                    skipped++;
                    continue;
                }
                run++;
                String failure = check(provider, test);
                if (failure != null) {
                    failures.add("tcId " + test.get("tcId") + ": " + failure);
                }
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(EXPECTED_RUN, run, "vectors run");
        assertEquals(EXPECTED_SKIPPED, skipped, "vectors skipped (IV not 12 bytes)");
        assertEquals(((Number) file.get("numberOfTests")).intValue(), run + skipped);
    }

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void create_ivOtherThanTwelveBytes_refused(GcmProvider provider) {
        AesGcm gcm = AesGcm.create(provider, new byte[32]);
        assertThrows(IllegalArgumentException.class, () -> gcm.seal(new byte[16], new byte[0], new byte[1]));
    }

    private static String check(GcmProvider provider, Map<String, Object> test) {
        byte[] key = hex(test.get("key"));
        byte[] iv = hex(test.get("iv"));
        byte[] aad = hex(test.get("aad"));
        byte[] msg = hex(test.get("msg"));
        byte[] ct = hex(test.get("ct"));
        byte[] tag = hex(test.get("tag"));
        byte[] sealed = new byte[ct.length + tag.length];
        System.arraycopy(ct, 0, sealed, 0, ct.length);
        System.arraycopy(tag, 0, sealed, ct.length, tag.length);
        boolean valid = "valid".equals(test.get("result"));
        try {
            byte[] opened = AesGcm.create(provider, key).open(iv, aad, sealed);
            if (!valid) {
                return "invalid vector opened";
            }
            assertArrayEquals(msg, opened);
            assertArrayEquals(sealed, AesGcm.create(provider, key).seal(iv, aad, msg));
            return null;
        } catch (AEADBadTagException e) {
            return valid ? "valid vector refused: " + e.getMessage() : null;
        } catch (AssertionError e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            fail("tcId " + test.get("tcId") + " threw", e);
            return null;
        }
    }
}
