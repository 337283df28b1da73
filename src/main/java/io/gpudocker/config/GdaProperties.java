package io.gpudocker.config;

import io.gpudocker.resource.cpu.CpuList;
import io.gpudocker.resource.port.PortRange;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Every setting of the service; command-line flags map onto these (see {@code CommandLine}). */
@ConfigurationProperties("gda")
public record GdaProperties(
        @DefaultValue Etcd etcd,
        @DefaultValue Docker docker,
        @DefaultValue Gpu gpu,
        @DefaultValue Ports ports,
        @DefaultValue History history,
        @DefaultValue Reconcile reconcile,
        @DefaultValue Metrics metrics,
        @DefaultValue Auth auth,
        @DefaultValue Binds binds,
        @DefaultValue Containers containers,
        @DefaultValue Limits limits,
        @DefaultValue Logs logs,
        @DefaultValue Cors cors,
        @DefaultValue Resources resources,
        @DefaultValue Node node,
        @DefaultValue Usage usage,
        @DefaultValue Telemetry telemetry,
        @DefaultValue Schedules schedules,
        @DefaultValue Reclaim reclaim,
        @DefaultValue Events events,
        @DefaultValue Move move,
        @DefaultValue("/var/lib/gpu-docker-api") String stateDir,
        @DefaultValue("false") boolean recover,
        @DefaultValue("false") boolean importOriginal) {

    /**
     * The etcd cluster. TLS is used when an endpoint is {@code https://}, or when a CA file or client certificate is
     * given (endpoints without a scheme then default to https); one client speaks one protocol to every member.
     *
     * @param caFile   PEM bundle of the CA(s) the members' certificates are checked against; unset: the JVM's default trust
     * @param certFile PEM client certificate (chain) for etcd's --client-cert-auth; needs {@code keyFile}
     * @param keyFile  its private key, unencrypted PEM: PKCS#8 ("BEGIN PRIVATE KEY") or the RSA/EC forms openssl and cfssl write
     */
    public record Etcd(
            @DefaultValue("127.0.0.1:2379") List<String> endpoints,
            @DefaultValue("/gpu-docker-api") String prefix,
            @DefaultValue("2s") Duration timeout,
            String caFile,
            String certFile,
            String keyFile) {
        public Etcd {
            caFile = blankToNull(caFile);
            certFile = blankToNull(certFile);
            keyFile = blankToNull(keyFile);
            boolean tlsFiles = caFile != null || certFile != null;
            String scheme = tlsFiles ? "https://" : "http://";
            endpoints = endpoints.stream().map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> s.contains("://") ? s : scheme + s).toList();
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("gda.etcd.endpoints must name at least one etcd endpoint");
            }
            if (!prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("gda.etcd.prefix '" + prefix + "' must start with / and not end with /");
            }
            EtcdTls.check(endpoints, tlsFiles, caFile, certFile, keyFile);
        }

        /** Whether the client speaks TLS to the members: https endpoints, or TLS files given. */
        public boolean tls() {
            return caFile != null || certFile != null || endpoints.stream().anyMatch(e -> e.startsWith("https://"));
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }

    /**
     * The Docker engine and how long to wait for it: {@code responseTimeout} bounds calls Docker answers at
     * once, {@code workTimeout} (plus {@code stopTimeout}) those where it works first (create, start, stop,
     * remove); see {@code DockerTimeouts}.
     */
    public record Docker(
            @DefaultValue("unix:///var/run/docker.sock") String host,
            @DefaultValue("10s") Duration stopTimeout,
            @DefaultValue("60s") Duration execTimeout,
            @DefaultValue("2s") Duration pingTimeout,
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("3s") Duration responseTimeout,
            @DefaultValue("2m") Duration workTimeout,
            @DefaultValue("0") int maxCalls,
            @DefaultValue("16") int maxCopies) {
        public Docker {
            if (maxCalls < 0) {
                throw new IllegalArgumentException("gda.docker.max-calls must not be negative (0: eight per CPU of this host, at least 32)");
            }
            if (maxCopies < 1) {
                throw new IllegalArgumentException("gda.docker.max-copies must be at least 1 (copies of system disks and volumes running at once)");
            }
            for (Duration d : List.of(connectTimeout, responseTimeout, workTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("gda.docker connect-timeout, response-timeout and work-timeout must be positive");
                }
            }
        }
    }

    public record Gpu(@DefaultValue("nvidia-smi") String nvidiaSmi) {}

    public record Ports(@DefaultValue("40000-65535") String range) {
        public Ports {
            PortRange.parse(range);
        }

        public PortRange parsed() { return PortRange.parse(range); }
    }

    /**
     * How many versions of each replicaset keep their container (filesystem snapshot), and how many version
     * records are kept at most (the oldest whose container is gone are dropped, so etcd cannot fill up).
     */
    public record History(@DefaultValue("5") int keep, @DefaultValue("1000") int maxRecords) {
        public History {
            if (keep < 2) {
                throw new IllegalArgumentException("gda.history.keep must be at least 2 (the current version and one to roll back to)");
            }
            if (maxRecords < keep) {
                throw new IllegalArgumentException("gda.history.max-records (" + maxRecords + ") must be at least gda.history.keep (" + keep + ")");
            }
        }
    }

    /**
     * How often replicasets are rechecked against Docker while serving, and how long a container's exit must stay
     * as first seen (same exit, same daemon) before it counts as its process's own rather than Docker going away.
     */
    public record Reconcile(@DefaultValue("60s") Duration period, @DefaultValue("15s") Duration exitGrace) {}

    /** How often the replicaset-state gauges are refreshed from etcd (scrapes never wait for etcd). */
    /**
     * Usage metering. {@code enabled=false} writes no intervals (what was metered stays, and queries answer it).
     * Every {@code compactEvery}, closed intervals of past days are folded into daily sums and archived; archived
     * intervals older than {@code retention} are dropped (the sums stay). {@code metricsRefresh} is how often the
     * per-tenant counters are read again from etcd.
     */
    public record Usage(@DefaultValue("true") boolean enabled, @DefaultValue("35d") Duration retention,
                        @DefaultValue("10m") Duration compactEvery, @DefaultValue("60s") Duration metricsRefresh) {
        public Usage {
            if (retention.isNegative() || compactEvery.isZero() || compactEvery.isNegative() || metricsRefresh.isZero() || metricsRefresh.isNegative()) {
                throw new IllegalArgumentException("gda.usage: retention must not be negative, compact-every and metrics-refresh must be positive");
            }
        }
    }

    /**
     * GPU and instance telemetry: every {@code period} each node reads its GPUs (nvidia-smi) and its running instances'
     * cgroups. {@code recent} of samples at the period and {@code daily} of one-minute averages are kept in memory per
     * instance. {@code cgroupRoot} and {@code procRoot} are where the host's cgroup tree and processes are read.
     * {@code enabled=false} samples nothing: the metrics endpoint says so and the gauges are absent.
     */
    public record Telemetry(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration period,
                            @DefaultValue("1h") Duration recent, @DefaultValue("24h") Duration daily,
                            @DefaultValue("10s") Duration nvidiaSmiTimeout,
                            @DefaultValue("/sys/fs/cgroup") String cgroupRoot, @DefaultValue("/proc") String procRoot) {
        public Telemetry {
            for (Duration d : List.of(period, recent, daily, nvidiaSmiTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("gda.telemetry: period, recent, daily and nvidia-smi-timeout must be positive");
                }
            }
            if (recent.compareTo(period) < 0) {
                throw new IllegalArgumentException("gda.telemetry.recent (" + recent + ") must be at least gda.telemetry.period (" + period + ")");
            }
        }

        /** How many samples at the period {@code recent} holds. */
        public int recentSamples() { return (int) Math.max(1, recent.toMillis() / period.toMillis()); }

        /** How many one-minute averages {@code daily} holds. */
        public int dailyMinutes() { return (int) Math.max(1, daily.toMinutes()); }
    }

    /** How often each node looks for schedules (stop, drop to cardless) that fell due on its instances. */
    public record Schedules(@DefaultValue("1s") Duration checkEvery) {
        public Schedules {
            if (checkEvery.isNegative() || checkEvery.isZero()) {
                throw new IllegalArgumentException("gda.schedules.check-every must be positive");
            }
        }
    }

    /**
     * The operator's idle-reclaim policy for instances holding GPUs: when the mean utilization of an instance's GPUs stays
     * below {@code idleBelowPercent} for {@code idleFor}, {@code action} is taken (notify: a WARN line only; cardless: a new
     * version with 0 GPUs; stop). A warning comes {@code grace} before. An instance with an exec or terminal session open is
     * left alone unless {@code evenWithSessions}. Unset {@code idleBelowPercent}: off. Needs telemetry.
     */
    public record Reclaim(Integer idleBelowPercent, @DefaultValue("30m") Duration idleFor, @DefaultValue("notify") String action,
                          @DefaultValue("5m") Duration grace, @DefaultValue("false") boolean evenWithSessions) {
        public Reclaim {
            if (idleBelowPercent != null && (idleBelowPercent < 1 || idleBelowPercent > 100)) {
                throw new IllegalArgumentException("gda.reclaim.idle-below-percent must be 1-100 (unset: no idle reclaim)");
            }
            if (!List.of("notify", "cardless", "stop").contains(action)) {
                throw new IllegalArgumentException("gda.reclaim.action '" + action + "' must be notify, cardless or stop");
            }
            if (idleFor.isNegative() || idleFor.isZero() || grace.isNegative() || grace.compareTo(idleFor) >= 0) {
                throw new IllegalArgumentException("gda.reclaim: idle-for must be positive and grace (" + grace + ") shorter than it");
            }
        }

        public boolean enabled() { return idleBelowPercent != null; }
    }

    /**
     * The event stream: the last {@code history} events are kept in etcd and in each node's memory for a client that
     * resumes; an open stream sends a comment after {@code keepAlive} without an event and ends after
     * {@code streamTimeout} (an EventSource connects again by itself); each node trims etcd every {@code trimEvery}.
     */
    public record Events(@DefaultValue("1000") int history, @DefaultValue("15s") Duration keepAlive, @DefaultValue("30m") Duration streamTimeout,
                         @DefaultValue("1m") Duration trimEvery) {
        public Events {
            if (history < 1) {
                throw new IllegalArgumentException("gda.events.history must be 1 or more");
            }
            if (Stream.of(keepAlive, streamTimeout, trimEvery).anyMatch(d -> d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("gda.events: keep-alive, stream-timeout and trim-every must be positive");
            }
        }
    }

    /**
     * Moving instances between nodes (docs/cluster.md).
     *
     * @param idleLimit  how long a target keeps a move whose source says nothing before it gives it up and removes what it made
     *                   (a copy in progress never counts as silence)
     * @param sweepEvery how often each node looks for moves to give up or undo, and for what finished moves left that may go
     * @param preCopy    copy the system disk and volumes once while the instance still runs, so that only what changed since
     *                   is copied while it is stopped; false: one copy, all of it while stopped
     */
    public record Move(@DefaultValue("2m") Duration idleLimit, @DefaultValue("5s") Duration sweepEvery, @DefaultValue("true") boolean preCopy) {
        public Move {
            if (sweepEvery.toMillis() < 100) {
                throw new IllegalArgumentException("gda.move.sweep-every must be at least 100ms, got " + sweepEvery);
            }
            if (idleLimit.compareTo(sweepEvery) < 0) {
                throw new IllegalArgumentException("gda.move.idle-limit (" + idleLimit + ") must be at least gda.move.sweep-every (" + sweepEvery + ")");
            }
        }
    }

    public record Metrics(@DefaultValue("15s") Duration replicasetRefresh) {}

    /**
     * Bearer tokens. The admin token comes from {@code adminToken} (GDA_ADMIN_TOKEN) or {@code adminTokenFile};
     * with neither, the first start generates one into the state directory. {@code enabled=false} (--no-auth)
     * makes every caller the admin and is refused on any address but loopback.
     */
    public record Auth(@DefaultValue("true") boolean enabled, String adminToken, String adminTokenFile) {}

    /**
     * The host directories under which a bind may mount a host path. None by default: a fresh install lets
     * instances mount only managed volumes until the operator lists roots (e.g. /data, /nfs).
     */
    /**
     * @param tenantsShareRoots false (the default): a tenant binds only below its own directory of a root,
     *                          {@code <root>/<tenant>}; true: anywhere under the roots, each other's directories too
     */
    public record Binds(@DefaultValue List<String> allowedRoots, @DefaultValue("false") boolean tenantsShareRoots) {
        public Binds {
            allowedRoots = allowedRoots.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
            for (String root : allowedRoots) {
                if (!root.startsWith("/")) {
                    throw new IllegalArgumentException("gda.binds.allowed-roots entry '" + root + "' must be an absolute path");
                }
            }
        }
    }

    /**
     * What every container gets whatever its spec: a ceiling on its processes, so one instance cannot fork-bomb the host;
     * and whether an instance created without saying runs Docker's init (tini) as PID 1, so that a stop does not wait
     * for a command that ignores SIGTERM and zombies are reaped; and which of Docker's default capabilities every
     * container goes without (an empty list keeps Docker's defaults).
     */
    public record Containers(@DefaultValue("4096") long pidsLimit, @DefaultValue("true") boolean init,
                             @DefaultValue({"MKNOD", "NET_RAW", "SETFCAP"}) List<String> capDrop) {
        public Containers {
            capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
            if (pidsLimit < 1) {
                throw new IllegalArgumentException("gda.containers.pids-limit must be at least 1, got " + pidsLimit);
            }
        }
    }

    /** The largest request body accepted; a larger one is refused (413) before it is read to the end. */
    public record Limits(@DefaultValue("1MB") DataSize maxBodySize) {
        public Limits {
            if (maxBodySize.toBytes() < 1024) {
                throw new IllegalArgumentException("gda.limits.max-body-size " + maxBodySize + " is below 1KB; no request would fit");
            }
        }
    }

    /**
     * Followed logs each hold a worker thread and a Docker stream: at most {@code maxFollowsPerTenant} per tenant and
     * {@code maxFollows} in all; one that carried no output for {@code followIdleTimeout} ends.
     */
    public record Logs(
            @DefaultValue("4") int maxFollowsPerTenant,
            @DefaultValue("64") int maxFollows,
            @DefaultValue("10m") Duration followIdleTimeout) {
        public Logs {
            if (maxFollowsPerTenant < 1 || maxFollows < maxFollowsPerTenant) {
                throw new IllegalArgumentException("gda.logs.max-follows-per-tenant (" + maxFollowsPerTenant
                        + ") must be at least 1 and at most gda.logs.max-follows (" + maxFollows + ")");
            }
            if (followIdleTimeout.isNegative() || followIdleTimeout.isZero()) {
                throw new IllegalArgumentException("gda.logs.follow-idle-timeout must be positive");
            }
        }
    }

    /**
     * CPU cores and memory: the default shares an instance gets where its request names none (per GPU, and for
     * a cardless instance), the memory pool the limits are taken from, the cores kept for the host, and where
     * the host's NUMA topology is read. Unset shares (0) leave instances unpinned and unlimited.
     *
     * @param memoryTotal   the pool the memory limits add up to at most; unset: the host's memory less {@code memoryReserve}
     * @param reservedCpus  cores never handed to an instance (kernel list notation, e.g. {@code 0-1})
     * @param sysfsRoot     where {@code devices/system/node} and {@code bus/pci/devices} are read from
     */
    public record Resources(
            @DefaultValue("0") int cpusPerGpu,
            @DefaultValue("0") int cpusWithoutGpu,
            @DefaultValue("0B") DataSize memoryPerGpu,
            @DefaultValue("0B") DataSize memoryWithoutGpu,
            @DefaultValue("0B") DataSize shmSize,
            DataSize memoryTotal,
            @DefaultValue("2GB") DataSize memoryReserve,
            @DefaultValue("") String reservedCpus,
            @DefaultValue("/sys") String sysfsRoot) {
        public Resources {
            if (cpusPerGpu < 0 || cpusWithoutGpu < 0 || memoryPerGpu.isNegative() || memoryWithoutGpu.isNegative() || shmSize.isNegative()
                    || memoryReserve.isNegative() || (memoryTotal != null && memoryTotal.isNegative())) {
                throw new IllegalArgumentException("gda.resources shares, sizes and reserves must not be negative");
            }
            CpuList.parse(reservedCpus);
        }

        /** The memory pool: the configured total, else the host's physical memory less the reserve (never below 0). */
        public long memoryPool(long hostBytes) {
            return memoryTotal != null ? memoryTotal.toBytes() : Math.max(0, hostBytes - memoryReserve.toBytes());
        }
    }

    /** Browser origins allowed to call the API (CORS); empty: no cross-origin calls, and no CORS headers at all. */
    public record Cors(List<String> allowedOrigins) {
        public Cors {
            allowedOrigins = allowedOrigins == null ? List.of()
                    : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }

    /**
     * This host as one node of a cluster sharing one etcd (a single host is a cluster of one).
     *
     * @param name       unique among the nodes (default the hostname); ports, cores and intents are kept under it
     * @param advertise  the URL other nodes forward calls to (default http(s)://hostname:port, once the port is known)
     * @param leaseTtl   how long the node stays listed up after its last heartbeat
     * @param placement  where a create without a node goes: pack (fewest free GPUs that fit) or spread (most free)
     * @param secret     the key forwarded calls are signed with; unset (with no secret-file): derived from the admin token, never kept in etcd
     * @param trustStore PEM CA certificates other nodes' HTTPS is checked against; unset: the JVM's default CAs (never trust-all)
     */
    public record Node(
            String name,
            String advertise,
            @DefaultValue("10s") Duration leaseTtl,
            @DefaultValue("pack") Placement placement,
            String secret,
            String secretFile,
            String trustStore) {
        public enum Placement { PACK, SPREAD }

        public Node {
            if (name == null || name.isBlank()) {
                name = hostname();
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new IllegalArgumentException("gda.node.name '" + name
                        + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            if (advertise != null && !advertise.isBlank() && !advertise.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("gda.node.advertise '" + advertise + "' must be http(s)://host:port with no path");
            }
            if (leaseTtl.toSeconds() < 2) {
                throw new IllegalArgumentException("gda.node.lease-ttl must be at least 2s, got " + leaseTtl);
            }
        }

        private static String hostname() {
            try {
                String host = java.net.InetAddress.getLocalHost().getHostName();
                int dot = host.indexOf('.');
                return dot > 0 ? host.substring(0, dot) : host;
            } catch (java.net.UnknownHostException e) {
                return "node";
            }
        }
    }
}
