package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink's keyless flags (docs/PROTOCOL.md, "Keyless flags") as both owners' {@code open} show them: a store in
 * which the uplink flagged a clip of a doorbell with a stuck random source, opened by Java's {@code open} and by the
 * Python client's (a real python3 process). Both print the same {@code UPLINK FLAG} lines, write them after the verdict
 * in the clip's verdict.txt; a flag is informative and changes no exit status. The stuck random source also repeats
 * the clip key, which both find by opening (KEY REUSED, exit 1, docs/FORMAT.md §17.4 rule 7; compared line by line in
 * {@code PythonRetentionInteropTest}).
 */
class PythonUplinkFlagsTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @Test
    void open_storeWithUplinkFlags_javaAndPythonPrintTheSameFlagLines() throws Exception {
        FleetLayout fleet = PairedFleets.provision(dir.resolve("fleet"), 1);
        String id = Files.readAllLines(fleet.fleetList()).get(0);
        Path storeDir = dir.resolve("store");
        PairedDevice device = DevicePairing.load(fleet.device(id));
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            DeviceDirectory tls = DeviceDirectory.load(fleet.device(id));
            SslContext ssl = SslContextBuilder.forClient()
                    .keyManager(
                            tls.deviceCertFile().toFile(), tls.deviceKeyFile().toFile())
                    .trustManager(tls.caCertFile().toFile())
                    .protocols("TLSv1.3")
                    .build();
            try (TestDeviceClient client = TestDeviceClient.connect(address, ssl)) {
                client.send(Messages.hello(id));
                client.awaitWelcome();
                // The same stuck bytes for both clips: the second repeats the first's nonce prefix and encapsulation.
                for (long clipId : List.of(0x1111L, 0x2222L)) {
                    send(
                            client,
                            clipId,
                            device.startClip(
                                    params(id, clipId), List.of(), 0, new InsecureDeterministicRandom("stuck")));
                }
            }
        } finally {
            device.destroy();
        }
        Path owner = PairedFleets.ownerDir(fleet);

        StringWriter javaOut = new StringWriter();
        int javaExit = DoorbellCli.commandLine()
                .setOut(new PrintWriter(javaOut))
                .setErr(new PrintWriter(new StringWriter()))
                .execute(
                        "open",
                        "--store",
                        storeDir.toString(),
                        "--identity",
                        owner.toString(),
                        "--out",
                        dir.resolve("java").toString());
        PythonClient.Result python = PythonClient.doorbellPy(
                List.of(
                        "open",
                        "--store",
                        storeDir.toString(),
                        "--identity",
                        owner.toString(),
                        "--out",
                        dir.resolve("python").toString()),
                PYTHON_TIMEOUT);
        String both = "java:\n" + javaOut + "\npython:\n" + python.output();

        List<String> javaFlags = flagLines(javaOut.toString());
        assertEquals(2, javaFlags.size(), both);
        assertTrue(javaFlags.get(0).contains("0000000000002222  UPLINK FLAG nonce_prefix_reused"), both);
        assertEquals(javaFlags, flagLines(python.output()), both);
        assertEquals(1, javaExit, both);
        assertTrue(javaOut.toString().contains("KEY REUSED by 2 clips"), both);
        assertTrue(python.output().contains("KEY REUSED by 2 clips"), both);
        assertEquals(1, python.exitCode(), both);
        for (String clip : List.of("0000000000001111", "0000000000002222")) {
            List<String> javaVerdict = verdict(dir.resolve("java"), id, clip);
            List<String> pythonVerdict = verdict(dir.resolve("python"), id, clip);
            assertTrue(javaVerdict.get(0).startsWith("OK"), clip + ": " + javaVerdict);
            assertTrue(pythonVerdict.get(0).startsWith("OK"), clip + ": " + pythonVerdict);
            assertEquals(
                    javaVerdict.subList(1, javaVerdict.size()),
                    pythonVerdict.subList(1, pythonVerdict.size()),
                    clip + " verdict.txt flag lines");
        }
        assertEquals(2, verdict(dir.resolve("python"), id, "0000000000002222").size() - 1, both);
    }

    private static List<String> flagLines(String output) {
        return output.lines().filter(l -> l.contains("  UPLINK FLAG ")).toList();
    }

    private static List<String> verdict(Path out, String id, String clip) throws Exception {
        return Files.readAllLines(out.resolve(id).resolve(clip).resolve("verdict.txt"), StandardCharsets.UTF_8);
    }

    private static ClipParams params(String id, long clipId) {
        return new ClipParams(id, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0);
    }

    /** One frame, the close, and the wait for both to be durable. */
    private static void send(TestDeviceClient client, long clipId, ClipSealing sealer) {
        SealedFrame f = sealer.seal(0, "a frame".getBytes(StandardCharsets.UTF_8), true);
        client.send(
                Messages.clipOpen(clipId, ByteString.copyFrom(sealer.headerBytes())),
                DeviceMessage.newBuilder()
                        .setFrame(Frame.newBuilder()
                                .setClipId(clipId)
                                .setSeq(f.seq())
                                .setLast(f.last())
                                .setMeta(ByteString.copyFrom(f.meta()))
                                .setSealed(ByteString.copyFrom(f.sealed())))
                        .build(),
                DeviceMessage.newBuilder()
                        .setClipClose(ClipClose.newBuilder().setClipId(clipId).setFrameCount(1))
                        .build());
        client.awaitAck(clipId, AckKind.ACK_KIND_PERSISTED, 1, true);
    }
}
