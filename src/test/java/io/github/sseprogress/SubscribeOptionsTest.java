package io.github.sseprogress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** Issue 10 item 17: every option has one meaning, in the builder and in the getter alike. */
class SubscribeOptionsTest {

    @Test
    void replayZeroIsOffAndNotSetIsTheConfiguredSize() {
        assertThat(SubscribeOptions.builder().replay(0).build().replay()).as("0 is off, as sse.replay.size=0")
                .isEqualTo(OptionalInt.of(0));
        assertThat(SubscribeOptions.builder().replay(256).build().replay()).isEqualTo(OptionalInt.of(256));
        assertThat(SubscribeOptions.builder().build().replay()).as("not set: sse.replay.size applies").isEmpty();
        assertThat(SubscribeOptions.defaults().replay()).isEmpty();
        assertThatThrownBy(() -> SubscribeOptions.builder().replay(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 is off");
    }

    @Test
    void queueSizeAndPolicyAreEmptyUntilSet() {
        SubscribeOptions none = SubscribeOptions.defaults();
        assertThat(none.queueSize()).isEmpty();
        assertThat(none.slowSubscriberPolicy()).isEmpty();
        assertThat(none.polling()).isNull();

        SubscribeOptions set = SubscribeOptions.builder().queueSize(1).slowSubscriberPolicy(SlowSubscriberPolicy.CLOSE).build();
        assertThat(set.queueSize()).isEqualTo(OptionalInt.of(1));
        assertThat(set.slowSubscriberPolicy()).isEqualTo(Optional.of(SlowSubscriberPolicy.CLOSE));
        assertThatThrownBy(() -> SubscribeOptions.builder().queueSize(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
