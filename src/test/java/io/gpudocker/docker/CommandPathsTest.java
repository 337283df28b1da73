package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandPathsTest {
    @Test
    void aPathIsTakenAsItIsOrFromTheWorkingDirectory() {
        assertThat(CommandPaths.candidates("/no/such/binary", List.of("PATH=/bin"), "")).containsExactly("/no/such/binary");
        assertThat(CommandPaths.candidates("./run.sh", List.of(), "/app")).containsExactly("/app/./run.sh");
        assertThat(CommandPaths.candidates("bin/run", List.of(), "")).containsExactly("/bin/run");
    }

    @Test
    void aNameIsLookedForInTheContainersPathOrDockersDefault() {
        assertThat(CommandPaths.candidates("sleep", List.of("HOME=/root", "PATH=/usr/bin:/bin/"), "/")).containsExactly("/usr/bin/sleep", "/bin/sleep");
        assertThat(CommandPaths.candidates("sleep", List.of("HOME=/root"), "/")).containsExactly("/usr/local/sbin/sleep",
                "/usr/local/bin/sleep", "/usr/sbin/sleep", "/usr/bin/sleep", "/sbin/sleep", "/bin/sleep");
    }
}
