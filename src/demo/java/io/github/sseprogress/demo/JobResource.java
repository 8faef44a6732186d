package io.github.sseprogress.demo;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Jobs with progress, the {@link Tracker}'s canonical trio:
 * <ul>
 *   <li>{@code POST /api/jobs?steps=N&delayMs=D&fail=BOOL} starts a simulated job on the container's
 *       {@code ManagedExecutorService}: {@code 202}, {@code Location: /api/jobs/{id}}, {@code {"id":"…"}};</li>
 *   <li>{@code GET /api/jobs/{id}} the latest snapshot (the standard {@link Progress} JSON), or 404;</li>
 *   <li>{@code GET /api/jobs/{id}/events} the job as Server-Sent Events: latest snapshot, live tail,
 *       terminal event, end of stream (404 unknown; 204 to a browser that already has the terminal);</li>
 *   <li>{@code DELETE /api/jobs/{id}} asks the job to cancel ({@link Tracker#cancel}): {@code 202} while
 *       it runs (the work stops at once, cleans up under the step "Cleaning up" for one delay, at most a
 *       second, and ends {@code cancelled}), {@code 409} once it has finished, {@code 404} unknown.</li>
 * </ul>
 * Ids are 128 random bits (URL-safe Base64): knowing one job's id tells nothing about another's.
 */
@ApplicationScoped
@Path("jobs")
public class JobResource {

    static final int MAX_STEPS = 1000;
    static final int MAX_DELAY_MS = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");

    @Inject
    Tracker tracker;

    @Resource
    ManagedExecutorService executor;

    /**
     * The parameters are read as text and parsed here: a JAX-RS {@code @QueryParam int} that does not
     * parse is answered {@code 404} with an empty body (the specification's rule for query parameters),
     * not the documented {@code 400} with a JSON error.
     */
    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response start(@QueryParam("steps") @DefaultValue("10") String stepsParam,
            @QueryParam("delayMs") @DefaultValue("500") String delayParam,
            @QueryParam("fail") @DefaultValue("false") String failParam,
            @Context UriInfo uriInfo) {
        int steps = intParam("steps", stepsParam, 1, MAX_STEPS);
        int delayMs = intParam("delayMs", delayParam, 0, MAX_DELAY_MS);
        boolean fail = booleanParam("fail", failParam);
        String id = newId();
        Tracker.Started started = tracker.start(topic(id));
        run(executor, started.job(), steps, delayMs, fail);
        URI location = uriInfo.getBaseUriBuilder().path("jobs").path(id).build();
        return Response.accepted("{\"id\":" + Problem.quote(id) + "}").type(MediaType.APPLICATION_JSON_TYPE)
                .location(location).build();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Object status(@PathParam("id") String id) {
        return tracker.latest(topic(checked(id))).<Object>map(Tracker.Snapshot::data)
                .orElse(Progress.indeterminate("Queued")); // 404 (JSON) when unknown
    }

    @DELETE
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) {
        if (tracker.cancel(topic(checked(id)))) { // 404 (JSON) when unknown
            return Response.accepted("{\"id\":" + Problem.quote(id) + ",\"cancelRequested\":true}")
                    .type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        throw Problem.conflict("The job has already finished");
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic(checked(id)), sink, sse, lastEventId); // 404 unknown, 204 after the terminal
    }

    /**
     * Runs {@link SimulatedWork} for a job this node just created: publishes "Queued", then submits the
     * work to the container's executor (the job ends {@code failed} when it cannot be submitted).
     */
    static void run(ManagedExecutorService executor, Job job, int steps, int delayMs, boolean fail) {
        job.publish(Progress.indeterminate("Queued").withMessage(steps + " steps, " + delayMs + " ms each"));
        try {
            executor.submit(job.wrap(() -> {
                try {
                    SimulatedWork.run(steps, delayMs, fail);
                } finally {
                    job.finish(Progress.failed("The job did not complete")); // safety net: a no-op after a finish
                }
            }));
        } catch (RuntimeException rejected) {
            job.finish(Progress.failed("The server is too busy to run the job"));
            throw rejected;
        }
    }

    /** An integer query parameter within [min, max], or {@code 400} naming it. */
    static int intParam(String name, String value, int min, int max) {
        int parsed;
        try {
            parsed = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw Problem.badRequest(name + " must be an integer between " + min + " and " + max + ": " + value);
        }
        if (parsed < min || parsed > max) {
            throw Problem.badRequest(name + " must be between " + min + " and " + max + ": " + parsed);
        }
        return parsed;
    }

    /** {@code true} or {@code false} (any case), or {@code 400} naming the parameter. */
    static boolean booleanParam(String name, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw Problem.badRequest(name + " must be true or false: " + value);
    }

    /** The Tracker topic of a job id, also used by {@link DemoStreamKeys} for {@code job:ID}. */
    static String topic(String id) {
        return "job/" + id;
    }

    static boolean isId(String id) {
        return ID.matcher(id).matches();
    }

    private static String checked(String id) {
        if (!ID.matcher(id).matches()) {
            throw Problem.notFound("No such job");
        }
        return id;
    }

    private static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The work: N steps ("items"), D ms each, reporting through {@link Job#current()} like real code would.
     * It first counts its items for one delay without a percentage ({@link Progress#indeterminate}), then
     * runs them in three weighted sub-steps ({@link Job#step}: "Preparing" the first 20 % of the items,
     * "Processing" the middle, "Finishing" the last 10 %; a phase without items is left out), each
     * reporting its own 0–100 %, so the job's bar, rate and remaining time come from the roll-up.
     * Cancel: the {@link Job#onCancel} callback ends the current wait at once; the work then "cleans up"
     * for one delay (at most a second) under the step "Cleaning up", which the page shows as
     * "cancelling…" (the snapshots carry {@code cancelRequested}), and ends the job {@code cancelled}.
     */
    static final class SimulatedWork {

        /** The phases' shares of the items; the middle one takes what the others leave. */
        private static final String[] PHASES = {"Preparing", "Processing", "Finishing"};
        private static final double[] SHARES = {0.2, 0, 0.1};
        static final int MAX_CLEAN_UP_MS = 1000;

        private SimulatedWork() {
        }

        static void run(int steps, int delayMs, boolean fail) {
            Job job = Job.current();
            int failAt = (steps + 1) / 2;
            CountDownLatch cancelled = new CountDownLatch(1);
            job.onCancel(cancelled::countDown); // ends the wait below at once (harmless once the work is done)
            job.publish(Progress.indeterminate("Counting items").withMessage(steps + " steps, " + delayMs + " ms each"));
            if (!sleep(cancelled, delayMs) || job.isFinished()) {
                return; // interrupted (application stopping) or dropped: the safety net finishes it
            }
            if (job.isCancelRequested()) {
                cancel(job, job.step("Cleaning up", 1), "Counting items", 0, 1, delayMs);
                return;
            }
            int[] counts = phaseCounts(steps);
            int step = 0;
            for (int phase = 0; phase < PHASES.length; phase++) {
                if (counts[phase] == 0) {
                    continue;
                }
                try (Job.Step current = job.step(PHASES[phase], 100.0 * counts[phase] / steps)) {
                    for (int item = 1; item <= counts[phase]; item++) {
                        step++;
                        boolean slept = sleep(cancelled, delayMs);
                        if (job.isCancelRequested()) {
                            cancel(job, current.step("Cleaning up", 1), PHASES[phase], (step - 1) * 100 / steps, step, delayMs);
                            return;
                        }
                        if (!slept || job.isFinished()) {
                            return;
                        }
                        if (fail && step == failAt) {
                            job.finish(new Progress(Progress.Status.FAILED, (step - 1) * 100 / steps, PHASES[phase],
                                    "Simulated failure in step " + step, null));
                            return;
                        }
                        current.progress(100.0 * item / counts[phase]);
                    }
                }
            }
            job.finish(Progress.completed(Map.of("steps", steps)).withMessage("All " + steps + " steps done"));
        }

        /** Items per phase: 20 % and 10 % of them (rounded) for the first and last, the rest in the middle. */
        static int[] phaseCounts(int steps) {
            int first = (int) Math.round(steps * SHARES[0]);
            int last = (int) Math.round(steps * SHARES[2]);
            return new int[] {first, steps - first - last, last};
        }

        /**
         * The cancel path: the open "Cleaning up" step (a new step name: the snapshot is sent, with
         * {@code cancelRequested}) for one delay, at most {@link #MAX_CLEAN_UP_MS}, then the terminal, naming
         * the phase it stopped in.
         */
        private static void cancel(Job job, Job.Step cleanUp, String phase, int done, int step, int delayMs) {
            try (cleanUp) {
                sleep(new CountDownLatch(1), Math.min(delayMs, MAX_CLEAN_UP_MS));
                job.finish(new Progress(Progress.Status.CANCELLED, done, phase, "Cancelled before step " + step, null));
            }
        }

        /** Waits {@code millis} or until {@code cancelled}; false when the thread was interrupted. */
        private static boolean sleep(CountDownLatch cancelled, int millis) {
            try {
                cancelled.await(millis, TimeUnit.MILLISECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
