package io.gpudocker.resource.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs nvidia-smi; with none on the host, the inventory is empty and cardless instances still work. */
public class GpuInventoryReader {
    static final String QUERY = "--query-gpu=index,uuid,name,memory.total";
    static final String FORMAT = "--format=csv,noheader,nounits";
    private static final Logger log = LoggerFactory.getLogger(GpuInventoryReader.class);

    private final String command;

    public GpuInventoryReader(String command) {
        this.command = command;
    }

    public List<Gpu> read() {
        Process p;
        try {
            p = new ProcessBuilder(command, QUERY, FORMAT).redirectErrorStream(false).start();
        } catch (IOException e) {
            log.warn("no GPUs: '{}' could not be run ({}); only cardless (gpuCount 0) instances can start", command, e.getMessage());
            return List.of();
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("no GPUs: '{}' did not finish within 30 s", command);
                return List.of();
            }
            if (p.exitValue() != 0) {
                log.warn("no GPUs: '{}' exited {}: {}", command, p.exitValue(), err.trim());
                return List.of();
            }
            List<Gpu> gpus = NvidiaSmiParser.parse(out);
            log.info("GPU inventory from '{}': {} GPU(s) {}", command, gpus.size(), gpus.stream().map(Gpu::uuid).toList());
            return gpus;
        } catch (IOException e) {
            log.warn("no GPUs: reading '{}' failed: {}", command, e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
