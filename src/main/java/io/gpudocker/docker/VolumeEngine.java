package io.gpudocker.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the service needs of the Docker engine's volumes. */
public interface VolumeEngine {

    VolumeSummary createVolume(String name, Map<String, String> driverOpts, Map<String, String> labels);

    Optional<VolumeSummary> inspectVolume(String name);

    /** Removes a volume if it exists. */
    void removeVolume(String name);

    /** Every volume carrying all of these labels. */
    List<VolumeSummary> listVolumesByLabels(Map<String, String> labels);

    /** Names of the containers (running or not) that mount this volume. */
    List<String> containersUsingVolume(String name);
}
