package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.cli.ops.MetricsEndpoint;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Keyless misuse flags end to end (issue 13, part 4; docs/PROTOCOL.md, "Keyless flags"): a paired doorbell whose
 * random source is stuck seals two clips with the same nonce prefix and HPKE encapsulation, then reboots with its
 * chain state rolled back and starts a third clip at a position already used. A real uplink over TLS 1.3 stores all
 * three (the data is the owner's), logs a line per flag, counts each reason on its metrics endpoint, and stores the
 * flags beside the headers, where the owner's {@code open} prints them while the clips still open OK.
 */
class KeylessFlagsTest {
    @TempDir
    Path dir;

    @Test
    void stuckRandomAndRolledBackChain_storedFlaggedCountedLoggedAndShownToTheOwner() throws Exception {
        FleetLayout fleet = PairedFleets.provision(dir.resolve("fleet"), 1);
        String id = Files.readAllLines(fleet.fleetList()).get(0);
        Path deviceDir = fleet.device(id);
        Path chainState = deviceDir.resolve("chain.state");
        Path savedChain = dir.resolve("chain.state.saved");

        PairedDevice device = DevicePairing.load(deviceDir);
        ClipSealing first =
                device.startClip(params(id, 0x1111), List.of(), 0, new InsecureDeterministicRandom("stuck"));
        Files.copy(chainState, savedChain);
        ClipSealing second =
                device.startClip(params(id, 0x2222), List.of(), 0, new InsecureDeterministicRandom("stuck"));
        device.destroy();
        // A reboot that lost the newest chain state: the device starts its next clip at position 2 again.
        Files.copy(savedChain, chainState, StandardCopyOption.REPLACE_EXISTING);
        PairedDevice rebooted = DevicePairing.load(deviceDir);
        ClipSealing third = rebooted.startClip(params(id, 0x3333), List.of(), 0, new SecureRandom());
        rebooted.destroy();

        Logger clipLog = (Logger) LoggerFactory.getLogger("dev.doorbell.uplink.session.ClipStream");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        clipLog.addAppender(lines);
        Path storeDir = dir.resolve("store");
        String metrics;
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            try (MetricsEndpoint endpoint =
                    MetricsEndpoint.start("127.0.0.1", 0, uplink.metrics().registry(), uplink::readiness)) {
                DeviceDirectory tls = DeviceDirectory.load(deviceDir);
                SslContext ssl = SslContextBuilder.forClient()
                        .keyManager(
                                tls.deviceCertFile().toFile(),
                                tls.deviceKeyFile().toFile())
                        .trustManager(tls.caCertFile().toFile())
                        .protocols("TLSv1.3")
                        .build();
                try (TestDeviceClient client = TestDeviceClient.connect(address, ssl)) {
                    client.send(Messages.hello(id));
                    client.awaitWelcome();
                    send(client, 0x1111, first);
                    send(client, 0x2222, second);
                    send(client, 0x3333, third);
                }
                metrics = scrape(endpoint.address().getPort());
            }
        } finally {
            clipLog.detachAppender(lines);
        }

        assertEquals(1, counted(metrics, "nonce_prefix_reused"), metrics);
        assertEquals(1, counted(metrics, "encapsulation_reused"), metrics);
        assertEquals(1, counted(metrics, "chain_broken"), metrics);
        assertEquals(0, counted(metrics, "salt_reused"), metrics);

        List<String> flagged = lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains("keyless misuse flag"))
                .toList();
        assertEquals(3, flagged.size(), flagged.toString());
        assertTrue(
                flagged.get(0)
                        .startsWith("device " + id + " clip 8738: keyless misuse flag nonce_prefix_reused: the nonce"
                                + " prefix of clip 0000000000001111"),
                flagged.toString());
        assertTrue(
                flagged.get(2)
                        .contains("clip 13107: keyless misuse flag chain_broken: clips 0000000000002222 and"
                                + " 0000000000003333 both claim position 2"),
                flagged.toString());

        StringWriter out = new StringWriter();
        int exit = DoorbellCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(new StringWriter()))
                .execute(
                        "open",
                        "--store",
                        storeDir.toString(),
                        "--identity",
                        PairedFleets.ownerDir(fleet).toString(),
                        "--out",
                        dir.resolve("opened").toString());
        String printed = out.toString();
        for (String clip : List.of("0000000000001111", "0000000000002222", "0000000000003333")) {
            String verdict = Files.readString(
                    dir.resolve("opened").resolve(id).resolve(clip).resolve("verdict.txt"));
            assertTrue(verdict.startsWith("OK"), clip + ": " + verdict);
        }
        assertTrue(
                printed.contains("0000000000002222  UPLINK FLAG nonce_prefix_reused (the nonce prefix of clip"
                        + " 0000000000001111)"),
                printed);
        assertTrue(printed.contains("0000000000002222  UPLINK FLAG encapsulation_reused"), printed);
        assertTrue(printed.contains("0000000000003333  UPLINK FLAG chain_broken (clips 0000000000002222 and"), printed);
        assertFalse(printed.contains("0000000000001111  UPLINK FLAG"), printed);
        // The owner's own chain check sees the fork too, with the keys: the flag is the uplink's early word for it.
        assertTrue(printed.contains("CHAIN BROKEN at position 2"), printed);
        assertEquals(1, exit, printed);
        String verdict = Files.readString(
                dir.resolve("opened").resolve(id).resolve("0000000000002222").resolve("verdict.txt"));
        assertTrue(verdict.contains("UPLINK FLAG nonce_prefix_reused"), verdict);
    }

    private static ClipParams params(String id, long clipId) {
        return new ClipParams(id, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0);
    }

    /** One frame, the close, and the wait for both to be durable: every clip is stored, flagged or not. */
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

    private static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static long counted(String metrics, String reason) {
        Matcher m = Pattern.compile("doorbell_uplink_misuse_flags_total\\{reason=\"" + reason + "\"} (\\S+)")
                .matcher(metrics);
        assertTrue(m.find(), reason + " exported: " + metrics);
        return (long) Double.parseDouble(m.group(1));
    }
}
