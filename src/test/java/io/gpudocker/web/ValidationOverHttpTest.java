package io.gpudocker.web;

import io.gpudocker.api.ApiResponse;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.api.validation.VolumeName;
import io.gpudocker.replicaset.ReplicaSetRequests;
import io.gpudocker.volume.VolumeRequests;
import jakarta.validation.Valid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Requests through Spring MVC to handlers declared the way the controllers use the annotations: a constrained path
 * variable next to a checked body is Spring's method validation, a checked body alone its argument validation;
 * both answer with the rule's code and status. No application context, so no etcd or Docker.
 */
class ValidationOverHttpTest {
    private static final LocalValidatorFactoryBean VALIDATOR = new LocalValidatorFactoryBean();

    static {
        VALIDATOR.afterPropertiesSet();
    }

    @AfterAll
    static void close() { VALIDATOR.close(); }

    @RestController
    static class Handlers {
        @PostMapping("/replicaSet/{name}/execute")
        ApiResponse<Void> execute(@PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Execute body) {
            return ApiResponse.ok(null);
        }

        @PatchMapping("/volumes/{name}/size")
        ApiResponse<Void> resize(@PathVariable @VolumeName String name, @Valid @RequestBody VolumeRequests.Resize body) {
            return ApiResponse.ok(null);
        }

        @PostMapping("/replicaSet")
        ApiResponse<Void> create(@Valid @RequestBody ReplicaSetRequests.Create body) {
            return ApiResponse.ok(null);
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Handlers())
            .setControllerAdvice(new GlobalExceptionHandler())
            .setValidator(VALIDATOR)
            .build();

    @Test
    void pathVariableRuleComesFirst() throws Exception {
        mvc.perform(post("/replicaSet/a-b/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": []}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1003))
                .andExpect(jsonPath("$.msg").value("name 'a-b' cannot contain '-' (it separates the name from the version in container names); "
                        + "cmd must be a non-empty list of non-empty strings, e.g. [\"ls\", \"-l\"]"));
    }

    @Test
    void bodyNextToAValidPathVariable() throws Exception {
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"ls\"], \"workDir\": \"etc\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.msg").value("workDir 'etc' must be an absolute path"));
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"ls\"]}"))
                .andExpect(status().isOk());
    }

    @Test
    void volumeRules() throws Exception {
        mvc.perform(patch("/volumes/data/size").contentType(MediaType.APPLICATION_JSON).content("{\"size\": \"20XB\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1029));
        mvc.perform(patch("/volumes/my-data/size").contentType(MediaType.APPLICATION_JSON).content("{\"size\": \"1GB\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1031));
    }

    @Test
    void bodyAlone() throws Exception {
        mvc.perform(post("/replicaSet").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"imageName\": \"img\", \"replicaSetName\": \"\", \"binds\": [{\"src\": \"/tmp\", \"dest\": \"/\"}]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1002))
                .andExpect(jsonPath("$.msg").value("replicaSetName cannot be empty; binds[0] dest '/' would hide the system disk; mount below it"));
        mvc.perform(post("/replicaSet").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"gpuCount\": 100000}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1012));
    }
}
