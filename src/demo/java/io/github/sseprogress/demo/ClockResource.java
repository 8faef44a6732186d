package io.github.sseprogress.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /api/clock/events}: a polling topic. The first subscriber starts a poll of the server's
 * time every second ({@code {"time":"2026-01-01T12:00:00Z"}}), the last one leaving stops it; nobody
 * connected, no work.
 */
@ApplicationScoped
@Path("clock")
public class ClockResource {

    static final String TOPIC = "clock";

    /** The clock topic's settings, also used by {@link DemoStreamKeys} for the key {@code topic:clock}. */
    static final SubscribeOptions CLOCK = SubscribeOptions.builder()
            .polling(Polling.of(cancel -> Map.of("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()))
                    .every(Duration.ofSeconds(1)))
            .build();

    @Inject
    Manager topics;

    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe(TOPIC, sink, sse, CLOCK);
    }
}
