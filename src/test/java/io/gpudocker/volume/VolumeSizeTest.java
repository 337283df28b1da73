package io.gpudocker.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpudocker.api.ApiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeSizeTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
            "100KB, 102400",
            "512MB, 536870912",
            "20GB, 21474836480",
            "1TB, 1099511627776",
            "1.5GB, 1610612736",
            "' 2GB ', 2147483648",
            "1024TB, 1125899906842624"})
    void parsesUnitsAs1024Based(String text, long bytes) {
        VolumeSize size = VolumeSize.parse(text);
        assertThat(size.bytes()).isEqualTo(bytes);
        assertThat(size.text()).isEqualTo(text.trim());
    }

    @ParameterizedTest(name = "''{0}'' is 1029")
    @ValueSource(strings = {"20XB", "-1GB", "GB", "1.5.GB", "0", "0GB", "0.0000001KB", "20", "20 GB", "20gb", "20G", "20B",
            "1025TB", "99999999999999999999GB", "+5GB", "1e3GB", "   "})
    @NullAndEmptySource
    void rejectsBadInputWith1029(String text) {
        assertThatThrownBy(() -> VolumeSize.parse(text))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code().code()).isEqualTo(1029);
                    assertThat(e.code().status().value()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("size '" + (text == null ? "" : text) + "'");
                });
    }
}
