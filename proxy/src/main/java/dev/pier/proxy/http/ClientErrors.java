package dev.pier.proxy.http;

import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.metrics.ProxyMetrics.ClientError;
import io.netty.channel.ChannelHandlerContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client connection does with a failure no handler answered: a reset, a broken TLS record, a failed handshake.
 * These are the client's doing, so they are counted in {@code pier_client_errors_total{reason}}, logged at debug level
 * in one line without a stack trace, and the connection is closed: a client cannot fill the log.
 */
final class ClientErrors {
    private static final Logger log = LoggerFactory.getLogger(ClientErrors.class);

    private ClientErrors() {}

    static void caught(ChannelHandlerContext ctx, Throwable cause, ProxyMetrics metrics) {
        ClientError reason = isTls(cause) ? ClientError.TLS : ClientError.IO;
        metrics.clientError(reason);
        if (log.isDebugEnabled()) {
            log.debug("client connection {} ended ({}): {}", ctx.channel().remoteAddress(), reason, cause.toString());
        }
        ctx.close();
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
