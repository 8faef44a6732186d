package io.github.sseprogress.redis.testing.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@ApplicationScoped
@Path("greet")
public class GreeterResource {

    private final Greeter greeter;

    // Constructor injection (Weld): Jersey injects the fields of registered instances again through HK2,
    // which knows only Manager and Tracker, so a field @Inject of a module's bean would fail there.
    @Inject
    public GreeterResource(Greeter greeter) {
        this.greeter = greeter;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String greet() {
        return greeter.greet();
    }
}
