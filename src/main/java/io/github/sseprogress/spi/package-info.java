/**
 * Service provider interfaces: what an optional engine (e.g. {@code sse-progress-redis}) implements to
 * run the library's topics and jobs across nodes. Applications do not call these.
 */
package io.github.sseprogress.spi;
