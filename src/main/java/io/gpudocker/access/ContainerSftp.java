package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.docker.ContainerProcess;
import io.gpudocker.replicaset.SessionSlots;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionAware;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sftp} subsystem (what {@code sftp}, and {@code scp} of OpenSSH 9 and later, speak), served by the gateway
 * in the container's own filesystem through the image's own tools: files stream through {@code cat}, directories and
 * attributes come from {@code stat}, and {@code mkdir}, {@code rm}, {@code rmdir}, {@code mv}, {@code chmod},
 * {@code readlink} and {@code ln} do the rest; each runs by {@code docker exec}, as the container's user, so the
 * container's own mounts and permissions hold, and no path is ever resolved on the host. Protocol version 3 (the one
 * OpenSSH uses); files are read and written front to back, as the OpenSSH clients do (a write elsewhere than at the
 * end is refused; a read elsewhere restarts the reader there). A write is answered once queued for the file's writer
 * ({@link WriteBehind}), so the client keeps sending while the container takes the bytes; a failure of the writer is
 * the answer to a later write or to the close, as a local disk's would be.
 */
final class ContainerSftp implements Command, ChannelSessionAware {
    private static final Logger log = LoggerFactory.getLogger(ContainerSftp.class);
    private static final int MAX_PACKET = 256 * 1024;
    /** The most a tool's output may hold: a listing of a directory of about 100,000 entries. */
    private static final int MAX_LISTING = 16 * 1024 * 1024;
    /** The most a tool's error output may hold. */
    private static final int MAX_MESSAGE = 64 * 1024;
    /** The most one read answers (a read of more is answered with this much). */
    private static final int MAX_READ = 64 * 1024;
    private static final String LIMITS = "limits@openssh.com";
    /** How far a file's writer may be behind the client's writes, which are answered once queued. */
    private static final long WRITE_AHEAD = 8L * 1024 * 1024;
    private static final int OK = 0, EOF = 1, NO_SUCH_FILE = 2, PERMISSION_DENIED = 3, FAILURE = 4, BAD_MESSAGE = 5, OP_UNSUPPORTED = 8;
    private static final int ATTR_SIZE = 1, ATTR_UIDGID = 2, ATTR_PERMISSIONS = 4, ATTR_ACMODTIME = 8;
    private static final int WRITE = 2, APPEND = 4, CREAT = 8, TRUNC = 16, EXCL = 32;
    /** size, raw mode (hex), uid, gid, atime, mtime, name: one line per file. */
    private static final String STAT_FORMAT = "%s %f %u %g %X %Y %n";

    /** Makes the subsystem for the gateway. */
    static final class Factory implements SubsystemFactory {
        private final ProcessHop processes;
        private final SessionSlots slots;
        private final AccessMeter meter;

        Factory(ProcessHop processes, SessionSlots slots, AccessMeter meter) {
            this.processes = processes;
            this.slots = slots;
            this.meter = meter;
        }

        @Override
        public String getName() {
            return "sftp";
        }

        @Override
        public Command createSubsystem(ChannelSession channel) {
            return new ContainerSftp(processes, slots, meter);
        }
    }

    private record Attrs(long size, int mode, int uid, int gid, long atime, long mtime) {
        boolean directory() {
            return (mode & 0170000) == 0040000;
        }
    }

    private record Done(int exit, String out, String err) {}

    /** An open file or directory of the client's. */
    private abstract static class Handle {
        final String path;

        Handle(String path) {
            this.path = path;
        }
    }

    private static final class Listing extends Handle {
        final Deque<String[]> entries;

        Listing(String path, Deque<String[]> entries) {
            super(path);
            this.entries = entries;
        }
    }

    /** A file being read or written through one process ({@code cat}), at {@code position}. */
    private static final class Stream extends Handle {
        final boolean writing;
        ContainerProcess process;
        /** What goes to the writer's input, a little behind the client's writes. */
        WriteBehind input;
        PipedInputStream output;
        Thread copier;
        final CappedOutput errors;
        volatile int exit = -1;
        long position;
        boolean ended;

