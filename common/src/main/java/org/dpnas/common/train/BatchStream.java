package org.dpnas.common.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpnas.common.data.SegBatcher;

/**
 * The host batches of a run, step by step: the batch of step t (indices from the {@link
 * EpochSampler}, augmentation from t's epoch) is assembled on a loader thread while step t−1
 * computes. Asking for a step out of order simply assembles it on demand, so the batch of a step
 * never depends on what was asked before.
 */
public final class BatchStream implements AutoCloseable {

    private final SegBatcher batcher;
    private final EpochSampler sampler;
    private final long maxSteps;
    private final ExecutorService loader;
    private Future<SegBatcher.HostBatch> next;
    private long nextStep = -1;

    /**
     * Creates a stream.
     *
     * @param batcher batch assembly
     * @param sampler data order
     * @param maxSteps the run's last step, where prefetching stops
     * @param name a name for the loader thread
     */
    public BatchStream(SegBatcher batcher, EpochSampler sampler, long maxSteps, String name) {
        this.batcher = batcher;
        this.sampler = sampler;
        this.maxSteps = maxSteps;
        this.loader =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread th = new Thread(r, "dpnas-loader-" + name);
                            th.setDaemon(true);
                            return th;
                        });
    }

    /** The data order. */
    public EpochSampler sampler() {
        return sampler;
    }

    /** The batch of step {@code t}; starts assembling the batch of {@code t + 1}. */
    public SegBatcher.HostBatch get(long t) throws InterruptedException {
        Future<SegBatcher.HostBatch> f = (next != null && nextStep == t) ? next : submit(t);
        if (t + 1 < maxSteps) {
            next = submit(t + 1);
            nextStep = t + 1;
        } else {
            next = null;
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IllegalStateException("loading the batch of step " + (t + 1) + " failed", c);
        }
    }

    private Future<SegBatcher.HostBatch> submit(long t) {
        int[] idx = sampler.batch(t);
        long epoch = sampler.epochOf(t);
        return loader.submit(() -> batcher.assemble(idx, epoch));
    }

    @Override
    public void close() {
        loader.shutdownNow();
    }
}
