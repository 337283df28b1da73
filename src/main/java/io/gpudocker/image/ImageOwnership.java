package io.gpudocker.image;

import io.gpudocker.api.Caller;
import io.gpudocker.common.ManagedLabels;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who may run an image. A commit carries the tenant label of the container it was saved from (the container's
 * labels become the image's), and may hold that tenant's files: only that tenant and the admin run it, unless the
 * admin shared it. An image no tenant committed (a base image the operator put on the host) is everyone's.
 */
public final class ImageOwnership {
    /** The registry hosts Docker normalizes to Docker Hub, whose {@code library/} holds the official images. */
    private static final Set<String> DOCKER_HUB_HOSTS = Set.of("docker.io/", "index.docker.io/");

    private ImageOwnership() {}

    /**
     * @param tenant who the instance runs for: a tenant's name, or {@code admin} or null for the admin's
     * @param shared whether the admin shared this image with everyone
     */
    public static boolean mayUse(Map<String, String> labels, boolean shared, String tenant) {
        String committedBy = labels.get(ManagedLabels.TENANT);
        return tenant == null || Caller.ADMIN_NAME.equals(tenant) || committedBy == null || shared || committedBy.equals(tenant);
    }

    /**
     * The repository prefix every commit of this tenant must carry: its commits never take a name anyone else uses.
     * Lower case, as Docker repositories are; tenants differing only in case share it, but never each other's images
     * (ownership is the exact tenant label, and a commit replaces only the same tenant's).
     */
    public static String namespace(String tenant) {
        return tenant.toLowerCase(Locale.ROOT) + "/";
    }

    /**
     * Whether a tenant may commit to this name: only under its own namespace, so a commit cannot take a base image's
     * name (present or pulled later) and be run by the next caller who creates from it. The admin names freely.
     */
    public static boolean inNamespace(String imageName, Caller caller) {
        if (caller.admin()) {
            return true;
        }
        String namespace = namespace(caller.tenantName());
        // Docker reads a first component with a dot as a registry host, and these two as Docker Hub itself:
        // "docker.io/library/ubuntu" is "ubuntu", so such a tenant's namespace would be every name
        return imageName.startsWith(namespace) && !DOCKER_HUB_HOSTS.contains(namespace);
    }

    /** Whether an existing image of that name may be replaced by a commit for {@code tenant}: only that tenant's own commit. */
    public static boolean replaceable(Map<String, String> labels, String owner, String tenant) {
        return owner.equals(labels.get(ManagedLabels.OWNER)) && Objects.equals(tenant, labels.get(ManagedLabels.TENANT));
    }
}
