package io.gpudocker.store;

/** One change a watch saw: the key's new value, or null when it was deleted; {@code revision} is the change's own. */
public record KeyChange(String key, String value, long revision) {
    public boolean deleted() { return value == null; }
}
