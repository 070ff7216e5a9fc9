package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * One iteration of first-order bilevel architecture search (DARTS, Liu et al.,
 * https://arxiv.org/abs/1806.09055, §2.3 with ξ = 0; Auto-DeepLab §4): a weight step on a batch of
 * split A, then — from {@code archStartStep} on — an architecture step on a batch of split B. The
 * two splits come from two separate streams over disjoint halves of the training set, so the
 * architecture is never fitted to the batches the weights just saw.
 *
 * <p>Each backward pass fills the gradients of both groups; the other group's gradient is zeroed
 * before a group steps, so neither update sees the other split's gradient.
 */
public final class BilevelStep implements TrainLoop.Step, AutoCloseable {

    private final Block model;
    private final ParamGroup weights;
    private final ParamGroup arch;
    private final BatchStream splitA;
    private final BatchStream splitB;
    private final LrSchedule weightLr;
    private final LrSchedule archLr;
    private final long archStartStep;
    private final float clipNorm;
    private final Constants constants;
    private final ParameterStore store;

    /**
     * Creates the step.
     *
     * @param model the supernet
     * @param weights the network weights (updated on split A)
     * @param arch the architecture parameters (updated on split B)
     * @param splitA batches of split A
     * @param splitB batches of split B (a disjoint set of samples)
     * @param weightLr learning rate of the weights per step
     * @param archLr learning rate of the architecture parameters per step
     * @param archStartStep the first step with an architecture update
     * @param clipNorm global gradient-norm limit of the weights, 0 for none
     * @param constants the run's constants
     * @param store the parameter store
     */
    public BilevelStep(
            Block model,
            ParamGroup weights,
            ParamGroup arch,
            BatchStream splitA,
            BatchStream splitB,
            LrSchedule weightLr,
            LrSchedule archLr,
            long archStartStep,
            float clipNorm,
            Constants constants,
            ParameterStore store) {
        if (splitA == splitB) {
            throw new IllegalArgumentException("split A and split B must be different streams");
        }
        this.model = model;
        this.weights = weights;
        this.arch = arch;
        this.splitA = splitA;
        this.splitB = splitB;
        this.weightLr = weightLr;
        this.archLr = archLr;
        this.archStartStep = archStartStep;
        this.clipNorm = clipNorm;
        this.constants = constants;
        this.store = store;
    }

    /** Whether step {@code t} updates the architecture. */
    public boolean updatesArchitecture(long t) {
        return t >= archStartStep;
    }

    @Override
    public NDArray run(NDManager sm, long t) throws Exception {
        NDArray loss =
                SegmentationStep.forwardBackward(
                        model, store, splitA.get(t).toNDList(sm), constants);
        arch.zeroGrad();
        if (clipNorm > 0f) {
            GradClip.clipByGlobalNorm(weights.params(), clipNorm, sm, constants);
        }
        weights.step(weightLr.at(t));
        if (updatesArchitecture(t)) {
            SegmentationStep.forwardBackward(model, store, splitB.get(t).toNDList(sm), constants);
            weights.zeroGrad();
            arch.step(archLr.at(t));
        }
        return loss;
    }

    @Override
    public void close() {
        splitA.close();
        splitB.close();
    }
}
