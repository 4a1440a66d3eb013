package dev.doorbell.tier;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: s3proxy on loopback with its in-memory blob store, requests signed with AWS
 * Signature V4 and checked against one key pair. Start one per test class; each test takes its own bucket.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "doorbell-test-access";
    public static final String SECRET_KEY = "doorbell-test-secret-key";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    /**
     * Starts the server, and sets the AWS SDK's credential system properties of this JVM to its key pair (the SDK's
     * default chain reads them), so that code under test takes its credentials the way it does in production.
     */
    public static S3Server start() throws Exception {
        return start(null);
    }

    /** As {@link #start()}, the objects kept in files under {@code basedir} (jclouds' filesystem blob store). */
    public static S3Server startOnDisk(Path basedir) throws Exception {
        return start(basedir);
    }

    private static S3Server start(Path basedir) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.regions", "us-east-1");
        if (basedir != null) {
            properties.setProperty("jclouds.filesystem.basedir", basedir.toString());
        }
        BlobStoreContext context = ContextBuilder.newBuilder(basedir == null ? "transient" : "filesystem")
                .credentials("identity", "credential")
                .overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .v4MaxNonChunkedRequestSize(512L << 20)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!proxy.getState().equals("STARTED")) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("s3proxy did not start within 30 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return new S3Server(proxy, context);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Options for a client of this server: its endpoint, path-style addressing. */
    public S3Options options() {
        return new S3Options(endpoint(), "us-east-1", true);
    }

    /** The environment a child process needs to reach this server through the SDK's default chain. */
    public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", "us-east-1");
    }

    /** A new, empty bucket. */
    public String createBucket(String name) {
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, name);
        return name;
    }

    public S3Client client() {
        return options().client();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
