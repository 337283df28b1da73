package io.gpudocker.cli;

import io.gpudocker.api.BuildInfo;
import io.gpudocker.resource.port.PortRange;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The original's flags ({@code -a -e -p -l -h}) and {@code --bind-roots}, translated into Spring properties so the same settings
 * also work as properties and environment variables. Bad values are refused here with one clear line.
 */
public final class CommandLine {
    public static final String DEFAULT_ADDR = "0.0.0.0:2378";
    public static final String DEFAULT_ETCD = "127.0.0.1:2379";
    public static final String DEFAULT_PORT_RANGE = "40000-65535";
    public static final String DEFAULT_LOG_LEVEL = "info";
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");
    /** The original's spellings: its help suggests release (gin's mode) for production, and logrus names. */
    private static final Map<String, String> ORIGINAL_LEVELS = Map.of("release", "info", "warning", "warn", "fatal", "error", "panic", "error");

    /** What to do after parsing: run with these Spring arguments, or print help and exit. */
    public record Parsed(boolean help, List<String> springArgs) {}

    public static class InvalidArgumentException extends RuntimeException {
        public InvalidArgumentException(String message) { super(message); }
    }

    private CommandLine() {}

    public static Parsed parse(String[] args) {
        List<String> spring = new ArrayList<>();
        boolean help = false;
        String tlsCert = null;
        String tlsKey = null;
        String etcdCert = null;
        String etcdKey = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            // -a=host:port as well as --addr=host:port: Go's flag package, which the original used, takes both
            if (arg.startsWith("-") && eq > 0) {
                flag = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (flag) {
                case "-h", "--help" -> help = true;
                case "-a", "--addr" -> spring.addAll(address(inline != null ? inline : value(args, ++i, flag)));
                case "-e", "--etcd" -> spring.add("--gda.etcd.endpoints=" + etcd(inline != null ? inline : value(args, ++i, flag)));
                case "-p", "--portRange" -> spring.add("--gda.ports.range=" + portRange(inline != null ? inline : value(args, ++i, flag)));
                case "-l", "--logLevel" -> spring.add("--logging.level.io.gpudocker=" + level(inline != null ? inline : value(args, ++i, flag)));
                case "--admin-token-file" -> spring.add("--gda.auth.admin-token-file=" + (inline != null ? inline : value(args, ++i, flag)));
                case "--no-auth" -> spring.add("--gda.auth.enabled=false");
                case "--etcd-cacert" -> spring.add("--gda.etcd.ca-file=" + (inline != null ? inline : value(args, ++i, flag)));
                case "--etcd-cert" -> etcdCert = inline != null ? inline : value(args, ++i, flag);
                case "--etcd-key" -> etcdKey = inline != null ? inline : value(args, ++i, flag);
                case "--tls-cert" -> tlsCert = inline != null ? inline : value(args, ++i, flag);
                case "--tls-key" -> tlsKey = inline != null ? inline : value(args, ++i, flag);
                case "--bind-roots" -> spring.add("--gda.binds.allowed-roots=" + bindRoots(inline != null ? inline : value(args, ++i, flag)));
                case "--ssh-addr" -> spring.add("--gda.ssh.addr=" + (inline != null ? inline : value(args, ++i, flag)));
                case "--no-ssh" -> spring.add("--gda.ssh.enabled=false");
                case "--recover" -> spring.add("--gda.recover=true");
                case "--import-original" -> spring.add("--gda.import-original=true");
                case "--node-name" -> spring.add("--gda.node.name=" + (inline != null ? inline : value(args, ++i, flag)));
                case "--advertise" -> spring.add("--gda.node.advertise=" + (inline != null ? inline : value(args, ++i, flag)));
                default -> {
                    if (arg.startsWith("--") && eq > 0) {
                        spring.add(arg); // an ordinary Spring property, e.g. --gda.history.keep=10
                    } else {
                        throw new InvalidArgumentException("unknown argument '" + arg + "' (try -h)");
                    }
                }
            }
        }
        spring.addAll(tls(tlsCert, tlsKey));
        spring.addAll(etcdClientCertificate(etcdCert, etcdKey));
        return new Parsed(help, spring);
    }

    /** HTTPS through a Spring Boot SSL bundle made of the two PEM files. */
    static List<String> tls(String cert, String key) {
        if (cert == null && key == null) {
            return List.of();
        }
        if (cert == null || key == null) {
            throw new InvalidArgumentException("HTTPS needs both --tls-cert and --tls-key");
        }
        return List.of("--spring.ssl.bundle.pem.gda.keystore.certificate=file:" + cert,
                "--spring.ssl.bundle.pem.gda.keystore.private-key=file:" + key,
                "--server.ssl.bundle=gda");
    }

    /** The client certificate etcd's --client-cert-auth asks for: the two go together. */
    static List<String> etcdClientCertificate(String cert, String key) {
        if (cert == null && key == null) {
            return List.of();
        }
        if (cert == null || key == null) {
            throw new InvalidArgumentException("the etcd client certificate needs both --etcd-cert and --etcd-key");
        }
        return List.of("--gda.etcd.cert-file=" + cert, "--gda.etcd.key-file=" + key);
    }

