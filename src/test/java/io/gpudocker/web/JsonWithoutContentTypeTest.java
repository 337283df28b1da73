package io.gpudocker.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.volume.VolumeRequests;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Bodies as the original's clients send them: no content type, or curl's form type around JSON. */
class JsonWithoutContentTypeTest {

    @RestController
    static class Handlers {
        @PostMapping("/api/v1/volumes")
        ApiResponse<String> create(@RequestBody VolumeRequests.Create body) {
            return ApiResponse.ok(body.name() + "/" + body.size());
        }

        @PatchMapping("/api/v1/volumes/data/size")
        ApiResponse<String> resize(@RequestBody VolumeRequests.Resize body, @RequestParam(defaultValue = "false") boolean force) {
            return ApiResponse.ok(body.size() + "/" + force);
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Handlers())
            .setControllerAdvice(new GlobalExceptionHandler())
            .addFilters(new JsonWithoutContentType())
            .build();

    @Test
    void aBodyWithoutContentTypeIsReadAsJson() throws Exception {
        mvc.perform(post("/api/v1/volumes").content("{\"name\": \"data\", \"size\": \"20GB\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.data").value("data/20GB"));
    }

    @Test
    void curlsFormTypeAroundJsonIsReadAsJsonAndTheQueryStillCounts() throws Exception {
        mvc.perform(patch("/api/v1/volumes/data/size?force=true").contentType(MediaType.APPLICATION_FORM_URLENCODED).content("{\"size\": \"50GB\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.data").value("50GB/true"));
    }

    @Test
    void anotherDeclaredTypeIsStillRefused() throws Exception {
        mvc.perform(post("/api/v1/volumes").contentType(MediaType.APPLICATION_XML).content("<name>data</name>"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000));
    }
}
