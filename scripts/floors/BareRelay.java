import jakarta.servlet.http.*;
import java.io.*;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.*;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.*;

/**
 * The floor of a relay on this service's own stack, for scripts/bench-reads.sh: embedded Tomcat with one servlet and no
 * filters, sending each GET on to the owner with the same Apache HTTP client (pooled, kept alive, no retries or
 * redirects) and its Authorization header, and relaying status, type and body. No Spring, no signature.
 * Usage: java -cp <the jar's libraries> BareRelay.java <port> <owner base URL>
 */
public class BareRelay {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String owner = args[1];
        CloseableHttpClient http = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(100).setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).setSocketTimeout(Timeout.DISABLED)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build()).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching().disableContentCompression().build();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(System.getProperty("java.io.tmpdir") + "/bare-relay");
        tomcat.setPort(port);
        tomcat.getConnector();
        Context ctx = tomcat.addContext("", null);
        Tomcat.addServlet(ctx, "relay", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
                String q = req.getQueryString();
                HttpUriRequestBase out = new HttpUriRequestBase("GET", java.net.URI.create(owner + req.getRequestURI() + (q == null ? "" : "?" + q)));
                String auth = req.getHeader("Authorization");
                if (auth != null) out.setHeader("Authorization", auth);
                try (CloseableHttpResponse r = http.execute(out)) {
                    res.setStatus(r.getCode());
                    var ct = r.getFirstHeader("Content-Type");
                    if (ct != null) res.setHeader("Content-Type", ct.getValue());
                    try (InputStream in = r.getEntity().getContent()) { in.transferTo(res.getOutputStream()); }
                }
            }
        });
        ctx.addServletMappingDecoded("/*", "relay");
        tomcat.start();
        tomcat.getServer().await();
    }
}
