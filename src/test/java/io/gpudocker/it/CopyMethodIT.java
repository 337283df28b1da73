package io.gpudocker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.docker.VolumeSummary;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Which copy method updates and resizes use on the rig's data root: {@code reflink} on the XFS rig
 * ({@code GDA_TEST_DATA_FS=xfs}, see scripts/test-env.sh), {@code bytes} on a filesystem that cannot clone,
 * reported alike in the response, the {@code gda.copies} timer and the Docker health.
 */
class CopyMethodIT extends IntegrationTestBase {

    /** What the rig's data root allows; null where the machine's own filesystem might clone (then either is right). */
    private String expectedMethod() {
        if ("xfs".equals(System.getenv("GDA_TEST_DATA_FS"))) {
            return "reflink";
        }
        String fs = engine.info().backingFilesystem();
        return "xfs".equals(fs) || "btrfs".equals(fs) ? null : "bytes";
    }

    @Test
    void anUpdateReportsHowTheSystemDiskWasCopiedAndCarriesItOver() {
        String name = name("copym");
        create(name, 0);
        exec(name, "head -c 1048576 /dev/urandom > /root/data.bin && md5sum /root/data.bin > /root/data.md5 && rm /etc/image-release");
        double before = copies("system-disk");

        Api.Reply patched = api.patch("/replicaSet/" + name, Map.of());

        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode copy = patched.data().path("copy");
        assertThat(patched.data().path("containerName").asString()).endsWith("-2");
        assertThat(copy.path("method").asString()).isIn("reflink", "bytes");
        if (expectedMethod() != null) {
            assertThat(copy.path("method").asString()).as(copy.toString()).isEqualTo(expectedMethod());
        }
        assertThat(copy.path("millis").asLong()).isNotNegative();
        assertThat(exec(name, "md5sum -c /root/data.md5 && ls /etc")).contains("OK").doesNotContain("image-release");
        assertThat(copies("system-disk", copy.path("method").asString())).isGreaterThan(0);
        assertThat(copies("system-disk")).isEqualTo(before + 1);
    }

    @Test
    void aResizeReportsItsCopyMethodAndKeepsSparseFilesSparse() throws Exception {
        String volume = "copyv" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        assertThat(api.post("/volumes", Map.of("name", volume, "size", "2GB")).status()).isEqualTo(200);
        try {
            Path data = Path.of(volumeEngine.inspectVolume(volume + "-1").map(VolumeSummary::mountpoint).orElseThrow());
            Files.writeString(data.resolve("notes.txt"), "kept", StandardCharsets.UTF_8);
            try (RandomAccessFile sparse = new RandomAccessFile(data.resolve("disk.img").toFile(), "rw")) {
                sparse.setLength(512L << 20);
                sparse.seek(256L << 20);
                sparse.write(new byte[4096]);
            }

            Api.Reply resized = api.patch("/volumes/" + volume + "/size", Map.of("size", "3GB"));

            assertThat(resized.status()).as(resized.toString()).isEqualTo(200);
            String method = resized.data().path("copyMethod").asString();
            assertThat(method).isIn("reflink", "bytes");
            if (expectedMethod() != null) {
                assertThat(method).isEqualTo(expectedMethod());
            }
            Path copied = Path.of(volumeEngine.inspectVolume(volume + "-2").map(VolumeSummary::mountpoint).orElseThrow());
            assertThat(Files.readString(copied.resolve("notes.txt"))).isEqualTo("kept");
            assertThat(Files.size(copied.resolve("disk.img"))).isEqualTo(512L << 20);
            assertThat(allocatedBytes(copied.resolve("disk.img"))).as("still sparse").isLessThan(8L << 20);
            assertThat(copies("volume", method)).isGreaterThan(0);
        } finally {
            api.delete("/volumes/" + volume);
        }
    }

    @Test
    void healthSaysWhetherTheDataRootClones() {
        JsonNode docker = Api.JSON.readTree(actuator().text("/actuator/health")).path("components").path("docker").path("details");
        JsonNode copies = docker.path("copies");
        // the kernel's name (ext4), not Docker's (extfs)
        assertThat(copies.path("dataRootFilesystem").asString()).isNotBlank();
        if ("xfs".equals(System.getenv("GDA_TEST_DATA_FS"))) {
            assertThat(copies.path("dataRootFilesystem").asString()).isEqualTo("xfs");
        }
        assertThat(copies.path("reason").asString()).isNotBlank();
        if (expectedMethod() != null) {
            assertThat(copies.path("method").asString()).isEqualTo(expectedMethod());
            assertThat(copies.path("reflinks").asBoolean()).isEqualTo("reflink".equals(expectedMethod()));
        }
    }

    private Api actuator() {
        return new Api("http://127.0.0.1:" + port, ADMIN_TOKEN);
    }

    private double copies(String kind) {
        return copies(kind, "reflink") + copies(kind, "bytes");
    }

    private double copies(String kind, String method) {
        Matcher m = Pattern.compile("gda_copies_seconds_count\\{kind=\"" + kind + "\",method=\"" + method + "\"} (\\S+)")
                .matcher(actuator().text("/actuator/prometheus"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static long allocatedBytes(Path file) throws Exception {
        Process du = new ProcessBuilder(List.of("du", "-B1", "--", file.toString())).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(du.waitFor()).isZero();
        return Long.parseLong(out.trim().split("\\s+")[0]);
    }
}
