package io.github.sseprogress.it;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * IT-only (issue 14 item 5): every record the library's loggers ({@code io.github.sseprogress.*})
 * publish above FINE while the application runs, read back by {@link QuietLogsIT}. A handler on the
 * library's parent logger sees them whatever the server's log format, on both servers; the logger is
 * held here so its handler is not lost with a collected logger, and removed when the application stops.
 */
@Path("library-log")
@ApplicationScoped
public class LibraryLogProbe {

    private static final String LIBRARY = "io.github.sseprogress";

    private final Logger logger = Logger.getLogger(LIBRARY);
    private final List<String> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() > Level.FINE.intValue() && r.getLoggerName() != null
                    && r.getLoggerName().startsWith(LIBRARY) && !r.getLoggerName().startsWith(LIBRARY + ".it")) {
                synchronized (records) {
                    records.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                            + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @PostConstruct
    void install() {
        logger.addHandler(handler);
    }

    @PreDestroy
    void remove() {
        logger.removeHandler(handler);
    }

    /** The records seen so far, one per line (empty: none). */
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String records() {
        synchronized (records) {
            return String.join("\n", records);
        }
    }

    /**
     * Logs one INFO record under the library's logger name, as the library would: proves, on each server,
     * that this probe sees the library's records at all (an empty answer then means "none", not "not seen").
     */
    @POST
    @Path("control")
    @Produces(MediaType.TEXT_PLAIN)
    public String control() {
        Logger.getLogger(LIBRARY + ".internal.QuietLogsControl").info("quiet-logs control record");
        return records();
    }

    /** Forgets the records seen so far (a test's starting point); also installs the handler on first use. */
    @POST
    @Path("clear")
    @Produces(MediaType.TEXT_PLAIN)
    public String clear() {
        synchronized (records) {
            records.clear();
        }
        return "cleared";
    }
}
