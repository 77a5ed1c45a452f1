package dev.pier.proxy.http;

/**
 * Handler names, in pipeline order.
 *
 * <pre>
 * client connection:   httpCodec → flowControl → idle → client   (after a 101: tunnel)
 * upstream connection: httpCodec → idle → upstream                (after a 101: tunnel)
 * </pre>
 */
final class PipelineNames {
    static final String HTTP_CODEC = "httpCodec";
    static final String FLOW_CONTROL = "flowControl";
    static final String IDLE = "idle";
    static final String CLIENT = "client";
    static final String UPSTREAM = "upstream";
    static final String TUNNEL = "tunnel";

    private PipelineNames() {}
}
