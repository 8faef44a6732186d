package io.github.sseprogress.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Checks what one client received from several publishers against the loss rule: each publisher's
 * events arrive in order, and every event of a publisher that did not arrive is counted by a
 * {@code missed} frame written after that publisher's previous delivered event and before its next
 * one, each frame counting exactly the events it stands for. Frames are written as {@code "P:S"} (an
 * event of publisher {@code P} with sequence {@code S}; publisher {@code P} offered sequences
 * {@code 0..offered[P]-1}) or {@code "missed:N"}.
 *
 * <p>A frame may count lost events of several publishers, so the check is an assignment: each lost
 * event must go to one {@code missed} frame inside its window, and each frame must get exactly its
 * {@code N}. Windows are intervals of frame positions, so the earliest-deadline-first sweep finds an
 * assignment whenever one exists.
 */
public final class LossPlacement {

    private LossPlacement() {
    }

    /** One lost event: it must be counted by a missed frame at a position in (after, before). */
    private record Lost(int publisher, long sequence, int after, int before) {
    }

    /** The problems found (empty when the frames obey the rule), each naming the frames concerned. */
    public static List<String> problems(List<String> frames, int[] offered) {
        List<String> problems = new ArrayList<>();
        List<List<long[]>> delivered = new ArrayList<>(); // per publisher: {sequence, position}
        for (int p = 0; p < offered.length; p++) {
            delivered.add(new ArrayList<>());
        }
        long reported = 0;
        long deliveredCount = 0;
        for (int pos = 0; pos < frames.size(); pos++) {
            String f = frames.get(pos);
            if (f.startsWith("missed:")) {
                reported += Long.parseLong(f.substring("missed:".length()));
                continue;
            }
            int colon = f.indexOf(':');
            int p = Integer.parseInt(f.substring(0, colon));
            long s = Long.parseLong(f.substring(colon + 1));
            List<long[]> mine = delivered.get(p);
            if (!mine.isEmpty() && mine.get(mine.size() - 1)[0] >= s) {
                problems.add("publisher " + p + ": seq " + s + " at frame " + pos + " after seq "
                        + mine.get(mine.size() - 1)[0] + " (out of order or duplicate)");
            }
            mine.add(new long[] {s, pos});
            deliveredCount++;
        }
        long offeredCount = 0;
        for (int n : offered) {
            offeredCount += n;
        }
        if (deliveredCount + reported != offeredCount) {
            problems.add("delivered " + deliveredCount + " + reported missed " + reported + " != offered " + offeredCount);
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        List<Lost> lost = new ArrayList<>();
        for (int p = 0; p < offered.length; p++) {
            List<long[]> mine = delivered.get(p);
            int i = 0;
            int after = -1;
            for (long s = 0; s < offered[p]; s++) {
                if (i < mine.size() && mine.get(i)[0] == s) {
                    after = (int) mine.get(i)[1];
                    i++;
                } else {
                    int before = i < mine.size() ? (int) mine.get(i)[1] : Integer.MAX_VALUE;
                    lost.add(new Lost(p, s, after, before));
                }
            }
        }
        lost.sort(Comparator.comparingInt(Lost::after));
        PriorityQueue<Lost> open = new PriorityQueue<>(Comparator.comparingInt(Lost::before));
        int next = 0;
        for (int pos = 0; pos < frames.size(); pos++) {
            String f = frames.get(pos);
            if (!f.startsWith("missed:")) {
                continue;
            }
            while (next < lost.size() && lost.get(next).after() < pos) {
                open.add(lost.get(next++));
            }
            Lost due = open.peek();
            if (due != null && due.before() < pos) {
                problems.add(quietGap(due, frames));
                return problems;
            }
            long n = Long.parseLong(f.substring("missed:".length()));
            for (long k = 0; k < n; k++) {
                if (open.poll() == null) {
                    problems.add("frame " + pos + " (" + f + ") counts more events than were lost between "
                            + "their publishers' neighbouring events around it");
                    return problems;
                }
            }
        }
        if (!open.isEmpty() || next < lost.size()) {
            problems.add(quietGap(!open.isEmpty() ? open.peek() : lost.get(next), frames));
        }
        return problems;
    }

    private static String quietGap(Lost l, List<String> frames) {
        return "publisher " + l.publisher() + " lost seq " + l.sequence() + " between frame " + l.after()
                + (l.after() >= 0 ? " (" + frames.get(l.after()) + ")" : " (start)") + " and frame "
                + (l.before() == Integer.MAX_VALUE ? "end" : l.before() + " (" + frames.get(l.before()) + ")")
                + " with no missed frame there to count it: " + window(frames, l.after(), l.before());
    }

    private static String window(List<String> frames, int after, int before) {
        int from = Math.max(0, after - 2);
        int to = Math.min(frames.size(), before == Integer.MAX_VALUE ? frames.size() : before + 3);
        to = Math.min(to, from + 40);
        return frames.subList(from, to).toString();
    }

    /** How many missed frames have a delivered event right before and after them. */
    public static long gapsBetweenDeliveries(List<String> frames) {
        long n = 0;
        for (int i = 1; i + 1 < frames.size(); i++) {
            if (frames.get(i).startsWith("missed:") && !frames.get(i - 1).startsWith("missed:")
                    && !frames.get(i + 1).startsWith("missed:")) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code t} is blocked entering a lock in {@code owner.method} (the loss lock's owner). */
    public static boolean blockedIn(Thread t, Class<?> owner, String method) {
        if (t.getState() != Thread.State.BLOCKED) {
            return false;
        }
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().equals(owner.getName())
                && stack[0].getMethodName().equals(method);
    }
}
