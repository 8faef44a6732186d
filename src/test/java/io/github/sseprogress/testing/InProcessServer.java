package io.github.sseprogress.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.topic.ManagerBean;

/**
 * Real HTTP in-process: Weld SE holds the library's beans (with {@link TestScheduling} instead of the
 * container's scheduler and a real MicroProfile Config from {@link TestConfig}); Jersey 3.1 on
 * Grizzly serves the given resource classes on a random loopback port. Resources are CDI beans; their
 * instances are registered with Jersey, and the library beans are also bound into HK2 so resources
 * may use {@code @Context}/{@code @Inject} either way.
 */
public final class InProcessServer implements AutoCloseable {

    private final TestConfig config;
    private final WeldContainer weld;
    private final HttpServer http;
    private final URI base;

    private InProcessServer(Map<String, String> properties, List<Class<?>> resources, List<Class<?>> providers,
            List<Class<?>> extraBeanPackagesOf, List<Class<?>> extraBeanClasses) {
        config = TestConfig.install(properties);
        Weld w = new Weld("in-process-" + System.nanoTime())
                .disableDiscovery()
                .addPackages(false, ManagerBean.class, Delivery.class, SseConfig.class,
                        io.github.sseprogress.internal.progress.TrackerBean.class,
                        io.github.sseprogress.internal.cluster.ClusterBridge.class,
                        io.github.sseprogress.internal.stream.StreamsBean.class)
                .addPackage(false, io.github.sseprogress.internal.wire.EventFormatter.class)
                .addBeanClass(TestScheduling.class)
                .addBeanClass(io.github.sseprogress.internal.LibraryMetricsBean.class)
                .property("org.jboss.weld.construction.relaxed", true);
        for (Class<?> p : extraBeanPackagesOf) {
            w.addPackage(false, p);
        }
        for (Class<?> c : extraBeanClasses) {
            w.addBeanClass(c);
        }
        for (Class<?> r : resources) {
            w.addBeanClass(r);
        }
        weld = w.initialize();
        ResourceConfig rc = new ResourceConfig();
        for (Class<?> r : resources) {
            if (r.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                rc.registerInstances(weld.select(r).get()); // a resource; other classes are CDI beans only
            }
        }
        for (Class<?> p : providers) {
            rc.register(p);
        }
        rc.register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(weld.select(Manager.class).get()).to(Manager.class);
                bind(weld.select(io.github.sseprogress.Tracker.class).get()).to(io.github.sseprogress.Tracker.class);
                bind(weld.select(io.github.sseprogress.Streams.class).get()).to(io.github.sseprogress.Streams.class);
            }
        });
        URI requested = URI.create("http://127.0.0.1:0/");
        http = GrizzlyHttpServerFactory.createHttpServer(requested, rc, false);
        // Liberty accepts 32 KB header fields by default; Grizzly's 8 KB default would answer 400
        // before the application sees a long Last-Event-ID.
        http.getListeners().forEach(l -> l.setMaxHttpHeaderSize(64 * 1024));
        // Grizzly (like Payara's) queues a stalled client's writes in heap without blocking send()
        // (measured ~10 MB per connection on Payara). Bound it as a production server should, so a
        // stalled client makes send() block and the library's write-timeout watchdog is exercised.
        http.getListeners().forEach(l -> l.getTransport().getAsyncQueueIO().getWriter()
                .setMaxPendingBytesPerConnection(256 * 1024));
        try {
            http.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int port = http.getListeners().iterator().next().getPort();
        base = URI.create("http://127.0.0.1:" + port + "/");
    }


    /** Starts a server for {@code resources} with the given {@code sse.*} properties. */
    public static InProcessServer start(Map<String, String> properties, Class<?>... resources) {
        return builder().properties(properties).resources(resources).start();
    }

    /**
     * As {@link #start(Map, Class...)}, with the beans of each package that holds one of
     * {@code extraBeanPackagesOf} (not its subpackages) added to the library's, e.g. a module's
     * {@code io.github.sseprogress.redis} beans.
     */
    public static InProcessServer start(Map<String, String> properties, List<Class<?>> extraBeanPackagesOf,
            Class<?>... resources) {
        return builder().properties(properties).beanPackagesOf(extraBeanPackagesOf.toArray(Class<?>[]::new))
                .resources(resources).start();
    }

    /**
     * A server with more than {@link #start(Map, Class...)} sets: extra bean packages or classes. Jersey
     * injects the fields of the registered resource instances again through HK2, which binds only
     * {@link Manager} and {@link io.github.sseprogress.Tracker}: a resource that needs an extra bean takes it
     * by constructor injection.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects what a server holds; {@link #start()} starts it. Each call adds to what was set before. */
    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<Class<?>> resources = new ArrayList<>();
        private final List<Class<?>> beanPackagesOf = new ArrayList<>();
        private final List<Class<?>> beanClasses = new ArrayList<>();

        private Builder() {
        }

        /** {@code sse.*} (or any other) MicroProfile Config properties. */
        public Builder properties(Map<String, String> props) {
            properties.putAll(props);
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /**
         * JAX-RS resources ({@code @Path}: CDI beans whose instances Jersey serves), providers
         * ({@code @Provider}: registered with Jersey) and other classes (CDI beans only), as
         * {@link InProcessServer#start(Map, Class...)} takes them.
         */
        public Builder resources(Class<?>... classes) {
            resources.addAll(List.of(classes));
            return this;
        }

        /** Adds every bean class of the package of each given class (not its subpackages) to the container. */
        public Builder beanPackagesOf(Class<?>... classes) {
            beanPackagesOf.addAll(List.of(classes));
            return this;
        }

        /** Adds the given classes to the container as beans (e.g. an {@code @Alternative @Priority} test producer). */
        public Builder beanClasses(Class<?>... classes) {
            beanClasses.addAll(List.of(classes));
            return this;
        }

        public InProcessServer start() {
            List<Class<?>> providers = new ArrayList<>();
            List<Class<?>> res = new ArrayList<>();
            for (Class<?> c : resources) {
                if (c.isAnnotationPresent(jakarta.ws.rs.ext.Provider.class)) {
                    providers.add(c);
                } else {
                    res.add(c);
                }
            }
            return new InProcessServer(Map.copyOf(properties), res, providers, List.copyOf(beanPackagesOf),
                    List.copyOf(beanClasses));
        }
    }

    public URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    public <T> T bean(Class<T> type) {
        return weld.select(type).get();
    }

    /** Stops the application the way a container does: CDI shutdown first, then the HTTP server. */
    public void stopApplication() {
        if (weld.isRunning()) {
            weld.shutdown();
        }
    }

    @Override
    public void close() {
        try {
            stopApplication();
        } finally {
            http.shutdownNow();
            config.close();
        }
    }

}
