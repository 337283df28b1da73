package io.gpudocker.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command run in a container to its end (or its timeout), its output collected up to a cap. */
final class Execs {
    private static final int MAX_EXEC_OUTPUT = 1 << 20;

    private final DockerClient docker;
    private final DockerCalls calls;

    Execs(DockerClient docker, DockerCalls calls) {
        this.docker = docker;
        this.calls = calls;
    }

    /** @see ContainerEngine#exec */
    ExecResult run(String nameOrId, String workDir, List<String> cmd, Duration timeout) {
        ExecCreateCmdResponse exec = calls.call("exec in " + nameOrId, () -> {
            var create = docker.execCreateCmd(nameOrId).withAttachStdout(true).withAttachStderr(true).withCmd(cmd.toArray(String[]::new));
            if (workDir != null && !workDir.isBlank()) {
                create.withWorkingDir(workDir);
            }
            return create.exec();
        });
        // the output streams for as long as the command runs, bounded by its own timeout
        return calls.call("exec in " + nameOrId, null, () -> {
            StringBuilder out = new StringBuilder();
            ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        if (out.length() < MAX_EXEC_OUTPUT) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }
                }
            };
            docker.execStartCmd(exec.getId()).exec(callback);
            boolean done;
            try {
                done = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            } finally {
                LogStreams.closeQuietly(callback);
            }
            Long exit = done ? calls.call("exit code of exec in " + nameOrId, () -> docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong()) : null;
            synchronized (out) {
                return new ExecResult(out.toString(), exit == null ? -1 : exit, !done);
            }
        });
    }
}
