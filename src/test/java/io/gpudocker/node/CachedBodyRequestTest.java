package io.gpudocker.node;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ReadListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class CachedBodyRequestTest {

    @Test
    void theBodyIsReadOnceAndServedAgainToWhoeverHandlesTheCall() throws Exception {
        MockHttpServletRequest raw = new MockHttpServletRequest("POST", "/api/v1/replicaSet");
        raw.setContent("{\"gpuCount\":1}".getBytes(StandardCharsets.UTF_8));
        CachedBodyRequest cached = CachedBodyRequest.of(raw);

        assertThat(new String(cached.body(), StandardCharsets.UTF_8)).isEqualTo("{\"gpuCount\":1}");
        assertThat(new String(cached.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"gpuCount\":1}");
        assertThat(cached.getReader().readLine()).isEqualTo("{\"gpuCount\":1}");
        assertThat(cached.getContentLength()).isEqualTo(14);
        assertThat(CachedBodyRequest.of(cached)).isSameAs(cached);

        List<String> events = new ArrayList<>();
        cached.getInputStream().setReadListener(new ReadListener() {
            @Override
            public void onDataAvailable() { events.add("available"); }

            @Override
            public void onAllDataRead() { events.add("all read"); }

            @Override
            public void onError(Throwable t) { events.add("error"); }
        });
        assertThat(events).containsExactly("available", "all read");
    }
}
