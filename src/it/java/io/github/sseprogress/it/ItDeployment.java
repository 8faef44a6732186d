package io.github.sseprogress.it;

import java.io.File;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The test WAR: the library jar exactly as {@code package} built it, in WEB-INF/lib (never the
 * library's classes added by package, which would pull test classes in and hide packaging bugs),
 * plus the IT-only JAX-RS classes and the application's own MicroProfile Config.
 */
final class ItDeployment {

    /**
     * The application's own settings (ordinal 100). {@code sse.polling.interval} is also set, to 1s, in
     * the IT servers' own test configuration (src/it/liberty/configDropins/overrides/sse-it.xml and
     * src/it/payara/postboot.asadmin; production's server-config/ sets none), which has a higher
     * ordinal and must win over the 20s here.
     */
    static final String APP_CONFIG = String.join("\n",
            "sse.heartbeat-interval=1s",
            "sse.write-timeout=3s",
            "sse.tracker.retention=3s",
            "sse.retry=1000ms",
            "sse.polling.interval=20s",
            "");

    private ItDeployment() {
    }

    static WebArchive war() {
        return war("sse-it.war", "");
    }

    /**
     * The WebSocket IT's WAR: the same, plus the WebSocket endpoint of multiplexed streams at
     * {@code /ws} ({@code sse.streams.websocket.path}; Open Liberty's IT server has {@code websocket-2.1})
     * and {@link WsProbe}. The other ITs deploy without the key, as an application that does not use it.
     */
    static WebArchive webSocketWar() {
        return webSocketWar("sse-ws-it.war");
    }

    static WebArchive webSocketWar(String name) {
        return war(name, "sse.streams.websocket.path=" + WS_PATH + "\n").addClasses(WsProbe.class);
    }

    /**
     * {@link ProductionLimitsIT}'s WAR: small limits, an origin allow-list, the query token and
     * {@link ExpiryProbe}; its own application, so the limits touch no other IT.
     */
    static WebArchive limitsWar() {
        return war("sse-limits-it.war", String.join("\n",
                "sse.limits.max-streams-per-topic=1",
                "sse.limits.retry-after=3s",
                "sse.cors.allowed-origins=" + ProductionLimitsIT.ORIGIN,
                "sse.cors.allow-credentials=true",
                "sse.auth.query-token=true",
                "sse.streams.websocket.path=" + WS_PATH,
                "")).addClasses(ExpiryProbe.class);
    }

    /**
     * {@link ServletSinkIT}'s WAR: {@link ServletSinkResource} and {@link LibraryLogProbe}, and at most
     * two streams per topic, so the servlet opt-in's 429 can be provoked; its own application.
     */
    static WebArchive servletWar() {
        return war("sse-servlet-it.war", String.join("\n",
                "sse.limits.max-streams-per-topic=2",
                "sse.limits.retry-after=3s",
                "")).addClasses(ServletSinkResource.class, LibraryLogProbe.class);
    }

    /**
     * {@link FirstUseIT}'s WAR: {@link FirstUseResource}; its own application, so its first use of the library is
     * the test's first request.
     */
    static WebArchive firstUseWar() {
        return war("sse-first-use-it.war", "").addClasses(FirstUseResource.class);
    }

    /** Where {@link #webSocketWar()} registers the WebSocket endpoint, relative to the context root. */
    static final String WS_PATH = "/ws";

    private static WebArchive war(String name, String extraConfig) {
        // failsafe passes the path of the jar that `package` just built
        File jar = new File(System.getProperty("it.library.jar", "target/sse-progress-0.1.0-SNAPSHOT.jar"));
        if (!jar.isFile()) {
            throw new IllegalStateException("library jar not built: " + jar.getAbsolutePath());
        }
        JavaArchive library = ShrinkWrap.createFromZipFile(JavaArchive.class, jar);
        return ShrinkWrap.create(WebArchive.class, name)
                .addAsLibrary(library)
                .addClasses(ItApplication.class, TopicResource.class, JobResource.class, ProbeResource.class,
                        PollingRecorder.class, ItJson.class, ItInternals.class,
                        StreamsResource.class, ItStreamKeys.class)
                .addAsResource(new StringAsset(APP_CONFIG + extraConfig), "META-INF/microprofile-config.properties")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }
}
