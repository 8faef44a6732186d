package io.github.sseprogress.internal.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;

/** Issue 13 item 3: weighted, nested steps rolled up into one bar that never goes back. */
class StepTreeTest {

    private record Sent(double percent, String step) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final StepTree tree = new StepTree((pct, step) -> sent.add(new Sent(pct, step)));

    private Sent last() {
        return sent.get(sent.size() - 1);
    }

    @Test
    void weightedChildrenRollUpIntoOneBarWithTheCurrentStepsName() {
        Job.Step download = tree.step("download", 60);
        assertThat(last()).isEqualTo(new Sent(0, "download"));
        download.progress(50);
        assertThat(last()).isEqualTo(new Sent(30, "download"));
        download.close();
        assertThat(last()).isEqualTo(new Sent(60, null));
        Job.Step index = tree.step("index", 30);
        index.progress(10);
        assertThat(last()).isEqualTo(new Sent(63, "index"));
        index.close();
        Job.Step report = tree.step("report", 10);
        report.progress(100);
        assertThat(last().percent()).isCloseTo(100, within(1e-9));
        assertThat(last().step()).isEqualTo("report");
    }

    @Test
    void nestedStepsAreAShareOfTheirParentAndShowTheDeepestName() {
        Job.Step index = tree.step("index", 40);
        Job.Step parse = index.step("parse", 50);
        parse.progress(50); // 40 % × 50 % × 50 %
        assertThat(last()).isEqualTo(new Sent(10, "parse"));
        Job.Step unnamed = parse.step(null, 50);
        unnamed.progress(100); // parse: 50 + 50 → 100 %; index 50 %; bar 20 %
        assertThat(last()).isEqualTo(new Sent(20, "parse"));
        parse.close();
        assertThat(last()).isEqualTo(new Sent(20, "index"));
        assertThat(tree.current()).isEqualTo("index");
        index.progress(10); // own work besides the closed child's share: 10 + 50 → 60 % of 40
        assertThat(last()).isEqualTo(new Sent(24, "index"));
    }

    @Test
    void aStepClosedEarlyFillsItsShareAndClosesItsChildren() {
        Job.Step a = tree.step("a", 25);
        Job.Step child = a.step("child", 50);
        child.progress(10);
        a.close();
        assertThat(last()).isEqualTo(new Sent(25, null));
        int before = sent.size();
        child.progress(90); // closed with its parent: ignored
        child.close();
        a.close(); // idempotent
        assertThat(sent).hasSize(before);
        Job.Step late = a.step("late", 10); // a closed step's child does nothing
        late.progress(50);
        assertThat(sent).hasSize(before);
        assertThat(tree.percent()).isEqualTo(25);
    }

    @Test
    void theBarNeverGoesBackAndSharesBeyondOneHundredCap() {
        Job.Step a = tree.step("a", 80);
        a.progress(50);
        a.progress(20); // lower: ignored
        assertThat(last()).isEqualTo(new Sent(40, "a"));
        Job.Step b = tree.step("b", 80);
        b.progress(100);
        assertThat(last()).isEqualTo(new Sent(100, "b"));
        a.close();
        assertThat(tree.percent()).isEqualTo(100);
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).percent()).isGreaterThanOrEqualTo(sent.get(i - 1).percent());
        }
    }

    @Test
    void onlyAChangeOfTheWholePercentageOrTheNameIsSent() {
        Job.Step a = tree.step("a", 100);
        for (int i = 1; i <= 1000; i++) {
            a.progress(i / 10.0);
        }
        assertThat(sent).hasSize(101); // the opening 0 and each whole percent from 1 to 100
    }

    @Test
    void weightsMustBeAShareOfTheParent() {
        for (double w : new double[] {0, -1, 100.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> tree.step("x", w)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> tree.step("x", 10).progress(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stepsUsedFromManyThreadsRollUpToExactlyOneHundredMonotonically() throws Exception {
        List<Double> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        StepTree shared = new StepTree((pct, step) -> seen.add(pct));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Job.Step s = shared.step("worker " + t, 12.5);
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 1; i <= 100; i++) {
                    s.progress(i);
                }
                s.close();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(shared.percent()).isCloseTo(100, within(1e-9));
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).isGreaterThanOrEqualTo(seen.get(i - 1));
        }
        assertThat(seen.get(seen.size() - 1)).isCloseTo(100, within(1e-9));
    }
}
