/**
 * The library's implementation, one sub-package per room (wire, delivery, topic, progress, config).
 * Nothing under {@code io.github.sseprogress.internal} is API: classes are public here only where
 * another package of the library or the container (CDI, JAX-RS, JSON-B) must reach them, and they may
 * change in any release. The API is the package {@code io.github.sseprogress}, pinned by
 * {@code PublicApiTest}.
 */
package io.github.sseprogress.internal;
