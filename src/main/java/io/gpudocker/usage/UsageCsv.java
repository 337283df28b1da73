package io.gpudocker.usage;

import java.util.Locale;
import java.util.Map;

/**
 * A usage report as CSV, one row per figure, ready to be joined with a price list on {@code metric} and
 * {@code gpu_model}: {@code tenant,day,kind,instance,metric,gpu_model,quantity}. {@code day} is empty in rows by
 * instance, {@code kind} and {@code instance} in rows by day, {@code gpu_model} in every row but GPU-seconds.
 * Figures that are zero are left out.
 */
public final class UsageCsv {
    public static final String HEADER = "tenant,day,kind,instance,metric,gpu_model,quantity";

    private UsageCsv() {}

    public static String write(UsageReport report) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (UsageReport.Row r : report.rows()) {
            String lead = String.join(",", r.tenant(), r.day() == null ? "" : r.day().toString(),
                    r.kind() == null ? "" : r.kind(), r.instance() == null ? "" : r.instance());
            Amounts a = r.usage();
            for (Map.Entry<String, Double> g : a.gpuSeconds().entrySet()) {
                line(out, lead, "gpu_seconds", g.getKey(), g.getValue());
            }
            line(out, lead, "core_seconds", "", a.coreSeconds());
            line(out, lead, "memory_gib_seconds", "", a.memoryGiBSeconds());
            line(out, lead, "volume_gib_hours", "", a.volumeGiBHours());
            line(out, lead, "instance_seconds", "", a.instanceSeconds());
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String lead, String metric, String model, double quantity) {
        if (quantity != 0) {
            out.append(lead).append(',').append(metric).append(',').append(quoted(model)).append(',')
                    .append(String.format(Locale.ROOT, "%.3f", quantity)).append('\n');
        }
    }

    /** A GPU model may hold a comma ("NVIDIA H200, 141GB" is not impossible); quote it then, as RFC 4180 does. */
    static String quoted(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
