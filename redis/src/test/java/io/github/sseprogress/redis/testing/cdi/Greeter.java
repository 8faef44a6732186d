package io.github.sseprogress.redis.testing.cdi;

import io.github.sseprogress.Manager;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A bean of a module's own package: only an InProcessServer told about this package has it. */
@ApplicationScoped
public class Greeter {

    @Inject
    Manager manager;

    public String greet() {
        return "hello; topics=" + manager.topics().size();
    }
}
