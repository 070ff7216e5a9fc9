package org.dpnas.datasets.augment;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.seg.DatasetException;

/**
 * A view of a segmentation dataset deciding what happens when a sample cannot be read (a {@link
 * DatasetException}: missing, unreadable or truncated file, size mismatch, label out of range).
 *
 * <p>{@link Policy#FAIL} rethrows it with a hint, so the run stops with a message naming the file.
 * {@link Policy#SKIP} replaces sample {@code i} by the next good one ({@code i+1, i+2, ...},
 * wrapping around), so the replacement depends only on which files are bad; every replacement is
 * counted in {@link #skips()} and each bad file is reported once to the listener.
 */
public final class BadSampleDataset implements SegDataset {

    /** What to do with a sample that cannot be read. */
    public enum Policy {
        /** Stop with the error. */
        FAIL,
        /** Use the next good sample instead. */
        SKIP;

        /**
         * Parses {@code fail} or {@code skip}.
         *
         * @throws IllegalArgumentException for anything else
         */
        public static Policy parse(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "fail":
                    return FAIL;
                case "skip":
                    return SKIP;
                default:
                    throw new IllegalArgumentException(
                            "on_bad_sample must be fail or skip, got '" + s + "'");
            }
        }
    }

    private final SegDataset base;
    private final Policy policy;
    private final Consumer<String> listener;
    private final Map<Integer, String> bad = new ConcurrentHashMap<>();
    private final AtomicLong skips = new AtomicLong();

    /**
     * Creates the view.
     *
     * @param base the samples
     * @param policy what to do with a bad sample
     * @param listener receives one message per distinct bad sample (skip policy), may be null
     */
    public BadSampleDataset(SegDataset base, Policy policy, Consumer<String> listener) {
        this.base = Objects.requireNonNull(base, "base");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = listener == null ? m -> {} : listener;
    }

    /** Number of times a bad sample was replaced so far (in this process). */
    public long skips() {
        return skips.get();
    }

    /** Number of distinct bad samples met so far (in this process). */
    public int badSamples() {
        return bad.size();
    }

    /**
     * What {@code views} skipped so far, for the run directory's {@code data_skips.json}: per view
     * name, the number of replaced reads and every bad sample (index → the error naming its file).
     */
    public static JsonObject report(Map<String, BadSampleDataset> views) {
        JsonObject o = new JsonObject();
        long total = 0;
        for (Map.Entry<String, BadSampleDataset> v : new java.util.TreeMap<>(views).entrySet()) {
            BadSampleDataset d = v.getValue();
            JsonObject one = new JsonObject();
            one.addProperty("policy", d.policy.name().toLowerCase(Locale.ROOT));
            one.addProperty("skipped_reads", d.skips());
            JsonObject bad = new JsonObject();
            new java.util.TreeMap<>(d.bad).forEach((i, m) -> bad.addProperty(i.toString(), m));
            one.addProperty("bad_samples", d.badSamples());
            one.add("bad", bad);
            o.add(v.getKey(), one);
            total += d.skips();
        }
        o.addProperty("skipped_reads", total);
        return o;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public SegSample get(int index) {
        Objects.checkIndex(index, base.size());
        if (policy == Policy.FAIL) {
            try {
                return base.get(index);
            } catch (DatasetException e) {
                throw new DatasetException(
                        "bad sample "
                                + index
                                + ": "
                                + e.getMessage()
                                + " (--on-bad-sample skip, data.on_bad_sample=skip, replaces bad"
                                + " samples)");
            }
        }
        int n = base.size();
        DatasetException first = null;
        for (int k = 0; k < n; k++) {
            int j = (index + k) % n;
            if (bad.containsKey(j)) {
                continue;
            }
            try {
                SegSample s = base.get(j);
                if (k > 0) {
                    skips.incrementAndGet();
                }
                return s;
            } catch (DatasetException e) {
                if (first == null) {
                    first = e;
                }
                if (bad.putIfAbsent(j, e.getMessage()) == null) {
                    listener.accept("skipping bad sample " + j + ": " + e.getMessage());
                }
            }
        }
        throw new DatasetException(
                "every sample of the dataset is bad; the first error: "
                        + (first != null ? first.getMessage() : bad.get(index)));
    }
}
