package io.gpudocker.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** ETags of the polled views and the 304 for a client that has the current one. */
class ConditionalGetsTest {
    private final ConditionalGets filter = new ConditionalGets();
    private int status = 200;
    private String body = "{\"code\":200,\"msg\":\"Success\",\"data\":[{\"name\":\"foo\",\"state\":\"running\"}]}";

    @Test
    void anUnchangedViewIsA304WithoutBodyAndAChangedOneAnswersWithItsNewTag() throws Exception {
        MockHttpServletResponse first = get("/api/v1/replicaSet", null);
        String tag = first.getHeader("ETag");
        assertThat(tag).matches("\"[0-9a-f]{32}\"");
        assertThat(first.getContentAsString()).isEqualTo(body);

        MockHttpServletResponse again = get("/api/v1/replicaSet", tag);
        assertThat(again.getStatus()).isEqualTo(304);
        assertThat(again.getContentAsByteArray()).isEmpty();
        assertThat(again.getHeader("ETag")).isEqualTo(tag);
        assertThat(get("/api/v1/replicaSet", "\"other\", W/" + tag).getStatus()).isEqualTo(304);

        body = body.replace("running", "stopped");
        MockHttpServletResponse changed = get("/api/v1/replicaSet", tag);
        assertThat(changed.getStatus()).isEqualTo(200);
        assertThat(changed.getContentAsString()).isEqualTo(body);
        assertThat(changed.getHeader("ETag")).isNotEqualTo(tag);
    }

    @Test
    void everyPolledViewIsTaggedButNotALogAWriteOrAFailure() throws Exception {
        for (String path : new String[] {"/api/v1/replicaSet/foo", "/api/v1/replicaSet/foo/history", "/api/v1/volumes", "/api/v1/volumes/data",
                "/api/v1/volumes/data/history", "/api/v1/resources/gpus", "/api/v1/nodes"}) {
            assertThat(get(path, null).getHeader("ETag")).as(path).isNotNull();
        }
        assertThat(get("/api/v1/replicaSet/foo/logs", null).getHeader("ETag")).isNull();
        MockHttpServletRequest patch = new MockHttpServletRequest("PATCH", "/api/v1/replicaSet/foo/stop");
        MockHttpServletResponse patched = new MockHttpServletResponse();
        filter.doFilter(patch, patched, chain());
        assertThat(patched.getHeader("ETag")).isNull();

        status = 404;
        MockHttpServletResponse missing = get("/api/v1/replicaSet/foo", "*");
        assertThat(missing.getStatus()).isEqualTo(404);
        assertThat(missing.getHeader("ETag")).isNull();
        assertThat(missing.getContentAsString()).isEqualTo(body);
    }

    @Test
    void aViewThatTagsItselfKeepsItsOwnTag() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/replicaSet");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> {
            ((jakarta.servlet.http.HttpServletResponse) res).setHeader("ETag", "\"rs-3-41-a\"");
            res.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(response.getHeader("ETag")).isEqualTo("\"rs-3-41-a\"");
        assertThat(response.getContentAsString()).isEqualTo(body);
    }

    private MockHttpServletResponse get(String path, String ifNoneMatch) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        if (ifNoneMatch != null) {
            request.addHeader("If-None-Match", ifNoneMatch);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain());
        return response;
    }

    private FilterChain chain() {
        return (request, response) -> {
            ((jakarta.servlet.http.HttpServletResponse) response).setStatus(status);
            response.setContentType("application/json");
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        };
    }
}
