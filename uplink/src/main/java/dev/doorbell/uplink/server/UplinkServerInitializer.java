package dev.doorbell.uplink.server;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.uplink.codec.DeviceMessageDecoder;
import dev.doorbell.uplink.identity.CertificateRevocations;
import dev.doorbell.uplink.identity.PeerIdentifier;
import dev.doorbell.uplink.metrics.UplinkMetrics;
import dev.doorbell.uplink.session.DeviceSessionHandler;
import dev.doorbell.uplink.session.SessionRegistry;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.wire.BoundedVarint32FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one device connection, inbound from top to bottom:
 *
 * <pre>
 *   tls            TLS 1.3, client certificate required: nothing below sees a byte from an unauthenticated peer
 *   idle           counts decrypted traffic, so TLS records alone (without whole messages) still count as life
 *   frameDecoder   bounded varint32 framing: refuses a too-long length before buffering its body
 *   messageDecoder bytes to DeviceMessage
 *   frameEncoder   (outbound) length prefix, applied after messageEncoder
 *   messageEncoder (outbound) UplinkMessage to bytes
 *   session        the state machine; sees decoder exceptions first, to answer them with an Error
 *   exceptions     terminal: logs what the session did not handle, once, and closes
 * </pre>
 *
 * A {@link DeviceMessage} never carries anything the pipeline must decrypt: the sealed bytes pass through as they
 * are. The stateless stages are shared between connections; the framing decoder and the session are not.
 */
public final class UplinkServerInitializer extends ChannelInitializer<Channel> {
    private static final DeviceMessageDecoder MESSAGE_DECODER = new DeviceMessageDecoder();
    private static final ProtobufVarint32LengthFieldPrepender FRAME_ENCODER =
            new ProtobufVarint32LengthFieldPrepender();
    private static final ProtobufEncoder MESSAGE_ENCODER = new ProtobufEncoder();

    private final UplinkConfig config;
    private final SslContext sslContext;
    private final ClipStore store;
    private final SessionRegistry registry;
    private final PeerIdentifier identifier;
    private final UplinkMetrics metrics;

    /** sslContext is null exactly when the config asks for insecure plaintext; nothing is revoked. */
    public UplinkServerInitializer(
            UplinkConfig config, SslContext sslContext, ClipStore store, SessionRegistry registry) {
        this(config, sslContext, store, registry, CertificateRevocations.none());
    }

    /** As above, with the fleet CA's revocation list checked after each TLS handshake. */
    public UplinkServerInitializer(
            UplinkConfig config,
            SslContext sslContext,
            ClipStore store,
            SessionRegistry registry,
            CertificateRevocations revocations) {
        this(config, sslContext, store, registry, revocations, new UplinkMetrics());
    }

    /** As above, counting into the server's {@code metrics}. */
    public UplinkServerInitializer(
            UplinkConfig config,
            SslContext sslContext,
            ClipStore store,
            SessionRegistry registry,
            CertificateRevocations revocations,
            UplinkMetrics metrics) {
        if ((sslContext == null) != config.insecurePlaintextForDebugging()) {
            throw new IllegalArgumentException("a TLS context is required unless insecure plaintext is configured");
        }
        this.config = config;
        this.sslContext = sslContext;
        this.store = store;
        this.registry = registry;
        this.identifier = new PeerIdentifier(revocations, config.clock());
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (sslContext != null) {
            SslHandler ssl = sslContext.newHandler(channel.alloc());
            // The session's own deadline covers TLS and Hello together; this one only stops SslHandler's default.
            ssl.setHandshakeTimeoutMillis(config.handshakeDeadline().toMillis());
            pipeline.addLast(PipelineNames.TLS, ssl);
        }
        pipeline.addLast(
                PipelineNames.IDLE, new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast(PipelineNames.FRAME_DECODER, new BoundedVarint32FrameDecoder(config.maxMessageBytes()));
        pipeline.addLast(PipelineNames.MESSAGE_DECODER, MESSAGE_DECODER);
        pipeline.addLast(PipelineNames.FRAME_ENCODER, FRAME_ENCODER);
        pipeline.addLast(PipelineNames.MESSAGE_ENCODER, MESSAGE_ENCODER);
        pipeline.addLast(PipelineNames.SESSION, new DeviceSessionHandler(config, store, registry, identifier, metrics));
        pipeline.addLast(PipelineNames.EXCEPTIONS, ConnectionExceptionHandler.INSTANCE);
    }
}
