package io.gpudocker.resource.cpu;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** The kernel's and Docker's CPU list notation, {@code "0-3,8,10-11"}, both ways. */
public final class CpuList {
    private CpuList() {}

    /** The cores a list names, ascending and without repeats; an empty or blank list names none. */
    public static List<Integer> parse(String text) {
        TreeSet<Integer> cores = new TreeSet<>();
        if (text == null || text.isBlank()) {
            return List.of();
        }
        for (String part : text.trim().split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int last = dash < 0 ? first : Integer.parseInt(p.substring(dash + 1).trim());
                if (first < 0 || last < first) {
                    throw new IllegalArgumentException("'" + p + "' in CPU list '" + text + "' is not a core or an ascending range");
                }
                for (int c = first; c <= last; c++) {
                    cores.add(c);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' in CPU list '" + text + "' is not a core number or range", e);
            }
        }
        return List.copyOf(cores);
    }

    /** Ascending ranges, as Docker's {@code CpusetCpus} takes them; empty for none. */
    public static String format(Collection<Integer> cores) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(cores));
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(sorted.get(i));
            if (j > i) {
                out.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }
}
