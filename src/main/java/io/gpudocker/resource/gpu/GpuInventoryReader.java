package io.gpudocker.resource.gpu;

import io.gpudocker.common.ProcessRunner;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs nvidia-smi; with none on the host, or one that fails or hangs, the inventory is empty and cardless
 * instances still work. Startup waits for it, so a hung driver must cost a bounded delay, never the service.
 */
public class GpuInventoryReader {
    static final String QUERY = "--query-gpu=index,uuid,name,memory.total,pci.bus_id";
    static final String FORMAT = "--format=csv,noheader,nounits";
    /** nvidia-smi answers in well under a second on a healthy host; one still busy after this is stuck. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(GpuInventoryReader.class);
    private static final String CARDLESS_ONLY = "only cardless (gpuCount 0) instances can start";

    private final ProcessRunner runner = new ProcessRunner();
    private final String command;
    private final Duration limit;

    public GpuInventoryReader(String command) {
        this(command, DEFAULT_LIMIT);
    }

    /** @param limit how long nvidia-smi may run before it is killed and the inventory taken as empty */
    public GpuInventoryReader(String command, Duration limit) {
        this.command = command;
        this.limit = limit;
    }

    public List<Gpu> read() {
        ProcessRunner.Result result;
        try {
            result = runner.run(List.of(command, QUERY, FORMAT), limit);
        } catch (ProcessRunner.StartFailed e) {
            log.warn("no GPUs: '{}' could not be run ({}); {}", command, e.getMessage(), CARDLESS_ONLY);
            return List.of();
        } catch (ProcessRunner.TimedOut e) {
            log.warn("no GPUs: {}; {}", e.getMessage(), CARDLESS_ONLY);
            return List.of();
        } catch (ProcessRunner.Interrupted e) {
            log.warn("no GPUs: interrupted while waiting for '{}'", command);
            return List.of();
        }
        if (!result.succeeded()) {
            log.warn("no GPUs: '{}' exited {}: {}; {}", command, result.exitCode(), result.stderr().strip(), CARDLESS_ONLY);
            return List.of();
        }
        List<Gpu> gpus = NvidiaSmiParser.parse(result.stdout());
        log.info("GPU inventory from '{}': {} GPU(s) {}", command, gpus.size(), gpus.stream().map(Gpu::uuid).toList());
        return gpus;
    }
}
