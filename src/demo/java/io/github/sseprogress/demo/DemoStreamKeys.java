package io.github.sseprogress.demo;

import io.github.sseprogress.StreamKeys;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the keys of the demo's multiplexed streams ({@code GET /api/streams?job=ID&topic=news…} and the
 * WebSocket {@code /api/ws}) mean: the same topics as the demo's single-stream endpoints, with their settings.
 * <ul>
 *   <li>{@code job:ID} a job of {@code POST /api/jobs} ({@link JobResource});</li>
 *   <li>{@code shared:NAME} a shared job of {@code POST /api/shared/NAME} ({@link SharedResource});</li>
 *   <li>{@code topic:clock} the server clock, the polling topic of {@code /api/clock/events} ({@link ClockResource});</li>
 *   <li>{@code topic:NAME} a demo topic of {@code /api/topics/NAME/events}, replaying its newest 256 events
 *       ({@link TopicResource}; so the feed topic {@code clock} is reachable only there);</li>
 *   <li>{@code announcements:shared-jobs} the announcements of new shared jobs of
 *       {@code /api/shared-jobs/events} ({@link SharedAnnouncementsResource}).</li>
 * </ul>
 * Anything else, and an id or name the single-stream endpoints would refuse, is unknown: the stream
 * ends that key with {@code not-found} (404) and goes on with the others.
 */
@ApplicationScoped
public class DemoStreamKeys implements StreamKeys {

    static final String ANNOUNCEMENTS_KEY = "announcements:" + SharedResource.ANNOUNCEMENTS;

    private static final SubscribeOptions TOPIC = SubscribeOptions.builder().replay(TopicResource.REPLAY).build();
    private static final SubscribeOptions ANNOUNCEMENTS =
            SubscribeOptions.builder().replay(SharedAnnouncementsResource.REPLAY).build();

    @Override
    public StreamKeys.Target resolve(String key) {
        int colon = key.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String kind = key.substring(0, colon);
        String name = key.substring(colon + 1);
        return switch (kind) {
            case "job" -> JobResource.isId(name) ? StreamKeys.Target.job(JobResource.topic(name)) : null;
            case "shared" -> SharedResource.isName(name) ? StreamKeys.Target.job(SharedResource.topic(name)) : null;
            case "topic" -> {
                if (name.equals(ClockResource.TOPIC)) {
                    yield StreamKeys.Target.topic(ClockResource.TOPIC, ClockResource.CLOCK);
                }
                yield TopicResource.isName(name) ? StreamKeys.Target.topic(TopicResource.managerTopic(name), TOPIC) : null;
            }
            case "announcements" -> key.equals(ANNOUNCEMENTS_KEY)
                    ? StreamKeys.Target.topic(SharedResource.ANNOUNCEMENTS, ANNOUNCEMENTS) : null;
            default -> null;
        };
    }
}
