package io.github.sseprogress.it;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * IT-only ({@link FirstUseIT}): the application's first use of the library on a thread the container does not
 * manage ({@code ForkJoinPool.commonPool()}, as {@code CompletableFuture.runAsync} without an executor uses it):
 * a job started and a snapshot published there, a topic event published there.
 */
@Path("first-use")
@ApplicationScoped
public class FirstUseResource {

    @Inject
    Tracker tracker;

    @Inject
    Manager topics;

    /** Starts job {@code id} and publishes 40 % on a common-pool thread: 200 with the thread's name, or 500 with the failure. */
    @POST
    @Path("jobs/{id}")
    @Produces(MediaType.TEXT_PLAIN)
    public Response startJob(@PathParam("id") String id) {
        return unmanaged(() -> tracker.start(JobResource.topic(id)).job()
                .publish(Progress.processing(40, "unmanaged")));
    }

    /** Publishes {@code text} to topic {@code topic} (TopicResource's prefix) on a common-pool thread. */
    @POST
    @Path("topics/{topic}/{text}")
    @Produces(MediaType.TEXT_PLAIN)
    public Response publish(@PathParam("topic") String topic, @PathParam("text") String text) {
        return unmanaged(() -> topics.publish(TopicResource.PREFIX + topic, text));
    }

    private static Response unmanaged(Runnable use) {
        try {
            String thread = CompletableFuture.supplyAsync(() -> {
                use.run();
                return Thread.currentThread().getName();
            }, ForkJoinPool.commonPool()).get(30, TimeUnit.SECONDS);
            return Response.ok(thread).build();
        } catch (ExecutionException e) {
            return Response.serverError().entity(String.valueOf(e.getCause())).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.serverError().entity(String.valueOf(e)).build();
        } catch (TimeoutException e) {
            return Response.serverError().entity(String.valueOf(e)).build();
        }
    }
}
