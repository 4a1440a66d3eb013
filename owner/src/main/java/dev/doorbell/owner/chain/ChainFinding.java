package dev.doorbell.owner.chain;

/**
 * One line of the chain check of a device (docs/FORMAT.md §17). {@link #line()} starts with the keyword of its
 * {@link Kind}; a {@link Kind#MISSING_FRAMES} finding also replaces the verdict of clip {@link #clipId()}.
 *
 * @param clipId the clip the finding is about: the one whose verdict changes ({@link Kind#MISSING_FRAMES}), the head
 *     ({@link Kind#HEAD}), otherwise the clip after the gap or break
 */
public record ChainFinding(Kind kind, String deviceId, long clipId, String line) {
    /** What the check found; {@link #failure()} ones make {@code open} exit 1. */
    public enum Kind {
        /** Clips between two stored ones, or before the first, are not in the store. */
        MISSING("MISSING", true),
        /** A stored clip's acknowledged frames are not all in the store: its verdict becomes MISSING at frame M. */
        MISSING_FRAMES("MISSING", true),
        /** Two clips claim one position, or a clip names a predecessor other than the stored one. */
        CHAIN_BROKEN("CHAIN BROKEN", true),
        /** One clip is absent of which the device had no frame acknowledged: it never reached the uplink. */
        UNSENT("UNSENT", false),
        /** The newest stored clip. */
        HEAD("HEAD", false),
        /**
         * Clips of one device share a clip key ({@link SealedChainCheck}): whoever opens one opens the others. The
         * device's key generation repeats.
         */
        KEY_REUSED("KEY REUSED", true),
        /**
         * A clip says it started before the clip at the chain position before it ({@link SealedChainCheck}): the
         * device's clock went back. Informational: the clips are the device's, the chain gives their true order, but
         * their times are not to be trusted.
         */
        CLOCK_BACKWARDS("CLOCK BACKWARDS", false),
        /** Clips absent because the owner asked: a request signed by the owner's key covers every one of them. */
        DELETED("DELETED", false),
        /** Clips absent, of which the uplink says its retention policy deleted them: the operator's statement. */
        EXPIRED("EXPIRED", false);

        private final String word;
        private final boolean failure;

        Kind(String word, boolean failure) {
            this.word = word;
            this.failure = failure;
        }

        /** The verdict word that starts the line. */
        public String word() {
            return word;
        }

        public boolean failure() {
            return failure;
        }
    }

    public boolean failure() {
        return kind.failure();
    }
}
