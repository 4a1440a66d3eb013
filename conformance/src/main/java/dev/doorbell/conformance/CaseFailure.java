package dev.doorbell.conformance;

/** A conformance case saw something other than what the protocol requires; the message says what and where. */
final class CaseFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CaseFailure(String message) {
        super(message);
    }
}
