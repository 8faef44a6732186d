package io.github.sseprogress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.progress.TrackerBean;
import io.github.sseprogress.internal.topic.InMemoryReplayStore;
import io.github.sseprogress.internal.topic.ManagerBean;
import io.github.sseprogress.testing.TestConfig;
import io.github.sseprogress.testing.TestScheduling;

import jakarta.inject.Inject;

/** The beans an application injects, wired by CDI (weld-junit5), with the test's scheduler. */
@EnableWeld
class WiringTest {

    private static TestConfig config;

    @BeforeAll
    static void configure() {
        config = TestConfig.install(Map.of());
    }

    @AfterAll
    static void release() {
        config.close();
    }

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
            .addPackages(false, ManagerBean.class, Delivery.class, SseConfig.class, TrackerBean.class,
                    io.github.sseprogress.internal.cluster.ClusterBridge.class)
            .addBeanClass(TestScheduling.class)).build();

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Inject
    ReplayStore replayStore;

    @Inject
    Scheduling scheduling;

    @Test
    void managerTrackerAndTheDefaultReplayStoreAreInjectable() {
        assertThat(topics.topics()).isEmpty();
        assertThat(tracker.start("wired").isNew()).isTrue();
        assertThat(tracker.startOrJoin("wired").isNew()).isFalse();
        assertThat(replayStore).isInstanceOf(InMemoryReplayStore.class);
    }

    @Test
    void theAlternativeProducerReplacesTheContainersExecutors() {
        assertThat(scheduling.executor().getClass().getSimpleName()).isEqualTo("ScheduledThreadPoolExecutor");
        assertThat(weld.select(Delivery.class).get().scheduling().writers()).isSameAs(scheduling.writers());
    }
}
