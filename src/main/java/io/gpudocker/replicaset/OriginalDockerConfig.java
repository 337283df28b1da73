package io.gpudocker.replicaset;

import io.gpudocker.docker.ContainerSpec;
import io.gpudocker.docker.DockerConfigs;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code Config}, {@code HostConfig} and {@code NetworkingConfig} of a version's container, with every
 * field the original project's API document lists. Where Docker holds the container, its values are Docker's;
 * a field it does not hold (a pruned container, or a daemon version that dropped the field) is Docker's default
 * for a create that leaves it out: the zero values the original's document shows.
 * <p>
 * The fields the service sets from the version's record keep the record's values either way, so they read the
 * same in {@code info} and in the history and as they always did: binds as the user wrote them (Docker holds the
 * real path a host path resolved to), the env and cmd the version was given (Docker adds the image's), and the
 * labels that say whose version it is, without the bookkeeping ones (the deployment's cluster id, the operation,
 * and the version's whole record, which the answer carries anyway).
 */
final class OriginalDockerConfig {
    private OriginalDockerConfig() {}

    static Map<String, Object> config(ContainerSpec spec, DockerConfigs docker) {
        Map<String, Object> config = withDefaults(docker == null ? Map.of() : docker.config(), configDefaults());
        config.put("ExposedPorts", exposedPorts(spec));
        config.put("Tty", true);
        config.put("OpenStdin", true);
        config.put("Env", spec.env());
        config.put("Cmd", spec.cmd() == null || spec.cmd().isEmpty() ? null : spec.cmd());
        config.put("Image", spec.image());
        config.put("Labels", spec.labels());
        return config;
    }

    static Map<String, Object> hostConfig(ContainerSpec spec, DockerConfigs docker) {
        Map<String, Object> host = withDefaults(docker == null ? Map.of() : docker.hostConfig(), hostConfigDefaults());
        host.put("Binds", spec.binds());
        host.put("PortBindings", portBindings(spec));
        host.put("ShmSize", spec.shmSize());
        host.put("Memory", spec.memory());
        host.put("CpusetCpus", spec.cpusetCpus() == null ? "" : spec.cpusetCpus());
        host.put("DeviceRequests", deviceRequests(spec));
        host.put("MemorySwap", spec.memory());
        host.put("Init", spec.init());
        return host;
    }

    /** The networks Docker attached the container to; none where it is gone (the create named none). */
    static Map<String, Object> networkingConfig(DockerConfigs docker) {
        Map<String, Object> networking = new LinkedHashMap<>();
        networking.put("EndpointsConfig", null);
        if (docker != null) {
            networking.putAll(docker.networkingConfig());
        }
        return networking;
    }

    /** Docker's fields in Docker's order, then those of the document it left out, in the document's order. */
    private static Map<String, Object> withDefaults(Map<String, Object> docker, Map<String, Object> defaults) {
        Map<String, Object> merged = new LinkedHashMap<>(docker);
        defaults.forEach(merged::putIfAbsent);
        return merged;
    }

    private static Map<String, Object> exposedPorts(ContainerSpec spec) {
        Map<String, Object> exposed = new LinkedHashMap<>();
        spec.portBindings().keySet().forEach(port -> exposed.put(port, Map.of()));
        return exposed;
    }

    private static Map<String, Object> portBindings(ContainerSpec spec) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        spec.portBindings().forEach((port, hostPort) -> bindings.put(port, List.of(Map.of("HostIp", "", "HostPort", Integer.toString(hostPort)))));
        return bindings;
    }

    /** The GPUs by UUID, never a count beside them; none for a cardless version. */
    private static List<Map<String, Object>> deviceRequests(ContainerSpec spec) {
        if (spec.gpuUuids().isEmpty()) {
            return null;
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Driver", "nvidia");
        request.put("Count", 0);
        request.put("DeviceIDs", spec.gpuUuids());
        request.put("Capabilities", List.of(List.of("gpu")));
        request.put("Options", Map.of());
        return List.of(request);
    }

    private static Map<String, Object> configDefaults() {
        Map<String, Object> d = zeros("", "Hostname", "Domainname", "User");
        d.putAll(zeros(false, "AttachStdin", "AttachStdout", "AttachStderr"));
        d.put("ExposedPorts", null);
        d.putAll(zeros(false, "Tty", "OpenStdin", "StdinOnce"));
        d.putAll(zeros(null, "Env", "Cmd", "Image", "Volumes"));
        d.put("WorkingDir", "");
        d.putAll(zeros(null, "Entrypoint", "OnBuild", "Labels"));
        return d;
    }

    private static Map<String, Object> hostConfigDefaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("Binds", null);
        d.put("ContainerIDFile", "");
        d.put("LogConfig", nullable("Type", "", "Config", null));
        d.put("NetworkMode", "");
        d.put("PortBindings", null);
        d.put("RestartPolicy", nullable("Name", "", "MaximumRetryCount", 0));
        d.put("AutoRemove", false);
        d.put("VolumeDriver", "");
        d.put("VolumesFrom", null);
        d.put("ConsoleSize", List.of(0, 0));
        d.putAll(zeros(null, "CapAdd", "CapDrop"));
        d.put("CgroupnsMode", "");
        d.putAll(zeros(null, "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd"));
        d.putAll(zeros("", "IpcMode", "Cgroup"));
        d.put("Links", null);
        d.put("OomScoreAdj", 0);
        d.put("PidMode", "");
        d.putAll(zeros(false, "Privileged", "PublishAllPorts", "ReadonlyRootfs"));
        d.put("SecurityOpt", null);
        d.putAll(zeros("", "UTSMode", "UsernsMode"));
        d.put("ShmSize", 0L);
        d.put("Isolation", "");
        d.putAll(zeros(0L, "CpuShares", "Memory", "NanoCpus"));
        d.put("CgroupParent", "");
        d.put("BlkioWeight", 0);
        d.putAll(zeros(null, "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"));
        d.putAll(zeros(0L, "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime"));
        d.putAll(zeros("", "CpusetCpus", "CpusetMems"));
        d.putAll(zeros(null, "Devices", "DeviceCgroupRules", "DeviceRequests"));
        d.putAll(zeros(0L, "MemoryReservation", "MemorySwap"));
        d.putAll(zeros(null, "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits"));
        d.putAll(zeros(0L, "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth"));
        d.putAll(zeros(null, "MaskedPaths", "ReadonlyPaths"));
        return d;
    }

    private static Map<String, Object> zeros(Object zero, String... keys) {
        Map<String, Object> m = new LinkedHashMap<>();
        Arrays.stream(keys).forEach(k -> m.put(k, zero));
        return m;
    }

    /** A two-member object whose values may be null, which {@link Map#of} refuses. */
    private static Map<String, Object> nullable(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
