package io.gpudocker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The documented table of error codes is the one the service answers with: no code missing, none stale. */
class ErrorCodeDocsTest {

    @Test
    void everyCodeIsDocumentedWithItsStatus() throws Exception {
        String doc = Files.readString(Path.of("docs/api.md"));
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(doc).as("docs/api.md row for %s", code)
                    .contains("| " + code.code() + " | " + code.status().value() + " | `" + code.name() + "` |");
        }
    }

    @Test
    void codesAreUnique() {
        Set<Integer> seen = new HashSet<>();
        Arrays.stream(ErrorCode.values()).forEach(c -> assertThat(seen.add(c.code())).as("code %d used twice", c.code()).isTrue());
    }
}
