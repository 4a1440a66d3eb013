package dev.doorbell.fleet.bench.jmh;

import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.ClipSealerV2;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.SigningKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-clip cost of format v2, beside the per-frame figures of {@link SealBenchmark}: {@link #start} is what a
 * device pays once per clip (a fresh clip key from the JDK's SecureRandom, HKDF, one HPKE seal per recipient, one
 * Ed25519 signature of the header), {@link #open} what an opener pays once per clip before its first frame (parse,
 * the device certificate and the header signature verified, one HPKE open, HKDF and the key commitment), on a clip
 * of no frames so that nothing else is counted. Every recipient is of one kem: X25519, or X-Wing (the hybrid
 * post-quantum kem; its opener expands the 32-byte seed into the ML-KEM-768 key at each unwrap, as the key file
 * holds only the seed). Microseconds per clip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClipCostBenchmark {
    private static final String DEVICE = "bench-device";

    @Param({"1", "4", "16"})
    public int recipients;

    @Param({"x25519", "x-wing"})
    public String kem;

    private final SecureRandom random = new SecureRandom();
    private DeviceSigner signer;
    private RecipientList list;
    private ClipOpenerV2 opener;
    private byte[] header;
    private long clipId;

    @Setup(Level.Trial)
    public void setUp() {
        SigningKey owner = SigningKey.generate(random);
        SigningKey deviceKey = SigningKey.generate(random);
        signer = new DeviceSigner(
                DEVICE, deviceKey, DeviceKeyCertificates.issue(owner, DEVICE, deviceKey.publicKey(), 1));
        List<RecipientPublicKey> keys = new ArrayList<>();
        RecipientKeyPair last = null;
        Kem type = kem(kem);
        for (int i = 0; i < recipients; i++) {
            last = RecipientKeyPair.generate("viewer-" + i, type, random);
            keys.add(last.publicKey());
        }
        list = RecipientLists.list(DEVICE, 1, 1, keys);
        // The opener holds the last recipient's key: a viewer looks its key id up among all the wrapped keys.
        opener = new ClipOpenerV2(Identity.of(owner.publicKey(), Map.of(DEVICE, deviceKey.publicKey()), List.of(last)));
        header = ClipSealerV2.start(signer, list, params(0), random).headerBytes();
    }

    @Benchmark
    public ClipSealerV2 start() {
        return ClipSealerV2.start(signer, list, params(++clipId), random);
    }

    @Benchmark
    public ClipVerdict open() {
        ClipVerdict verdict = opener.open(DEVICE, 0, header, List.of());
        if (verdict.status() != ClipVerdict.Status.TRUNCATED) {
            throw new IllegalStateException("the benchmark clip does not open: " + verdict.summary());
        }
        return verdict;
    }

    /**
     * The size of a clip's header (the SignedClipHeader bytes the uplink stores) for {@code recipients} recipients of
     * {@code kem}: the same for every clip of that list, since every field but the ids has a fixed size.
     */
    static int headerBytes(String kem, int recipients) {
        SecureRandom random = new SecureRandom();
        SigningKey owner = SigningKey.generate(random);
        SigningKey deviceKey = SigningKey.generate(random);
        DeviceSigner signer = new DeviceSigner(
                DEVICE, deviceKey, DeviceKeyCertificates.issue(owner, DEVICE, deviceKey.publicKey(), 1));
        List<RecipientPublicKey> keys = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            keys.add(RecipientKeyPair.generate("viewer-" + i, kem(kem), random).publicKey());
        }
        return ClipSealerV2.start(signer, RecipientLists.list(DEVICE, 1, 1, keys), params(1), random)
                .headerBytes()
                .length;
    }

    static Kem kem(String name) {
        return Kem.byFileName(name).orElseThrow(() -> new IllegalArgumentException("no kem " + name));
    }

    private static ClipParams params(long clipId) {
        return new ClipParams(
                DEVICE, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 1280, 720, 30, 1_700_000_000_000L, 0);
    }
}
