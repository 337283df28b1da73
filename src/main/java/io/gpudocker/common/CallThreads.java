package io.gpudocker.common;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads for calls that mostly wait on a socket (Docker, etcd). On a Java 21+ runtime they are virtual threads, so
 * 200 calls waiting at once hold a few carrier threads instead of 200 platform threads with their stacks; on Java 17
 * (the compile target) they are daemon platform threads, as before. Found by reflection, as the code is compiled for 17.
 */
public final class CallThreads {
    private static final Method OF_VIRTUAL = find(Thread.class, "ofVirtual");

    private CallThreads() {}

    /** Whether {@link #factory} makes virtual threads on this runtime. */
    public static boolean virtual() {
        return OF_VIRTUAL != null;
    }

    /** Threads named {@code prefix1}, {@code prefix2}, ...; daemons (virtual threads always are). */
    public static ThreadFactory factory(String prefix) {
        if (OF_VIRTUAL != null) {
            try {
                Object builder = OF_VIRTUAL.invoke(null);
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
                return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // falls back to platform threads below
            }
        }
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One new thread per task: virtual on 21+, else a cached pool whose idle threads end on their own. */
    public static ExecutorService perTask(String prefix) {
        return Executors.newCachedThreadPool(factory(prefix));
    }

    private static Method find(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
