package io.github.sseprogress.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Records what is logged at WARNING or above (JUL, which Jersey, Weld's JBoss Logging and the
 * library all end up in) while it is open, so a test can assert that normal behaviour logs nothing
 * a server operator would be alarmed by.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture() {
        setLevel(Level.WARNING);
        root.addHandler(this);
    }

    /** Starts recording WARNING and above from every logger. */
    public static LogCapture warningsAndErrors() {
        return new LogCapture();
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            records.add(record);
        }
    }

    /** One line per record: level, logger, message and the thrown exception, if any. */
    public List<String> lines() {
        return records.stream()
                .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() != null ? " [" + r.getThrown() + "]" : ""))
                .collect(Collectors.toList());
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
