package io.github.sseprogress.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.microprofile.config.ConfigProvider;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.config.Scheduling;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** IT-only: polling topics, and what executor the library runs on. */
@Path("probe")
@RequestScoped
public class ProbeResource {

    @Inject
    Manager topics;

    @Inject
    PollingRecorder recorder;

    /** The library's own executor seam (produced once from the container's default). */
    @Inject
    Scheduling scheduling;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService containerDefault;

    /**
     * Subscribes to a polling topic ({@code poll/<topic>}); every subscriber brings its own Polling,
     * polled every {@code everyMs} ({@code 0}: no interval given, the configured default applies).
     */
    @GET
    @Path("poll/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void poll(@PathParam("topic") String topic, @QueryParam("everyMs") @DefaultValue("200") long everyMs,
            @Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe("poll/" + topic, sink, sse, SubscribeOptions.builder()
                .polling(recorder.polling(topic, everyMs > 0 ? Duration.ofMillis(everyMs) : null)).build());
    }

    @GET
    @Path("poll/{topic}/state")
    @Produces(MediaType.APPLICATION_JSON)
    public String pollState(@PathParam("topic") String topic) {
        PollingRecorder.Record r = recorder.record(topic);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", topics.subscriberCount("poll/" + topic));
        m.put("instances", r.instances.get());
        m.put("polls", r.polls.get());
        m.put("stops", r.stops.get());
        m.put("polledInstances", new TreeSet<>(r.polledInstances).toString());
        m.put("thread", r.thread);
        m.put("managedLookup", r.managedLookup);
        m.put("appClassLoader", r.appClassLoader);
        return ItJson.of(m);
    }

    /** A MicroProfile Config value as the application sees it ("" when unset). */
    @GET
    @Path("config/{key}")
    @Produces(MediaType.TEXT_PLAIN)
    public String config(@PathParam("key") String key) {
        return ConfigProvider.getConfig().getOptionalValue(key, String.class).orElse("");
    }

    /** The executor behind the library's scheduling, compared with the container's default. */
    @GET
    @Path("executor")
    @Produces(MediaType.APPLICATION_JSON)
    public String executor() {
        ScheduledExecutorService used = scheduling.executor();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("libraryExecutor", used.getClass().getName());
        m.put("managed", used instanceof ManagedScheduledExecutorService);
        m.put("containerDefault", containerDefault == null ? "null" : containerDefault.getClass().getName());
        return ItJson.of(m);
    }
}
