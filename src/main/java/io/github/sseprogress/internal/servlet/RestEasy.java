package io.github.sseprogress.internal.servlet;

import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.ws.rs.sse.Sse;

/**
 * Open Liberty's JAX-RS runtime (RESTEasy) answers {@code 204} when a {@code void} resource method
 * returns; on a response the servlet transport already committed that is Liberty's {@code SRVE8115W:
 * Cannot set status. Response already committed} warning (the stream itself is unharmed). RESTEasy
 * writes nothing for a request that was forwarded ({@code ResourceMethodInvoker}: {@code
 * request.wasForwarded()} → no response), which is what this request now is: handed to someone else
 * that answers it. So on RESTEasy the transport sets that flag, the {@code protected} field
 * {@code wasForwarded} of the request's {@code HttpServletInputMessage}, before the method returns.
 * Suspending RESTEasy's own asynchronous context does not work: for a method without
 * {@code AsyncResponse} it resumes with the method's (null) result at once and completes the request.
 * Jersey (Payara) needs nothing: it leaves a committed response alone.
 *
 * <p>Applications cannot see RESTEasy's classes, so they are loaded through the runtime's {@code Sse}
 * class loader. Request thread only.
 */
final class RestEasy {

    private static final Logger LOG = Logger.getLogger(RestEasy.class.getName());

    private RestEasy() {
    }

    /** Tells RESTEasy the current request is answered elsewhere; does nothing on another runtime. */
    static void handOver(Sse sse) {
        if (sse == null || !sse.getClass().getName().startsWith("org.jboss.resteasy.")) {
            return;
        }
        try {
            ClassLoader loader = sse.getClass().getClassLoader();
            Class<?> context = Class.forName("org.jboss.resteasy.core.ResteasyContext", false, loader);
            Class<?> httpRequest = Class.forName("org.jboss.resteasy.spi.HttpRequest", false, loader);
            Object request = context.getMethod("getContextData", Class.class).invoke(null, httpRequest);
            Class<?> type = request == null ? null : request.getClass();
            while (type != null) {
                try {
                    Field f = type.getDeclaredField("wasForwarded");
                    f.setAccessible(true);
                    f.setBoolean(request, true);
                    return;
                } catch (NoSuchFieldException e) {
                    type = type.getSuperclass();
                }
            }
            LOG.log(Level.FINE, "RESTEasy request without wasForwarded: {0}", request);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // an unknown RESTEasy: the stream still works, the server may log that the status was not set
            LOG.log(Level.FINE, "could not hand a RESTEasy request over to a servlet event stream", e);
        }
    }
}
