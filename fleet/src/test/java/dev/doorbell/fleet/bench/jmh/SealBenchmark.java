package dev.doorbell.fleet.bench.jmh;

import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * The seal path against its own floor: {@link ClipSealer#seal} (FrameMeta, nonce, AAD, AES-256-GCM, SealedFrame) and
 * raw JCA AES-256-GCM on the same plaintext with a fresh nonce per operation and no AAD, in the same run, so the
 * ratio of the two says what the format costs on top of the cipher. Both return a new ciphertext array per call, as
 * the device must (the link keeps it until PERSISTED).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SealBenchmark {
    private static final String DEVICE = "bench-device";
    private static final int TAG_BITS = 128;

    @Param({"16384", "65536"})
    public int frameBytes;

    private byte[] plaintext;
    private EpochKey epochKey;
    private ClipSealer sealer;
    private long clipId;
    private long pts;
    private Cipher cipher;
    private SecretKeySpec rawKey;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[45];
    private long nonceCounter;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        Random seeded = new Random(frameBytes);
        plaintext = new byte[frameBytes];
        seeded.nextBytes(plaintext);
        byte[] key = new byte[32];
        seeded.nextBytes(key);
        epochKey = EpochKey.of(DEVICE, 1, SecretBytes.copyOf(key));
        rawKey = new SecretKeySpec(key, "AES");
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
    }

    /** A fresh clip per iteration keeps the clip's sequence far from its limit whatever the iteration length. */
    @Setup(Level.Iteration)
    public void newClip() {
        clipId++;
        sealer = ClipSealer.start(
                epochKey,
                new ClipParams(
                        DEVICE,
                        clipId,
                        Trigger.TRIGGER_MOTION,
                        Codec.CODEC_MJPEG,
                        1280,
                        720,
                        30,
                        1_700_000_000_000L,
                        0),
                new SecureRandom());
    }

    @Benchmark
    public SealedFrame seal() {
        pts += 33_333;
        return sealer.seal(pts, plaintext, false);
    }

    @Benchmark
    public byte[] rawJca() throws GeneralSecurityException {
        // A counter nonce: unique per key for the trial, as GCM requires, at the cost of one 8-byte write.
        ByteBuffer.wrap(nonce).putLong(4, ++nonceCounter);
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(TAG_BITS, nonce));
        return cipher.doFinal(plaintext);
    }

    /**
     * Raw AES-256-GCM with an AAD of a frame's size (32 + 5 + 8 bytes): not part of the verdict, it tells the cost
     * of the format's AAD in the JCA apart from the cost of the sealer's own code.
     */
    @Benchmark
    public byte[] rawJcaWithAad() throws GeneralSecurityException {
        ByteBuffer.wrap(nonce).putLong(4, ++nonceCounter);
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }
}
