package dev.pier.proxy.tls;

import dev.pier.proxy.ProxyConfig;

class JdkHttpsTest extends HttpsTestBase {
    @Override
    ProxyConfig.TlsEngine engine() {
        return ProxyConfig.TlsEngine.JDK;
    }
}
