package dev.pier.proxy.http;

/**
 * Handler names, in pipeline order.
 *
 * <pre>
 * with --proxy-protocol, first: proxyProtocol → proxyProtocolClient        (both leave after the header)
 * HTTP client connection:    httpCodec → flowControl → idle → client        (after a 101: tunnel)
 * HTTPS, before ALPN:        sni (becomes ssl) → alpn
 * HTTPS with HTTP/1.1:       ssl → httpCodec → flowControl → idle → client
 * HTTPS with HTTP/2:         ssl → h2Flush → h2 → h2Multiplex → idle → h2End
 * HTTP/2 stream (child):     h2Request → h2ToHttp → flowControl → client
 * upstream connection:       httpCodec → idle → upstream                     (after a 101: tunnel)
 * upstream over TLS:         upstreamTls → httpCodec → idle → upstream
 * </pre>
 */
final class PipelineNames {
    static final String PROXY_PROTOCOL = "proxyProtocol";
    static final String PROXY_PROTOCOL_CLIENT = "proxyProtocolClient";
    static final String SNI = "sni";
    static final String ALPN = "alpn";
    static final String HTTP_CODEC = "httpCodec";
    static final String FLOW_CONTROL = "flowControl";
    static final String IDLE = "idle";
    static final String CLIENT = "client";
    static final String H2_FLUSH = "h2Flush";
    static final String H2 = "h2";
    static final String H2_MULTIPLEX = "h2Multiplex";
    static final String H2_END = "h2End";
    static final String H2_REQUEST = "h2Request";
    static final String H2_TO_HTTP = "h2ToHttp";
    static final String UPSTREAM = "upstream";
    static final String UPSTREAM_TLS = "upstreamTls";
    static final String TUNNEL = "tunnel";

    private PipelineNames() {}
}
