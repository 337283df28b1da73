package io.gpudocker.api.validation;

import java.util.regex.Pattern;

/** The characters replicaset and volume names may use: they become parts of Docker container and volume names. */
public final class NameSyntax {
    public static final Pattern CHARACTERS = Pattern.compile("[A-Za-z0-9_.]+");
    public static final int MAX_LENGTH = 128;
    public static final String RULE = "may only contain letters, digits, '_' and '.', must not start with '.', and is at most "
            + MAX_LENGTH + " characters";

    private NameSyntax() {}

    public static boolean wellFormed(String name) {
        return CHARACTERS.matcher(name).matches() && name.length() <= MAX_LENGTH && !name.startsWith(".");
    }
}
