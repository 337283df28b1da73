package io.gpudocker.docker;

public record ExecResult(String stdout, long exitCode, boolean timedOut) {}
