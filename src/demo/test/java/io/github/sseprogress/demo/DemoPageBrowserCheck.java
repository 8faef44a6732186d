package io.github.sseprogress.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in headless Chromium against the demo WAR on a real Open Liberty: a job's bar
 * reaches 100 % and "completed", a failing job shows "failed", a reload in the middle of a job
 * resumes the bar where the job is (never from 0), the topic feed shows what is published, the page
 * shows which node served it and follows shared jobs (started here or elsewhere). Also checks the
 * demo's HTTP contract with plain requests, {@code /api/node} and {@code /api/shared/...} included.
 * The page follows everything over one connection (issue 12): with ten jobs running it holds at most
 * two connections to the server (counted by wrapping {@code EventSource} and {@code WebSocket} in a
 * script Chromium runs before the page's own), and a reload mid-job resumes every bar, over SSE
 * ({@code /api/streams}) and over WebSocket ({@code /api/ws}); the multiplexed endpoints' wire
 * formats are checked with plain clients. Saves screenshots under target/.
 *
 * <p>The Liberty server (created by the it-browser profile) is started and stopped here, so it runs
 * only while this class does. Run with {@code mvn verify -Pit-browser}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoPageBrowserCheck {

    private static final Duration SERVER_START = Duration.ofSeconds(240);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);

    private static final String WLP = System.getProperty("demo.wlpHome", "target/liberty/wlp");
    private static final String SERVER = System.getProperty("demo.serverName", "sseBrowserServer");
    private static final URI BASE = URI.create(System.getProperty("demo.url", "http://localhost:19680/"));
    private static final Path SHOTS = Path.of(System.getProperty("demo.screenshotDir", "target"));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static WebDriver driver;
    private static Path profileDir;

    @BeforeAll
    static void startServerAndBrowser() throws Exception {
        int code = server("start", "--clean");
        System.out.println("server start " + SERVER + " exited " + code);
        awaitPage(BASE, SERVER_START);

        profileDir = Files.createTempDirectory("sse-demo-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("demo.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update",
                "--disable-sync", "--window-size=1100,1300", "--user-data-dir=" + profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("demo.chromedriver", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        // before any script of every page this browser loads: count the connections the page opens
        chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", CONNECTION_COUNTER));
        driver = chrome;
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBrowserAndServer() throws Exception {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            System.out.println("server stop " + SERVER + " exited " + server("stop"));
            if (profileDir != null) {
                deleteTree(profileDir);
            }
        }
    }

    @Test
    @Order(1)
    void httpContract() throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(BASE).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("sse-progress demo");

        HttpResponse<String> module = send(HttpRequest.newBuilder(BASE.resolve("sse-progress/sse-progress.js")).GET());
        assertThat(module.statusCode()).as("the browser module served from the library jar").isEqualTo(200);
        assertThat(module.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(module.body()).contains("export function trackJob", "export function followTopic", "export function connect");

        HttpResponse<String> started = send(HttpRequest.newBuilder(BASE.resolve("api/jobs?steps=2&delayMs=50&fail=false"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.statusCode()).isEqualTo(202);
        String id = started.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(id).matches("[A-Za-z0-9_-]{22}");
        assertThat(started.headers().firstValue("Location").orElseThrow()).endsWith("/api/jobs/" + id);

        HttpResponse<String> status = send(HttpRequest.newBuilder(BASE.resolve("api/jobs/" + id)).GET());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"status\":");

        HttpResponse<String> unknown = send(HttpRequest.newBuilder(BASE.resolve("api/jobs/AAAAAAAAAAAAAAAAAAAAAA")).GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> unknownEvents = send(HttpRequest.newBuilder(BASE.resolve("api/jobs/AAAAAAAAAAAAAAAAAAAAAA/events"))
                .header("Accept", "text/event-stream").GET());
        assertThat(unknownEvents.statusCode()).isEqualTo(404);

        HttpResponse<String> badName = send(HttpRequest.newBuilder(BASE.resolve("api/topics/news?event=a%0Ab"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        assertThat(badName.body()).contains("\"error\":");
        HttpResponse<String> badId = send(HttpRequest.newBuilder(BASE.resolve("api/topics/news?id=1%0D2"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(badId.statusCode()).isEqualTo(400);
        HttpResponse<String> badJob = send(HttpRequest.newBuilder(BASE.resolve("api/jobs?steps=0"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(badJob.statusCode()).isEqualTo(400);
    }

    /**
     * The demo's documented error answers (README, "Demo"): parameters that do not parse are 400 with a
     * JSON error (JAX-RS alone answers an unparsable {@code @QueryParam int} with an empty 404), a body
     * over the topic limit is 413, and a client-chosen event id on the (replaying) topic is refused, not
     * replaced silently by the replay store's.
     */
    @Test
    @Order(1)
    void httpContractErrorsAreJson() throws Exception {
        for (String query : List.of("steps=abc", "steps=", "delayMs=soon", "delayMs=-1", "fail=maybe", "steps=1001")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(BASE.resolve("api/jobs?" + query))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertJsonError(r, 400, "POST api/jobs?" + query);
            assertThat(r.body()).contains(query.substring(0, query.indexOf('=')));
        }

        String topic = "contract-" + System.nanoTime();
        HttpResponse<String> atLimit = send(HttpRequest.newBuilder(BASE.resolve("api/topics/" + topic))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024))));
        assertThat(atLimit.statusCode()).as("a body of exactly 64 Ki characters").isEqualTo(202);
        HttpResponse<String> tooLarge = send(HttpRequest.newBuilder(BASE.resolve("api/topics/" + topic))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024 + 1))));
        assertJsonError(tooLarge, 413, "a body over the topic limit");

        HttpResponse<String> chosenId = send(HttpRequest.newBuilder(BASE.resolve("api/topics/" + topic + "?id=7"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertJsonError(chosenId, 400, "a client-chosen id on the replay topic");
        assertThat(chosenId.body()).contains("id");
    }

    /**
     * {@code GET /api/node} on a single node, and the shared jobs ({@code Tracker.startOrJoin} by name):
     * the first POST creates ({@code "new":true}), later ones join, also after the end while the job is
     * retained; status, events and the announcement topic.
     */
    @Test
    @Order(1)
    void httpContractNodeAndSharedJobs() throws Exception {
        HttpResponse<String> node = send(HttpRequest.newBuilder(BASE.resolve("api/node")).GET());
        assertThat(node.statusCode()).isEqualTo(200);
        assertThat(node.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        assertThat(node.body()).matches("\\{\"node\":\"[^\"]+\",\"cluster\":false\\}");

        String name = "contract-" + System.nanoTime();
        List<String> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread listener = listen(BASE.resolve("api/shared-jobs/events"), announced);
        try {
            awaitTrue(() -> listening.get(), Duration.ofSeconds(10), "the announcement stream opened");
            HttpResponse<String> started = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name + "?steps=5&delayMs=400"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(started.statusCode()).isEqualTo(202);
            assertThat(started.headers().firstValue("Content-Type").orElse("")).contains("application/json");
            assertThat(started.body()).isEqualTo("{\"id\":\"" + name + "\",\"new\":true}");
            assertThat(started.headers().firstValue("Location").orElseThrow()).endsWith("/api/shared/" + name);

            HttpResponse<String> joined = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name + "?steps=9"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(joined.statusCode()).isEqualTo(202);
            assertThat(joined.body()).isEqualTo("{\"id\":\"" + name + "\",\"new\":false}");
            assertThat(joined.headers().firstValue("Location").orElseThrow()).endsWith("/api/shared/" + name);

            HttpResponse<String> status = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name)).GET());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"status\":\"processing\"");

            HttpResponse<String> events = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name + "/events"))
                    .header("Accept", "text/event-stream").GET()); // ends with the job's terminal event
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.headers().firstValue("Content-Type").orElse("")).contains("text/event-stream");
            assertThat(events.body()).contains("\"status\":\"completed\"", "\"steps\":5");
            awaitTrue(() -> announced.stream().anyMatch(l -> l.contains("\"name\":\"" + name + "\"")), Duration.ofSeconds(10),
                    "the new shared job announced on api/shared-jobs/events: " + announced);
            assertThat(announced.stream().filter(l -> l.contains("\"name\":\"" + name + "\""))).as("announced once").hasSize(1);
        } finally {
            listener.interrupt();
        }

        HttpResponse<String> after = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(after.body()).as("a finished job still retained is joined").isEqualTo("{\"id\":\"" + name + "\",\"new\":false}");
        assertThat(send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name)).GET()).body()).contains("\"status\":\"completed\"");

        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/no-such-" + System.nanoTime())).GET()), 404, "an unknown shared job");
        assertThat(send(HttpRequest.newBuilder(BASE.resolve("api/shared/no-such-" + System.nanoTime() + "/events"))
                .header("Accept", "text/event-stream").GET()).statusCode()).isEqualTo(404);
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/-bad")).POST(HttpRequest.BodyPublishers.noBody())),
                400, "an invalid shared job name");
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + "x".repeat(65))).POST(HttpRequest.BodyPublishers.noBody())),
                400, "a shared job name over 64 characters");
        for (String query : List.of("steps=abc", "delayMs=-1", "fail=maybe")) {
            assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/valid-name?" + query))
                    .POST(HttpRequest.BodyPublishers.noBody())), 400, "POST api/shared/valid-name?" + query);
        }
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/valid-name")).GET()), 404,
                "a name whose POSTs were all refused was never started");
    }

    private static final java.util.concurrent.atomic.AtomicBoolean listening = new java.util.concurrent.atomic.AtomicBoolean();

    /** Reads the SSE stream's data lines into {@code lines} on a daemon thread until interrupted. */
    private static Thread listen(URI uri, List<String> lines) {
        listening.set(false);
        Thread t = new Thread(() -> {
            try {
                HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                    listening.set(r.statusCode() == 200);
                    String line;
                    while (!Thread.currentThread().isInterrupted() && (line = in.readLine()) != null) {
                        if (line.startsWith("data:")) {
                            lines.add(line);
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // stopped
            }
        }, "announcements");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            sleep(100);
        }
    }

    private static void assertJsonError(HttpResponse<String> r, int status, String what) {
        assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what).contains("application/json");
        assertThat(r.body()).as(what).startsWith("{\"status\":" + status + ",\"error\":\"");
    }

    @Test
    @Order(2)
    void jobRunsToCompletion() {
        openPage();
        String id = startJob(6, 300, false);
        WebElement card = awaitStatus(id, "completed");
        assertThat(card.getDomAttribute("data-progress")).isEqualTo("100");
        assertThat(card.findElement(By.cssSelector(".pct")).getText()).isEqualTo("100%");
        assertThat(card.findElement(By.cssSelector(".status")).getText()).isEqualToIgnoringCase("completed");
        assertThat(card.findElement(By.cssSelector(".bar")).getDomAttribute("style")).contains("width: 100%");
        List<Integer> history = history(card);
        assertThat(history).as("progress values seen").isSorted().contains(100);
    }

    @Test
    @Order(3)
    void failingJobShowsFailed() {
        openPage();
        String id = startJob(6, 300, true);
        WebElement card = awaitStatus(id, "failed");
        assertThat(card.findElement(By.cssSelector(".status")).getText()).isEqualToIgnoringCase("failed");
        assertThat(card.findElement(By.cssSelector(".message")).getText()).contains("Simulated failure");
        assertThat(Integer.parseInt(card.getDomAttribute("data-progress"))).isLessThan(100);
    }

    @Test
    @Order(4)
    void topicFeedShowsPublishedEvent() {
        openPage();
        wait(Duration.ofSeconds(30)).until(d -> d.findElement(By.id("topic-state")).getText().equals("live"));
        String text = "hello from Chromium " + System.nanoTime();
        driver.findElement(By.id("message")).sendKeys(text);
        driver.findElement(By.id("publish")).click();
        wait(Duration.ofSeconds(30)).until(d -> d.findElement(By.id("feed")).getText().contains(text));
        assertThat(driver.findElement(By.id("publish-error")).isDisplayed()).isFalse();
        assertThat(driver.findElements(By.cssSelector("#feed .text"))).as("feed rows")
                .allSatisfy(row -> assertThat(row.getText()).isNotBlank());
    }

    @Test
    @Order(5)
    void moduleSurfacesTheLossSignalAndAnUnknownJob() {
        openPage();
        Object missed = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(m => {
                  const feed = m.followTopic("api/topics/news/events", {
                    lastEventId: "not-an-id-1",
                    onMissed: info => { feed.close(); done("missed:" + info.reason); },
                  });
                }, e => done("import failed: " + e));
                """);
        assertThat(missed).isEqualTo("missed:last-event-id-unknown");
        Object unknown = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(m => {
                  const job = m.trackJob("api/jobs/AAAAAAAAAAAAAAAAAAAAAA/events", {
                    onError: e => done("error fatal=" + e.fatal + " closed=" + job.closed),
                  });
                }, e => done("import failed: " + e));
                """);
        assertThat(unknown).isEqualTo("error fatal=true closed=true");
    }

    @Test
    @Order(6)
    void reloadMidJobResumesTheBar() throws IOException {
        openPage();
        String id = startJob(20, 400, false);
        int before = awaitProgressAtLeast(id, 30);
        screenshot("demo-page-running.png");

        driver.navigate().refresh();
        awaitReady();
        WebElement card = wait(Duration.ofSeconds(30)).until(d -> {
            WebElement c = jobCard(d, id);
            return c != null && c.getDomAttribute("data-progress") != null ? c : null;
        });
        List<Integer> afterReload = history(card);
        assertThat(afterReload.get(0)).as("first progress shown after the reload (was %s before)", before)
                .isGreaterThanOrEqualTo(before);

        card = awaitStatus(id, "completed");
        assertThat(card.getDomAttribute("data-progress")).isEqualTo("100");
        assertThat(history(card)).as("no restart from 0 after the reload").isSorted().doesNotContain(0);
        wait(Duration.ofSeconds(30)).until(d -> d.findElement(By.id("clock")).getText().matches(".*\\d\\d.*"));
        sleep(600); // let the bar's width transition end before the picture
        screenshot("demo-page.png");
    }

    /**
     * The page shows which node served it, starts or joins a shared job by name (its bar completes), and
     * shows a shared job started elsewhere (here: by a plain POST, as another page or node would) live,
     * through the announcement topic.
     */
    @Test
    @Order(7)
    void sharedJobsOnThePage() throws Exception {
        openPage();
        String nodeJson = send(HttpRequest.newBuilder(BASE.resolve("api/node")).GET()).body();
        String nodeName = nodeJson.replaceAll(".*\"node\":\"([^\"]+)\".*", "$1");
        WebElement node = wait(Duration.ofSeconds(30)).until(d -> {
            WebElement n = d.findElement(By.id("node"));
            return nodeName.equals(n.getText()) ? n : null;
        });
        assertThat(node.getDomAttribute("data-cluster")).isEqualTo("false");
        wait(Duration.ofSeconds(30)).until(d -> d.findElement(By.id("shared-state")).getText().equals("live"));

        String mine = "page-" + System.nanoTime();
        setValue("shared-name", mine);
        setValue("shared-steps", "4");
        setValue("shared-delay", "200");
        driver.findElement(By.id("start-shared")).click();
        WebElement card = awaitSharedStatus(mine, "completed");
        assertThat(card.getDomAttribute("data-new")).isEqualTo("true");
        assertThat(card.getDomAttribute("data-progress")).isEqualTo("100");
        assertThat(history(card)).isSorted().contains(100);

        driver.findElement(By.id("start-shared")).click(); // the same name again: joins the retained job
        wait(Duration.ofSeconds(30)).until(d -> "false".equals(sharedCard(d, mine).getDomAttribute("data-new")));
        assertThat(driver.findElement(By.id("shared-error")).isDisplayed()).isFalse();

        String elsewhere = "elsewhere-" + System.nanoTime();
        HttpResponse<String> started = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + elsewhere + "?steps=5&delayMs=300"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.body()).contains("\"new\":true");
        WebElement other = awaitSharedStatus(elsewhere, "completed");
        assertThat(other.getDomAttribute("data-origin")).isEqualTo(nodeName);
        assertThat(other.findElement(By.cssSelector(".config")).getText()).contains("5 steps", "started on " + nodeName);
        sleep(600);
        screenshot("demo-page-shared.png");
    }

    /**
     * {@code GET /api/streams} with plain HTTP: a job's frames carry the key as the first data line and
     * the job's snapshots, then {@code end} {@code finished}; the stream closes after its last key ended,
     * and a reconnect with that last composite id is answered {@code 204}. An unknown job ends with
     * {@code not-found}; no key and a key given twice are {@code 400} (JSON).
     */
    @Test
    @Order(1)
    void httpContractMultiplexedStream() throws Exception {
        String id = postJob("steps=3&delayMs=100");
        HttpResponse<String> stream = send(HttpRequest.newBuilder(BASE.resolve("api/streams?job=" + id))
                .header("Accept", "text/event-stream").GET()); // ends after the job's end frame
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).contains("text/event-stream");
        List<Frame> frames = frames(stream.body());
        assertThat(frames).as("frames: %s", stream.body()).isNotEmpty();
        assertThat(frames).allSatisfy(f -> assertThat(f.key()).isEqualTo("job:" + id));
        Frame end = frames.get(frames.size() - 1);
        assertThat(end.event()).isEqualTo("end");
        assertThat(end.payload()).isEqualTo("{\"reason\":\"finished\"}");
        Frame terminal = frames.get(frames.size() - 2);
        assertThat(terminal.event()).isNull();
        assertThat(terminal.payload()).contains("\"status\":\"completed\"", "\"steps\":3");
        assertThat(frames.subList(0, frames.size() - 1)).as("only the job's snapshots before the end")
                .allSatisfy(f -> assertThat(f.payload()).startsWith("{\"status\":"));
        assertThat(frames).allSatisfy(f -> assertThat(f.id()).isNotNull());

        HttpResponse<String> again = send(HttpRequest.newBuilder(BASE.resolve("api/streams?job=" + id))
                .header("Accept", "text/event-stream").header("Last-Event-ID", end.id()).GET());
        assertThat(again.statusCode()).as("every key ended: %s", again.body()).isEqualTo(204);

        HttpResponse<String> unknown;
        try {
            unknown = send(HttpRequest.newBuilder(BASE.resolve("api/streams?job=AAAAAAAAAAAAAAAAAAAAAA"))
                    .header("Accept", "text/event-stream").GET());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("the stream of one unknown key did not close after that key's end frame"
                    + " (docs/STREAMS.md: the stream closes after the last key ended)", e);
        }
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(frames(unknown.body())).as(unknown.body()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("job:AAAAAAAAAAAAAAAAAAAAAA");
            assertThat(f.event()).isEqualTo("end");
            assertThat(f.payload()).contains("\"reason\":\"not-found\"", "\"status\":404");
        });

        HttpResponse<String> none = send(HttpRequest.newBuilder(BASE.resolve("api/streams")).header("Accept", "text/event-stream").GET());
        assertThat(none.statusCode()).as(none.body()).isEqualTo(400);
        assertThat(none.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        HttpResponse<String> twice = send(HttpRequest.newBuilder(BASE.resolve("api/streams?job=" + id + "&job=" + id))
                .header("Accept", "text/event-stream").GET());
        assertThat(twice.statusCode()).as(twice.body()).isEqualTo(400);
    }

    /**
     * The WebSocket {@code /api/ws} with a plain client: a subscribed job's snapshots as
     * {@code {"key","id","data"}} messages, then its {@code end}; an unknown job ends with
     * {@code not-found}; a message that is not JSON is answered with an {@code error}.
     */
    @Test
    @Order(1)
    void webSocketContract() throws Exception {
        String id = postJob("steps=3&delayMs=100");
        java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(BASE.toString().replaceFirst("^http", "ws")).resolve("api/ws"), new java.net.http.WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            messages.add(text.toString());
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"subscribe\":\"job:" + id + "\"}", true).get(10, TimeUnit.SECONDS);
            List<java.util.Map<String, Object>> received = new ArrayList<>();
            java.util.Map<String, Object> message;
            do {
                message = json(messages.poll(30, TimeUnit.SECONDS), "a message before the end; got " + received);
                received.add(message);
            } while (!"end".equals(message.get("event")));
            assertThat(message).containsOnly(java.util.Map.entry("key", "job:" + id), java.util.Map.entry("event", "end"),
                    java.util.Map.entry("data", "{\"reason\":\"finished\"}"));
            List<java.util.Map<String, Object>> snapshots = received.subList(0, received.size() - 1);
            assertThat(snapshots).isNotEmpty().allSatisfy(m -> {
                assertThat(m).containsEntry("key", "job:" + id).doesNotContainKey("event");
                assertThat((String) m.get("id")).isNotEmpty();
                assertThat((String) m.get("data")).startsWith("{\"status\":");
            });
            assertThat((String) snapshots.get(snapshots.size() - 1).get("data")).contains("\"status\":\"completed\"");

            ws.sendText("{\"subscribe\":\"job:AAAAAAAAAAAAAAAAAAAAAA\"}", true).get(10, TimeUnit.SECONDS);
            java.util.Map<String, Object> notFound = json(messages.poll(30, TimeUnit.SECONDS), "the unknown job's end");
            assertThat(notFound).containsEntry("key", "job:AAAAAAAAAAAAAAAAAAAAAA").containsEntry("event", "end");
            assertThat((String) notFound.get("data")).contains("\"reason\":\"not-found\"", "\"status\":404");

            ws.sendText("not json", true).get(10, TimeUnit.SECONDS);
            java.util.Map<String, Object> error = json(messages.poll(30, TimeUnit.SECONDS), "the answer to a message that is not JSON");
            assertThat(error).containsEntry("event", "error").doesNotContainKey("key");
            assertThat((String) error.get("data")).contains("\"status\":400");
        } finally {
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * connect() in the page: an unknown job is fatal for that key only (onError with not-found), the
     * topic on the same connection stays live and gets what is published; over SSE and WebSocket.
     */
    @Test
    @Order(5)
    void connectEndsAnUnknownKeyAndKeepsTheOthers() {
        openPage();
        for (String transport : List.of("sse", "websocket")) {
            String topic = "connect-" + transport + "-" + System.nanoTime();
            Object result = ((JavascriptExecutor) driver).executeAsyncScript("""
                    const [transport, topic, done] = arguments;
                    import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(m => {
                      const c = m.connect(transport === "sse" ? "api/streams" : "api/ws", { transport });
                      let job = null, event = null, publisher = null;
                      const check = () => {
                        if (job === null || event === null) return;
                        clearInterval(publisher);
                        const keys = c.keys.join(",");
                        c.close();
                        done([job, event, "following " + keys].join("; "));
                      };
                      c.trackJob("job:AAAAAAAAAAAAAAAAAAAAAA", {
                        onProgress: p => { job = "progress " + JSON.stringify(p); check(); },
                        onError: e => { if (e.fatal) { job = "job " + e.reason + " " + e.status; check(); } },
                      });
                      // publish until the topic's subscription is in place (its open may come first)
                      const publish = () => fetch("api/topics/" + topic, { method: "POST", body: "hi" });
                      c.followTopic("topic:" + topic, {
                        onOpen: () => { if (publisher === null) { publish(); publisher = setInterval(publish, 500); } },
                        onEvent: (data, e) => { if (event === null) { event = "topic " + data + " " + e.key; check(); } },
                      });
                    }, e => done("import failed: " + e));
                    """, transport, topic);
            assertThat(result).as(transport).isEqualTo("job not-found 404; topic hi topic:" + topic + "; following topic:" + topic);
        }
    }

    /**
     * connect() against stand-ins for EventSource and WebSocket (no server): over SSE the keys added in
     * one task share one request; removing one key and adding another reopens once, with the remaining
     * keys in order and {@code lastEventId} carrying each key's position re-ordered for them ({@code ~}
     * inside a position encoded as {@code %7E}), the old stream closed and its late events ignored; an
     * {@code end} {@code not-found} is fatal for that key only. Over WebSocket: subscribe messages with
     * {@code last}, unsubscribe without reconnecting, and after a drop a reopen that resubscribes every
     * key from its last position.
     */
    @Test
    @Order(5)
    void connectTracksEveryKeysPosition() {
        openPage();
        Object sse = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(async m => {
                  const made = [];
                  class Fake {
                    constructor(url) { this.url = String(url); this.readyState = 0; this.l = {}; made.push(this); }
                    addEventListener(n, f) { (this.l[n] ||= []).push(f); }
                    close() { this.readyState = 2; }
                    emit(type, data, id) { (this.l[type] || []).forEach(f => f.call(this, { type, data, lastEventId: id })); }
                  }
                  Fake.CLOSED = 2;
                  const saved = window.EventSource;
                  window.EventSource = Fake;
                  try {
                    const seen = [];
                    const query = url => [...new URL(url).searchParams].map(([k, v]) => k + "=" + v).join("&");
                    const c = m.connect("api/streams");
                    c.trackJob("job:A", { onProgress: p => seen.push("A " + p.progress) });
                    c.followTopic("topic:news", { lastEventId: "e1-5", onEvent: (d, e) => seen.push("news " + d + " @" + e.lastEventId) });
                    c.trackJob("job:B", { onProgress: p => seen.push("B " + p.progress),
                                          onError: e => seen.push("B " + e.fatal + " " + e.reason + " " + e.status) });
                    await Promise.resolve();
                    const first = made[0];
                    first.emit("message", 'job:A\\n{"status":"processing","progress":10}', "a-1~e1-5~");
                    first.emit("message", "topic:news\\nhello", "a-1~e1%7E6~");
                    first.emit("message", 'job:B\\n{"status":"processing","progress":5}', "a-1~e1%7E6~b-1");
                    c.remove("job:A");
                    c.followTopic("topic:clock", {});
                    await Promise.resolve();
                    first.emit("message", 'job:B\\n{"status":"processing","progress":99}', "a-1~e1%7E6~b-9");
                    const second = made[1];
                    second.emit("end", 'job:B\\n{"reason":"not-found","status":404}', "e1%7E6~!~");
                    c.close();
                    done([made.length, query(first.url), first.readyState, query(second.url), second.readyState,
                          seen.join(", "), c.keys.length].join(" | "));
                  } finally {
                    window.EventSource = saved;
                  }
                }).catch(e => done("failed: " + e));
                """);
        assertThat(sse).isEqualTo("2 | job=A&topic=news&job=B&lastEventId=~e1-5~ | 2"
                + " | topic=news&job=B&topic=clock&lastEventId=e1%7E6~b-1~ | 2"
                + " | A 10, news hello @e1~6, B 5, B true not-found 404 | 0");

        Object ws = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(async m => {
                  const made = [];
                  class Fake {
                    constructor(url) { this.url = String(url); this.readyState = 0; this.sent = []; this.l = {}; made.push(this); }
                    addEventListener(n, f) { (this.l[n] ||= []).push(f); }
                    send(text) { this.sent.push(text); }
                    close() { this.readyState = 3; }
                    fire(n, e) { (this.l[n] || []).forEach(f => f(e)); }
                    open() { this.readyState = 1; this.fire("open", {}); }
                    message(o) { this.fire("message", { data: JSON.stringify(o) }); }
                  }
                  Fake.OPEN = 1;
                  const saved = window.WebSocket;
                  window.WebSocket = Fake;
                  try {
                    const seen = [];
                    const c = m.connect("api/ws", { transport: "websocket", minRetryMs: 10 });
                    c.trackJob("job:A", { onProgress: p => seen.push("A " + p.progress),
                                          onError: e => seen.push("A " + e.fatal + " " + e.retryInMs) });
                    c.followTopic("topic:news", { lastEventId: "e1-5", onEvent: (d, e) => seen.push("news " + d + " @" + e.lastEventId) });
                    const first = made[0];
                    first.open();
                    first.message({ key: "job:A", id: "a-1", data: '{"status":"processing","progress":10}' });
                    first.message({ key: "topic:news", id: "e1-6", data: "hello" });
                    c.trackJob("job:C", {});
                    c.remove("job:C");
                    first.readyState = 3;
                    first.fire("close", { code: 4000 });
                    await new Promise(resolve => { // the reopen after the 10 ms backoff
                      const poll = setInterval(() => { if (made.length === 2) { clearInterval(poll); resolve(); } }, 5);
                    });
                    const second = made[1];
                    second.open();
                    c.close();
                    done([made.length, first.url, first.sent.join(" "), second.sent.join(" "), seen.join(", ")].join(" | "));
                  } finally {
                    window.WebSocket = saved;
                  }
                }).catch(e => done("failed: " + e));
                """);
        String wsUrl = BASE.resolve("api/ws").toString().replaceFirst("^http", "ws");
        assertThat(ws).isEqualTo("2 | " + wsUrl
                + " | {\"subscribe\":\"job:A\"} {\"subscribe\":\"topic:news\",\"last\":\"e1-5\"} {\"subscribe\":\"job:C\"} {\"unsubscribe\":\"job:C\"}"
                + " | {\"subscribe\":\"job:A\",\"last\":\"a-1\"} {\"subscribe\":\"topic:news\",\"last\":\"e1-6\"}"
                + " | A 10, news hello @e1-6, A false 10");
    }

    /**
     * Cancel over plain HTTP (issue 13): {@code DELETE /api/jobs/{id}} on a running job is {@code 202}
     * with {@code {"id":…,"cancelRequested":true}}, the job ends {@code cancelled} (its status says so),
     * a second DELETE is {@code 409} and an unknown job {@code 404}, both JSON; the same for a shared job
     * ({@code DELETE /api/shared/{name}}). The job's stream: once the first item is done every running
     * snapshot carries {@code rate} and {@code eta}, and the sub-step's name.
     */
    @Test
    @Order(1)
    void httpContractCancelAndDerivedFields() throws Exception {
        String id = postJob("steps=50&delayMs=200");
        HttpResponse<String> cancelled = send(HttpRequest.newBuilder(BASE.resolve("api/jobs/" + id)).DELETE());
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        assertThat(cancelled.body()).isEqualTo("{\"id\":\"" + id + "\",\"cancelRequested\":true}");
        java.util.Map<String, Object> status = awaitServerStatus("api/jobs/" + id, "cancelled");
        assertThat((String) status.get("message")).startsWith("Cancelled before step ");
        assertThat(status.get("step")).as("the phase it stopped in").isIn("Counting items", "Preparing");
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/jobs/" + id)).DELETE()), 409, "a second cancel");
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/jobs/AAAAAAAAAAAAAAAAAAAAAA")).DELETE()), 404,
                "cancel of an unknown job");

        String name = "cancel-" + System.nanoTime();
        HttpResponse<String> shared = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name + "?steps=50&delayMs=200"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(shared.statusCode()).isEqualTo(202);
        HttpResponse<String> sharedCancel = send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name)).DELETE());
        assertThat(sharedCancel.statusCode()).as(sharedCancel.body()).isEqualTo(202);
        assertThat(sharedCancel.body()).isEqualTo("{\"id\":\"" + name + "\",\"cancelRequested\":true}");
        awaitServerStatus("api/shared/" + name, "cancelled");
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/" + name)).DELETE()), 409, "a second shared cancel");
        assertJsonError(send(HttpRequest.newBuilder(BASE.resolve("api/shared/never-started-" + System.nanoTime())).DELETE()), 404,
                "cancel of an unknown shared job");

        // 3 items of 300 ms: "Preparing" 1 item (33 %), "Processing" 2; the stream ends after the terminal
        String streamed = postJob("steps=3&delayMs=300");
        HttpResponse<String> stream = send(HttpRequest.newBuilder(BASE.resolve("api/jobs/" + streamed + "/events"))
                .header("Accept", "text/event-stream").GET());
        List<java.util.Map<String, Object>> snapshots = new ArrayList<>();
        for (String line : stream.body().split("\n")) {
            String data = line.startsWith("data:") ? line.substring(5).trim() : "";
            if (!data.isEmpty()) { // the connect frame's data is empty
                snapshots.add(json(data, "a snapshot"));
            }
        }
        assertThat(snapshots).as(stream.body()).isNotEmpty();
        assertThat(snapshots.get(snapshots.size() - 1)).containsEntry("status", "completed").doesNotContainKeys("rate", "eta");
        List<java.util.Map<String, Object>> advanced = snapshots.stream()
                .filter(m -> "processing".equals(m.get("status")) && m.get("progress") instanceof Number n && n.intValue() >= 33)
                .toList();
        assertThat(advanced).as("running snapshots after the first item: %s", stream.body()).isNotEmpty().allSatisfy(m -> {
            assertThat(((Number) m.get("rate")).doubleValue()).as("rate of %s", m).isPositive();
            assertThat(((Number) m.get("eta")).doubleValue()).as("eta of %s", m).isNotNegative();
            assertThat(m).doesNotContainKeys("indeterminate", "cancelRequested");
        });
        assertThat(advanced).anySatisfy(m -> assertThat(m.get("step")).isIn("Preparing", "Processing"));
        assertThat(snapshots).filteredOn(m -> Boolean.TRUE.equals(m.get("indeterminate")))
                .allSatisfy(m -> assertThat(m).doesNotContainKeys("progress", "rate", "eta").containsKey("step"));
    }

    /** The client's {@code formatEta}: what a person reads, rounded, "" without an estimate. */
    @Test
    @Order(5)
    void formatEtaReadsAsAPersonWould() {
        openPage();
        Object formatted = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL("sse-progress/sse-progress.js", document.baseURI).href).then(m => {
                  done([0, 9.9, 10, 23, 57.4, 57.6, 90, 3569, 3571, 7200, null, undefined, -1, NaN, "12"]
                    .map(s => m.formatEta(s)).join(" | "));
                }, e => done("import failed: " + e));
                """);
        assertThat(formatted).isEqualTo("a few seconds left | a few seconds left | about 10 s left | about 25 s left"
                + " | about 55 s left | about 1 min left | about 2 min left | about 59 min left | about 1 h left | about 2 h left"
                + " |  |  |  |  | ");
    }

    /**
     * A job on the page shows its sub-step, rate ("5.6 %/s") and remaining time ("about 15 s left");
     * Cancel shows "cancelling…" (the server's snapshots carry cancelRequested while the work cleans up),
     * then the terminal "cancelled", and the server's status of the job is {@code cancelled}.
     */
    @Test
    @Order(10)
    void jobShowsStepRateAndEtaThenCancels() throws Exception {
        openPage();
        String id = startJob(30, 600, false); // 30 items of 600 ms: about 5.6 %/s, 18 s in all
        WebElement card = wait(JOB_TIMEOUT).until(d -> {
            WebElement c = jobCard(d, id);
            return c != null && !text(c, ".rate").isEmpty() && !text(c, ".eta").isEmpty() ? c : null;
        });
        String rate = text(card, ".rate");
        String eta = text(card, ".eta");
        assertThat(rate).matches("\\d+(\\.\\d)? %/s");
        assertThat(Double.parseDouble(rate.substring(0, rate.indexOf(' ')))).as(rate).isBetween(1.0, 20.0);
        assertThat(eta).matches("about \\d+ s left");
        assertThat(Integer.parseInt(eta.replaceAll("\\D", ""))).as(eta).isBetween(5, 30);
        assertThat(text(card, ".step")).isIn("Preparing", "Processing");
        assertThat(card.getDomAttribute("data-status")).isEqualTo("processing");
        assertThat(text(card, ".status")).isEqualToIgnoringCase("processing");
        screenshot("demo-page-eta.png");

        card.findElement(By.cssSelector(".cancel")).click();
        card = awaitStatus(id, "cancelled");
        assertThat(card.getDomAttribute("data-states")).as("what the card showed, in order")
                .endsWith("processing,cancelling,cancelled");
        assertThat(text(card, ".status")).isEqualToIgnoringCase("cancelled");
        assertThat(text(card, ".message")).startsWith("Cancelled before step ");
        assertThat(text(card, ".step")).as("the phase it stopped in").isIn("Preparing", "Processing");
        assertThat(text(card, ".rate")).isEmpty();
        assertThat(text(card, ".eta")).isEmpty();
        assertThat(card.findElement(By.cssSelector(".cancel")).isDisplayed()).isFalse();
        assertThat(Integer.parseInt(card.getDomAttribute("data-progress"))).isLessThan(100);
        java.util.Map<String, Object> status = json(send(HttpRequest.newBuilder(BASE.resolve("api/jobs/" + id)).GET()).body(),
                "the job's status");
        assertThat(status).containsEntry("status", "cancelled");
        sleep(300); // let the bar's colour transition end before the picture
        screenshot("demo-page-cancelled.png");
    }

    /**
     * While a job counts its items it reports no percentage: the card shows "indeterminate", the step
     * name and "…", with the moving striped bar; Cancel then ends it "cancelled" (also from that state).
     */
    @Test
    @Order(10)
    void indeterminateJobShowsStripesAndCancels() {
        openPage();
        String id = startJob(1, 4000, false); // counts its items for 4 s
        WebElement card = wait(JOB_TIMEOUT).until(d -> {
            WebElement c = jobCard(d, id);
            return c != null && "true".equals(c.getDomAttribute("data-indeterminate")) ? c : null;
        });
        assertThat(text(card, ".status")).isEqualToIgnoringCase("indeterminate");
        assertThat(text(card, ".pct")).isEqualTo("…");
        assertThat(text(card, ".step")).isIn("Queued", "Counting items");
        assertThat(((JavascriptExecutor) driver).executeScript("return getComputedStyle(arguments[0]).animationName;",
                card.findElement(By.cssSelector(".bar")))).isEqualTo("sse-stripes");
        assertThat(card.getDomAttribute("data-progress")).as("no percentage shown").isNull();

        card.findElement(By.cssSelector(".cancel")).click();
        card = awaitStatus(id, "cancelled");
        assertThat(card.getDomAttribute("data-states")).isEqualTo("indeterminate,cancelling,cancelled");
        assertThat(card.getDomAttribute("data-indeterminate")).isEqualTo("false");
        assertThat(text(card, ".message")).isEqualTo("Cancelled before step 1");
        assertThat(text(card, ".step")).isEqualTo("Counting items");
    }

    private static String text(WebElement card, String selector) {
        return card.findElement(By.cssSelector(selector)).getText();
    }

    /** Polls a status endpoint until its JSON says {@code status}; returns that JSON. */
    private static java.util.Map<String, Object> awaitServerStatus(String path, String status) {
        java.util.concurrent.atomic.AtomicReference<java.util.Map<String, Object>> last = new java.util.concurrent.atomic.AtomicReference<>();
        awaitTrue(() -> {
            try {
                HttpResponse<String> r = send(HttpRequest.newBuilder(BASE.resolve(path)).GET());
                last.set(r.statusCode() == 200 ? json(r.body(), path) : null);
                return last.get() != null && status.equals(last.get().get("status"));
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, JOB_TIMEOUT, path + " saying " + status);
        return last.get();
    }

    /** Ten jobs over SSE: at most two connections, and a reload mid-job resumes every bar. */
    @Test
    @Order(8)
    void tenJobsOverOneSseStreamAndReloadResumesEveryBar() throws IOException {
        tenJobsOverOneConnection("sse");
    }

    /** The same over WebSocket ({@code ?transport=websocket}). */
    @Test
    @Order(9)
    void tenJobsOverOneWebSocketAndReloadResumesEveryBar() throws IOException {
        tenJobsOverOneConnection("websocket");
    }

    private void tenJobsOverOneConnection(String transport) throws IOException {
        driver.get(BASE.resolve(transport.equals("sse") ? "" : "?transport=websocket").toString());
        awaitReady();
        assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-transport")).isEqualTo(transport);
        List<String> ids = startJobs(10, 60, 300);
        java.util.Map<String, Integer> before = new java.util.HashMap<>();
        for (String id : ids) {
            before.put(id, awaitProgressAtLeast(id, 5));
        }
        assertThat(ids).as("all ten still running before the reload")
                .allSatisfy(id -> assertThat(jobCard(driver, id).getDomAttribute("data-status")).isEqualTo("processing"));
        assertConnections(transport, "ten jobs running");
        screenshot("demo-page-ten-jobs-" + transport + ".png");

        driver.navigate().refresh();
        awaitReady();
        for (String id : ids) {
            WebElement card = wait(Duration.ofSeconds(30)).until(d -> {
                WebElement c = jobCard(d, id);
                return c != null && c.getDomAttribute("data-progress") != null ? c : null;
            });
            assertThat(history(card).get(0)).as("job %s: first progress after the reload (was %s before)", id, before.get(id))
                    .isGreaterThanOrEqualTo(before.get(id));
        }
        assertConnections(transport, "after the reload, ten jobs running");
        for (String id : ids) {
            WebElement card = awaitStatus(id, "completed");
            assertThat(card.getDomAttribute("data-progress")).isEqualTo("100");
            assertThat(history(card)).as("job %s: no restart from 0 after the reload", id).isSorted().doesNotContain(0);
        }
        assertConnections(transport, "after every job completed");
    }

    /**
     * What the counter script saw on this page: at most two connections open at any time, every one of
     * the chosen transport to the multiplexed endpoint, and at least one.
     */
    @SuppressWarnings("unchecked")
    private static void assertConnections(String transport, String when) {
        java.util.Map<String, Object> seen = (java.util.Map<String, Object>) ((JavascriptExecutor) driver)
                .executeScript("return window.__sseProgressConnections.snapshot();");
        List<String> urls = (List<String>) seen.get("urls");
        String endpoint = BASE.resolve(transport.equals("sse") ? "api/streams" : "api/ws").toString()
                .replaceFirst("^http", transport.equals("sse") ? "http" : "ws");
        assertThat(((Number) seen.get("max")).intValue()).as("%s: most connections open at once (%s)", when, seen).isBetween(1, 2);
        assertThat(((Number) seen.get("open")).intValue()).as("%s: connections open now (%s)", when, seen).isBetween(1, 2);
        assertThat(urls).as("%s: every connection the page opened", when).isNotEmpty()
                .allSatisfy(u -> assertThat(u).startsWith(endpoint));
    }

    /**
     * Run by Chromium before any script of every page: wraps EventSource and WebSocket to count the
     * connections the page holds (open = created and neither closed by the page nor given up by the browser).
     */
    private static final String CONNECTION_COUNTER = """
            (() => {
              const urls = [], live = new Set();
              let max = 0;
              const opened = (c, url) => { urls.push(String(new URL(url, document.baseURI))); live.add(c); max = Math.max(max, live.size); };
              const closed = c => live.delete(c);
              const NativeEventSource = window.EventSource, NativeWebSocket = window.WebSocket;
              window.EventSource = class extends NativeEventSource {
                constructor(url, init) {
                  super(url, init);
                  opened(this, url);
                  this.addEventListener("error", () => { if (this.readyState === NativeEventSource.CLOSED) closed(this); });
                }
                close() { closed(this); super.close(); }
              };
              window.WebSocket = class extends NativeWebSocket {
                constructor(url, protocols) {
                  if (protocols === undefined) super(url); else super(url, protocols);
                  opened(this, url);
                  this.addEventListener("close", () => closed(this));
                }
                close(...args) { closed(this); super.close(...args); }
              };
              window.__sseProgressConnections = { snapshot: () => ({ urls: [...urls], open: live.size, max }) };
            })();
            """;

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> json(String text, String what) {
        assertThat(text).as(what).isNotNull();
        try (jakarta.json.bind.Jsonb jsonb = jakarta.json.bind.JsonbBuilder.create()) {
            return jsonb.fromJson(text, java.util.Map.class);
        } catch (Exception e) {
            throw new AssertionError(what + ": not a JSON object: " + text, e);
        }
    }

    private static String postJob(String query) throws IOException, InterruptedException {
        HttpResponse<String> started = send(HttpRequest.newBuilder(BASE.resolve("api/jobs?" + query))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.statusCode()).isEqualTo(202);
        return started.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    /** One frame of a multiplexed SSE stream: its id, its event name (null when unnamed), the key and the payload. */
    record Frame(String id, String event, String key, String payload) {
    }

    /** Parses an SSE body (WHATWG rules for the fields used here), keeping frames with data. */
    private static List<Frame> frames(String body) {
        List<Frame> frames = new ArrayList<>();
        for (String block : body.replace("\r\n", "\n").split("\n\n")) {
            String id = null;
            String event = null;
            List<String> data = new ArrayList<>();
            for (String line : block.split("\n")) {
                int colon = line.indexOf(':');
                if (colon == 0) {
                    continue; // comment
                }
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data.add(value);
                    default -> { }
                }
            }
            if (!data.isEmpty() && !(data.size() == 1 && data.get(0).isEmpty())) {
                frames.add(new Frame(id, event, data.get(0), String.join("\n", data.subList(1, data.size()))));
            }
        }
        return frames;
    }

    // ---- page helpers ----

    private static WebElement sharedCard(WebDriver d, String name) {
        List<WebElement> cards = d.findElements(By.cssSelector(".shared-job[data-shared-name='" + name + "']"));
        return cards.isEmpty() ? null : cards.get(0);
    }

    private static WebElement awaitSharedStatus(String name, String status) {
        return wait(JOB_TIMEOUT).until(d -> {
            WebElement card = sharedCard(d, name);
            return card != null && status.equals(card.getDomAttribute("data-status")) ? card : null;
        });
    }


    private static void openPage() {
        driver.get(BASE.toString());
        awaitReady();
    }

    private static void awaitReady() {
        wait(Duration.ofSeconds(60)).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    private static String startJob(int steps, int delayMs, boolean fail) {
        Set<String> before = jobIds();
        setValue("steps", Integer.toString(steps));
        setValue("delay", Integer.toString(delayMs));
        WebElement failBox = driver.findElement(By.id("fail"));
        if (failBox.isSelected() != fail) {
            failBox.click();
        }
        driver.findElement(By.id("start-job")).click();
        return wait(Duration.ofSeconds(30)).until(d -> jobIds().stream().filter(i -> !before.contains(i)).findFirst().orElse(null));
    }

    /**
     * Starts n jobs with the page's form, one after another (each once the previous one's card is
     * there), in the page itself: Selenium round trips per job would let the first jobs end before the
     * last start. Returns the new jobs' ids, oldest first.
     */
    @SuppressWarnings("unchecked")
    private static List<String> startJobs(int n, int steps, int delayMs) {
        setValue("steps", Integer.toString(steps));
        setValue("delay", Integer.toString(delayMs));
        WebElement failBox = driver.findElement(By.id("fail"));
        if (failBox.isSelected()) {
            failBox.click();
        }
        List<String> ids = (List<String>) ((JavascriptExecutor) driver).executeAsyncScript("""
                const [n, done] = arguments;
                const ids = () => [...document.querySelectorAll(".job")].map(c => c.dataset.jobId);
                const known = new Set(ids()), started = [];
                const next = () => {
                  if (started.length === n) return done(started);
                  document.getElementById("start-job").click();
                  const observer = new MutationObserver(() => {
                    const fresh = ids().find(id => !known.has(id));
                    if (fresh === undefined) return;
                    observer.disconnect();
                    known.add(fresh);
                    started.push(fresh);
                    next();
                  });
                  observer.observe(document.getElementById("jobs"), { childList: true });
                };
                next();
                """, n);
        assertThat(ids).as("jobs started").hasSize(n).doesNotHaveDuplicates();
        assertThat(driver.findElement(By.id("job-error")).isDisplayed()).isFalse();
        return ids;
    }

    private static void setValue(String id, String value) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private static Set<String> jobIds() {
        return driver.findElements(By.cssSelector(".job")).stream().map(e -> e.getDomAttribute("data-job-id"))
                .collect(Collectors.toSet());
    }

    private static WebElement jobCard(WebDriver d, String id) {
        List<WebElement> cards = d.findElements(By.cssSelector(".job[data-job-id='" + id + "']"));
        return cards.isEmpty() ? null : cards.get(0);
    }

    private static WebElement awaitStatus(String id, String status) {
        return wait(JOB_TIMEOUT).until(d -> {
            WebElement card = jobCard(d, id);
            return card != null && status.equals(card.getDomAttribute("data-status")) ? card : null;
        });
    }

    private static int awaitProgressAtLeast(String id, int percent) {
        return wait(JOB_TIMEOUT).until(d -> {
            WebElement card = jobCard(d, id);
            String p = card == null ? null : card.getDomAttribute("data-progress");
            return p != null && Integer.parseInt(p) >= percent ? Integer.parseInt(p) : null;
        });
    }

    private static List<Integer> history(WebElement card) {
        String h = card.getDomAttribute("data-history");
        List<Integer> values = new ArrayList<>();
        if (h != null && !h.isEmpty()) {
            Arrays.stream(h.split(",")).map(Integer::parseInt).forEach(values::add);
        }
        return values;
    }

    private static WebDriverWait wait(Duration timeout) {
        WebDriverWait w = new WebDriverWait(driver, timeout, Duration.ofMillis(100));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w;
    }

    private static void screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(SHOTS);
        Files.copy(shot, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("screenshot: " + SHOTS.resolve(name).toAbsolutePath());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- server helpers ----

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitPage(URI uri, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = send(HttpRequest.newBuilder(uri).GET());
                if (r.statusCode() == 200 && r.body().contains("sse-progress demo")) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the demo did not come up at " + uri + " within " + timeout + ": " + last
                + " (see " + WLP + "/usr/servers/" + SERVER + "/logs/messages.log)");
    }

    private static int server(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(WLP, "bin", "server").toString());
        command.add(args[0]);
        command.add(SERVER);
        command.addAll(Arrays.asList(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
        }
    }
}
