package dev.pier.proxy.tls;

import dev.pier.proxy.ProxyConfig;

class OpenSslHttpsTest extends HttpsTestBase {
    @Override
    ProxyConfig.TlsEngine engine() {
        return ProxyConfig.TlsEngine.OPENSSL;
    }
}
