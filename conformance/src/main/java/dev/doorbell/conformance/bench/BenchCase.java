package dev.doorbell.conformance.bench;

/**
 * The scenarios the device bench plays against a device under test (docs/FIRMWARE.md). Clip cases are played on the
 * device's clips in the order they are opened: the first new clip is {@link #NORMAL_CLIP}'s, and so on.
 */
public enum BenchCase {
    WELCOME_LIMITS(
            "welcome-limits",
            "every Welcome announces small limits (window 4 frames, 2 open clips, heartbeat 500 ms)",
            "a well-formed Hello (version 1, the certificate's id); the device never exceeds max_open_clips,"
                    + " max_frame_bytes or max_frames_per_clip, and sends each clip's frames in sequence"),
    NORMAL_CLIP(
            "normal-clip",
            "clip 1: every frame acknowledged at once",
            "ClipOpen, frames 0..n-1 in order with `last` on the final one, ClipClose with frame_count n"),
    SMALL_WINDOW(
            "small-window",
            "clip 2: PERSISTED held back until the window of 4 frames is full, then 300 ms more",
            "the device fills the window and sends nothing beyond it until PERSISTED opens it again"),
    PERSISTED_WITHHELD(
            "persisted-withheld",
            "clip 3: only RECEIVED acks, then the link is dropped",
            "the device keeps every unacknowledged frame within its window and, after the reconnect, sends the clip"
                    + " again from frame 0 with the same sealed bytes"),
    PING(
            "ping",
            "while clip 3 waits for PERSISTED, the link is quiet",
            "a Ping within heartbeat_ms + 1 s of the device's last message; the Pong echoes its token"),
    LINK_DROP(
            "link-drop",
            "clip 4: the connection is closed after frame 3, with frames 0..1 PERSISTED",
            "the device reconnects, lists the clip in Hello.open_clips and continues at frame 2 with the same bytes"),
    STORAGE_UNAVAILABLE(
            "storage-unavailable",
            "clip 5: frame 1 refused with STORAGE_UNAVAILABLE three times",
            "each retry (a new connection or the frame again) after a backoff with jitter: within the stated maximum,"
                    + " not all three at once (each under 5 ms), not the same delay three times"),
    SHUTDOWN_RESTART(
            "shutdown-restart",
            "clip 6: SHUTTING_DOWN after frame 2 is PERSISTED; the bench stops listening for a while, then restarts",
            "the device reconnects after the restart and finishes the clip from frame 3 with the same bytes"),
    REVOKED(
            "revoked",
            "clip 7: CERTIFICATE_REVOKED (fatal, not retriable); every later session refused the same way",
            "the device stops: no new connection during the watch time"),
    CLIP_HEADERS(
            "clip-headers",
            "every clip's header, without any key",
            "no clip id reused with another header; no nonce prefix, key commitment or HPKE encapsulation repeated;"
                    + " a v3 chain link names the clip before it (position + 1, its id and header SHA-256)"),
    SEALING(
            "sealing",
            "every frame opened as it arrives with the owner's identity (insecure, test only)",
            "the header verifies and every frame opens: no bad commitment, wrong AAD, reused nonce or frame out of"
                    + " order");

    private final String id;
    private final String scenario;
    private final String expected;

    BenchCase(String id, String scenario, String expected) {
        this.id = id;
        this.scenario = scenario;
        this.expected = expected;
    }

    public String id() {
        return id;
    }

    public String scenario() {
        return scenario;
    }

    public String expected() {
        return expected;
    }
}
