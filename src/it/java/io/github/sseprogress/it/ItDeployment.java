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
        // failsafe passes the path of the jar that `package` just built
        File jar = new File(System.getProperty("it.library.jar", "target/sse-progress-0.1.0-SNAPSHOT.jar"));
        if (!jar.isFile()) {
            throw new IllegalStateException("library jar not built: " + jar.getAbsolutePath());
        }
        JavaArchive library = ShrinkWrap.createFromZipFile(JavaArchive.class, jar);
        return ShrinkWrap.create(WebArchive.class, "sse-it.war")
                .addAsLibrary(library)
                .addClasses(ItApplication.class, TopicResource.class, JobResource.class, ProbeResource.class,
                        PollingRecorder.class, ItJson.class,
                        StreamsResource.class, ItStreamKeys.class)
                .addAsResource(new StringAsset(APP_CONFIG), "META-INF/microprofile-config.properties")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }
}
