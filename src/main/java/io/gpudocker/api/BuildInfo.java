package io.gpudocker.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Name, version, git commit and build time, stamped into the jar at build time. */
public record BuildInfo(String name, String version, String commit, String buildTime) {

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/build-info.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // an unreadable stamp only costs the -h output its details
        }
        return new BuildInfo(p.getProperty("name", "gpu-docker-api"), clean(p.getProperty("version")),
                clean(p.getProperty("commit")), clean(p.getProperty("buildTime")));
    }

    private static String clean(String v) {
        return v == null || v.isBlank() || v.startsWith("@") ? "unknown" : v;
    }
}
