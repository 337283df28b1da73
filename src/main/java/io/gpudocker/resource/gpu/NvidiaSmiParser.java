package io.gpudocker.resource.gpu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses {@code nvidia-smi --query-gpu=index,uuid,name,memory.total,pci.bus_id --format=csv,noheader,nounits}.
 * Numeric fields may read [N/A], [Not Supported] or [Unknown Error] (MIG, some boards): those become null,
 * and a line without a usable UUID is skipped rather than failing the whole inventory.
 */
public final class NvidiaSmiParser {
    private static final Logger log = LoggerFactory.getLogger(NvidiaSmiParser.class);

    private NvidiaSmiParser() {}

    public static List<Gpu> parse(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int lineNo = 0;
        for (String line : csv.split("\\R")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length < 2) {
                log.warn("nvidia-smi line {} skipped: expected index, uuid, name, memory.total but got '{}'", lineNo, line);
                continue;
            }
            Integer index = number(f[0]);
            String uuid = f[1].trim();
            if (!uuid.startsWith("GPU-") && !uuid.startsWith("MIG-")) {
                log.warn("nvidia-smi line {} skipped: '{}' is not a GPU UUID", lineNo, uuid);
                continue;
            }
            if (!seen.add(uuid)) {
                log.warn("nvidia-smi line {} skipped: UUID {} listed twice", lineNo, uuid);
                continue;
            }
            String model = f.length > 2 ? clean(f[2]) : null;
            Integer memory = f.length > 3 ? number(f[3]) : null;
            String busId = f.length > 4 ? clean(f[4]) : null;
            gpus.add(new Gpu(index == null ? lineNo - 1 : index, uuid, model, memory == null ? null : memory.longValue(), busId));
        }
        gpus.sort(Comparator.comparingInt(Gpu::index).thenComparing(Gpu::uuid));
        return gpus;
    }

    private static Integer number(String field) {
        String s = field.trim();
        if (s.isEmpty() || s.startsWith("[")) {
            return null;
        }
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String clean(String field) {
        String s = field.trim();
        return s.isEmpty() || s.startsWith("[") ? null : s;
    }
}
