package io.gpudocker.node;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;

/** The 503 for a call on something whose node is down or cannot be reached. */
final class NodeUnavailable {
    private NodeUnavailable() {}

    static ApiException of(String kind, String name, String node, String why) {
        if (name == null || name.isEmpty()) {
            return ApiException.of(ErrorCode.NODE_DOWN, "node '%s' is %s; its %s answers again once it is back", node, why, kind);
        }
        return ApiException.of(ErrorCode.NODE_DOWN, "%s '%s' is on node '%s', which is %s; calls on it work again once that node is back "
                + "(everything else keeps working)", kind, name, node, why);
    }
}
