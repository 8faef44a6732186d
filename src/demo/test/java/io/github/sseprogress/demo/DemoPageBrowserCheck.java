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
 * Saves screenshots under target/.
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
        driver = new ChromeDriver(service, options);
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
        assertThat(module.body()).contains("export function trackJob", "export function followTopic");

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
