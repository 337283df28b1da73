package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Each Docker call bounded by what it does, and its failure named for the caller. */
class DockerCallsTest {
    private static final String HOST = "unix:///var/run/docker.sock";
    private final DockerCalls calls = new DockerCalls(HOST, new DockerTimeouts(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(10)));
    /** For calls that answer at once: bounds a loaded host cannot overrun before the call has even run. */
    private final DockerCalls calm = new DockerCalls(HOST, new DockerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)));

    @Test
    void anAnswerWithinTheBoundIsReturned() {
        assertThat(calm.call("ping", () -> "OK")).isEqualTo("OK");
        assertThat(calm.call("commit foo-1", null, () -> "sha256:1")).as("unbounded").isEqualTo("sha256:1");
    }

    @Test
    void noMoreWorkCallsThanTheDaemonsTurnsAreInFlightAtOnce() throws Exception {
        DockerCalls two = new DockerCalls(HOST, new DockerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)), 2);
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> callers = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> two.call("start container foo-1", Duration.ofSeconds(10), () -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                sleep(50);
                return now.decrementAndGet();
            }));
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) {
            t.join(5000);
        }

        assertThat(most).hasValue(2);
    }

    @Test
    void aWorkCallThatFindsNoTurnWithinItsBoundIsUnavailableWhileQuickCallsPass() throws Exception {
        // bounds of a second and more: a loaded host can take a tenth of a second to schedule the thread of a call Docker answers at once
        DockerCalls one = new DockerCalls(HOST, new DockerTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10)), 1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> one.call("start container foo-1", Duration.ofSeconds(5), () -> {
            holding.countDown();
            await(release);
            return null;
        }));
        holder.start();
        assertThat(holding.await(2, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> one.call("create container foo-2", Duration.ofMillis(1500), () -> "never"))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessage("the Docker engine at " + HOST + " did not answer within 1500 ms (create container foo-2)");
        assertThat(one.call("inspect container foo-2", () -> "at once")).as("a call Docker answers at once does not queue").isEqualTo("at once");
        release.countDown();
        holder.join(5000);
        assertThat(one.call("create container foo-2", Duration.ofMillis(1500), () -> "now")).as("the turn is given back").isEqualTo("now");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void noAnswerWithinTheBoundIsUnavailableAndTheCallIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        long started = System.nanoTime();

        assertThatThrownBy(() -> calls.call("inspect container foo-1", () -> hang(interrupted)))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessage("the Docker engine at " + HOST + " did not answer within 100 ms (inspect container foo-1)")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.DOCKER_UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(interrupted.await(2, TimeUnit.SECONDS)).as("the hung call's thread is interrupted").isTrue();
    }

    @Test
    void eachCallHasItsOwnBound() {
        assertThatThrownBy(() -> calls.call("create container foo-2", calls.timeouts().work(), () -> hang(new CountDownLatch(1))))
                .hasMessageEndingWith("did not answer within 300 ms (create container foo-2)");
    }

    @Test
    void dockersRefusalKeepsItsStatusAndShowsDockersMessageAlone() {
        assertThatThrownBy(() -> calm.call("start container foo-1", () -> {
            throw new NotFoundException("Status 404: {\"message\":\"No such container: foo-1\"}\n");
        })).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.code()).isEqualTo(ErrorCode.DOCKER_NOT_FOUND);
        }).hasMessage("Docker refused to start container foo-1: No such container: foo-1");

        assertThatThrownBy(() -> calm.call("create container foo-1", () -> {
            throw new ConflictException("Status 409: {\"message\":\"Conflict. The container name \\\"/foo-1\\\" is already in use\"}\n");
        })).isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessage("Docker refused to create container foo-1: Conflict. The container name \"/foo-1\" is already in use");
    }

    @Test
    void aBrokenConnectionIsUnavailableNamingTheHostAndTheCause() {
        assertThatThrownBy(() -> calm.call("list containers", () -> {
            throw new RuntimeException(new UncheckedIOException(new SocketException("Connection refused")));
        })).isInstanceOf(EngineUnavailableException.class)
                .hasMessage("the Docker engine at " + HOST + " is unreachable (list containers): SocketException: Connection refused");
    }

    @Test
    void anyOtherFailurePassesThrough() {
        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> calm.call("ping", () -> {
            throw bug;
        })).isSameAs(bug);
    }

    @Test
    void aProbeHasItsOwnBoundAndPassesItsFailuresOnAsTheyAre() {
        assertThatThrownBy(() -> calls.probe("the Docker engine", Duration.ofMillis(50), () -> hang(new CountDownLatch(1))))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessage("the Docker engine did not answer within 50 ms")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(ErrorCode.DOCKER_UNAVAILABLE));

        EngineException refused = new EngineException(500, "Docker refused to info: boom", null);
        assertThatThrownBy(() -> calls.probe("the Docker engine", Duration.ofSeconds(1), () -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(calls.probe("the Docker engine", Duration.ofSeconds(1), () -> 42)).isEqualTo(42);
    }

    @Test
    void dockersMessageIsReadOutOfItsAnswer() {
        assertThat(DockerCalls.firstLine("Status 500: {\"message\":\"driver failed programming external connectivity\"}\n"))
                .isEqualTo("driver failed programming external connectivity");
        assertThat(DockerCalls.firstLine("Status 400: bad parameter\nmore detail")).isEqualTo("bad parameter");
        assertThat(DockerCalls.firstLine("Status 500: {not json")).isEqualTo("{not json");
        assertThat(DockerCalls.firstLine(null)).isEmpty();
    }

    private static String hang(CountDownLatch interrupted) {
        try {
            Thread.sleep(10_000);
        } catch (InterruptedException e) {
            interrupted.countDown();
        }
        return "late";
    }
}
