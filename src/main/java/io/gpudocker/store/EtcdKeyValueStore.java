package io.gpudocker.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link KeyValueStore} on etcd v3 through jetcd; every call is bounded by the configured timeout. */
public class EtcdKeyValueStore implements KeyValueStore {
    private final KV kv;
    private final Lease leases;
    private final Watch watches;
    private final Duration timeout;
    private final String endpoints;

    public EtcdKeyValueStore(Client client, Duration timeout, String endpoints) {
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.watches = client.getWatchClient();
        this.timeout = timeout;
        this.endpoints = endpoints;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        GetResponse r = await(kv.get(bytes(key)), "read " + key);
        return r.getKvs().stream().findFirst().map(EtcdKeyValueStore::toKeyValue);
    }

    /** One transaction of two reads: a get of the key, and the prefix's range sorted by key, descending, limit 1. */
    @Override
    public Pending<WithLast> getWithLast(String key, String prefix) {
        GetOption last = GetOption.builder().isPrefix(true).withLimit(1)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build();
        CompletableFuture<TxnResponse> sent = kv.txn()
                .Then(io.etcd.jetcd.op.Op.get(bytes(key), GetOption.DEFAULT), io.etcd.jetcd.op.Op.get(bytes(prefix), last)).commit();
        return () -> {
            List<GetResponse> reads = await(sent, "read " + key + " and the last key under " + prefix).getGetResponses();
            return new WithLast(reads.get(0).getKvs().stream().findFirst().map(EtcdKeyValueStore::toKeyValue),
                    reads.get(1).getKvs().stream().findFirst().map(EtcdKeyValueStore::toKeyValue));
        };
    }

    @Override
    public List<KeyValue> list(String prefix) {
        GetOption option = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = await(kv.get(bytes(prefix), option), "list " + prefix);
        return r.getKvs().stream().map(EtcdKeyValueStore::toKeyValue).toList();
    }

