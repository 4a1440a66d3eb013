package dev.doorbell.seal.keys;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every Wycheproof HKDF-SHA256 vector through {@link Hkdf}, the one HKDF that all doorbell keys come from. */
class HkdfWycheproofTest {
    @Test
    void sha256_allWycheproofVectors_matchOrRefuse() throws Exception {
        Map<String, Object> file = JsonFiles.read("wycheproof/wycheproof_hkdf_sha256_test.json");
        int valid = 0;
        int invalid = 0;
        List<String> failures = new ArrayList<>();
        for (Object g : list(file.get("testGroups"))) {
            for (Object t : list(map(g).get("tests"))) {
                Map<String, Object> test = map(t);
                int size = ((Number) test.get("size")).intValue();
                String id = "tcId " + test.get("tcId");
                if ("valid".equals(test.get("result"))) {
                    valid++;
                    String okm = TestData.hex(
                            Hkdf.sha256(hex(test.get("ikm")), hex(test.get("salt")), hex(test.get("info")), size));
                    if (!okm.equals(test.get("okm"))) {
                        failures.add(id + ": okm " + okm);
                    }
                } else {
                    invalid++;
                    try {
                        Hkdf.sha256(hex(test.get("ikm")), hex(test.get("salt")), hex(test.get("info")), size);
                        failures.add(id + ": size " + size + " was not refused");
                    } catch (IllegalArgumentException expected) {
                        // refused, as the vector requires
                    }
                }
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(83, valid);
        assertEquals(3, invalid);
        assertEquals(((Number) file.get("numberOfTests")).intValue(), valid + invalid);
    }
}
