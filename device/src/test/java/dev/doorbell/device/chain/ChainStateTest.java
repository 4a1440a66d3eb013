package dev.doorbell.device.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device's chain state on a real file: what is written when, what a restart reads back, what is refused. */
class ChainStateTest {
    private static final String DEVICE = "porch";

    @TempDir
    Path dir;

    /** The disk thread, run by hand: shows what the event loop's call left for later. */
    private final ArrayDeque<Runnable> diskQueue = new ArrayDeque<>();

    private final Executor disk = diskQueue::add;

    @Test
    void load_noFile_positionZero() {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        assertNull(chain.head());
        assertEquals(ChainLink.newBuilder().setPosition(1).build(), chain.next());
        assertFalse(Files.exists(dir.resolve("chain.state")), "loading creates no file");
    }

    @Test
    void started_durableBeforeItReturns_inTheDocumentedLayout() throws IOException {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        byte[] hash = hash(1);
        chain.started(chain.next(), 0x3f0a9c2e51d4b7a8L, hash);
        Path file = dir.resolve("chain.state");
        assertEquals(
                "doorbell-device-chain v3\ndevice: porch\nposition: 1\nclip: 3f0a9c2e51d4b7a8\nheader: "
                        + Base64.getEncoder().encodeToString(hash) + "\nacknowledged: 0\nfinal: no\n",
                Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(diskQueue.isEmpty(), "write (1) is synchronous");
    }

    @Test
    void next_namesTheHeadWithWhatIsAcknowledgedInMemory() {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        byte[] hash = hash(2);
        chain.started(chain.next(), 77, hash);
        chain.persisted(77, 3, false);
        chain.persisted(77, 9, false);
        assertEquals(
                ChainLink.newBuilder()
                        .setPosition(2)
                        .setPrevClipId(77)
                        .setPrevHeaderSha256(ByteString.copyFrom(hash))
                        .setPrevAcknowledgedFrames(9)
                        .build(),
                chain.next());
        chain.persisted(77, 10, true);
        assertTrue(chain.next().getPrevFinalAcknowledged());
        assertEquals(10, chain.next().getPrevAcknowledgedFrames());
    }

    @Test
    void persisted_writesOnTheDiskThreadOnlyAtTheFirstAckAndTheFinal() throws IOException {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        chain.started(chain.next(), 77, hash(3));
        chain.persisted(77, 2, false);
        assertEquals(1, diskQueue.size(), "the first ack asks for a write");
        assertTrue(Files.readString(dir.resolve("chain.state")).contains("acknowledged: 0\n"), "not written inline");
        chain.persisted(77, 5, false);
        chain.persisted(77, 8, false);
        assertEquals(1, diskQueue.size(), "acks between the first and the final stay in memory");
        runDisk();
        assertTrue(Files.readString(dir.resolve("chain.state")).contains("acknowledged: 8\nfinal: no\n"));
        chain.persisted(77, 12, true);
        assertEquals(1, diskQueue.size(), "the final ack asks for a write");
        runDisk();
        assertTrue(Files.readString(dir.resolve("chain.state")).contains("acknowledged: 12\nfinal: yes\n"));
    }

    @Test
    void persisted_ofAnOlderClip_ignored_andALateWriteNeverGoesBack() throws IOException {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        chain.started(chain.next(), 77, hash(4));
        chain.persisted(77, 1, false);
        chain.started(chain.next(), 78, hash(5));
        runDisk();
        chain.persisted(77, 9, true);
        assertTrue(diskQueue.isEmpty());
        String text = Files.readString(dir.resolve("chain.state"));
        assertTrue(text.contains("position: 2\nclip: 000000000000004e\n"), text);
        assertTrue(text.contains("acknowledged: 0\n"), text);
    }

    @Test
    void load_afterARestart_continuesFromTheFile() {
        ChainState before = ChainState.load(dir, DEVICE, disk);
        before.started(before.next(), 77, hash(6));
        before.persisted(77, 4, false);
        runDisk();
        before.persisted(77, 6, false);
        ChainState after = ChainState.load(dir, DEVICE, disk);
        ChainLink link = after.next();
        assertEquals(2, link.getPosition());
        assertEquals(77, link.getPrevClipId());
        assertEquals(4, link.getPrevAcknowledgedFrames(), "what was durable: the count at the first ack");
        assertFalse(link.getPrevFinalAcknowledged());
    }

    @Test
    void started_notTheNextPosition_refused() {
        ChainState chain = ChainState.load(dir, DEVICE, disk);
        assertThrows(
                IllegalStateException.class,
                () -> chain.started(ChainLink.newBuilder().setPosition(2).build(), 5, hash(7)));
    }

    @Test
    void started_fileCannotBeWritten_refusedAndTheHeadStays() throws IOException {
        Path deviceDir = dir.resolve("device");
        ChainState chain = ChainState.load(deviceDir, DEVICE, disk);
        Files.writeString(deviceDir, "a file where the device's directory should be");
        ChainStateException e = assertThrows(ChainStateException.class, () -> chain.started(chain.next(), 5, hash(8)));
        assertTrue(
                e.getMessage()
                        .startsWith("device porch: cannot make chain state " + deviceDir.resolve("chain.state")
                                + " durable before clip 0000000000000005 (position 1)"),
                e.getMessage());
        assertNull(chain.head());
    }

    @Test
    void load_anotherDevicesFile_refusedNamingTheFile() throws IOException {
        ChainState other = ChainState.load(dir, "garage", disk);
        other.started(other.next(), 5, hash(9));
        ChainStateException e = assertThrows(ChainStateException.class, () -> ChainState.load(dir, DEVICE, disk));
        assertEquals(
                "device porch: chain state " + dir.resolve("chain.state") + " is unusable (it is the chain state of"
                        + " device garage); the device starts no clip rather than fork its chain of clips: restore the"
                        + " file from a copy (deleting it starts the chain again at position 1, which the owner's open"
                        + " reports as CHAIN BROKEN)",
                e.getMessage());
    }

    @Test
    void load_badFiles_refusedInOneLineNamingTheFile() throws IOException {
        String good = ChainStateFile.format(DEVICE, new ChainHead(3, 9, ByteString.copyFrom(hash(10)), 4, true));
        String[] bad = {
            "",
            "garbage\n",
            good.replace("doorbell-device-chain v3", "doorbell-device-chain v2"),
            good.replace("position: 3", "position: -3"),
            good.replace("position: 3", "position: 03"),
            good.replace("position: 3", "position: 0"),
            good.replace("position: 3", "position: 99999999999999999999"),
            good.replace("clip: 0000000000000009", "clip: 0000000000000000"),
            good.replace("clip: 0000000000000009", "clip: 00000000000000F9"),
            good.replace("clip: 0000000000000009", "clip: 9"),
            good.replace("acknowledged: 4", "acknowledged: 4294967296"),
            good.replace("final: yes", "final: true"),
            good.replace("acknowledged: 4", "acknowledged: 0"),
            good.replace("header: ", "header: AAAA"),
            good.replace("header: ", "header: !"),
            good.replace("final: yes\n", ""),
            good + "final: yes\n",
            good.replace("\n", "\r\n"),
        };
        Files.writeString(dir.resolve("chain.state"), good);
        assertEquals(3, ChainState.load(dir, DEVICE, disk).head().position());
        for (String text : bad) {
            Files.writeString(dir.resolve("chain.state"), text);
            ChainStateException e =
                    assertThrows(ChainStateException.class, () -> ChainState.load(dir, DEVICE, disk), text);
            assertTrue(
                    e.getMessage()
                            .startsWith("device porch: chain state " + dir.resolve("chain.state") + " is unusable ("),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        Files.write(dir.resolve("chain.state"), new byte[] {(byte) 0xff, (byte) 0xfe});
        assertThrows(ChainStateException.class, () -> ChainState.load(dir, DEVICE, disk));
    }

    @Test
    void inMemory_noFile_butTheSameLinks() {
        ChainState chain = ChainState.inMemory(DEVICE);
        chain.started(chain.next(), 77, hash(11));
        chain.persisted(77, 5, true);
        assertNull(chain.file());
        assertEquals(5, chain.next().getPrevAcknowledgedFrames());
        assertTrue(chain.next().getPrevFinalAcknowledged());
        assertTrue(diskQueue.isEmpty());
    }

    @Test
    void flush_realDiskThread_writesLand() throws Exception {
        ChainState chain = ChainState.load(dir, DEVICE);
        chain.started(chain.next(), 77, hash(12));
        chain.persisted(77, 3, true);
        assertTrue(chain.flush(Duration.ofSeconds(10)));
        assertTrue(Files.readString(dir.resolve("chain.state")).contains("acknowledged: 3\nfinal: yes\n"));
    }

    private void runDisk() {
        while (!diskQueue.isEmpty()) {
            diskQueue.poll().run();
        }
    }

    private static byte[] hash(int seed) {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) seed);
        return hash;
    }
}
