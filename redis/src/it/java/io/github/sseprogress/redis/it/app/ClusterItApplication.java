package io.github.sseprogress.redis.it.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The test application deployed on both server nodes of {@code ClusterServersIT}: everything under {@code /api}. */
@ApplicationPath("api")
public class ClusterItApplication extends Application {
}