    public static void printHelp(PrintStream out, BuildInfo info) {
        out.printf("%s %s (commit %s, built %s)%n", info.name(), info.version(), info.commit(), info.buildTime());
        out.println("GPU container instances on one Docker host, with versioned updates, over a REST API.");
        out.println();
        out.println("Usage: java -jar gpu-docker-api.jar [flags] [--spring.property=value ...]");
        out.printf("  -a, --addr <host:port>        listen address (default %s)%n", DEFAULT_ADDR);
        out.printf("  -e, --etcd <host:port,...>    etcd endpoints, comma separated (default %s)%n", DEFAULT_ETCD);
        out.println("      --etcd-cacert <pem>       verify the etcd members' certificates against this CA bundle; endpoints");
        out.println("                                without a scheme then use https (an https:// endpoint alone: the JVM's trust)");
        out.println("      --etcd-cert <pem> --etcd-key <pem>  client certificate and its unencrypted key, for etcd's --client-cert-auth");
        out.printf("  -p, --portRange <first-last>  host ports handed to containers (default %s)%n", DEFAULT_PORT_RANGE);
        out.printf("  -l, --logLevel <level>        trace, debug, info, warn, error; release means info (default %s)%n", DEFAULT_LOG_LEVEL);
        out.println("      --admin-token-file <path>  read the admin token from this file (or set GDA_ADMIN_TOKEN);");
        out.println("                                with neither, the first start generates one into the state directory");
        out.println("      --no-auth                 no tokens at all: every caller is the admin (loopback addresses only)");
        out.println("      --tls-cert <pem> --tls-key <pem>  serve HTTPS with this certificate chain and private key");
        out.println("  --bind-roots <dir,...>        host directories binds may mount, comma separated (default none: volumes only)");
        out.println("      --ssh-addr <host:port>    the SSH gateway's address (default 0.0.0.0:2222; docs/access.md)");
        out.println("      --no-ssh                  no SSH gateway");
        out.println("      --recover                 rebuild etcd's records from what Docker holds, where etcd knows none of them");
        out.println("                                (without it, a start that finds such containers or volumes is refused, exit status 3)");
        out.println("      --import-original         adopt the original project's replicasets and volumes from its etcd keys and its");
        out.println("                                containers name-N / volumes name-N: each is copied into a new version here, the");
        out.println("                                originals are stopped and kept (docs/operations.md, \"Moving from the original\")");
        out.println("      --node-name <name>        this host's name among the nodes sharing the etcd (default the hostname)");
        out.println("      --advertise <url>         where the other nodes reach this one, e.g. https://gpu1:2378 (default http(s)://hostname:port)");
        out.println("  -h, --help                    print this help and exit");
        out.println();
        out.println("Every flag is also a property: gda.etcd.endpoints, gda.etcd.ca-file/cert-file/key-file, gda.ports.range,");
        out.println("server.address/server.port, gda.binds.allowed-roots, gda.docker.host (default unix:///var/run/docker.sock), gda.gpu.nvidia-smi,");
        out.println("gda.history.keep (default 5), gda.containers.pids-limit (default 4096),");
        out.println("gda.resources.cpus-per-gpu and gda.resources.memory-per-gpu (default 0: unpinned, unlimited; see docs/resources.md);");
        out.println("as environment variables: GDA_ETCD_ENDPOINTS, GDA_PORTS_RANGE, GDA_BINDS_ALLOWED_ROOTS, GDA_DOCKER_HOST, ...");
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("-")) {
            throw new InvalidArgumentException("flag " + flag + " needs a value (try -h)");
        }
        return args[i];
    }

    static List<String> address(String addr) {
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw new InvalidArgumentException("address '" + addr + "' must look like 0.0.0.0:2378");
        }
        String host = addr.substring(0, colon);
        String port = addr.substring(colon + 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("address '" + addr + "': port '" + port + "' is not a number");
        }
        if (p < 1 || p > 65535) {
            throw new InvalidArgumentException("address '" + addr + "': port " + p + " is outside 1-65535");
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]+")) {
            throw new InvalidArgumentException("address '" + addr + "': host '" + host + "' is not a host name or IP address");
        }
        return List.of("--server.address=" + host, "--server.port=" + p);
    }

    static String etcd(String endpoints) {
        for (String e : endpoints.split(",")) {
            String hostPort = e.trim().replaceFirst("^https?://", "");
            if (!hostPort.matches("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}")) {
                throw new InvalidArgumentException("etcd endpoint '" + e.trim() + "' must look like 127.0.0.1:2379");
            }
        }
        return endpoints;
    }

    static String portRange(String range) {
        try {
            return PortRange.parse(range).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
    }

    static String bindRoots(String roots) {
        for (String root : roots.split(",")) {
            if (!root.isBlank() && !root.trim().startsWith("/")) {
                throw new InvalidArgumentException("bind root '" + root.trim() + "' must be an absolute path, e.g. /data");
            }
        }
        return roots;
    }

    static String level(String level) {
        String given = level.toLowerCase(Locale.ROOT);
        String l = ORIGINAL_LEVELS.getOrDefault(given, given);
        if (!LEVELS.contains(l)) {
            throw new InvalidArgumentException("log level '" + level + "' must be one of " + String.join(", ", LEVELS.stream().sorted().toList())
                    + " (or the original's release, warning, fatal, panic)");
        }
        return l;
    }
}
