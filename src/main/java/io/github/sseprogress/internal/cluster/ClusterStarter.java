package io.github.sseprogress.internal.cluster;

import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Starts the cluster engine with the application where the container allows it, so a node reaps
 * lapsed jobs and holds its subscription before its first request. Payara Micro cannot inject the
 * container's {@code java:comp} executors this early: there the engine starts with the first use of
 * the Manager or the Tracker instead (the failed attempt leaves nothing behind and is logged at FINE).
 */
@ApplicationScoped
public class ClusterStarter {

    private static final Logger LOG = Logger.getLogger(ClusterStarter.class.getName());

    @Inject
    ClusterBridge bridge;

    void started(@Observes @Initialized(ApplicationScoped.class) Object event) {
        try {
            bridge.engine(); // a call on the client proxy creates the bridge, which starts the engine
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "the cluster engine starts with the first use of Manager or Tracker instead", e);
        }
    }
}
