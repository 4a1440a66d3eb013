package dev.doorbell.owner.identity;

/**
 * A recovery phrase that does not decode: what is wrong ({@link #problem()}) and a message a person can act on. The
 * message names at most one word of the phrase (the first unknown one), never the whole phrase.
 */
public final class RecoveryPhraseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a phrase was refused. */
    public enum Problem {
        /** Not the number of words the secret needs. */
        WORD_COUNT,
        /** A word that is not in the BIP-39 English wordlist. */
        UNKNOWN_WORD,
        /** Every word is in the list, but the checksum the last word carries does not match. */
        CHECKSUM
    }

    private final Problem problem;

    RecoveryPhraseException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
