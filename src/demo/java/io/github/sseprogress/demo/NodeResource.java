package io.github.sseprogress.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/node}: {@code {"node":"liberty","cluster":true}}, which node served the request. */
@ApplicationScoped
@Path("node")
public class NodeResource {

    @Inject
    DemoNode node;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String node() {
        return "{\"node\":" + Problem.quote(node.name()) + ",\"cluster\":" + node.clustered() + "}";
    }
}
