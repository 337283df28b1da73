package io.gpudocker.api.validation;

import java.util.regex.Pattern;

/** The characters replicaset and volume names may use: they become parts of Docker container and volume names. */
final class NameSyntax {
    static final Pattern CHARACTERS = Pattern.compile("[A-Za-z0-9_.]+");
    static final int MAX_LENGTH = 128;
    static final String RULE = "may only contain letters, digits, '_' and '.', must not start with '.', and is at most "
            + MAX_LENGTH + " characters";

    private NameSyntax() {}

    static boolean wellFormed(String name) {
        return CHARACTERS.matcher(name).matches() && name.length() <= MAX_LENGTH && !name.startsWith(".");
    }
}
