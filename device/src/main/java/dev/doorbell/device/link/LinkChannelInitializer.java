package dev.doorbell.device.link;

import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.wire.BoundedVarint32FrameDecoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;

/**
 * The device side pipeline, stage names from {@link LinkPipelineNames}: TLS first so that nothing is parsed
 * before it is authenticated, then the bounded decoder so that no message larger than configured is buffered.
 */
final class LinkChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final LinkConfig config;
    private final LinkClient client;
    private final LinkFlow flow;

    LinkChannelInitializer(LinkConfig config, LinkClient client, LinkFlow flow) {
        this.config = config;
        this.client = client;
        this.flow = flow;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (config.sslContext() != null) {
            p.addLast(LinkPipelineNames.TLS, config.sslContext().newHandler(ch.alloc(), config.host(), config.port()));
        }
        p.addLast(LinkPipelineNames.FRAME_DECODER, new BoundedVarint32FrameDecoder(config.maxInboundMessageBytes()));
        p.addLast(LinkPipelineNames.PROTOBUF_DECODER, new ProtobufDecoder(UplinkMessage.getDefaultInstance()));
        p.addLast(LinkPipelineNames.FRAME_PREPENDER, new ProtobufVarint32LengthFieldPrepender());
        p.addLast(LinkPipelineNames.PROTOBUF_ENCODER, new ProtobufEncoder());
        p.addLast(LinkPipelineNames.HANDLER, new LinkHandler(config, client, flow));
    }
}
