package io.gpudocker.volume;

import io.gpudocker.api.ErrorCode;
import io.gpudocker.api.validation.Rejection;
import io.gpudocker.common.ByteSizes;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * A volume size as the user wrote it ({@code "20GB"}) and in bytes. Units are KB, MB, GB and TB, written in
 * upper case as in the original project, and are 1024-based like the {@code size} option of Docker's
 * {@code local} volume driver, so the limit Docker enforces is the number the user asked for.
 */
public record VolumeSize(long bytes, String text) {
    /** No single volume is larger than this; a bigger number is a typo. */
    public static final long MAX_BYTES = 1024L * 1024 * 1024 * 1024 * 1024;

    public VolumeSize {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a volume size is positive, got " + bytes);
        }
    }

    /** Parses the user's text; anything else than a positive number followed by KB, MB, GB or TB is a 1029. */
    public static VolumeSize parse(String text) {
        Reading reading = read(text);
        if (reading.rejection() != null) {
            throw reading.rejection().toException("size");
        }
        return reading.size();
    }

    /** Why the text is no volume size (1029), or empty when {@link #parse} accepts it. */
    public static Optional<Rejection> check(String text) {
        return Optional.ofNullable(read(text).rejection());
    }

    /** Either a size or why there is none: the rule and the parser are one piece of code. */
    private record Reading(VolumeSize size, Rejection rejection) {}

    private static Reading read(String text) {
        if (text == null || text.isBlank()) {
            return invalid(text, "it is empty");
        }
        String trimmed = text.trim();
        Optional<BigDecimal> read = ByteSizes.bytesOf(trimmed);
        if (read.isEmpty()) {
            return invalid(text, "expected a positive number followed by KB, MB, GB or TB, e.g. 20GB or 1.5TB");
        }
        BigDecimal bytes = read.get();
        if (bytes.signum() <= 0) {
            return invalid(text, "the size must be greater than zero");
        }
        if (bytes.compareTo(BigDecimal.valueOf(MAX_BYTES)) > 0) {
            return invalid(text, "the size is larger than 1024TB");
        }
        return new Reading(new VolumeSize(bytes.longValueExact(), trimmed), null);
    }

    private static Reading invalid(String text, String why) {
        return new Reading(null, new Rejection(ErrorCode.VOLUME_SIZE_INVALID, String.format(
                "'%s' is invalid: %s (units are 1024-based: 1KB = 1024 bytes)", text == null ? "" : text, why)));
    }

    @Override
    public String toString() { return text + " (" + bytes + " bytes)"; }
}
