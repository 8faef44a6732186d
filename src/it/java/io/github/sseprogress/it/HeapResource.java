package io.github.sseprogress.it;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** IT-only: the server's heap in use after a full collection, for measuring what a dead client holds. */
@Path("heap")
@RequestScoped
public class HeapResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return "{\"used\":" + memory.getHeapMemoryUsage().getUsed() + "}";
    }
}