        Stream(String path, boolean writing) {
            super(path);
            this.writing = writing;
            this.errors = new CappedOutput(MAX_MESSAGE, "the error output of the " + (writing ? "writer" : "reader") + " of " + path);
        }
    }

    private final ProcessHop processes;
    private final SessionSlots slots;
    private final AccessMeter meter;
    private final Map<String, Handle> handles = new HashMap<>();
    private int nextHandle;
    private InputStream in;
    private OutputStream out;
    private ExitCallback exit;
    private ProcessHop.Launcher launcher;
    private String home = "/";
    private String tenant;
    private volatile Thread worker;

    private ContainerSftp(ProcessHop processes, SessionSlots slots, AccessMeter meter) {
        this.processes = processes;
        this.slots = slots;
        this.meter = meter;
    }

    /** The client's packets come through {@link ChannelInput} rather than the library's pipe (called before the streams are set). */
    @Override
    public void setChannelSession(ChannelSession channel) {
        ChannelInput input = new ChannelInput(channel.getLocalWindow());
        channel.setDataReceiver(input);
        this.in = input;
    }

    @Override
    public void setInputStream(InputStream in) {
        // not called: the channel's data goes to the ChannelInput set above
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        // the protocol has no error stream: failures are answered in its status messages
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        SshLogin login = channel.getSession().getAttribute(SshLogin.KEY);
        worker = new Thread(() -> serve(login), "sftp-" + login.replicaSet());
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        handles.values().forEach(ContainerSftp::discard);
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    private void serve(SshLogin login) {
        int status = 0;
        tenant = login.caller().tenantName();
        try (SessionSlots.Slot slot = slots.acquire(login.caller())) {
            launcher = processes.launcher(login);
            Done h = run(List.of("/bin/sh", "-c", "cd ~ 2>/dev/null && pwd || echo /"));
            home = h.out().strip().isEmpty() ? "/" : h.out().strip();
            log.info("ssh: sftp in instance {} opened by {}", login.replicaSet(), login.caller().name());
            DataInputStream packets = new DataInputStream(in);
            // one buffer for every packet: a write's data goes from it to the writer, not copied again
            byte[] packet = new byte[64 * 1024];
            while (true) {
                int length;
                try {
                    length = packets.readInt();
                } catch (EOFException end) {
                    break;
                }
                if (length < 1 || length > MAX_PACKET) {
                    throw new IOException("an sftp packet of " + length + " bytes");
                }
                if (length > packet.length) {
                    packet = new byte[length];
                }
                packets.readFully(packet, 0, length);
                meter.add(tenant, "ssh", length);
                handle(new Reader(packet, length));
            }
            log.info("ssh: sftp in instance {} of {} ended", login.replicaSet(), login.caller().name());
        } catch (ApiException e) {
            log.info("ssh: sftp in instance {} refused: {}", login.replicaSet(), e.getMessage());
            status = 1;
        } catch (Refusal e) {
            log.info("ssh: sftp in instance {} could not start: {}", login.replicaSet(), e.getMessage());
            status = 1;
        } catch (IOException | RuntimeException e) {
            log.debug("ssh: sftp in instance {} ended: {}", login.replicaSet(), e.toString());
            status = 1;
        } finally {
            handles.values().forEach(ContainerSftp::discard);
            handles.clear();
            exit.onExit(status);
        }
    }

    private void handle(Reader r) throws IOException {
        int type = r.u8();
        if (type == 1) { // INIT
            Writer w = new Writer(2);
            w.u32(3);
            // OpenSSH's clients (8.6 and later) size their writes by the limits a server states: 255 KiB rather than
            // 32 KiB, so a copy's data is in flight in fewer requests, each answered once queued
            w.string(LIMITS);
            w.string("1");
            send(w);
            return;
        }
        int id = r.u32();
        try {
            switch (type) {
                case 3 -> open(id, resolve(r.string()), r.u32());
                case 4 -> close(id, r.bytes());
                case 5 -> read(id, r.bytes(), r.u64(), r.u32());
                case 6 -> write(id, r.bytes(), r.u64(), r);
                case 7 -> attrs(id, stat(resolve(r.string()), false));
                case 8 -> attrs(id, stat(handle(r.bytes()).path, true));
                case 9 -> setstat(id, resolve(r.string()), r);
                case 10 -> setstat(id, handle(r.bytes()).path, r);
                case 11 -> opendir(id, resolve(r.string()));
                case 12 -> readdir(id, r.bytes());
                case 13 -> simple(id, List.of("rm", "-f", "--"), resolve(r.string()), true);
                case 14 -> simple(id, List.of("mkdir", "--"), resolve(r.string()), false);
                case 15 -> simple(id, List.of("rmdir", "--"), resolve(r.string()), false);
                case 16 -> realpath(id, resolve(r.string()));
                case 17 -> attrs(id, stat(resolve(r.string()), true));
                case 18 -> rename(id, resolve(r.string()), resolve(r.string()));
                case 19 -> readlink(id, resolve(r.string()));
                case 20 -> symlink(id, r.string(), r.string());
                case 200 -> extended(id, r.string());
                default -> status(id, OP_UNSUPPORTED, "not supported by this server");
            }
        } catch (Refusal e) {
            status(id, e.code, e.getMessage());
        }
    }

    /** A request answered with a status other than OK. */
    private static final class Refusal extends Exception {
        final int code;

        Refusal(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    // ---- requests ----------------------------------------------------------------------------------

    private void open(int id, String path, int flags) throws IOException, Refusal {
        if ((flags & WRITE) != 0) {
            String guard = (flags & EXCL) != 0 ? "[ -e \"$1\" ] && { echo \"$1: File exists\" >&2; exit 1; }; " : "";
            String make = (flags & TRUNC) != 0 ? ": > \"$1\"" : (flags & CREAT) != 0 ? "[ -e \"$1\" ] || : > \"$1\"" : "[ -w \"$1\" ] || { echo \"$1: No such file\" >&2; exit 1; }";
            // the file is made (or emptied) before the handle is given, so a refusal comes now rather than at the close
            check(run(List.of("/bin/sh", "-c", guard + make, "sh", path)));
            Stream s = new Stream(path, true);
            if ((flags & APPEND) != 0) {
                s.position = stat(path, true).size();
                start(s, List.of("/bin/sh", "-c", "exec cat >> \"$1\"", "sh", path));
            }
            // else the writer starts with the first write, which must be at 0: scp opens without truncating, writes the
            // whole file front to back and sets the size at the end; a file opened and closed unwritten stays as it was
            handle(id, s);
            return;
        }
        Attrs a = stat(path, true);
        if (a.directory()) {
            throw new Refusal(FAILURE, path + " is a directory");
        }
        Stream s = new Stream(path, false);
        start(s, List.of("cat", "--", path));
        handle(id, s);
    }

    private void start(Stream s, List<String> cmd) throws IOException {
        s.process = launcher.start(new RemoteProcess.Spec(cmd, false, Map.of(), 0, 0));
        if (s.writing) {
            s.input = new WriteBehind(s.process.stdin(), WRITE_AHEAD, "sftp-write");
            s.copier = copier(s, OutputStream.nullOutputStream());
            return;
        }
        s.process.stdin().close();
        s.output = new PipedInputStream(1 << 20);
        s.copier = copier(s, new PipedOutputStream(s.output));
    }

    private static Thread copier(Stream s, OutputStream sink) {
        Thread t = new Thread(() -> {
            try (sink) {
                s.exit = s.process.copyOutput(sink, s.errors);
            } catch (IOException e) {
                log.debug("sftp stream of {}: {}", s.path, e.toString());
            }
        }, "sftp-file");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void read(int id, byte[] handle, long offset, int length) throws IOException, Refusal {
        if (!(handles.get(key(handle)) instanceof Stream s) || s.writing) {
            throw new Refusal(FAILURE, "not a file open for reading");
        }
        if (offset != s.position) {
            if (s.ended && offset >= s.position) {
                throw new Refusal(EOF, "end of file");
            }
            // elsewhere than where the reader stands: start one there
            log.debug("sftp read of {} moves from {} to {}", s.path, s.position, offset);
            discard(s);
            s.ended = false;
            s.position = offset;
            start(s, List.of("tail", "-c", "+" + (offset + 1), "--", s.path));
        }
        // all that was asked, up to the end: a short answer would make the client ask for the rest later, out of order
        byte[] data = new byte[Math.max(0, Math.min(length, MAX_READ))];
        int n = s.output.readNBytes(data, 0, data.length);
        if (n == 0 && data.length > 0) {
            s.ended = true;
            throw new Refusal(EOF, "end of file");
        }
        s.position += n;
        Writer w = new Writer(103);
        w.u32(id);
        w.bytes(data, n);
        send(w);
    }

    /** The data is the rest of the request, {@code r}'s next string: passed on from the packet's buffer. */
    private void write(int id, byte[] handle, long offset, Reader r) throws IOException, Refusal {
        if (!(handles.get(key(handle)) instanceof Stream s) || !s.writing) {
            throw new Refusal(FAILURE, "not a file open for writing");
        }
        if (offset != s.position) {
            throw new Refusal(OP_UNSUPPORTED, "writes go at the end of what was written (" + s.position + "), not at " + offset);
        }
        int length = r.length();
        if (s.process == null) {
            start(s, List.of("/bin/sh", "-c", "exec cat > \"$1\"", "sh", s.path));
        }
        try {
            s.input.write(r.array(), r.take(length), length);
        } catch (IOException e) {
            throw new Refusal(FAILURE, "writing " + s.path + " failed: " + s.errors.toString(StandardCharsets.UTF_8).strip());
        }
        s.position += length;
        status(id, OK, "");
    }

    private void close(int id, byte[] handle) throws IOException, Refusal {
        Handle h = handles.remove(key(handle));
        if (h == null) {
            throw new Refusal(FAILURE, "no such handle");
        }
        if (h instanceof Stream s) {
            if (s.writing && s.process == null) {
                status(id, OK, "");
                return;
            }
            if (s.writing) {
                boolean written = true;
                try {
                    s.input.close();
                } catch (IOException e) {
                    written = false;
                    s.process.close();
                }
                try {
                    s.copier.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                s.process.close();
                if (!written || s.exit != 0) {
                    throw new Refusal(FAILURE, "writing " + s.path + " failed: " + s.errors.toString(StandardCharsets.UTF_8).strip());
                }
            } else {
                discard(s);
            }
        }
        status(id, OK, "");
    }

    /** limits@openssh.com: the largest packet, read and write; no cap on open handles (0). */
    private void extended(int id, String name) throws IOException, Refusal {
        if (!name.equals(LIMITS)) {
            throw new Refusal(OP_UNSUPPORTED, name + " is not supported by this server");
        }
        Writer w = new Writer(201);
        w.u32(id);
        w.u64(MAX_PACKET);
        w.u64(MAX_READ);
        w.u64(MAX_PACKET - 1024);
        w.u64(0);
        send(w);
    }

    private void opendir(int id, String path) throws IOException, Refusal {
        Done d = run(List.of("/bin/sh", "-c", "cd -- \"$1\" || exit 1; stat -c '" + STAT_FORMAT + "' -- .* * 2>/dev/null; exit 0", "sh", path));
        check(d);
        Deque<String[]> entries = new ArrayDeque<>();
        for (String line : d.out().split("\n")) {
            String[] f = line.split(" ", 7);
            if (f.length == 7) {
                entries.add(f);
            }
        }
        handle(id, new Listing(path, entries));
    }

    private void readdir(int id, byte[] handle) throws IOException, Refusal {
        if (!(handles.get(key(handle)) instanceof Listing l)) {
            throw new Refusal(FAILURE, "not a directory handle");
        }
        if (l.entries.isEmpty()) {
            throw new Refusal(EOF, "end of directory");
        }
        List<String[]> batch = new ArrayList<>();
        while (!l.entries.isEmpty() && batch.size() < 100) {
            batch.add(l.entries.poll());
        }
        Writer w = new Writer(104);
        w.u32(id);
        w.u32(batch.size());
        for (String[] f : batch) {
            Attrs a = attrs(f);
            w.string(f[6]);
            w.string(longName(f[6], a));
            w.attrs(a);
        }
        send(w);
    }

    private void realpath(int id, String path) throws IOException {
        Writer w = new Writer(104);
        w.u32(id);
        w.u32(1);
        w.string(path);
        w.string(path);
        w.u32(0);
        send(w);
    }

    private void setstat(int id, String path, Reader r) throws IOException, Refusal {
        int flags = r.u32();
        if ((flags & ATTR_SIZE) != 0) {
            r.u64();
        }
        if ((flags & ATTR_UIDGID) != 0) {
            r.u32();
            r.u32();
        }
        if ((flags & ATTR_PERMISSIONS) != 0) {
            check(run(List.of("chmod", Integer.toOctalString(r.u32() & 07777), "--", path)));
        }
        // times and owners are left as the container's tools made them
        status(id, OK, "");
    }

    private void simple(int id, List<String> cmd, String path, boolean mustExist) throws IOException, Refusal {
        if (mustExist) {
            stat(path, false);
        }
        List<String> full = new ArrayList<>(cmd);
        full.add(path);
        check(run(full));
        status(id, OK, "");
    }

    private void rename(int id, String from, String to) throws IOException, Refusal {
        // SFTP v3: a rename onto an existing name fails
        check(run(List.of("/bin/sh", "-c", "[ -e \"$2\" ] && { echo \"$2: File exists\" >&2; exit 1; }; mv -- \"$1\" \"$2\"", "sh", from, to)));
        status(id, OK, "");
    }

    private void readlink(int id, String path) throws IOException, Refusal {
        Done d = run(List.of("readlink", "--", path));
        check(d);
        realpathLike(id, d.out().strip());
    }

    private void realpathLike(int id, String name) throws IOException {
        Writer w = new Writer(104);
        w.u32(id);
        w.u32(1);
        w.string(name);
        w.string(name);
        w.u32(0);
        send(w);
    }

    /** OpenSSH sends the link's target first and the link's path second (the reverse of the draft). */
    private void symlink(int id, String target, String link) throws IOException, Refusal {
        check(run(List.of("ln", "-s", "--", target, resolve(link))));
        status(id, OK, "");
    }

    // ---- the container's tools ------------------------------------------------------------------------

    private Attrs stat(String path, boolean follow) throws IOException, Refusal {
        List<String> cmd = new ArrayList<>(List.of("stat"));
        if (follow) {
            cmd.add("-L");
        }
        cmd.addAll(List.of("-c", STAT_FORMAT, "--", path));
        Done d = run(cmd);
        check(d);
        String[] f = d.out().strip().split(" ", 7);
        if (f.length < 6) {
            throw new Refusal(FAILURE, "stat of " + path + " said '" + d.out().strip() + "'");
        }
        return attrs(f);
    }

    private static Attrs attrs(String[] f) {
        return new Attrs(Long.parseLong(f[0]), Integer.parseInt(f[1], 16), Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]));
    }

    private Done run(List<String> cmd) throws IOException, Refusal {
        try (ContainerProcess p = launcher.start(new RemoteProcess.Spec(cmd, false, Map.of(), 0, 0))) {
            p.stdin().close();
            CappedOutput o = new CappedOutput(MAX_LISTING, "the output of " + cmd.get(0));
            CappedOutput e = new CappedOutput(MAX_MESSAGE, "the error output of " + cmd.get(0));
            int code;
            try {
                code = p.copyOutput(o, e);
            } catch (CappedOutput.Exceeded tooLong) {
                // closing the process here ends its output stream: the tool's next write fails
                throw new Refusal(FAILURE, tooLong.getMessage());
            }
            return new Done(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        }
    }

    private static void check(Done d) throws Refusal {
        if (d.exit() == 0) {
            return;
        }
        String message = d.err().strip().isEmpty() ? "failed (exit " + d.exit() + ")" : d.err().strip();
        String lower = message.toLowerCase(Locale.ROOT);
        int code = lower.contains("no such file") || lower.contains("can't cd") || lower.contains("can't open") ? NO_SUCH_FILE
                : lower.contains("permission denied") || lower.contains("read-only") ? PERMISSION_DENIED : FAILURE;
        throw new Refusal(code, message);
    }

    // ---- paths and handles --------------------------------------------------------------------------

    /** An absolute, normalized path: relative ones are under the home directory; ".." never climbs above "/". */
    private String resolve(String path) {
        String full = path.startsWith("/") ? path : (home.endsWith("/") ? home : home + "/") + path;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : full.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private void handle(int id, Handle h) throws IOException {
        String key = Integer.toString(nextHandle++);
        handles.put(key, h);
        Writer w = new Writer(102);
        w.u32(id);
        w.string(key);
        send(w);
    }

    private Handle handle(byte[] handle) throws Refusal {
        Handle h = handles.get(key(handle));
        if (h == null) {
            throw new Refusal(FAILURE, "no such handle");
        }
        return h;
    }

    private static String key(byte[] handle) {
        return new String(handle, StandardCharsets.UTF_8);
    }

    private static void discard(Handle h) {
        if (h instanceof Stream s && s.process != null) {
            if (s.input != null) {
                s.input.abort();
            }
            s.process.close();
            try {
                if (s.output != null) {
                    s.output.close();
                }
            } catch (IOException e) {
                log.debug("closing a reader of {}: {}", s.path, e.toString());
            }
        }
    }

    private static String longName(String name, Attrs a) {
        StringBuilder p = new StringBuilder(a.directory() ? "d" : (a.mode & 0170000) == 0120000 ? "l" : "-");
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            p.append((a.mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        }
        String date = DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.ofEpochSecond(a.mtime));
        return String.format(Locale.ROOT, "%s    1 %-8d %-8d %8d %s %s", p, a.uid, a.gid, a.size, date, name);
    }

    // ---- the wire ----------------------------------------------------------------------------------

    private void status(int id, int code, String message) throws IOException {
        Writer w = new Writer(101);
        w.u32(id);
        w.u32(code);
        w.string(message);
        w.string("en");
        send(w);
    }

    private void attrs(int id, Attrs a) throws IOException {
        Writer w = new Writer(105);
        w.u32(id);
        w.attrs(a);
        send(w);
    }

    private void send(Writer w) throws IOException {
        byte[] body = w.buffer.toByteArray();
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(body.length);
        o.write(body);
        o.flush();
        meter.add(tenant, "ssh", body.length + 4L);
    }

    /** The fields of one packet, read from the front of {@code packet}'s first {@code length} bytes. */
    private static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] packet, int length) {
            this.in = ByteBuffer.wrap(packet, 0, length);
        }

        int u8() throws IOException {
            need(1);
            return in.get() & 0xff;
        }

        int u32() throws IOException {
            need(4);
            return in.getInt();
        }

        long u64() throws IOException {
            need(8);
            return in.getLong();
        }

        byte[] bytes() throws IOException {
            byte[] b = new byte[length()];
            in.get(b);
            return b;
        }

        String string() throws IOException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** The length of the next string, checked against what is left; {@link #take} then steps over its bytes. */
        int length() throws IOException {
            int n = u32();
            if (n < 0 || n > in.remaining()) {
                throw new EOFException("a string of " + n + " bytes where " + in.remaining() + " are left");
            }
            return n;
        }

        /** Steps over the next {@code n} bytes; where they start in {@link #array}. */
        int take(int n) {
            int at = in.position();
            in.position(at + n);
            return at;
        }

        byte[] array() {
            return in.array();
        }

        private void need(int n) throws EOFException {
            if (in.remaining() < n) {
                throw new EOFException("the packet ends early");
            }
        }
    }

    private static final class Writer {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buffer);

        Writer(int type) throws IOException {
            out.writeByte(type);
        }

        void u32(long v) throws IOException {
            out.writeInt((int) v);
        }

        void u64(long v) throws IOException {
            out.writeLong(v);
        }

        void bytes(byte[] b, int n) throws IOException {
            out.writeInt(n);
            out.write(b, 0, n);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            bytes(b, b.length);
        }

        void attrs(Attrs a) throws IOException {
            out.writeInt(ATTR_SIZE | ATTR_UIDGID | ATTR_PERMISSIONS | ATTR_ACMODTIME);
            out.writeLong(a.size);
            out.writeInt(a.uid);
            out.writeInt(a.gid);
            out.writeInt(a.mode);
            out.writeInt((int) a.atime);
            out.writeInt((int) a.mtime);
        }
    }
}
