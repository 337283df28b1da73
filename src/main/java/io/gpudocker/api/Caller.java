package io.gpudocker.api;

/**
 * Who is calling: a tenant (a user token's name) or the admin. A tenant sees and touches only what it
 * created; the admin sees every tenant's objects. Objects recorded before tenancy have no tenant and are
 * the admin's.
 */
public record Caller(String name, boolean admin) {
    public static final String ADMIN_NAME = "admin";
    public static final Caller ADMIN = new Caller(ADMIN_NAME, true);

    public static Caller tenant(String name) {
        return new Caller(name, false);
    }

    /** Whether this caller may see (and so change) an object recorded for {@code tenant}: its own, or any for the admin. */
    public boolean maySee(String tenant) {
        return admin || name.equals(tenant);
    }

    /** The tenant new objects of this caller are recorded for. */
    public String tenantName() {
        return name;
    }
}
