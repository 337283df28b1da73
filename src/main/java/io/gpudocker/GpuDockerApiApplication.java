package io.gpudocker;

import io.gpudocker.api.BuildInfo;
import io.gpudocker.cli.CommandLine;
import io.gpudocker.config.ComputeLimits;
import io.gpudocker.config.QuotaSettings;
import io.gpudocker.config.ProxySettings;
import io.gpudocker.config.SshSettings;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.config.SessionLimits;
import io.gpudocker.recovery.StartRefusedException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.scheduling.annotation.EnableScheduling;

// callers are tokens (auth/SecurityConfig), never users with passwords: Boot's default user would only print a
// "generated security password" at every start that no part of the service accepts
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@EnableScheduling
@EnableConfigurationProperties({GdaProperties.class, ComputeLimits.class, SessionLimits.class, QuotaSettings.class, SshSettings.class, ProxySettings.class})
public class GpuDockerApiApplication {

    public static void main(String[] args) {
        CommandLine.Parsed parsed;
        try {
            parsed = CommandLine.parse(args);
        } catch (CommandLine.InvalidArgumentException e) {
            System.err.println("gpu-docker-api: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (parsed.help()) {
            CommandLine.printHelp(System.out, BuildInfo.load());
            System.exit(0);
            return;
        }
        try {
            SpringApplication app = new SpringApplication(GpuDockerApiApplication.class);
            StartupSteps steps = StartupSteps.recordIfAsked(app);
            app.run(parsed.springArgs().toArray(String[]::new));
            if (steps != null) {
                steps.write();
            }
        } catch (RuntimeException e) {
            StartRefusedException refused = refusal(e);
            if (refused == null) {
                throw e;
            }
            System.err.println("gpu-docker-api: " + refused.getMessage());
            System.err.println("gpu-docker-api: " + refused.action());
            System.exit(StartRefusedException.EXIT_STATUS);
        }
    }

    private static StartRefusedException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartRefusedException refused) {
                return refused;
            }
        }
        return null;
    }
}
