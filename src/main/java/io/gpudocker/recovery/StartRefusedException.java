package io.gpudocker.recovery;

import org.springframework.boot.ExitCodeGenerator;

/** The service refuses to start because acting on what etcd says could destroy users' data; nothing was changed. */
public class StartRefusedException extends RuntimeException implements ExitCodeGenerator {
    /** The process exit status of a refused start. */
    public static final int EXIT_STATUS = 3;

    private final String action;

    public StartRefusedException(String message, String action) {
        super(message);
        this.action = action;
    }

    /** What the operator can do about it. */
    public String action() { return action; }

    @Override
    public int getExitCode() { return EXIT_STATUS; }
}