    /** The key written last, alone and without its value, and the count of them all: sorted by mod revision, limit 1. */
    @Override
    public PrefixStamp stamp(String prefix) {
        GetOption option = GetOption.builder().isPrefix(true).withKeysOnly(true).withLimit(1)
                .withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.DESCEND).build();
        GetResponse r = await(kv.get(bytes(prefix), option), "stamp " + prefix);
        return new PrefixStamp(r.getCount(), r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision());
    }

    @Override
    public Listing listAt(String prefix) {
        GetOption option = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = await(kv.get(bytes(prefix), option), "list " + prefix);
        return new Listing(r.getKvs().stream().map(EtcdKeyValueStore::toKeyValue).toList(), r.getHeader().getRevision());
    }

    /**
     * The client resumes a watch cut by a lost connection by itself, from the last revision it delivered; what ends it
     * for good (a compaction past that revision, a cancel) is handed to the listener.
     */
    @Override
    public Watching watch(String prefix, long fromRevision, ChangeListener listener) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        Watch.Watcher watcher = watches.watch(bytes(prefix), option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                List<KeyChange> changes = response.getEvents().stream().map(EtcdKeyValueStore::toChange).toList();
                if (!changes.isEmpty()) {
                    listener.changed(changes);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (t instanceof CompactedException compacted) {
                    listener.compacted(compacted.getCompactedRevision());
                } else {
                    listener.broken(t);
                }
            }

            @Override
            public void onCompleted() {
                listener.broken(new IllegalStateException("etcd ended the watch of " + prefix));
            }
        });
        return watcher::close;
    }

    private static KeyChange toChange(WatchEvent event) {
        io.etcd.jetcd.KeyValue k = event.getKeyValue();
        String key = k.getKey().toString(StandardCharsets.UTF_8);
        return event.getEventType() == WatchEvent.EventType.DELETE ? new KeyChange(key, null, k.getModRevision())
                : new KeyChange(key, k.getValue().toString(StandardCharsets.UTF_8), k.getModRevision());
    }

    /**
     * Keys per read of a range: 2,000 running usage totals of a month (31 days, 2.5 to 4 KB each) are at most about
     * 8 MB, under {@link #MAX_MESSAGE_BYTES}. Not fewer: etcd counts every key left in the range for each page.
     */
    private static final int RANGE_PAGE = 2000;

    /** The largest answer the etcd client takes (gRPC's default, 4 MiB, is under a page of running usage totals). */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;

    @Override
    public List<KeyValue> range(String prefix, String fromKey, String toKey) {
        // in pages, so that a long range (a year of usage sums) stays under the client's largest message
        List<KeyValue> all = new java.util.ArrayList<>();
        String from = fromKey;
        while (true) {
            GetOption option = GetOption.builder().withRange(bytes(toKey)).withLimit(RANGE_PAGE)
                    .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
            GetResponse r = await(kv.get(bytes(from), option), "read range " + from + " .. " + toKey);
            r.getKvs().forEach(k -> all.add(toKeyValue(k)));
            if (!r.isMore() || r.getKvs().isEmpty()) {
                return all;
            }
            from = all.get(all.size() - 1).key() + "\0";
        }
    }

    @Override
    public List<String> keys(String prefix) {
        GetOption option = GetOption.builder().isPrefix(true).withKeysOnly(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = await(kv.get(bytes(prefix), option), "list keys " + prefix);
        return r.getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public boolean commit(Txn txn) {
        io.etcd.jetcd.Txn etcdTxn = kv.txn();
        etcdTxn.If(txn.guards().stream().map(EtcdKeyValueStore::toCmp).toArray(Cmp[]::new));
        etcdTxn.Then(txn.ops().stream().map(EtcdKeyValueStore::toOp).toArray(io.etcd.jetcd.op.Op[]::new));
        return await(etcdTxn.commit(), "write").isSucceeded();
    }

    @Override
    public void ping() {
        await(kv.get(bytes("/gpu-docker-api/.ping"), GetOption.builder().withCountOnly(true).build()), "ping");
    }

    @Override
    public long grantLease(Duration ttl) {
        return await(leases.grant(Math.max(1, ttl.toSeconds())), "grant a lease").getID();
    }

    @Override
    public boolean renewLease(long lease) {
        try {
            return await(leases.keepAliveOnce(lease), "renew lease " + Long.toHexString(lease)).getTTL() > 0;
        } catch (StoreUnavailableException e) {
            if (leaseUnknown(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void revokeLease(long lease) {
        try {
            await(leases.revoke(lease), "revoke lease " + Long.toHexString(lease));
        } catch (StoreUnavailableException e) {
            if (!leaseUnknown(e)) {
                throw e;
            }
        }
    }

    private static boolean leaseUnknown(StoreUnavailableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("requested lease not found")) {
                return true;
            }
        }
        return false;
    }

    /**
     * gRPC's own words first ("UNAVAILABLE: ssl exception", "UNAVAILABLE: io exception") and then, where they do not
     * say it, the transport's reason beneath: the TLS handshake's (a certificate the member refused, or one that is
     * not trusted) or the connection's. One line each: gRPC appends the channel's pipeline on further lines.
     */
    static String describe(Throwable failure) {
        String said = firstLine(failure.getMessage());
        Throwable reason = failure;
        for (Throwable t = failure.getCause(); t != null && t != reason; t = t.getCause()) {
            reason = t;
            if (t instanceof javax.net.ssl.SSLException) {
                break;
            }
        }
        String because = firstLine(reason.getMessage());
        return reason == failure || because.isEmpty() || said.contains(because) ? said : said + " (" + because + ")";
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").trim();
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreUnavailableException("etcd at " + endpoints + " did not answer within " + timeout.toMillis() + " ms (" + what + ")", e);
        } catch (ExecutionException e) {
            throw new StoreUnavailableException("etcd at " + endpoints + " failed to " + what + ": " + describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for etcd (" + what + ")", e);
        }
    }

    private static Cmp toCmp(Txn.Guard guard) {
        if (guard instanceof Txn.Absent a) {
            return new Cmp(bytes(a.key()), Cmp.Op.EQUAL, CmpTarget.version(0));
        }
        if (guard instanceof Txn.ValueIs v) {
            return new Cmp(bytes(v.key()), Cmp.Op.EQUAL, CmpTarget.value(bytes(v.value())));
        }
        Txn.ModRevisionIs m = (Txn.ModRevisionIs) guard;
        return new Cmp(bytes(m.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(m.revision()));
    }

    private static io.etcd.jetcd.op.Op toOp(Txn.Op op) {
        if (op instanceof Txn.Put p) {
            return io.etcd.jetcd.op.Op.put(bytes(p.key()), bytes(p.value()),
                    p.lease() == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(p.lease()).build());
        }
        if (op instanceof Txn.Delete d) {
            return io.etcd.jetcd.op.Op.delete(bytes(d.key()), DeleteOption.DEFAULT);
        }
        Txn.DeletePrefix d = (Txn.DeletePrefix) op;
        return io.etcd.jetcd.op.Op.delete(bytes(d.prefix()), DeleteOption.builder().isPrefix(true).build());
    }

    private static KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8), kv.getModRevision(), kv.getLease());
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
