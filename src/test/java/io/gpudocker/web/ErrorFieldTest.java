package io.gpudocker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.MemorySizeValidator;
import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.replicaset.ReplicaSetRequests;
import io.gpudocker.replicaset.SpecValidator;
import io.gpudocker.volume.VolumeSize;
import jakarta.validation.Valid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The envelope's {@code field}: the request field a failure is about, from Bean Validation, from Jackson and from
 * the hand-written checks; left out of the body when no single field is at fault, with code, msg and data as ever.
 */
class ErrorFieldTest {
    private static final LocalValidatorFactoryBean VALIDATOR = new LocalValidatorFactoryBean();

    static {
        VALIDATOR.afterPropertiesSet();
    }

    @AfterAll
    static void close() { VALIDATOR.close(); }

    @RestController
    static class Handlers {
        @PostMapping("/replicaSet")
        ApiResponse<Void> create(@Valid @RequestBody ReplicaSetRequests.Create body) {
            SpecValidator.gpuCount(body.gpuCount(), 2);
            MemorySizeValidator.bytes(body.memory(), "memory");
            return ApiResponse.ok(null);
        }

        @PostMapping("/replicaSet/{name}/execute")
        ApiResponse<Void> execute(@PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Execute body) {
            return ApiResponse.ok(null);
        }

        @PatchMapping("/volumes/{name}/size")
        ApiResponse<Void> resize(@PathVariable String name, @RequestBody java.util.Map<String, String> body) {
            VolumeSize.parse(body.get("size"));
            return ApiResponse.ok(null);
        }

        @GetMapping("/replicaSet/{name}/logs")
        ApiResponse<Void> logs(@PathVariable String name, @RequestParam int tail) {
            throw ApiException.of(ErrorCode.REPLICASET_NOT_FOUND, "replicaset '%s' not found", name);
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Handlers())
            .setControllerAdvice(new GlobalExceptionHandler())
            .setValidator(VALIDATOR)
            .build();

    private ResultActions create(String json) throws Exception {
        return mvc.perform(post("/replicaSet").contentType(MediaType.APPLICATION_JSON).content(json));
    }

    @Test
    void aBodyFieldBreakingARuleIsNamed() throws Exception {
        create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"gpuCount\": -1}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1012))
                .andExpect(jsonPath("$.msg").value("gpuCount must be >= 0, got -1"))
                .andExpect(jsonPath("$.data").value(org.hamcrest.Matchers.nullValue()))
                .andExpect(jsonPath("$.field").value("gpuCount"));
    }

    @Test
    void withSeveralInvalidFieldsTheFieldIsTheOneTheCodeIsAbout() throws Exception {
        create("{\"imageName\": \"img\", \"replicaSetName\": \"\", \"binds\": [{\"src\": \"/tmp\", \"dest\": \"/\"}]}")
                .andExpect(jsonPath("$.code").value(1002))
                .andExpect(jsonPath("$.field").value("replicaSetName"));
        create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"binds\": [{\"src\": \"/a\", \"dest\": \"/x\"}, {\"src\": \"/b\", \"dest\": \"rel\"}]}")
                .andExpect(jsonPath("$.code").value(1040))
                .andExpect(jsonPath("$.field").value("binds[1]"));
    }

    @Test
    void aBadPathVariableIsNamedByItsParameter() throws Exception {
        mvc.perform(post("/replicaSet/a-b/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"ls\"]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1003))
                .andExpect(jsonPath("$.field").value("name"));
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"ls\"], \"workDir\": \"etc\"}"))
                .andExpect(jsonPath("$.field").value("workDir"));
    }

    @Test
    void aValueJsonCannotReadIsNamedByItsPath() throws Exception {
        create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"gpuCount\": \"many\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.field").value("gpuCount"));
        create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"binds\": [{\"src\": \"/a\", \"dest\": [1]}]}")
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.field").value("binds[0].dest"));
    }

    @Test
    void aJsonSyntaxErrorOutsideAnyFieldNamesNone() throws Exception {
        String body = create("{\"imageName\": ").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000)).andReturn().getResponse().getContentAsString();
        assertThat(body).doesNotContain("\"field\"");
    }

    @Test
    void aHandWrittenCheckNamesItsField() throws Exception {
        create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"gpuCount\": 3}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1012))
                .andExpect(jsonPath("$.msg").value("gpuCount 3 exceeds the 2 GPU(s) this host has"))
                .andExpect(jsonPath("$.field").value("gpuCount"));
        mvc.perform(patch("/volumes/data/size").contentType(MediaType.APPLICATION_JSON).content("{\"size\": \"20GiB\"}"))
                .andExpect(jsonPath("$.code").value(1029))
                .andExpect(jsonPath("$.msg").value("size '20GiB' is invalid: expected a positive number followed by KB, MB, GB or TB, e.g. 20GB or 1.5TB (units are 1024-based: 1KB = 1024 bytes)"))
                .andExpect(jsonPath("$.field").value("size"));
    }

    @Test
    void aFailureAboutNoFieldLeavesTheMemberOut() throws Exception {
        String body = mvc.perform(get("/replicaSet/foo/logs").param("tail", "5"))
                .andExpect(status().isNotFound())
                .andReturn().getResponse().getContentAsString();
        assertThat(body).isEqualTo("{\"code\":1016,\"msg\":\"replicaset 'foo' not found\",\"data\":null}");
        String ok = create("{\"imageName\": \"img\", \"replicaSetName\": \"foo\"}").andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(ok).isEqualTo("{\"code\":200,\"msg\":\"Success\",\"data\":null}");
    }

    @Test
    void aQueryParameterOfTheWrongTypeIsNamed() throws Exception {
        mvc.perform(get("/replicaSet/foo/logs").param("tail", "many"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.field").value("tail"));
    }

    @Test
    void onFieldKeepsCodeAndMessage() {
        ApiException e = ApiException.of(ErrorCode.VOLUME_EXISTS, "volume '%s' already exists", "data").onField("name");
        assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_EXISTS);
        assertThat(e.getMessage()).isEqualTo("volume 'data' already exists");
        assertThat(e.field()).isEqualTo("name");
        assertThat(ApiException.of(ErrorCode.BUSY, "busy").field()).isNull();
    }
}
