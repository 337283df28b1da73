package io.gpudocker.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as users write them ({@code "20GB"}, {@code "1.5TB"}): a number and one of KB, MB, GB, TB, upper case as
 * in the original project and 1024-based like Docker's own limits. Volume sizes, memory limits and shared memory
 * all read through here, so one text means the same number of bytes everywhere.
 */
public final class ByteSizes {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,19}(?:\\.\\d{1,9})?)(KB|MB|GB|TB)");
    private static final String[] UNITS = {"TB", "GB", "MB", "KB"};

    private ByteSizes() {}

    /** The bytes the text names (rounded down), or empty when it is not a number followed by a unit. */
    public static Optional<BigDecimal> bytesOf(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit(m.group(2)))).setScale(0, RoundingMode.DOWN));
    }

    /**
     * For people: the largest unit that names the bytes exactly ({@code 34359738368} is {@code "32GB"}), else the
     * largest unit below them with two decimals, rounded down ({@code "7.61GB"}); plain bytes below 1KB.
     */
    public static String format(long bytes) {
        for (String unit : UNITS) {
            long size = unit(unit);
            if (bytes >= size && bytes % size == 0) {
                return bytes / size + unit;
            }
        }
        for (String unit : UNITS) {
            long size = unit(unit);
            if (bytes >= size) {
                return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(size), 2, RoundingMode.DOWN).stripTrailingZeros().toPlainString() + unit;
            }
        }
        return bytes + "B";
    }

    private static long unit(String unit) {
        return switch (unit) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            case "TB" -> 1024L * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
