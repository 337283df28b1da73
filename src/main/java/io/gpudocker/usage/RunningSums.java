package io.gpudocker.usage;

import java.util.Arrays;

/**
 * One instance's usage over the days of a month (or the months of a year) as running totals: for each day that had
 * usage, what the instance used from the first of the month to the end of that day. Any stretch of days is then the
 * running total at its last day less the one before its first day: two figures read, however long the stretch.
 * Only days with usage have an entry (a day without one has the total of the last day before it), so a stretch
 * without an entry inside it is exactly zero, never a leftover of a subtraction in floating point.
 * Kept in etcd as text: a version line, then one line per entry: the day (or month) number, a tab, the total as
 * {@link Amounts#encode()} writes it. Totals are parsed only where a query needs them.
 */
public final class RunningSums {
    private static final String VERSION = "r1";
    public static final RunningSums EMPTY = new RunningSums(new int[0], new String[0]);

    private final int[] index;
    private final String[] totals;

    private RunningSums(int[] index, String[] totals) {
        this.index = index;
        this.totals = totals;
    }

    public static RunningSums decode(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !VERSION.equals(lines[0])) {
            throw new IllegalArgumentException("not running usage totals: " + text);
        }
        int[] index = new int[lines.length - 1];
        String[] totals = new String[lines.length - 1];
        for (int i = 1; i < lines.length; i++) {
            int tab = lines[i].indexOf('\t');
            index[i - 1] = Integer.parseInt(lines[i], 0, tab, 10);
            totals[i - 1] = lines[i].substring(tab + 1);
        }
        return new RunningSums(index, totals);
    }

    public String encode() {
        StringBuilder b = new StringBuilder(VERSION);
        for (int i = 0; i < index.length; i++) {
            b.append('\n').append(index[i]).append('\t').append(totals[i]);
        }
        return b.toString();
    }

    /** These totals with {@code a} used on day (or month) {@code at}: added to that day's total and every later one. */
    public RunningSums plus(int at, Amounts a) {
        int pos = Arrays.binarySearch(index, at);
        int[] newIndex = index;
        String[] newTotals = totals;
        if (pos < 0) {
            int insert = -pos - 1;
            newIndex = new int[index.length + 1];
            newTotals = new String[index.length + 1];
            System.arraycopy(index, 0, newIndex, 0, insert);
            System.arraycopy(totals, 0, newTotals, 0, insert);
            System.arraycopy(index, insert, newIndex, insert + 1, index.length - insert);
            System.arraycopy(totals, insert, newTotals, insert + 1, index.length - insert);
            newIndex[insert] = at;
            newTotals[insert] = insert == 0 ? Amounts.ZERO.encode() : totals[insert - 1];
            pos = insert;
        } else {
            newTotals = totals.clone();
        }
        for (int i = pos; i < newIndex.length; i++) {
            newTotals[i] = Amounts.decode(newTotals[i]).plus(a).encode();
        }
        return new RunningSums(newIndex, newTotals);
    }

    /** The usage of days (or months) {@code after + 1} to {@code through}; null when none of them had an entry. */
    public Amounts between(int after, int through) {
        int hi = lastAtOrBefore(through);
        int lo = lastAtOrBefore(after);
        if (hi == lo) {
            return null;
        }
        Amounts upper = Amounts.decode(totals[hi]);
        return lo < 0 ? upper : upper.plus(Amounts.decode(totals[lo]).negated());
    }

    /** The total up to the last entry: the whole month (or year) so far. */
    public Amounts total() {
        return index.length == 0 ? Amounts.ZERO : Amounts.decode(totals[index.length - 1]);
    }

    public boolean isEmpty() {
        return index.length == 0;
    }

    /** The position of the last entry at or before {@code at}; -1 when there is none. */
    private int lastAtOrBefore(int at) {
        int pos = Arrays.binarySearch(index, at);
        return pos >= 0 ? pos : -pos - 2;
    }
}
