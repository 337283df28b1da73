package io.gpudocker.web;

import io.gpudocker.api.BuildInfo;
import io.gpudocker.api.ApiResponse;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's frame: title and version, and the failure envelope on every operation, so that
 * clients generated from the document (ApiFox, Postman) know the error shape and codes as well as the success one.
 * Examples are answers of a real service.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiDocs {
    static final String ERROR_SCHEMA = "ErrorResponse";
    static final String BEARER = "bearer";

    private record Failure(String status, String description, int code, String msg) {}

    private static final Failure BAD_REQUEST = new Failure("400", "Bad input; nothing was changed", 1003,
            "replicaSetName 'my-box' cannot contain '-' (it separates the name from the version in container names)");
    private static final Failure NOT_FOUND = new Failure("404", "Unknown replicaset or version", 1016,
            "replicaset 'foo' does not exist");
    private static final Failure CONFLICT = new Failure("409", "Conflicts with the current state, or not enough GPUs/ports", 1013,
            "asked for 3 GPU(s) for 'foo' but only 2 more are free (free: [GPU-00000000-0000-4000-8000-000000000006, GPU-00000000-0000-4000-8000-000000000007]; the replicaset keeps 0)");
    private static final Failure UNAVAILABLE = new Failure("503", "etcd (code 1050) or the Docker engine (code 1051) is unreachable; nothing was changed", 1050,
            "etcd at http://127.0.0.1:2379 failed to read /gpu-docker-api/apis/v1/replicasets/foo: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception");
    private static final Failure INTERNAL = new Failure("500", "Docker failed the operation; what it created was removed", 1004,
            "failed to create replicaset 'foo': Docker refused to start foo-1: Status 500: driver failed programming external connectivity");

    @Bean
    OpenAPI gpuDockerApiOpenApi() {
        BuildInfo build = BuildInfo.load();
        return new OpenAPI().info(new Info()
                .title("gpu-docker-api")
                .version(build.version())
                .description("GPU container instances on one Docker host, with versioned updates. Every response body is the envelope "
                        + "{code, msg, data}: code 200 on success, else a stable error code (see docs/api.md) with the HTTP status "
                        + "400 bad input, 401 no or unknown bearer token, 404 unknown name or version, 409 conflict or not enough GPUs/ports, "
                        + "503 etcd or Docker unreachable. Every /api/v1 call needs 'Authorization: Bearer <token>'.")
                .license(new License().name("Apache-2.0").identifier("Apache-2.0")))
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                        .scheme("bearer").description("A tenant token (POST /api/v1/tokens) or the admin token")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    @Bean
    OpenApiCustomizer failureEnvelope() {
        return openApi -> {
            openApi.getComponents().addSchemas(ERROR_SCHEMA, errorSchema());
            openApi.getPaths().forEach((path, item) -> {
                for (Map.Entry<PathItem.HttpMethod, Operation> e : item.readOperationsMap().entrySet()) {
                    if (path.startsWith("/api/v1/replicaSet")) {
                        addFailures(e.getValue(), path, e.getKey());
                    }
                }
            });
        };
    }

    private static void addFailures(Operation op, String path, PathItem.HttpMethod method) {
        boolean named = path.contains("{name}");
        boolean hasBody = op.getRequestBody() != null || method == PathItem.HttpMethod.PATCH || method == PathItem.HttpMethod.POST;
        Map<String, Failure> failures = new LinkedHashMap<>();
        if (named || hasBody) {
            failures.put("400", BAD_REQUEST);
        }
        if (named) {
            failures.put("404", NOT_FOUND);
        }
        if (method != PathItem.HttpMethod.GET || path.endsWith("/logs")) {
            failures.put("409", CONFLICT);
        }
        if (method != PathItem.HttpMethod.GET) {
            failures.put("500", INTERNAL);
        }
        failures.put("503", UNAVAILABLE);
        ApiResponses responses = op.getResponses();
        failures.forEach((status, f) -> responses.addApiResponse(status, new io.swagger.v3.oas.models.responses.ApiResponse()
                .description(f.description())
                .content(new Content().addMediaType("application/json", new MediaType()
                        .schema(new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA))
                        .example(example(f))))));
    }

    private static Map<String, Object> example(Failure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", f.code());
        m.put("msg", f.msg());
        m.put("data", null);
        return m;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema errorSchema() {
        Schema schema = new ObjectSchema().description("The envelope of a failure: a stable error code, a precise message, no data");
        schema.addProperty("code", new IntegerSchema().format("int32").description("error code (docs/api.md lists them all)").example(1016));
        schema.addProperty("msg", new StringSchema().description("what was wrong: which field, which value, what was free").example("replicaset 'foo' does not exist"));
        schema.addProperty("data", new Schema<>().description("always null on failure"));
        schema.setRequired(List.of("code", "msg"));
        return schema;
    }
}
