package io.gpudocker.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which node of a cluster runs a call of the API. Any node answers any call; the routing in front of the handlers reads
 * this off the handler Spring MVC picks for the request, so a new endpoint says where it runs where it is declared, and
 * its path is matched exactly as the handler's is (decoded).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RunsOn {
    Where value();

    /** The path variable naming the replicaset or volume whose node runs the call. */
    String pathVariable() default "name";

    enum Where {
        /** The node the call arrives at: what is read from etcd (lists, histories, tokens, nodes, the caller) or is this node's. */
        HERE,
        /** The node holding the replicaset named by the path variable; here when no record of the caller's names it. */
        REPLICASET_OWNER,
        /** The node holding the volume named by the path variable; here when no record of the caller's names it. */
        VOLUME_OWNER,
        /** A replicaset create: the node its body names, else the node of the volumes it binds, else placement. */
        PLACED_REPLICASET,
        /** A volume create: the node its body names, else here. */
        VOLUME_NODE_IN_BODY,
        /** A call on the images (list, share): the node the query parameter {@code node} names, else here. */
        IMAGES_NODE_IN_QUERY,
        /** A GET of a resource view: each up node's answer, added up. */
        EVERY_NODE
    }
}
