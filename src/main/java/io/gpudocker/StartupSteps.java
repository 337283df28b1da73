package io.gpudocker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.core.metrics.StartupStep;

/**
 * Where a start's time goes, for a look at start-up costs: with {@code -Dgda.startup.steps=<file>} Spring's steps of the
 * start (context refresh, each bean made, the web server) are recorded and written to that file once the service is
 * up, one line each: start (epoch ms), duration (ms), name and tags. Off by default: recording costs a little.
 */
final class StartupSteps {
    static final String PROPERTY = "gda.startup.steps";

    private final BufferingApplicationStartup steps;
    private final Path file;

    private StartupSteps(BufferingApplicationStartup steps, Path file) {
        this.steps = steps;
        this.file = file;
    }

    /** Records {@code app}'s start when the property names a file; null otherwise. */
    static StartupSteps recordIfAsked(SpringApplication app) {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank()) {
            return null;
        }
        BufferingApplicationStartup steps = new BufferingApplicationStartup(100_000);
        app.setApplicationStartup(steps);
        return new StartupSteps(steps, Path.of(file));
    }

    void write() {
        List<String> lines = new ArrayList<>();
        for (var e : steps.getBufferedTimeline().getEvents()) {
            StringBuilder tags = new StringBuilder();
            for (StartupStep.Tag t : e.getStartupStep().getTags()) {
                tags.append(' ').append(t.getKey()).append('=').append(t.getValue());
            }
            lines.add(e.getStartTime().toEpochMilli() + " " + e.getDuration().toMillis() + " " + e.getStartupStep().getName() + tags);
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the start-up steps to " + file, e);
        }
    }
}
