package io.gpudocker.replicaset;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpudocker.api.OriginalTime;
import io.gpudocker.docker.ContainerSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A version as the original project answered it ({@code data.info}, history {@code status}): the container's
 * Docker {@code Config} and {@code HostConfig} as Docker would show them, built from the version's record
 * (spec, GPUs, ports) so a history costs no Docker call per version.
 */
@Schema(name = "OriginalContainerInfo", description = "The original project's shape of a version: Docker's Config and HostConfig of its container")
public record OriginalContainerInfo(
        @Schema(example = "2") long version,
        @Schema(description = "the original's time format, host local time", example = "2025-01-01 09:30:00") String createTime,
        DockerConfig config,
        DockerHostConfig hostConfig,
        DockerNetworkingConfig networkingConfig,
        @Schema(description = "always null, as in the original", nullable = true) Object platform,
        @Schema(example = "foo-2") String containerName) {

    @Schema(name = "DockerContainerConfig", description = "Docker's container Config (the fields this service sets)")
    public record DockerConfig(
            @JsonProperty("Image") @Schema(example = "gda-test:latest") String image,
            @JsonProperty("Env") @Schema(example = "[\"JUPYTER_TOKEN=secret\", \"CONTAINER_VERSION=2\"]") List<String> env,
            @JsonProperty("Cmd") @Schema(example = "[\"sleep\", \"infinity\"]") List<String> cmd,
            @JsonProperty("ExposedPorts") @Schema(example = "{\"22/tcp\": {}}") Map<String, Map<String, Object>> exposedPorts,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("Tty") boolean tty,
            @JsonProperty("OpenStdin") boolean openStdin) {}

    @Schema(name = "DockerHostConfig", description = "Docker's HostConfig (the fields this service sets)")
    public record DockerHostConfig(
            @JsonProperty("Binds") @Schema(example = "[\"data-1:/root/foo-tmp\"]") List<String> binds,
            @JsonProperty("PortBindings") @Schema(example = "{\"22/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"40000\"}]}") Map<String, List<DockerPortBinding>> portBindings,
            @JsonProperty("DeviceRequests") List<DockerDeviceRequest> deviceRequests,
            @JsonProperty("CpusetCpus") @Schema(description = "pinned cores; empty: unpinned", example = "0-7") String cpusetCpus,
            @JsonProperty("Memory") @Schema(description = "memory limit in bytes; 0: none", example = "34359738368") long memory,
            @JsonProperty("MemorySwap") @Schema(description = "equal to Memory (no swap beyond the limit); 0: none", example = "34359738368") long memorySwap,
            @JsonProperty("ShmSize") @Schema(description = "/dev/shm in bytes; 0: Docker's default", example = "8589934592") long shmSize,
            @JsonProperty("Init") @Schema(description = "whether Docker's init (tini) runs as PID 1", example = "true") boolean init) {}

    @Schema(name = "DockerPortBinding")
    public record DockerPortBinding(
            @JsonProperty("HostIp") @Schema(example = "") String hostIp,
            @JsonProperty("HostPort") @Schema(example = "40000") String hostPort) {}

    @Schema(name = "DockerDeviceRequest", description = "the GPUs, by UUID, with driver nvidia and capability gpu")
    public record DockerDeviceRequest(
            @JsonProperty("Driver") @Schema(example = "nvidia") String driver,
            @JsonProperty("Count") @Schema(example = "0") int count,
            @JsonProperty("DeviceIDs") @Schema(example = "[\"GPU-00000000-0000-4000-8000-000000000000\"]") List<String> deviceIds,
            @JsonProperty("Capabilities") @Schema(example = "[[\"gpu\"]]") List<List<String>> capabilities,
            @JsonProperty("Options") Map<String, String> options) {}

    @Schema(name = "DockerNetworkingConfig")
    public record DockerNetworkingConfig(
            @JsonProperty("EndpointsConfig") @Schema(nullable = true) Map<String, Object> endpointsConfig) {}

    /** The info of a version whose container is (or was) created from {@code spec}, as the engine creates it. */
    public static OriginalContainerInfo of(ReplicaSetVersion v, ContainerSpec spec) {
        Map<String, Map<String, Object>> exposed = new LinkedHashMap<>();
        Map<String, List<DockerPortBinding>> bindings = new LinkedHashMap<>();
        spec.portBindings().forEach((containerPort, hostPort) -> {
            exposed.put(containerPort, Map.of());
            bindings.put(containerPort, List.of(new DockerPortBinding("", Integer.toString(hostPort))));
        });
        List<DockerDeviceRequest> devices = spec.gpuUuids().isEmpty() ? null
                : List.of(new DockerDeviceRequest("nvidia", 0, spec.gpuUuids(), List.of(List.of("gpu")), Map.of()));
        return new OriginalContainerInfo(v.version(), OriginalTime.format(v.createTime()),
                new DockerConfig(spec.image(), spec.env(), spec.cmd().isEmpty() ? null : spec.cmd(), exposed, spec.labels(), true, true),
                new DockerHostConfig(spec.binds(), bindings, devices, spec.cpusetCpus(), spec.memory(), spec.memory(), spec.shmSize(), spec.init()),
                new DockerNetworkingConfig(null), null, v.containerName());
    }
}
