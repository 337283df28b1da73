package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link VolumeEngine} on docker-java, every call bounded as {@link DockerCalls} bounds it. */
public class DockerVolumeEngine implements VolumeEngine {
    private final DockerClient docker;
    private final DockerCalls calls;

    public DockerVolumeEngine(DockerClient docker, DockerCalls calls) {
        this.docker = docker;
        this.calls = calls;
    }

    @Override
    public VolumeSummary createVolume(String name, Map<String, String> driverOpts, Map<String, String> labels) {
        return calls.call("create volume " + name, calls.timeouts().work(), () -> {
            var r = docker.createVolumeCmd().withName(name).withDriver("local").withDriverOpts(driverOpts).withLabels(labels).exec();
            return new VolumeSummary(r.getName(), r.getDriver(), r.getMountpoint(), labels, driverOpts);
        });
    }

    @Override
    public Optional<VolumeSummary> inspectVolume(String name) {
        return calls.call("inspect volume " + name, () -> {
            try {
                InspectVolumeResponse r = docker.inspectVolumeCmd(name).exec();
                return Optional.of(new VolumeSummary(r.getName(), r.getDriver(), r.getMountpoint(), r.getLabels(), r.getOptions()));
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void removeVolume(String name) {
        calls.call("remove volume " + name, calls.timeouts().work(), () -> {
            try {
                docker.removeVolumeCmd(name).exec();
            } catch (NotFoundException gone) {
                // nothing to remove
            }
            return null;
        });
    }

    @Override
    public List<VolumeSummary> listVolumesByLabels(Map<String, String> labels) {
        return calls.call("list volumes", () -> {
            List<String> filter = labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            var volumes = docker.listVolumesCmd().withFilter("label", filter).exec().getVolumes();
            return volumes == null ? List.<VolumeSummary>of() : volumes.stream()
                    .map(v -> new VolumeSummary(v.getName(), v.getDriver(), v.getMountpoint(), v.getLabels(), v.getOptions())).toList();
        });
    }

    @Override
    public List<String> containersUsingVolume(String name) {
        return calls.call("list containers using volume " + name, () -> docker.listContainersCmd().withShowAll(true)
                .withVolumeFilter(List.of(name)).exec().stream().map(c -> DockerContainerEngine.name(c.getNames())).toList());
    }
}
