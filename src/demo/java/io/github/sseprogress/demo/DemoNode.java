package io.github.sseprogress.demo;

import java.net.InetAddress;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Which node this is, for the page and {@code GET /api/node}. Clustered means what the library means by
 * it: the WAR holds {@code sse-progress-redis} and sets {@code sse.cluster.redis.uri}. The name is
 * {@code sse.cluster.node-name} when set (the cluster demo sets it on each server), otherwise the
 * server's kind ({@code liberty}, {@code payara}) or, failing that, the host name.
 */
@ApplicationScoped
public class DemoNode {

    private static final String REDIS_ENGINE = "io.github.sseprogress.redis.RedisEngine";

    @Inject
    @ConfigProperty(name = "sse.cluster.node-name")
    Optional<String> nodeName;

    @Inject
    @ConfigProperty(name = "sse.cluster.redis.uri")
    Optional<String> redisUri; // only its presence is read: it may hold a password

    public String name() {
        return nodeName.map(String::trim).filter(s -> !s.isEmpty()).orElseGet(DemoNode::serverKind);
    }

    public boolean clustered() {
        return redisUri.map(String::trim).filter(s -> !s.isEmpty()).isPresent() && hasRedisEngine();
    }

    private static boolean hasRedisEngine() {
        try {
            Class.forName(REDIS_ENGINE, false, DemoNode.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String serverKind() {
        if (System.getProperty("wlp.install.dir") != null || System.getProperty("wlp.user.dir") != null) {
            return "liberty";
        }
        if (System.getProperty("com.sun.aas.installRoot") != null || System.getProperty("com.sun.aas.instanceRoot") != null) {
            return "payara";
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "node";
        }
    }
}
