package org.dpnas.datasets.job;

import ai.djl.Device;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.augment.SegPipeline;
import org.dpnas.datasets.split.Splits;
import org.dpnas.datasets.split.SubsetDataset;

/**
 * The set-up a training, search or evaluation run shares, read from its configuration ({@code
 * threads}, {@code device}, {@code seed} and the {@code data} section): the engine's threads and
 * the device, the seed, the training and validation sets read through the bad-sample policy and
 * their training / evaluation views, the disjoint split of the training set a bilevel search needs,
 * and the loader threads. A job builds everything from here, so train, search and eval cannot drift
 * apart.
 */
public final class JobSetup implements AutoCloseable {

    private static final java.util.concurrent.ThreadFactory DAEMON =
            r -> {
                Thread t = new Thread(r, "dpnas-loader");
                t.setDaemon(true);
                return t;
            };

    private final Config data;
    private final Device device;
    private final long seed;
    private final Consumer<String> warn;
    private final int workers;
    private ExecutorService pool;

    private JobSetup(Config config, Consumer<String> warn) {
        this.device = Devices.setUp(config.getInt("threads"), config.getString("device"));
        this.seed = config.getLong("seed");
        this.data = config.sub("data");
        this.warn = warn;
        this.workers = SegPipeline.workers(data); // validated before anything is written
    }

    /**
     * Applies {@code threads}, resolves {@code device} and checks {@code data.workers} (the loader
     * threads start at the first {@link #pool()}).
     *
     * @param config the resolved configuration
     * @param warn where skipped bad samples are reported
     */
    public static JobSetup open(Config config, Consumer<String> warn) {
        return new JobSetup(config, warn);
    }

    /** The device of the run. */
    public Device device() {
        return device;
    }

    /** The run's seed. */
    public long seed() {
        return seed;
    }

    /** The {@code data} section. */
    public Config data() {
        return data;
    }

    /** Loader threads for batch assembly (started at the first call), or null for one worker. */
    public synchronized ExecutorService pool() {
        if (pool == null && workers > 1) {
            pool = Executors.newFixedThreadPool(workers, DAEMON);
        }
        return pool;
    }

    /** {@code data.mean}. */
    public float[] mean() {
        return data.getFloatArray("mean");
    }

    /** {@code data.std}. */
    public float[] std() {
        return data.getFloatArray("std");
    }

    /** The raw split named by {@code data.KEY} ({@code train_split}, {@code val_split}). */
    public SegDataset raw(String splitKey) {
        return SegDatasets.open(data, data.getString(splitKey), seed);
    }

    /** {@code ds} read through the {@code data.on_bad_sample} policy. */
    public BadSampleDataset readable(SegDataset ds) {
        return SegPipeline.readable(data, ds, warn);
    }

    /** The readable training set. */
    public BadSampleDataset trainSet() {
        return readable(raw("train_split"));
    }

    /** The readable validation set in its evaluation view. */
    public SegDataset valSet() {
        return SegPipeline.evaluation(data, readable(raw("val_split")));
    }

    /**
     * The training view of {@code ds} with the augmentation seeded by the run's seed (or, for a
     * second stream such as split B, by the seed mixed with {@code stream}).
     *
     * @param ds a readable dataset
     * @param batch the batch size (a varying scale needs a crop for batches above 1)
     * @param stream null for the run's main stream, else a name that seeds a separate one
     */
    public SegDataset training(SegDataset ds, int batch, String stream) {
        long s = stream == null ? seed : Seeds.mix(seed, stream);
        return SegPipeline.training(data, ds, s, batch);
    }

    /**
     * The training set cut into two disjoint halves from the seed, each read through the bad-sample
     * policy on its own (a bad sample of A is replaced from A, never from B).
     *
     * @return [A, B], readable, not yet augmented
     */
    public BadSampleDataset[] abSplit() {
        return abSplit(raw("train_split"));
    }

    /**
     * The training set cut into a part A of {@code fractionA} of it and a part B of the rest (both
     * halves at 0.5, which is {@link #abSplit()}).
     */
    public BadSampleDataset[] abSplit(double fractionA) {
        return abSplit(raw("train_split"), fractionA);
    }

    /** {@link #abSplit()} of a given raw training set. */
    public BadSampleDataset[] abSplit(SegDataset raw) {
        return abSplit(raw, 0.5);
    }

    /** {@link #abSplit(double)} of a given raw training set. */
    public BadSampleDataset[] abSplit(SegDataset raw, double fractionA) {
        Splits.Split ab = Splits.abSplit(raw.size(), fractionA, Seeds.mix(seed, "ab-split"));
        return new BadSampleDataset[] {
            readable(new SubsetDataset(raw, ab.first())),
            readable(new SubsetDataset(raw, ab.second()))
        };
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
