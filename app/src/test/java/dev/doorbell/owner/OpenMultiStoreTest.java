package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code open} over several stores, as written by uplink processes sharing one port: a device that reconnects to
 * another process re-sends the whole clip there, so the first store holds the start and the second the whole clip.
 */
class OpenMultiStoreTest {
    private static final String DEVICE = "porch";

    @TempDir
    Path dir;

    @Test
    void open_clipSplitOverTwoStoresWithIdenticalCopies_exitZeroOneWholeClip() throws Exception {
        Path keyring = keyring();
        SealedClips.Clip clip = SealedClips.seal(keyring, DEVICE, 41, 6);
        Path a = store("a", clip, 3, false);
        Path b = store("b", clip, 6, true);

        OpenCli.Result r = open(keyring, a, b);

        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("OK 6 frames"), r.out());
        assertTrue(Files.exists(dir.resolve("out/porch/" + String.format("%016x", 41) + "/frame-00005.jpg")));
    }

    @Test
    void open_wholeClipInFirstStorePartialCopyInSecond_exitZero() throws Exception {
        Path keyring = keyring();
        SealedClips.Clip clip = SealedClips.seal(keyring, DEVICE, 42, 5);
        Path a = store("a", clip, 5, true);
        Path b = store("b", clip, 2, false);

        OpenCli.Result r = open(keyring, a, b);

        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("OK 5 frames"), r.out());
    }

    @Test
    void open_conflictingCopiesOfAFrame_exitOneTampered() throws Exception {
        Path keyring = keyring();
        SealedClips.Clip clip = SealedClips.seal(keyring, DEVICE, 43, 4);
        Path a = store("a", clip, 4, true);
        Path b = store("b", clip.withFrameAltered(2), 4, true);

        OpenCli.Result r = open(keyring, a, b);

        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("TAMPERED at frame 2"), r.out());
        assertTrue(r.err().contains("frame 2 differs between"), r.err());
    }

    @Test
    void open_oneStoreOnly_sameAsBefore() throws Exception {
        Path keyring = keyring();
        SealedClips.Clip clip = SealedClips.seal(keyring, DEVICE, 44, 3);
        Path a = store("a", clip, 2, false);

        OpenCli.Result r = open(keyring, a);

        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("TRUNCATED after 2 verified frames"), r.out());
    }

    private Path keyring() throws Exception {
        return SealedClips.keyring(dir.resolve("keyring"), DEVICE);
    }

    /** Stores the clip's first {@code frames} frames in a fresh store, as one uplink process would. */
    private Path store(String name, SealedClips.Clip clip, int frames, boolean close) throws Exception {
        Path path = dir.resolve(name);
        try (DirectoryStore s = DirectoryStore.open(path, StoreOptions.defaults())) {
            SealedClips.upload(s, clip.firstFrames(frames), close);
        }
        return path;
    }

    private OpenCli.Result open(Path keyring, Path... stores) {
        List<String> args = new ArrayList<>(List.of(
                "open",
                "--keyring",
                keyring.toString(),
                "--out",
                dir.resolve("out").toString()));
        for (Path s : stores) {
            args.add("--store");
            args.add(s.toString());
        }
        return OpenCli.run(args.toArray(String[]::new));
    }
}
