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

    @Test
    void aPathOfAnImageIsAskedOfDockerOnceForEveryContainerOfThatImage() {
        List<String> looked = new ArrayList<>();
        InitProgramCheck check = new InitProgramCheck((id, path) -> looked.add(id + ":" + path) && path.equals("/usr/bin/sleep"));

        for (String id : List.of("id-1", "id-2", "id-3")) {
            assertThatCode(() -> check.require("qux", ofImage(id, "sha256:aaa", "sleep", List.of()))).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> check.require("qux", ofImage("id-4", "sha256:aaa", "no-such-program", List.of()))).isInstanceOf(EngineException.class);
        assertThatThrownBy(() -> check.require("qux", ofImage("id-5", "sha256:aaa", "no-such-program", List.of()))).isInstanceOf(EngineException.class);

        assertThat(looked).containsExactly("id-1:/usr/local/bin/sleep", "id-1:/usr/bin/sleep",
                "id-4:/usr/local/bin/no-such-program", "id-4:/usr/bin/no-such-program");
    }

    @Test
    void anotherImageIsAskedAgain() {
        List<String> looked = new ArrayList<>();
        InitProgramCheck check = new InitProgramCheck((id, path) -> looked.add(id + ":" + path));

        check.require("qux", ofImage("id-1", "sha256:aaa", "/bin/serve", List.of()));
        check.require("qux", ofImage("id-2", "sha256:bbb", "/bin/serve", List.of()));

        assertThat(looked).containsExactly("id-1:/bin/serve", "id-2:/bin/serve");
    }

    @Test
    void aPathUnderOrAboveAMountIsAskedForEachContainer() {
        List<String> looked = new ArrayList<>();
        InitProgramCheck check = new InitProgramCheck((id, path) -> looked.add(id + ":" + path));

        check.require("qux", ofImage("id-1", "sha256:aaa", "/opt/tools/run", List.of("/opt/tools")));
        check.require("qux", ofImage("id-2", "sha256:aaa", "/opt/tools/run", List.of("/opt/tools")));
        check.require("qux", ofImage("id-3", "sha256:aaa", "/opt", List.of("/opt/tools/data")));
        check.require("qux", ofImage("id-4", "sha256:aaa", "/opt", List.of("/opt/tools/data")));
        check.require("qux", ofImage("id-5", "sha256:aaa", "/proc/self/exe", List.of()));
        check.require("qux", ofImage("id-6", "sha256:aaa", "/proc/self/exe", List.of()));

        assertThat(looked).containsExactly("id-1:/opt/tools/run", "id-2:/opt/tools/run", "id-3:/opt", "id-4:/opt",
                "id-5:/proc/self/exe", "id-6:/proc/self/exe");
    }

    @Test
    void anAnswerDockerCouldNotGiveIsNotKept() {
        List<String> looked = new ArrayList<>();
        InitProgramCheck check = new InitProgramCheck((id, path) -> {
            looked.add(id + ":" + path);
            return null;
        });

        check.require("qux", ofImage("id-1", "sha256:aaa", "/bin/serve", List.of()));
        check.require("qux", ofImage("id-2", "sha256:aaa", "/bin/serve", List.of()));

        assertThat(looked).containsExactly("id-1:/bin/serve", "id-2:/bin/serve");
    }

    @Test
    void containersOfOneImageLookingAtOnceShareOneAnswer() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        InitProgramCheck check = new InitProgramCheck((id, path) -> {
            asked.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return false;
        });
        List<Thread> threads = new ArrayList<>();
        List<Throwable> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            String id = "id-" + i;
            Thread t = new Thread(() -> {
                try {
                    check.require("qux", ofImage(id, "sha256:aaa", "/bin/missing", List.of()));
                } catch (EngineException e) {
                    refused.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        Thread.sleep(200);
        release.countDown();
        for (Thread t : threads) {
            t.join(5000);
        }

        assertThat(refused).hasSize(8);
        assertThat(asked).hasValue(1);
    }

    private static InitProgramCheck.Launch ofImage(String id, String image, String program, List<String> mountPoints) {
        return new InitProgramCheck.Launch(id, true, false, List.of(program), ENV, "", image, mountPoints);
    }

    private static InitProgramCheck.Launch launch(boolean init, boolean running, String program) {
        return new InitProgramCheck.Launch("id-1", init, running, List.of(program, "--serve"), ENV, "");
    }
}
