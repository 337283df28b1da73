package io.gpudocker.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.EnvEntriesValidator;
import io.gpudocker.api.validation.ImageReferenceValidator;
import io.gpudocker.api.validation.NewImageNameValidator;
import io.gpudocker.api.validation.Rejection;
import io.gpudocker.api.validation.ReplicaSetNameValidator;
import io.gpudocker.replicaset.bind.Bind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SpecValidatorTest {

    private static void assertCode(ErrorCode code, Executable call) {
        assertThatThrownBy(call::execute).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(code));
    }

    private static void assertRule(ErrorCode code, Optional<Rejection> rejection) {
        assertThat(rejection).map(Rejection::code).contains(code);
    }

    @Test
    void names() {
        assertThat(ReplicaSetNameValidator.check("foo_bar.2")).isEmpty();
        assertRule(ErrorCode.REPLICASET_NAME_EMPTY, ReplicaSetNameValidator.check(" "));
        assertRule(ErrorCode.REPLICASET_NAME_INVALID, ReplicaSetNameValidator.check("foo-bar"));
        assertRule(ErrorCode.REPLICASET_NAME_INVALID, ReplicaSetNameValidator.check("foo/bar"));
        assertRule(ErrorCode.REPLICASET_NAME_INVALID, ReplicaSetNameValidator.check(".hidden"));
        assertRule(ErrorCode.REPLICASET_NAME_INVALID, ReplicaSetNameValidator.check("x".repeat(129)));
    }

    @Test
    void gpuCounts() {
        assertThat(SpecValidator.gpuCount(null, 8)).isZero();
        assertThat(SpecValidator.gpuCount(8, 8)).isEqualTo(8);
        assertCode(ErrorCode.GPU_COUNT_INVALID, () -> SpecValidator.gpuCount(-1, 8));
        assertCode(ErrorCode.GPU_COUNT_INVALID, () -> SpecValidator.gpuCount(9, 8));
    }

    @Test
    void binds() {
        SpecValidator.binds(List.of(new Bind("/nfs/share", "/root/fs"), new Bind("data-1", "/root/data")));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("/tmp", "/"))));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("/tmp", "//"))));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("/tmp", "rel"))));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("/a", "/x"), new Bind("/b", "/x/"))));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("/a:rw", "/x"))));
        assertCode(ErrorCode.BIND_INVALID, () -> SpecValidator.binds(List.of(new Bind("", "/x"))));
    }

    @Test
    void portsAreNormalisedAndChecked() {
        assertThat(SpecValidator.containerPorts(List.of("22", "53/udp"))).containsExactly("22/tcp", "53/udp");
        assertCode(ErrorCode.INVALID_PARAMS, () -> SpecValidator.containerPorts(List.of("0")));
        assertCode(ErrorCode.INVALID_PARAMS, () -> SpecValidator.containerPorts(List.of("22", "22/tcp")));
        assertCode(ErrorCode.INVALID_PARAMS, () -> SpecValidator.containerPorts(List.of("ssh")));
    }

    @Test
    void envAndImages() {
        assertThat(EnvEntriesValidator.check(List.of("A=1", "B_2=", "C=x=y"))).isEmpty();
        assertRule(ErrorCode.INVALID_PARAMS, EnvEntriesValidator.check(List.of("=1")));
        assertRule(ErrorCode.IMAGE_NAME_EMPTY, ImageReferenceValidator.check(""));
        assertThat(NewImageNameValidator.check("registry.local:5000/team/foo-snap:v1")).isEmpty();
        assertRule(ErrorCode.INVALID_PARAMS, NewImageNameValidator.check("Foo Bar"));
    }
}
