package io.gpudocker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpudocker.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** Docker's refusals keep their meaning; only its own failures take the operation's failure code. */
class EngineErrorsTest {

    @Test
    void refusalsOfWhatTheUserAskedForAre4xx() {
        assertThat(translate(400, "invalid reference format: repository name must be lowercase")).isEqualTo(ErrorCode.INVALID_PARAMS);
        assertThat(translate(404, "No such image: a:b")).isEqualTo(ErrorCode.DOCKER_NOT_FOUND);
        assertThat(translate(409, "Conflict. The container name is already in use")).isEqualTo(ErrorCode.REPLICASET_EXISTS);
        assertThat(translate(500, "driver failed programming external connectivity: port is already allocated")).isEqualTo(ErrorCode.PORT_NOT_ENOUGH);
        assertThat(translate(500, "mkdir /var/lib/docker: read-only file system")).isEqualTo(ErrorCode.CONTAINER_RUN_FAILED);
    }

    @Test
    void anUntranslatedRefusalStillCarriesItsCode() {
        assertThat(new EngineException(400, "x", null).code()).isEqualTo(ErrorCode.INVALID_PARAMS);
        assertThat(new EngineException(404, "x", null).code().status().value()).isEqualTo(404);
        assertThat(new EngineException(409, "x", null).code().status().value()).isEqualTo(409);
        assertThat(new EngineException(500, "x", null).code().status().value()).isEqualTo(502);
    }

    private static ErrorCode translate(int status, String message) {
        return EngineErrors.translate(new EngineException(status, message, null), ErrorCode.CONTAINER_RUN_FAILED, ErrorCode.REPLICASET_EXISTS,
                "create replicaset 'foo'").code();
    }
}
