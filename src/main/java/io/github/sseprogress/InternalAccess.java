package io.github.sseprogress;

import io.github.sseprogress.internal.ApiAccess;

import jakarta.ws.rs.core.Response;

/** Hands the package-private members of the public types to the internal packages; see {@link ApiAccess}. */
final class InternalAccess extends ApiAccess {

    static {
        ApiAccess.install(new InternalAccess());
    }

    private InternalAccess() {
    }

    @Override
    public SubscriberConnecting connecting(String topic, SubscribeOptions options, String queryTokenName) {
        String token = queryTokenName == null ? null : options.queryParameter(queryTokenName);
        return new SubscriberConnecting(topic, options.principal(), options.headers(), options.lastEventId(), token);
    }

    @Override
    public Response rejection(SubscriberConnecting event) {
        return event.rejectionResponse();
    }

    @Override
    public SubscribeOptions withLastEventId(SubscribeOptions options, String lastEventId) {
        return options.withLastEventId(lastEventId);
    }

    @Override
    public SubscribeOptions ofRequest(java.security.Principal principal,
            java.util.Map<String, java.util.List<String>> headers,
            java.util.Map<String, java.util.List<String>> query) {
        return SubscribeOptions.ofRequest(principal, headers, query);
    }

    @Override
    public PollingParts parts(Polling polling) {
        return new PollingParts(polling.source(), polling.interval(), polling.stopCondition(), polling.stopCallback());
    }
}
