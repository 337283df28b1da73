package io.gpudocker.event;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.Caller;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "events", description = "Every state change, version, reclaim warning and action, schedule run and node up or down, as Server-Sent Events")
class EventController {
    private final EventStreams streams;

    EventController(EventStreams streams) {
        this.streams = streams;
    }

    @GetMapping(value = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @RunsOn(Where.HERE)
    @Operation(summary = "The cluster's events as Server-Sent Events, from any node: each an `id` (increasing) and `data` (the event as JSON). "
            + "A tenant sees the events of its own instances, the admin every event. Without Last-Event-ID or since only events still to come; "
            + "with one, first the kept events after it (the last gda.events.history), in order",
            responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200",
                    description = "the stream: per event `id: <id>` and `data: <the event as JSON>`, a blank line after each",
                    content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(implementation = Event.class))))
    SseEmitter events(@Parameter(description = "resume after this event id (what an EventSource sends when it connects again)")
                      @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId,
                      @Parameter(description = "as Last-Event-ID, for a client that cannot set headers; 0: every event kept", example = "0")
                      @RequestParam(required = false) String since,
                      @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return streams.open(caller, afterId(lastEventId != null && !lastEventId.isBlank() ? lastEventId : since));
    }

    private static Long afterId(String given) {
        if (given == null) {
            return null;
        }
        try {
            long id = Long.parseLong(given.trim());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.of(ErrorCode.EVENT_ID_INVALID, "'%s' is not an event id: a whole number, 0 or more", given);
    }
}
