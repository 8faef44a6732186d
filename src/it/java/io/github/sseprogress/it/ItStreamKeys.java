package io.github.sseprogress.it;

import io.github.sseprogress.StreamKeys;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the IT application's multiplexed keys name: {@code topic:X} and {@code replay:X} (a ring of 64)
 * are {@link TopicResource}'s topic X, {@code job:X} is {@link JobResource}'s job X.
 */
@ApplicationScoped
public class ItStreamKeys implements StreamKeys {

    @Override
    public Target resolve(String key) {
        if (key.startsWith("topic:")) {
            return Target.topic(TopicResource.PREFIX + key.substring(6));
        }
        if (key.startsWith("replay:")) {
            return Target.topic(TopicResource.PREFIX + key.substring(7), SubscribeOptions.builder().replay(64).build());
        }
        if (key.startsWith("job:")) {
            return Target.job(JobResource.topic(key.substring(4)));
        }
        return null;
    }
}
