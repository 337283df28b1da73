package io.gpudocker.store;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON codec for records kept in etcd. Unknown fields are ignored so older services can read newer records. */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}

    public static String write(Object value) { return MAPPER.writeValueAsString(value); }

    public static <T> T read(String json, Class<T> type) { return MAPPER.readValue(json, type); }
}
