package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A container under Docker's init is refused a start, as Docker refuses one without it, when its program is nowhere. */
class InitProgramCheckTest {
    private static final List<String> ENV = List.of("PATH=/usr/local/bin:/usr/bin", "A=1");

    @Test
    void aProgramFoundNowhereOnThePathIsRefusedInDockersWords() {
        List<String> looked = new ArrayList<>();
        InitProgramCheck check = new InitProgramCheck((id, path) -> looked.add(id + ":" + path) && false);

        assertThatThrownBy(() -> check.require("qux-1", launch(true, false, "no-such-program")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessage("Docker refused to start container qux-1: exec: \"no-such-program\": executable file not found in $PATH");
        assertThat(looked).containsExactly("id-1:/usr/local/bin/no-such-program", "id-1:/usr/bin/no-such-program");
    }

    @Test
    void aMissingPathIsNoSuchFile() {
        InitProgramCheck check = new InitProgramCheck((id, path) -> false);

        assertThatThrownBy(() -> check.require("qux-1", launch(true, false, "./run.sh")))
                .hasMessage("Docker refused to start container qux-1: exec: \"./run.sh\": no such file or directory");
    }

    @Test
    void aProgramFoundAnywhereOnThePathStarts() {
        InitProgramCheck check = new InitProgramCheck((id, path) -> path.equals("/usr/bin/sleep"));

        assertThatCode(() -> check.require("qux-1", launch(true, false, "sleep"))).doesNotThrowAnyException();
    }

    @Test
    void dockerDecidesAloneWithoutTheInitWhenRunningOrWithNoCommand() {
        Set<InitProgramCheck.Launch> undecided = Set.of(launch(false, false, "no-such-program"), launch(true, true, "no-such-program"),
                new InitProgramCheck.Launch("id-1", true, false, List.of(), ENV, ""));
        InitProgramCheck check = new InitProgramCheck((id, path) -> {
            throw new AssertionError("looked up " + path);
        });

        for (InitProgramCheck.Launch launch : undecided) {
            assertThat(InitProgramCheck.programToFind(launch)).isEmpty();
            assertThatCode(() -> check.require("qux-1", launch)).doesNotThrowAnyException();
        }
    }

    private static InitProgramCheck.Launch launch(boolean init, boolean running, String program) {
        return new InitProgramCheck.Launch("id-1", init, running, List.of(program, "--serve"), ENV, "");
    }
}
