package io.gpudocker.api;

import org.springframework.http.HttpStatus;

/**
 * Every error the API answers with. Codes 1000-1035 keep the numbers of the original Go project so its
 * clients keep working; later codes are this service's own. docs/api.md lists them all.
 */
public enum ErrorCode {
    INTERNAL(500, HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    INVALID_PARAMS(1000, HttpStatus.BAD_REQUEST, "Invalid request body"),
    IMAGE_NAME_EMPTY(1001, HttpStatus.BAD_REQUEST, "Image name cannot be empty"),
    REPLICASET_NAME_EMPTY(1002, HttpStatus.BAD_REQUEST, "ReplicaSet name cannot be empty"),
    REPLICASET_NAME_INVALID(1003, HttpStatus.BAD_REQUEST, "ReplicaSet name cannot contain dash"),
    CONTAINER_RUN_FAILED(1004, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to start container"),
    CONTAINER_DELETE_FAILED(1005, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to delete container"),
    CONTAINER_EXECUTE_FAILED(1006, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to execute a command"),
    CONTAINER_PATCH_FAILED(1007, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to patch container"),
    REPLICASET_EXISTS(1008, HttpStatus.CONFLICT, "ReplicaSet already exists"),
    CONTAINER_STOP_FAILED(1010, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to stop container"),
    CONTAINER_RESTART_FAILED(1011, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to restart container"),
    GPU_COUNT_INVALID(1012, HttpStatus.BAD_REQUEST, "GPU count must be between 0 and the host's GPU count"),
    GPU_NOT_ENOUGH(1013, HttpStatus.CONFLICT, "Not enough GPU resources"),
    PORT_NOT_ENOUGH(1014, HttpStatus.CONFLICT, "Not enough port resources"),
    CONTAINER_COMMIT_FAILED(1015, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to commit image"),
    REPLICASET_NOT_FOUND(1016, HttpStatus.NOT_FOUND, "ReplicaSet not found"),
    VERSION_INVALID(1020, HttpStatus.BAD_REQUEST, "Version must be greater than 0"),
    ROLLBACK_FAILED(1021, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to rollback container"),
    NO_NEED_ROLLBACK(1022, HttpStatus.CONFLICT, "The requested version is the current version"),
    VOLUME_CREATE_FAILED(1023, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to create volume"),
    VOLUME_NAME_EMPTY(1024, HttpStatus.BAD_REQUEST, "Volume name cannot be empty"),
    VOLUME_DELETE_FAILED(1025, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to delete volume"),
    VOLUME_EXISTS(1026, HttpStatus.CONFLICT, "Volume already exists"),
    VOLUME_SIZE_UNCHANGED(1028, HttpStatus.BAD_REQUEST, "Volume already has that size"),
    VOLUME_SIZE_INVALID(1029, HttpStatus.BAD_REQUEST, "Volume size is invalid; units: KB, MB, GB, TB"),
    VOLUME_SHRINK_BELOW_USED(1030, HttpStatus.CONFLICT, "The new size is smaller than the bytes in use"),
    VOLUME_NAME_INVALID(1031, HttpStatus.BAD_REQUEST, "Volume name cannot contain dash"),
    VOLUME_NAME_SLASH(1032, HttpStatus.BAD_REQUEST, "Volume name must not begin with /"),
    VOLUME_NOT_FOUND(1033, HttpStatus.NOT_FOUND, "Volume not found"),
    VOLUME_PATCH_FAILED(1035, HttpStatus.INTERNAL_SERVER_ERROR, "Failed to patch volume"),
    IMAGE_NOT_FOUND(1036, HttpStatus.BAD_REQUEST, "Image is not present on this host"),
    VERSION_NOT_FOUND(1037, HttpStatus.NOT_FOUND, "Version not found"),
    SNAPSHOT_PRUNED(1038, HttpStatus.CONFLICT, "The version's filesystem snapshot was pruned"),
    INVALID_STATE(1039, HttpStatus.CONFLICT, "The replicaset is not in a state that allows this"),
    BIND_INVALID(1040, HttpStatus.BAD_REQUEST, "Invalid bind"),
    BIND_NOT_FOUND(1041, HttpStatus.NOT_FOUND, "No bind matches oldBind"),
    VOLUME_IN_USE(1043, HttpStatus.CONFLICT, "The volume is mounted by a container"),
    SYSTEM_DISK_UNSUPPORTED(1044, HttpStatus.CONFLICT, "The Docker engine cannot carry the system disk over"),
    CONCURRENT_MODIFICATION(1045, HttpStatus.CONFLICT, "The record changed under this call; retry"),
    BUSY(1046, HttpStatus.CONFLICT, "Another operation on this name is still running"),
    NOT_IMPORTED(1047, HttpStatus.CONFLICT, "The name holds a record of the original project, not yet imported"),
    ETCD_UNAVAILABLE(1050, HttpStatus.SERVICE_UNAVAILABLE, "etcd is unreachable"),
    DOCKER_UNAVAILABLE(1051, HttpStatus.SERVICE_UNAVAILABLE, "The Docker engine is unreachable"),
    UNAUTHENTICATED(1060, HttpStatus.UNAUTHORIZED, "A valid bearer token is required"),
    FORBIDDEN(1061, HttpStatus.FORBIDDEN, "This token may not do that"),
    TOKEN_EXISTS(1062, HttpStatus.CONFLICT, "A token of that name exists"),
    TOKEN_NOT_FOUND(1063, HttpStatus.NOT_FOUND, "Token not found"),
    BODY_TOO_LARGE(1064, HttpStatus.CONTENT_TOO_LARGE, "The request body is too large"),
    TOO_MANY_STREAMS(1065, HttpStatus.TOO_MANY_REQUESTS, "Too many followed logs are open"),
    IMAGE_NOT_YOURS(1066, HttpStatus.CONFLICT, "The image name is outside this tenant's namespace or belongs to an image it did not commit"),
    TOO_MANY_SESSIONS(1069, HttpStatus.TOO_MANY_REQUESTS, "Too many terminals or running commands are open for this caller"),
    DOCKER_NOT_FOUND(1070, HttpStatus.NOT_FOUND, "The Docker engine has no such object"),
    DOCKER_CONFLICT(1071, HttpStatus.CONFLICT, "The Docker engine refused: conflict with its current state"),
    DOCKER_FAILED(1072, HttpStatus.BAD_GATEWAY, "The Docker engine failed the request"),
    CPU_COUNT_INVALID(1080, HttpStatus.BAD_REQUEST, "CPU count must be between 0 and the host's core count"),
    CPU_NOT_ENOUGH(1081, HttpStatus.CONFLICT, "Not enough free CPU cores"),
    MEMORY_INVALID(1082, HttpStatus.BAD_REQUEST, "Memory or shared memory size is invalid; units: KB, MB, GB, TB"),
    MEMORY_NOT_ENOUGH(1083, HttpStatus.CONFLICT, "Not enough free memory"),
    ABOVE_TENANT_CEILING(1084, HttpStatus.BAD_REQUEST, "More cores, memory or shared memory than a tenant's instance may have, or none where a limit is required"),
    NODE_DOWN(1090, HttpStatus.SERVICE_UNAVAILABLE, "The node that holds it is down or unreachable"),
    NODE_UNKNOWN(1091, HttpStatus.BAD_REQUEST, "No node of that name"),
    NODE_MISMATCH(1092, HttpStatus.BAD_REQUEST, "The instance and its volumes would be on different nodes"),
    NODE_IN_USE(1093, HttpStatus.CONFLICT, "The node is up or still holds instances or volumes"),
    NOT_THIS_NODE(1094, HttpStatus.CONFLICT, "Another node holds it; this node does not act on it"),
    QUOTA_EXCEEDED(1100, HttpStatus.CONFLICT, "The tenant's quota does not allow this: the message names the quota, its limit, the use and the ask"),
    QUOTA_INVALID(1101, HttpStatus.BAD_REQUEST, "A quota must be a whole number or a size (KB, MB, GB, TB), 0 or more; absent: no limit"),
    TELEMETRY_OFF(1110, HttpStatus.CONFLICT, "Telemetry is off on the node that runs the instance (gda.telemetry.enabled=false)"),
    SINCE_INVALID(1111, HttpStatus.BAD_REQUEST, "since must be an ISO-8601 instant (2026-01-01T00:00:00Z) or a duration back from now (30s, 15m, 2h)"),
    SCHEDULE_INVALID(1112, HttpStatus.BAD_REQUEST, "A schedule needs an action (stop or cardless) and exactly one of at (a future ISO-8601 instant) or after (a positive duration)"),
    SCHEDULE_NOT_FOUND(1113, HttpStatus.NOT_FOUND, "The replicaset has no schedule"),
    EVENT_ID_INVALID(1114, HttpStatus.BAD_REQUEST, "Last-Event-ID and since must be an event id: a whole number, 0 or more"),
    RECLAIM_POLICY_INVALID(1115, HttpStatus.BAD_REQUEST, "A reclaim policy needs idleBelowPercent 1-100, idleFor a positive duration, action notify, cardless or stop, and grace shorter than idleFor; or off: true"),
    SSH_KEY_INVALID(1120, HttpStatus.BAD_REQUEST, "Not an OpenSSH public key line (type, base64 key, optional comment) of a supported type"),
    SSH_KEY_EXISTS(1121, HttpStatus.CONFLICT, "A key of that name, or the same key, is registered already"),
    SSH_KEY_NOT_FOUND(1122, HttpStatus.NOT_FOUND, "No SSH key of that name"),
    PROXY_UNREACHABLE(1123, HttpStatus.BAD_GATEWAY, "Nothing answers on that port of the instance's container"),
    PROXY_PORT_INVALID(1124, HttpStatus.BAD_REQUEST, "The port must be a whole number from 1 to 65535"),
    MOVE_SAME_NODE(1130, HttpStatus.BAD_REQUEST, "The instance is already on that node"),
    MOVE_NODE_UNKNOWN(1131, HttpStatus.NOT_FOUND, "No node of that name to move to"),
    MOVE_UNSUPPORTED(1132, HttpStatus.CONFLICT, "The instance cannot be moved as it is (host-path binds, a volume another instance binds, paused or exited)"),
    MOVE_NODES_ONLY(1133, HttpStatus.FORBIDDEN, "Only another node of the cluster may call this (a signed inter-node call)"),
    MOVE_FAILED(1134, HttpStatus.INTERNAL_SERVER_ERROR, "The move failed; the instance stays on its node as it was"),
    MOVE_NOT_PENDING(1135, HttpStatus.CONFLICT, "No move of that instance is in progress between these nodes"),
    MOVE_IN_PROGRESS(1136, HttpStatus.CONFLICT, "The node is being drained or the instance is being moved already");

    private final int code;
    private final HttpStatus status;
    private final String defaultMessage;

    ErrorCode(int code, HttpStatus status, String defaultMessage) {
        this.code = code;
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    public int code() { return code; }

    public HttpStatus status() { return status; }

    public String defaultMessage() { return defaultMessage; }
}
