package io.gpudocker.docker;

/**
 * A regular file as Docker's archive call writes it into a container: {@code name} in {@code directory} (a directory
 * the container has, resolved as the container sees it), {@code size} bytes, with this owner and mode.
 */
public record ArchiveEntry(String directory, String name, int uid, int gid, int mode, long size) {}
