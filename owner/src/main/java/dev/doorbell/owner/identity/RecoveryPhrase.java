package dev.doorbell.owner.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BIP-39 mnemonic encoding of entropy (the English wordlist, {@code bip-0039-english.txt} beside this class, its
 * source and licence in the README there): {@code ENT} bits of entropy, then the first {@code ENT/32} bits of
 * SHA-256(entropy) as a checksum, read 11 bits at a time as indices into the list. 32 bytes give 24 words.
 *
 * <p>Only the mnemonic step of BIP-39 is used: there is no PBKDF2 seed and no passphrase, the entropy itself is the
 * secret. Decoding accepts any case and any run of white space between words.
 */
public final class RecoveryPhrase {
    /** Words of a phrase for 256 bits, the owner's secret. */
    public static final int OWNER_SECRET_WORDS = 24;

    static final String WORDLIST_RESOURCE = "bip-0039-english.txt";
    private static final int BITS_PER_WORD = 11;
    private static final int LIST_SIZE = 1 << BITS_PER_WORD;
    /** BIP-39 English words differ within their first four letters, so four letters are enough to suggest one. */
    private static final int PREFIX = 4;

    private RecoveryPhrase() {}

    /** The phrase for {@code entropy} (16, 20, 24, 28 or 32 bytes: 12 to 24 words), words separated by one space. */
    public static String encode(byte[] entropy) {
        if (entropy.length < 16 || entropy.length > 32 || entropy.length % 4 != 0) {
            throw new IllegalArgumentException("BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, not " + entropy.length);
        }
        int entropyBits = entropy.length * 8;
        int words = (entropyBits + entropyBits / 32) / BITS_PER_WORD;
        byte[] bits = Arrays.copyOf(entropy, entropy.length + 1);
        bits[entropy.length] = sha256(entropy)[0];
        try {
            StringBuilder phrase = new StringBuilder();
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    phrase.append(' ');
                }
                phrase.append(Words.LIST.get(readBits(bits, w * BITS_PER_WORD)));
            }
            return phrase.toString();
        } finally {
            Arrays.fill(bits, (byte) 0);
        }
    }

    /**
     * The entropy that {@code phrase} encodes, which must have {@code expectedWords} words (12, 15, 18, 21 or 24).
     * Errors, in this order: a wrong number of words, the first word not in the list (by position, with a
     * suggestion when its first four letters match a word), a checksum mismatch.
     */
    public static byte[] decode(String phrase, int expectedWords) throws RecoveryPhraseException {
        if (expectedWords < 12 || expectedWords > 24 || expectedWords % 3 != 0) {
            throw new IllegalArgumentException("a BIP-39 phrase has 12, 15, 18, 21 or 24 words, not " + expectedWords);
        }
        String trimmed = phrase.strip();
        String[] words = trimmed.isEmpty()
                ? new String[0]
                : trimmed.toLowerCase(Locale.ROOT).split("\\s+");
        if (words.length != expectedWords) {
            throw new RecoveryPhraseException(
                    RecoveryPhraseException.Problem.WORD_COUNT,
                    "the recovery phrase has " + words.length + (words.length == 1 ? " word" : " words") + "; it must"
                            + " have " + expectedWords);
        }
        int totalBits = expectedWords * BITS_PER_WORD;
        int entropyBytes = totalBits * 32 / 33 / 8;
        byte[] bits = new byte[(totalBits + 7) / 8];
        try {
            for (int w = 0; w < words.length; w++) {
                Integer index = Words.INDEX.get(words[w]);
                if (index == null) {
                    throw new RecoveryPhraseException(
                            RecoveryPhraseException.Problem.UNKNOWN_WORD,
                            "word " + (w + 1) + " of the recovery phrase, '" + words[w]
                                    + "', is not in the BIP-39 English wordlist" + suggestion(words[w]));
                }
                writeBits(bits, w * BITS_PER_WORD, index);
            }
            byte[] entropy = Arrays.copyOf(bits, entropyBytes);
            int checksumBits = entropyBytes * 8 / 32;
            int expected = (sha256(entropy)[0] & 0xff) >>> (8 - checksumBits);
            int actual = (bits[entropyBytes] & 0xff) >>> (8 - checksumBits);
            if (expected != actual) {
                Arrays.fill(entropy, (byte) 0);
                throw new RecoveryPhraseException(
                        RecoveryPhraseException.Problem.CHECKSUM,
                        "checksum mismatch: every word of the recovery phrase is in the wordlist, but together they are"
                                + " not a phrase that was written (a word is wrong, or two are swapped)");
            }
            return entropy;
        } finally {
            Arrays.fill(bits, (byte) 0);
        }
    }

    /** The wordlist, in order (index = the 11-bit value). */
    public static List<String> wordlist() {
        return Words.LIST;
    }

    private static String suggestion(String word) {
        if (word.length() < PREFIX) {
            return "";
        }
        String prefix = word.substring(0, PREFIX);
        for (String candidate : Words.LIST) {
            if (candidate.startsWith(prefix)) {
                return " (did you mean '" + candidate + "'?)";
            }
        }
        return "";
    }

    private static int readBits(byte[] bits, int offset) {
        int value = 0;
        for (int i = 0; i < BITS_PER_WORD; i++) {
            int bit = offset + i;
            value = (value << 1) | ((bits[bit / 8] >>> (7 - bit % 8)) & 1);
        }
        return value;
    }

    private static void writeBits(byte[] bits, int offset, int value) {
        for (int i = 0; i < BITS_PER_WORD; i++) {
            if (((value >>> (BITS_PER_WORD - 1 - i)) & 1) != 0) {
                int bit = offset + i;
                bits[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Loaded once, at first use, from the resource; a damaged resource is a broken build, not a user's error. */
    private static final class Words {
        static final List<String> LIST = load();
        static final Map<String, Integer> INDEX = index(LIST);

        private static List<String> load() {
            try (InputStream in = RecoveryPhrase.class.getResourceAsStream(WORDLIST_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "the BIP-39 wordlist " + WORDLIST_RESOURCE + " is not on the class path");
                }
                List<String> words = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
                if (words.size() != LIST_SIZE) {
                    throw new IllegalStateException("the BIP-39 wordlist " + WORDLIST_RESOURCE + " has " + words.size()
                            + " words, not " + LIST_SIZE);
                }
                return words;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the BIP-39 wordlist " + WORDLIST_RESOURCE, e);
            }
        }

        private static Map<String, Integer> index(List<String> words) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                index.put(words.get(i), i);
            }
            return Map.copyOf(index);
        }
    }
}
