package org.dpnas.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
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
    private final BatchStream batches;
    private final LrSchedule schedule;
    private final float clipNorm;
    private final Constants constants;
    private final ParameterStore store;
    private final List<ParamGroup> extraGroups = new ArrayList<>();
    private final List<Float> extraScales = new ArrayList<>();

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
        this.batches = new BatchStream(batcher, sampler, maxSteps, "train");
        this.schedule = schedule;
        this.clipNorm = clipNorm;
        this.constants = constants;
        this.store = store;
    }

    /**
     * Also steps another parameter group, at {@code lrScale} times the schedule's rate (e.g. a
     * pretrained backbone at a lower rate); gradient clipping then spans every group.
     *
     * @param group the group
     * @param lrScale its learning-rate multiplier, in (0, 1]
     * @return this step
     */
    public SegmentationStep alsoStep(ParamGroup group, float lrScale) {
        if (!(lrScale > 0f) || lrScale > 1f) {
            throw new IllegalArgumentException("lrScale must be in (0, 1], got " + lrScale);
        }
        extraGroups.add(group);
        extraScales.add(lrScale);
        return this;
    }

    @Override
    public NDArray run(NDManager sm, long t) throws Exception {
        NDArray loss = forwardBackward(model, store, batches.get(t).toNDList(sm), constants);
        if (clipNorm > 0f) {
            List<Parameter> all = new ArrayList<>(weights.params());
            for (ParamGroup g : extraGroups) {
                all.addAll(g.params());
            }
            GradClip.clipByGlobalNorm(all, clipNorm, sm, constants);
        }
        float lr = schedule.at(t);
        weights.step(lr);
        for (int i = 0; i < extraGroups.size(); i++) {
            extraGroups.get(i).step(lr * extraScales.get(i));
        }
        return loss;
    }

    /**
     * Forward in training mode, cross-entropy with ignore label 255, backward: fills the gradients
     * of every parameter the loss depends on and returns the loss.
     */
    static NDArray forwardBackward(
            Block model, ParameterStore store, NDList xy, Constants constants) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(store, new NDList(xy.get(0)), true).head();
            NDArray loss = Losses.crossEntropy(logits, xy.get(1), SegSample.IGNORE, constants);
            gc.backward(loss);
            return loss;
        }
    }

    @Override
    public void close() {
        batches.close();
    }
}
