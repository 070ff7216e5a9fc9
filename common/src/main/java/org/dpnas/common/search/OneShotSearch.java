package org.dpnas.common.search;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.dpnas.common.train.BatchStream;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.GradClip;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.TrainLoop;

/**
 * The one-shot search strategy for any supernet: one iteration of first-order bilevel architecture
 * search (DARTS, Liu et al., https://arxiv.org/abs/1806.09055, §2.3 with ξ = 0; Auto-DeepLab §4): a
 * weight step on a batch of split A, then — from {@code archStartStep} on — an architecture step on
 * a batch of split B. The two splits come from two separate streams over disjoint halves of the
 * training set, so the architecture is never fitted to the batches the weights just saw.
 *
 * <p>Each backward pass fills the gradients of both groups; the other group's gradient is zeroed
 * before a group steps, so neither update sees the other split's gradient.
 *
 * <p>Two hooks make it serve every one-shot method: the {@linkplain #withLoss training loss}
 * (segmentation cross-entropy by default) and an optional {@linkplain #withPenalty architecture
 * penalty} added to the architecture step's loss only (as NNI's DARTS module takes a {@code
 * penalty}).
 */
public final class OneShotSearch implements TrainLoop.Step, AutoCloseable {

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
    private TrainingLoss loss = TrainingLoss.SEGMENTATION_CE;
    private ArchPenalty penalty;

    /**
     * Creates the step.
     *
     * @param model the supernet
     * @param weights the network weights (updated on split A)
     * @param arch the architecture parameters (updated on split B)
     * @param splitA batches of split A (null when every batch is given to {@link
     *     #weightStep(NDManager, long, NDList)})
     * @param splitB batches of split B, a disjoint set of samples (null likewise)
     * @param weightLr learning rate of the weights per step
     * @param archLr learning rate of the architecture parameters per step
     * @param archStartStep the first step with an architecture update
     * @param clipNorm global gradient-norm limit of the weights, 0 for none
     * @param constants the run's constants
     * @param store the parameter store
     */
    public OneShotSearch(
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
        if (splitA != null && splitA == splitB) {
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

    /** Uses {@code loss} as the training loss of both steps (default: segmentation CE). */
    public OneShotSearch withLoss(TrainingLoss loss) {
        if (loss == null) {
            throw new IllegalArgumentException("the training loss must not be null");
        }
        this.loss = loss;
        return this;
    }

    /** Adds {@code penalty} to the architecture step's loss (null: none). */
    public OneShotSearch withPenalty(ArchPenalty penalty) {
        this.penalty = penalty;
        return this;
    }

    /** Whether step {@code t} updates the architecture. */
    public boolean updatesArchitecture(long t) {
        return t >= archStartStep;
    }

    @Override
    public NDArray run(NDManager sm, long t) throws Exception {
        NDArray l = weightStep(sm, t);
        if (updatesArchitecture(t)) {
            archStep(sm, t);
        }
        return l;
    }

    /** The weight half of step t: loss on split A, weights updated; returns the loss. */
    public NDArray weightStep(NDManager sm, long t) throws Exception {
        return weightStep(sm, t, splitA.get(t).toNDList(sm));
    }

    /** The weight half of step t on a given batch (inputs, labels…) in {@code sm}. */
    public NDArray weightStep(NDManager sm, long t, NDList batch) {
        NDArray l = forwardBackward(batch, null, sm);
        arch.zeroGrad();
        if (clipNorm > 0f) {
            GradClip.clipByGlobalNorm(weights.params(), clipNorm, sm, constants);
        }
        weights.step(weightLr.at(t));
        return l;
    }

    /**
     * The architecture half of step t: loss (plus penalty) on split B, architecture updated;
     * returns the loss with the penalty.
     */
    public NDArray archStep(NDManager sm, long t) throws Exception {
        return archStep(sm, t, splitB.get(t).toNDList(sm));
    }

    /** The architecture half of step t on a given batch (inputs, labels…) in {@code sm}. */
    public NDArray archStep(NDManager sm, long t, NDList batch) {
        NDArray l = forwardBackward(batch, penalty, sm);
        weights.zeroGrad();
        arch.step(archLr.at(t));
        return l;
    }

    /** Forward in training mode, the loss (and penalty), backward; returns the loss. */
    private NDArray forwardBackward(NDList xy, ArchPenalty withPenalty, NDManager sm) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(store, new NDList(xy.get(0)), true).head();
            NDList labels = new NDList(xy.subList(1, xy.size()));
            NDArray l = loss.loss(new NDList(logits), labels, constants);
            if (withPenalty != null) {
                l =
                        withPenalty.applyTo(
                                l, withPenalty.penalty(store, arch.params(), sm, constants));
            }
            gc.backward(l);
            return l;
        }
    }

    @Override
    public void close() {
        if (splitA != null) {
            splitA.close();
        }
        if (splitB != null) {
            splitB.close();
        }
    }
}
