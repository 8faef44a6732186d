package io.github.sseprogress.redis.testing.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.testing.InProcessServer;

/** The core's test jar works here, and InProcessServer takes a module's beans. */
class InProcessServerExtraBeansTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private String get(InProcessServer server, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void builderAddsTheBeansOfAPackage() throws Exception {
        try (InProcessServer server = InProcessServer.builder()
                .property("sse.queue-size", "64")
                .beanPackagesOf(Greeter.class)
                .resources(GreeterResource.class)
                .start()) {
            assertThat(get(server, "/greet")).isEqualTo("hello; topics=0");
            assertThat(server.bean(Greeter.class).greet()).isEqualTo("hello; topics=0");
        }
    }

    @Test
    void builderAddsSingleBeanClasses() throws Exception {
        try (InProcessServer server = InProcessServer.builder()
                .beanClasses(Greeter.class)
                .resources(GreeterResource.class)
                .start()) {
            assertThat(get(server, "/greet")).isEqualTo("hello; topics=0");
        }
    }

    @Test
    void startOverloadTakesPackages() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of(), List.of(Greeter.class), GreeterResource.class)) {
            assertThat(get(server, "/greet")).isEqualTo("hello; topics=0");
        }
    }

    @Test
    void withoutThePackageTheModulesBeanIsMissing() {
        // the resource alone cannot be wired: Greeter is not a bean unless its package (or class) is added
        assertThatThrownBy(() -> InProcessServer.start(Map.of(), GreeterResource.class).close())
                .isInstanceOf(org.jboss.weld.exceptions.DeploymentException.class)
                .hasMessageContaining("WELD-001408")
                .hasMessageContaining("Greeter");
    }
}
