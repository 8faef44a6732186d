package io.github.sseprogress.stream;

import io.github.sseprogress.StreamKeys;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;

/** The application's key mapping: {@code replay:X} is topic X with a ring of 50, the rest as the default. */
@ApplicationScoped
public class TestKeys implements StreamKeys {

    @Override
    public Target resolve(String key) {
        if (key.startsWith("replay:")) {
            return Target.topic(key.substring(7), SubscribeOptions.builder().replay(50).build());
        }
        if (key.startsWith("topic:")) {
            return Target.topic(key.substring(6));
        }
        if (key.startsWith("job:")) {
            return Target.job("jobs/" + key.substring(4));
        }
        return null;
    }
}
