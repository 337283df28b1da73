package io.gpudocker.store;

/** Where one kind of versioned object lives: its records under one prefix, each one's versions under another. */
public record RecordLayout(String records, String versions) {

    public String record(String name) { return records + name; }

    public String versionsOf(String name) { return versions + name + "/"; }

    /** Zero-padded, so a range read returns versions in order. */
    public String version(String name, long version) { return versionsOf(name) + String.format("%010d", version); }
}
