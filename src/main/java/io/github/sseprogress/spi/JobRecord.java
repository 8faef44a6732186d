package io.github.sseprogress.spi;

/**
 * A job as the cluster has it.
 *
 * @param topic the job's topic
 * @param run the run token (event ids are {@code <run>-<seq>})
 * @param created whether the call that returned it created the run
 * @param seq the latest event's number (0 before the first event)
 * @param name the latest event's name (or null)
 * @param data the latest event's data (null before the first event)
 * @param json whether {@code data} is JSON
 * @param finished whether the latest event is the terminal
 */
public record JobRecord(String topic, String run, boolean created, long seq, String name, String data, boolean json,
        boolean finished) {

    /** The latest event's id, or null before the first event. */
    public String id() {
        return seq == 0 ? null : run + "-" + seq;
    }
}
