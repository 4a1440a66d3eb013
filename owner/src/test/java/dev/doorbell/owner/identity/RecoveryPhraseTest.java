package dev.doorbell.owner.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecoveryPhraseTest {
    /**
     * The English entropy/mnemonic pairs of the BIP-39 reference test vectors (bip-0039.mediawiki links them:
     * github.com/trezor/python-mnemonic, vectors.json, MIT licence). The seeds in that file are BIP-39's PBKDF2 step,
     * which doorbell does not use.
     */
    static Stream<Arguments> vectors() {
        return Stream.of(
                v(
                        "00000000000000000000000000000000",
                        "abandon abandon abandon abandon abandon abandon abandon abandon"
                                + " abandon abandon abandon about"),
                v(
                        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
                        "legal winner thank year wave sausage worth useful legal winner" + " thank yellow"),
                v(
                        "80808080808080808080808080808080",
                        "letter advice cage absurd amount doctor acoustic avoid letter" + " advice cage above"),
                v("ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"),
                v(
                        "000000000000000000000000000000000000000000000000",
                        "abandon abandon abandon abandon abandon abandon"
                                + " abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"
                                + " agent"),
                v(
                        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
                        "legal winner thank year wave sausage worth useful"
                                + " legal winner thank year wave sausage worth useful legal will"),
                v(
                        "808080808080808080808080808080808080808080808080",
                        "letter advice cage absurd amount doctor acoustic"
                                + " avoid letter advice cage absurd amount doctor acoustic avoid letter always"),
                v(
                        "ffffffffffffffffffffffffffffffffffffffffffffffff",
                        "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo" + " zoo zoo zoo zoo zoo when"),
                v(
                        "0000000000000000000000000000000000000000000000000000000000000000",
                        "abandon abandon abandon abandon"
                                + " abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"
                                + " abandon abandon abandon abandon abandon abandon abandon abandon art"),
                v(
                        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
                        "legal winner thank year wave"
                                + " sausage worth useful legal winner thank year wave sausage worth useful legal winner thank"
                                + " year wave sausage worth title"),
                v(
                        "8080808080808080808080808080808080808080808080808080808080808080",
                        "letter advice cage absurd amount"
                                + " doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice"
                                + " cage absurd amount doctor acoustic bless"),
                v(
                        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                        "zoo zoo zoo zoo zoo zoo zoo zoo"
                                + " zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote"),
                v(
                        "7dce4ed2284c9134d026608ab684c05c",
                        "lava include region explain simple omit dog slot melt reflect" + " copy reward"),
                v(
                        "0ce452419635c1a5faf44d60f2029f73fdc43419b4de1f03",
                        "artefact card motor cluster foster spray type"
                                + " meadow genius mosquito pond tree sword borrow grocery orange business burger"),
                v(
                        "00ac97c48106f0aeb8ba061e0250a559b3251dc35854e694780ba51d53a50120",
                        "absent gorilla van acoustic humor"
                                + " firm title dolphin bulk barely citizen recall crane moment aspect appear track phrase"
                                + " actual enforce steel spoon afraid benefit"),
                v(
                        "5baf069620eff15c71dd97c9a6ee328f",
                        "forum join pitch dove yellow purchase shuffle real situate danger" + " million bunker"),
                v(
                        "977f8287f9ed670b8489838ab0476a63b65d4df12f406e68",
                        "number winter peanut video stool magic banana"
                                + " corn melt lion surround shuffle grape plunge seven trend hover dwarf"),
                v(
                        "3edc83b60740d77af3afa2fcb82c2f1bc541ee4e2518ddef4996d32453f54a3c",
                        "disagree tomato unique attend"
                                + " aspect runway solid violin witness scrap armed daring favorite warm decade perfect target"
                                + " kid grant play early wide cigar night"),
                v(
                        "63deb1e7f0c3de56f4ab43c9d2ae6c86",
                        "glow void ketchup thunder digital clock sport half six nice open" + " artefact"),
                v(
                        "e77c6500b49072aefdf0a8aa787cf557d1920e94103e0597",
                        "trash tobacco dizzy hard already first water"
                                + " bench price sentence diary quick bomb also expect amazing airport royal"),
                v(
                        "89bb4bc5555992cdaf3444c5e7ca5a6e9f27efab894f1990bae41be8b2a26ea4",
                        "meadow surge vanish primary odor"
                                + " grocery rubber mass shine dinner notable tag venue water purchase clarify book magic ribbon"
                                + " daughter menu eye ritual orchard"),
                v(
                        "00641669f095b433a304ed0f953f28eb",
                        "about camera omit thrive forget border metal oval auto prepare" + " sketch stomach"),
                v(
                        "b8b0ff94389d3ec591c7d2fb72d8d3666e4e52b8cdf5471d",
                        "reward margin topic illness stadium glare either"
                                + " where window nothing crumble smoke top citizen tobacco salt either truth"),
                v(
                        "911fec0fbd88029f6fa99164896c18d898c9232af18bdcca3e42d53b86493104",
                        "much youth advance kitchen lens"
                                + " exile salt cram goose enter alert raise milk muscle profit cousin system faint mouse price"
                                + " reveal cause series long"));
    }

    private static Arguments v(String entropyHex, String mnemonic) {
        return Arguments.of(entropyHex, mnemonic);
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void encode_referenceVector_givesItsMnemonic(String entropy, String mnemonic) {
        assertEquals(mnemonic, RecoveryPhrase.encode(HexFormat.of().parseHex(entropy)));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void decode_referenceMnemonic_givesItsEntropy(String entropy, String mnemonic) throws Exception {
        int words = mnemonic.split(" ").length;
        assertArrayEquals(HexFormat.of().parseHex(entropy), RecoveryPhrase.decode(mnemonic, words));
    }

    @Test
    void wordlist_isTheFilePublishedByBip39() throws Exception {
        try (InputStream in = RecoveryPhrase.class.getResourceAsStream(RecoveryPhrase.WORDLIST_RESOURCE)) {
            byte[] file = in.readAllBytes();
            assertEquals(
                    "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda",
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(file)));
        }
        List<String> words = RecoveryPhrase.wordlist();
        assertEquals(2048, words.size());
        assertEquals(new ArrayList<>(new TreeSet<>(words)), words, "sorted and unique");
        Set<String> prefixes = new TreeSet<>();
        words.forEach(w -> prefixes.add(w.substring(0, Math.min(4, w.length()))));
        assertEquals(2048, prefixes.size(), "the first four letters name a word, which the suggestions rely on");
    }

    @Test
    void decode_randomSecrets_roundTrip() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            byte[] entropy = new byte[32];
            random.nextBytes(entropy);
            String phrase = RecoveryPhrase.encode(entropy);
            assertEquals(24, phrase.split(" ").length);
            assertArrayEquals(entropy, RecoveryPhrase.decode(phrase, 24));
        }
    }

    @Test
    void decode_anyCaseAndWhiteSpace_accepted() throws Exception {
        String phrase = RecoveryPhrase.encode(new byte[32]);
        String messy = "  " + phrase.toUpperCase(java.util.Locale.ROOT).replace(" ", " \t\n ") + "\n";
        assertArrayEquals(new byte[32], RecoveryPhrase.decode(messy, 24));
    }

    @Test
    void decode_wrongWordCount_saysHowMany() {
        String phrase = RecoveryPhrase.encode(new byte[32]);
        RecoveryPhraseException e = assertThrows(
                RecoveryPhraseException.class,
                () -> RecoveryPhrase.decode(phrase.substring(phrase.indexOf(' ') + 1), 24));
        assertEquals(RecoveryPhraseException.Problem.WORD_COUNT, e.problem());
        assertEquals("the recovery phrase has 23 words; it must have 24", e.getMessage());
        assertEquals(
                RecoveryPhraseException.Problem.WORD_COUNT,
                assertThrows(RecoveryPhraseException.class, () -> RecoveryPhrase.decode("  ", 24))
                        .problem());
    }

    @Test
    void decode_unknownWords_namesTheFirstWithASuggestion() {
        String[] words = RecoveryPhrase.encode(new byte[32]).split(" ");
        words[6] = "xyzzy";
        words[9] = "qqqq";
        RecoveryPhraseException e =
                assertThrows(RecoveryPhraseException.class, () -> RecoveryPhrase.decode(String.join(" ", words), 24));
        assertEquals(RecoveryPhraseException.Problem.UNKNOWN_WORD, e.problem());
        assertEquals("word 7 of the recovery phrase, 'xyzzy', is not in the BIP-39 English wordlist", e.getMessage());
        words[6] = "abando";
        e = assertThrows(RecoveryPhraseException.class, () -> RecoveryPhrase.decode(String.join(" ", words), 24));
        assertEquals(
                "word 7 of the recovery phrase, 'abando', is not in the BIP-39 English wordlist"
                        + " (did you mean 'abandon'?)",
                e.getMessage());
    }

    @Test
    void decode_everySingleWordChanged_refusedByChecksumOrList() {
        byte[] entropy = HexFormat.of().parseHex("89bb4bc5555992cdaf3444c5e7ca5a6e9f27efab894f1990bae41be8b2a26ea4");
        String[] words = RecoveryPhrase.encode(entropy).split(" ");
        int checksum = 0;
        for (int w = 0; w < words.length; w++) {
            String[] changed = words.clone();
            int index = RecoveryPhrase.wordlist().indexOf(words[w]);
            changed[w] = RecoveryPhrase.wordlist().get((index + 1) % 2048);
            RecoveryPhraseException e = assertThrows(
                    RecoveryPhraseException.class, () -> RecoveryPhrase.decode(String.join(" ", changed), 24));
            if (e.problem() == RecoveryPhraseException.Problem.CHECKSUM) {
                checksum++;
                assertTrue(e.getMessage().startsWith("checksum mismatch"), e.getMessage());
            }
        }
        // Changing one word by one index changes an 11-bit value by 1; the 8-bit SHA-256 checksum catches each of
        // these 24 with probability 255/256, and this phrase is one where it catches all of them.
        assertEquals(24, checksum);
    }

    @Test
    void decode_twoWordsSwapped_checksumMismatch() {
        String[] words = RecoveryPhrase.encode(
                        HexFormat.of().parseHex("3edc83b60740d77af3afa2fcb82c2f1bc541ee4e2518ddef4996d32453f54a3c"))
                .split(" ");
        String first = words[3];
        words[3] = words[4];
        words[4] = first;
        assertEquals(
                RecoveryPhraseException.Problem.CHECKSUM,
                assertThrows(RecoveryPhraseException.class, () -> RecoveryPhrase.decode(String.join(" ", words), 24))
                        .problem());
    }
}
