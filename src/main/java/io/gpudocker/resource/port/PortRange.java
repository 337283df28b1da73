package io.gpudocker.resource.port;

/** An inclusive range of host ports, e.g. {@code 40000-65535}. */
public record PortRange(int first, int last) {

    public PortRange {
        if (first < 1 || last > 65535) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " must lie within 1-65535");
        }
        if (first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " is inverted: the first port must not exceed the last");
        }
    }

    public static PortRange parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("port range '" + text + "' must look like 40000-65535");
        }
        try {
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port range '" + text + "' must be two numbers, like 40000-65535");
        }
    }

    public int size() { return last - first + 1; }

    public boolean contains(int port) { return port >= first && port <= last; }

    @Override
    public String toString() { return first + "-" + last; }
}
