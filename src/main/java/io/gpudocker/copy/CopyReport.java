package io.gpudocker.copy;

/**
 * What one copy did: which method ran and how long it took.
 *
 * @param kind   what was copied ({@code system-disk}, {@code volume})
 * @param bytes  the bytes copied where the caller knows them, else null
 */
public record CopyReport(String kind, CopyMethod method, long millis, Long bytes) {}
