package org.dpnas.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegSample;

/**
 * A supervised segmentation step: assemble the batch of step t with the epoch of t (prepared on a
 * loader thread while the previous step computes), forward, cross-entropy with ignore label 255,
 * backward, optional gradient-norm clipping, and one update of the weight group at the schedule's
 * rate.
 */
public final class SegmentationStep implements TrainLoop.Step, AutoCloseable {

    private final Block model;
    private final ParamGroup weights;
    private final SegBatcher batcher;
    private final EpochSampler sampler;
    private final LrSchedule schedule;
    private final float clipNorm;
    private final Constants constants;
    private final ParameterStore store;
    private final long maxSteps;
    private final ExecutorService loader;
    private Future<SegBatcher.HostBatch> next;
    private long nextStep = -1;

    /**
     * Creates the step.
     *
     * @param model the network, mapping (N,3,H,W) images to (N,C,H,W) logits
     * @param weights the parameter group to update
     * @param batcher batch assembly
     * @param sampler data order
     * @param schedule learning rate per step
     * @param clipNorm global gradient-norm limit, 0 for none
     * @param constants the run's constants
     * @param store the parameter store used for the forward pass
     * @param maxSteps the run's last step, to stop prefetching there
     */
    public SegmentationStep(
            Block model,
            ParamGroup weights,
            SegBatcher batcher,
            EpochSampler sampler,
            LrSchedule schedule,
            float clipNorm,
            Constants constants,
            ParameterStore store,
            long maxSteps) {
        this.model = model;
        this.weights = weights;
        this.batcher = batcher;
        this.sampler = sampler;
        this.schedule = schedule;
        this.clipNorm = clipNorm;
        this.constants = constants;
        this.store = store;
        this.maxSteps = maxSteps;
        this.loader =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread th = new Thread(r, "dpnas-loader");
                            th.setDaemon(true);
                            return th;
                        });
    }

    @Override
    public NDArray run(NDManager sm, long t) throws Exception {
        SegBatcher.HostBatch host = batch(t);
        NDList xy = host.toNDList(sm);
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(store, new NDList(xy.get(0)), true).head();
            loss = Losses.crossEntropy(logits, xy.get(1), SegSample.IGNORE, constants);
            gc.backward(loss);
        }
        if (clipNorm > 0f) {
            GradClip.clipByGlobalNorm(weights.params(), clipNorm, sm, constants);
        }
        weights.step(schedule.at(t));
        return loss;
    }

    private SegBatcher.HostBatch batch(long t) throws InterruptedException {
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
