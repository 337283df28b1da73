package io.gpudocker.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.validation.ReplicaSetName;
import io.gpudocker.replicaset.ReplicaSetRequests;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.validation.Valid;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The body cap (announced and counted) and the bounds on commands and environments, through Spring MVC. */
class RequestLimitsTest {
    private static final LocalValidatorFactoryBean VALIDATOR = new LocalValidatorFactoryBean();
    private static final int LIMIT = 16 * 1024;

    static {
        VALIDATOR.afterPropertiesSet();
    }

    @AfterAll
    static void close() { VALIDATOR.close(); }

    @RestController
    static class Handlers {
        @PostMapping("/echo")
        ApiResponse<Integer> echo(@RequestBody Map<String, Object> body) {
            return ApiResponse.ok(body.size());
        }

        @PostMapping("/replicaSet/{name}/execute")
        ApiResponse<Void> execute(@PathVariable @ReplicaSetName String name, @Valid @RequestBody ReplicaSetRequests.Execute body) {
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
            .addFilters(hideLength(), new BodySizeLimit(LIMIT))
            .build();

    @Test
    void aBodyAnnouncedOverTheLimitIsRefusedUnread() throws Exception {
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(LIMIT + 1)))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.code").value(1064))
                .andExpect(jsonPath("$.msg").value("the request body has " + (LIMIT + 1) + " bytes; at most " + LIMIT + " are accepted (gda.limits.max-body-size)"));
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(LIMIT - 100)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.data").value(1));
    }

    @Test
    void aBodyWithoutALengthIsCountedWhileRead() throws Exception {
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(LIMIT + 1)).with(chunked()))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.code").value(1064))
                .andExpect(jsonPath("$.msg").value("the request body is larger than " + LIMIT + " bytes, the most this service accepts (gda.limits.max-body-size)"));
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(LIMIT - 100)).with(chunked()))
                .andExpect(status().isOk());
    }

    @Test
    void executeBoundsTheCommand() throws Exception {
        String longArg = "x".repeat(4097);
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"echo\", \"" + longArg + "\"]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.msg").value(org.hamcrest.Matchers.startsWith("cmd[1] must be at most 4096 characters")));
        String manyArgs = String.join(",", Collections.nCopies(257, "\"a\""));
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [" + manyArgs + "]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.msg").value(org.hamcrest.Matchers.startsWith("cmd must have at most 256 entries")));
        mvc.perform(post("/replicaSet/foo/execute").contentType(MediaType.APPLICATION_JSON).content("{\"cmd\": [\"echo\", \"" + "x".repeat(4096) + "\"]}"))
                .andExpect(status().isOk());
    }

    @Test
    void createBoundsEnvironmentEntries() throws Exception {
        mvc.perform(post("/replicaSet").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"imageName\": \"img\", \"replicaSetName\": \"foo\", \"env\": [\"K=" + "v".repeat(4096) + "\"]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value(1000))
                .andExpect(jsonPath("$.msg").value(org.hamcrest.Matchers.startsWith("env[0] must be at most 4096 characters")));
    }

    /** A JSON object of exactly {@code bytes} bytes. */
    private static String json(int bytes) {
        String frame = "{\"k\": \"\"}";
        return "{\"k\": \"" + "v".repeat(bytes - frame.length()) + "\"}";
    }

    /** Marks a request to arrive as a chunked upload does: without a length. */
    private static RequestPostProcessor chunked() {
        return request -> {
            request.addHeader(CHUNKED, "true");
            return request;
        };
    }

    private static final String CHUNKED = "X-Test-Chunked";

    /** MockMvc always knows the length of its content; this hides it from the filters after it. */
    private static Filter hideLength() {
        return (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            chain.doFilter(http.getHeader(CHUNKED) == null ? request : new HttpServletRequestWrapper(http) {
                @Override
                public int getContentLength() { return -1; }

                @Override
                public long getContentLengthLong() { return -1; }
            }, response);
        };
    }
}
