package io.github.sseprogress.demo;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The demo's REST API under {@code /api}; the page ({@code index.html}) and the library's browser
 * module ({@code sse-progress/sse-progress.js}, served from the library jar) sit at the root.
 */
@ApplicationPath("api")
public class DemoApplication extends Application {
}
