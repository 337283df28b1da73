package io.gpudocker.docker;

public record EngineInfo(String serverVersion, String storageDriver, String backingFilesystem, String dockerRootDir) {}
