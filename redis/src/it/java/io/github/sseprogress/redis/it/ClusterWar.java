package io.github.sseprogress.redis.it;

import java.nio.file.Path;
import java.util.List;

import io.github.sseprogress.testing.servers.TestWar;

/**
 * The WAR both nodes run, assembled from what the it-cluster profile prepared: the test application's classes
 * ({@code io/github/sseprogress/redis/it/app} of the test classes) in {@code WEB-INF/classes}; this module's jar,
 * sse-progress, Jedis and its dependencies ({@code target/cluster-it/lib}) in {@code WEB-INF/lib}.
 */
final class ClusterWar {

    static final String APP_PACKAGE = "io/github/sseprogress/redis/it/app";

    private ClusterWar() {
    }

    static Path build(Path war) {
        return TestWar.build(war, Path.of(required("it.cluster.appClasses")), APP_PACKAGE,
                Path.of(required("it.cluster.moduleJar")), Path.of(required("it.cluster.dir")).resolve("lib"),
                List.of("sse-progress-", "jedis-"), List.of());
    }

    static String required(String property) {
        return TestWar.required(property, "it-cluster");
    }
}
