package io.github.sseprogress.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The IT WAR's JAX-RS application: every IT resource under {@code api/}. */
@ApplicationPath("api")
public class ItApplication extends Application {
}
