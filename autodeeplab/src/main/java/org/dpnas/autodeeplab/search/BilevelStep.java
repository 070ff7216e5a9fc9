package org.dpnas.autodeeplab.search;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.Losses;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.split.SubsetDataset;

/**
 * One step of the first-order bilevel search (Liu et al., CVPR 2019, Sec. 4.1): a weight update on
 * a batch of split A, then — from epoch {@code archStartEpoch} on — an architecture (α, β) update
 * on a batch of split B. Each backward pass fills the gradients of both groups, so the other
 * group's gradients are zeroed after each update. The loss is cross-entropy with ignore label 255
 * on full-resolution logits.
 */
public final class BilevelStep implements TrainLoop.Step {

    /**
     * The search's optimisation settings; {@link #paper()} holds the paper's values.
     *
     * @param weightLr initial weight learning rate (SGD)
     * @param weightMinLr final weight learning rate of the cosine schedule
     * @param momentum SGD momentum
     * @param weightDecay SGD weight decay
     * @param archLr Adam learning rate of α and β
     * @param archWeightDecay Adam (L2) weight decay of α and β
     * @param archStartEpoch first epoch with architecture updates
     */
    public record Settings(
            float weightLr,
            float weightMinLr,
            float momentum,
            float weightDecay,
            float archLr,
            float archWeightDecay,
            long archStartEpoch) {

        /** SGD 0.025 → 0.001 cosine, momentum 0.9, wd 3e-4; Adam 3e-3, wd 1e-3; from epoch 20. */
        public static Settings paper() {
            return new Settings(0.025f, 0.001f, 0.9f, 3e-4f, 3e-3f, 1e-3f, 20);
        }
    }

    private final AutoDeepLabSupernet net;
    private final ParamGroup weights;
    private final ParamGroup arch;
    private final SegBatcher batchesA;
    private final EpochSampler samplerA;
    private final SegBatcher batchesB;
    private final EpochSampler samplerB;
    private final LrSchedule weightLr;
    private final Settings settings;
    private final Constants constants;
    private final ParameterStore store;

    /**
     * Creates the step.
     *
     * @param net the supernet (initialised)
     * @param settings optimisation settings
     * @param batchesA batches of split A (weights)
     * @param samplerA order of split A; its epochs drive the schedule and the arch start
     * @param batchesB batches of split B (architecture), a different dataset from A
     * @param samplerB order of split B
     * @param totalSteps steps of the whole search, for the cosine schedule
     * @param constants the run's constants
     * @param store the parameter store of the forward passes
     */
    public BilevelStep(
            AutoDeepLabSupernet net,
            Settings settings,
            SegBatcher batchesA,
            EpochSampler samplerA,
            SegBatcher batchesB,
            EpochSampler samplerB,
            long totalSteps,
            Constants constants,
            ParameterStore store) {
        if (batchesA == batchesB || batchesA.dataset() == batchesB.dataset()) {
            throw new IllegalArgumentException(
                    "split A and split B must be different datasets (weights and architecture"
                            + " would see the same images)");
        }
        if (batchesA.dataset() instanceof SubsetDataset a
                && batchesB.dataset() instanceof SubsetDataset b
                && a.base() == b.base()) {
            Set<Integer> seen = new HashSet<>();
            Arrays.stream(a.indices()).forEach(seen::add);
            for (int i : b.indices()) {
                if (seen.contains(i)) {
                    throw new IllegalArgumentException(
                            "split A and split B share sample " + i + "; they must be disjoint");
                }
            }
        }
        this.net = net;
        this.settings = settings;
        this.batchesA = batchesA;
        this.samplerA = samplerA;
        this.batchesB = batchesB;
        this.samplerB = samplerB;
        this.constants = constants;
        this.store = store;
        this.weightLr = LrSchedule.cosine(settings.weightLr(), totalSteps, settings.weightMinLr());
        this.weights =
                new ParamGroup(
                        "weights",
                        net.weightParameters(),
                        new Sgd(settings.momentum(), settings.weightDecay()));
        this.arch =
                new ParamGroup(
                        "arch",
                        net.archParameters(),
                        new Adam(0.9f, 0.999f, 1e-8f, settings.archWeightDecay(), false));
    }

    /** The weight group (SGD). */
    public ParamGroup weights() {
        return weights;
    }

    /** The architecture group [α, β] (Adam). */
    public ParamGroup arch() {
        return arch;
    }

    /** Whether step {@code t} updates the architecture. */
    public boolean archActive(long t) {
        return samplerA.epochOf(t) >= settings.archStartEpoch();
    }

    @Override
    public NDArray run(NDManager sm, long t) {
        NDArray loss = loss(sm, batchesA.assemble(samplerA.batch(t)));
        weights.step(weightLr.at(t));
        arch.zeroGrad();
        if (archActive(t)) {
            loss(sm, batchesB.assemble(samplerB.batch(t)));
            arch.step(settings.archLr());
            weights.zeroGrad();
        }
        return loss;
    }

    private NDArray loss(NDManager sm, SegBatcher.HostBatch host) {
        NDList xy = host.toNDList(sm);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = net.forward(store, new NDList(xy.get(0)), true).head();
            NDArray loss = Losses.crossEntropy(logits, xy.get(1), SegSample.IGNORE, constants);
            gc.backward(loss);
            return loss;
        }
    }
}
