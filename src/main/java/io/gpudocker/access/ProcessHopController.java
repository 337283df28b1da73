package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where another node's SSH gateway starts a process in an instance this node runs ({@link RemoteProcess}): only a
 * request signed by a node of the cluster is taken; no client reaches it with a token.
 */
@Hidden
@RestController
class ProcessHopController {
    private final ProcessHop hop;

    ProcessHopController(ProcessHop hop) {
        this.hop = hop;
    }

    @PostMapping("/access-hop/{name}/process")
    void process(@PathVariable String name, @RequestParam String spec, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        Caller caller = hop.carried(request).orElseThrow(() -> ApiException.of(ErrorCode.UNAUTHENTICATED, "only another node of the cluster starts processes here"));
        hop.start(name, RemoteProcess.decode(spec), caller, request, response);
    }
}
