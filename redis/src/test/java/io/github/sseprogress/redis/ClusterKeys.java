package io.github.sseprogress.redis;

import io.github.sseprogress.StreamKeys;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;

/** The test application's multiplexed keys: {@code topic:X} replays (as its single streams do), {@code job:X}. */
@ApplicationScoped
public class ClusterKeys implements StreamKeys {

    @Override
    public Target resolve(String key) {
        if (key.startsWith("topic:")) {
            return Target.topic(key.substring(6), SubscribeOptions.builder().replay(1000).build());
        }
        return key.startsWith("job:") ? Target.job(key.substring(4)) : null;
    }
}
