package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyTestBase;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A WebSocket upgrade is tunnelled both ways: a real Netty WebSocket echo server, the JDK's WebSocket client. */
class WebSocketTest extends ProxyTestBase {
    private EventLoopGroup group;
    private Channel echo;

    @BeforeEach
    void startEchoServer() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        echo = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ws").maxFramePayloadLength(1 << 20).build()),
                                new WebSocketFrameAggregator(1 << 20),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + f.text()));
                                    }
                                });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        serve(prefix("ws.example.com", "/", backend("ws", ((InetSocketAddress) echo.localAddress()).getPort())));
    }

    @AfterEach
    void stopEchoServer() {
        echo.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void messagesGoBothWaysThroughTheTunnel() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder().header("Host", "ws.example.com")
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.httpPort() + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            received.add(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        received.add("closed " + statusCode);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 50; i++) {
            ws.sendText("message " + i, true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: message " + i);
        }
        String big = "x".repeat(200_000); // larger than any socket read or write buffer on the way
        ws.sendText(big, true).get(5, TimeUnit.SECONDS);
        String echoed = received.poll(10, TimeUnit.SECONDS);
        assertThat(echoed).hasSize(big.length() + 6).isEqualTo("echo: " + big);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("closed 1000"); // the server's close came back
    }
}
