package io.gpudocker.replicaset;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue;
import java.util.List;
import java.util.Map;

/**
 * How the OpenAPI document describes Docker's configuration objects in {@link OriginalContainerInfo}: the fields the
 * service sets, typed, beside every other field of Docker's. The answers themselves carry them as Docker gives
 * them ({@link OriginalDockerConfig}), so these types only name and document the shape.
 */
final class OriginalDockerSchemas {
    private OriginalDockerSchemas() {}

    @Schema(name = "DockerContainerConfig", additionalProperties = AdditionalPropertiesValue.TRUE, description = "Docker's container Config, keys as "
            + "Docker spells them: every field (Hostname, Domainname, User, AttachStdin, WorkingDir, Entrypoint, StopSignal, ...) as Docker holds it for "
            + "the container, or Docker's default where it is gone or in a history item; these, as the service set them from the version's record")
    record DockerConfig(
            @JsonProperty("Image") @Schema(example = "gda-test:latest") String image,
            @JsonProperty("Env") @Schema(description = "the version's env (without the image's)", example = "[\"JUPYTER_TOKEN=secret\", \"CONTAINER_VERSION=2\"]") List<String> env,
            @JsonProperty("Cmd") @Schema(description = "the version's cmd; null: the image's", example = "[\"sleep\", \"infinity\"]") List<String> cmd,
            @JsonProperty("ExposedPorts") @Schema(example = "{\"22/tcp\": {}}") Map<String, Map<String, Object>> exposedPorts,
            @JsonProperty("Labels") @Schema(description = "whose version it is (owner, replicaset, version, tenant); not the bookkeeping labels or the image's") Map<String, String> labels,
            @JsonProperty("Tty") boolean tty,
            @JsonProperty("OpenStdin") boolean openStdin) {}

    @Schema(name = "DockerHostConfig", additionalProperties = AdditionalPropertiesValue.TRUE, description = "Docker's HostConfig, keys as Docker spells "
            + "them: every field (NetworkMode, RestartPolicy, SecurityOpt, PidsLimit, ...) as Docker holds it for the container, or Docker's default "
            + "where it is gone or in a history item; these, as the service set them from the version's record")
    record DockerHostConfig(
            @JsonProperty("Binds") @Schema(description = "as written (Docker holds the real path of a host path)", example = "[\"data-1:/root/foo-tmp\"]") List<String> binds,
            @JsonProperty("PortBindings") @Schema(example = "{\"22/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"40000\"}]}") Map<String, List<DockerPortBinding>> portBindings,
            @JsonProperty("DeviceRequests") @Schema(description = "null: cardless") List<DockerDeviceRequest> deviceRequests,
            @JsonProperty("CpusetCpus") @Schema(description = "pinned cores; empty: unpinned", example = "0-7") String cpusetCpus,
            @JsonProperty("Memory") @Schema(description = "memory limit in bytes; 0: none", example = "34359738368") long memory,
            @JsonProperty("MemorySwap") @Schema(description = "equal to Memory (no swap beyond the limit); 0: none", example = "34359738368") long memorySwap,
            @JsonProperty("ShmSize") @Schema(description = "/dev/shm in bytes; 0: Docker's default", example = "8589934592") long shmSize,
            @JsonProperty("Init") @Schema(description = "whether Docker's init (tini) runs as PID 1", example = "true") boolean init) {}

    @Schema(name = "DockerPortBinding")
    record DockerPortBinding(
            @JsonProperty("HostIp") @Schema(example = "") String hostIp,
            @JsonProperty("HostPort") @Schema(example = "40000") String hostPort) {}

    @Schema(name = "DockerDeviceRequest", description = "the GPUs, by UUID, with driver nvidia and capability gpu")
    record DockerDeviceRequest(
            @JsonProperty("Driver") @Schema(example = "nvidia") String driver,
            @JsonProperty("Count") @Schema(example = "0") int count,
            @JsonProperty("DeviceIDs") @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\"]") List<String> deviceIds,
            @JsonProperty("Capabilities") @Schema(example = "[[\"gpu\"]]") List<List<String>> capabilities,
            @JsonProperty("Options") Map<String, String> options) {}

    @Schema(name = "DockerNetworkingConfig", description = "the networks the container is attached to, in the shape of Docker's NetworkingConfig")
    record DockerNetworkingConfig(
            @JsonProperty("EndpointsConfig") @Schema(nullable = true, description = "Docker's NetworkSettings.Networks of the container (network name to "
                    + "its endpoint: IPAddress, Gateway, MacAddress, ...); null where it is gone and in history items",
                    example = "{\"bridge\": {\"IPAddress\": \"172.17.0.3\", \"Gateway\": \"172.17.0.1\"}}") Map<String, Object> endpointsConfig) {}
}
