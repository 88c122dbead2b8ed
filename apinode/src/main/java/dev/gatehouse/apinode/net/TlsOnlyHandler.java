package dev.gatehouse.apinode.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First handler of a TLS listener. Looks at the first five bytes: a TLS record puts an {@link
 * SslHandler} in its place; anything else (a {@code ws://} or {@code http://} request sent to the
 * TLS port) gets a plain-text {@code 400} saying to use {@code wss://} / {@code https://}, so the
 * peer sees a clear, final refusal instead of a reset it would retry.
 */
final class TlsOnlyHandler extends ByteToMessageDecoder {

  /** The JSON body of the refusal, in the same shape as the API's other errors. */
  static final String REFUSAL =
      "{\"error\":\"tls_required\",\"detail\":\"this port speaks TLS: use wss:// or https://\"}";

  /** TLS record header length: type, version, length. */
  private static final int HEADER = 5;

  private final SslContext context;
  private boolean refused;

  TlsOnlyHandler(SslContext context) {
    this.context = context;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (refused) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < HEADER) {
      return;
    }
    if (SslHandler.isEncrypted(in)) {
      // The buffered bytes move on to the SslHandler when this handler leaves the pipeline.
      ctx.pipeline().replace(this, "tls", context.newHandler(ctx.alloc()));
      return;
    }
    refused = true;
    in.skipBytes(in.readableBytes());
    byte[] body = REFUSAL.getBytes(StandardCharsets.US_ASCII);
    String head =
        "HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
    // Close a moment later rather than at once: closing with unread request bytes in the kernel
    // buffer would send a reset that may overtake the response.
    ctx.writeAndFlush(response)
        .addListener(
            (ChannelFutureListener)
                f ->
                    f.channel()
                        .eventLoop()
                        .schedule(() -> f.channel().close(), 1, TimeUnit.SECONDS));
  }
}
