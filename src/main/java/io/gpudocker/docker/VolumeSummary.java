package io.gpudocker.docker;

import java.util.Map;

public record VolumeSummary(String name, String driver, String mountpoint, Map<String, String> labels, Map<String, String> options) {}
