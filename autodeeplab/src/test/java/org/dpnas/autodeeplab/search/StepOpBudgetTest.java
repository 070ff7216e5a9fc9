package org.dpnas.autodeeplab.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.OpProfile;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the cost of the tiny search ({@code ./dpnas search autodeeplab}, the README's first
 * command) with a number that does not depend on the machine or its load: the top-level engine ops
 * of one search step of the tiny preset's supernet (L 4, F 4, B 5, 5 classes, 32×32), counted by
 * libtorch's profiler. The step is per-op-overhead bound, so its CPU time follows this count; a
 * change that adds ops to every step (e.g. per-step weight re-layouts, a broadcast product per
 * edge, an optimizer that updates weight by weight) fails here instead of showing up later as a
 * slower first command. The budgets are the counts measured when this test was last changed plus 1
 * % (18,795 and 14,839 since BatchNorm became one libtorch call, {@code BatchNorms}; 20,367 and
 * 16,411 before); a change that lowers the count should lower them too.
 */
class StepOpBudgetTest {

    /** Top-level ops of one weight step (forward, loss, backward, SGD update), measured + 1 %. */
    private static final long WEIGHT_STEP_BUDGET = 18_983;

    /** Top-level ops of one architecture step (forward, loss, backward, Adam on α and β), + 1 %. */
    private static final long ARCH_STEP_BUDGET = 14_987;

    @Test
    void tinyPresetSearchStepStaysWithinItsOpBudget(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(0);
        int n = 2;
        int size = 32;
        int classes = 5;
        Random rnd = new Random(0);
        float[] image = new float[n * 3 * size * size];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) rnd.nextGaussian();
        }
        int[] label = new int[n * size * size];
        for (int i = 0; i < label.length; i++) {
            label[i] = rnd.nextInt(classes);
        }
        Shape xs = new Shape(n, 3, size, size);
        Shape ys = new Shape(n, size, size);
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(new SupernetConfig(classes, 4, 4, 5));
            net.initialize(base, DataType.FLOAT32, xs);
            ParamGroup weights =
                    new ParamGroup("weights", net.weightParameters(), new Sgd(0.9f, 3e-4f));
            ParamGroup arch =
                    new ParamGroup(
                            "arch",
                            net.archParameters(),
                            new Adam(0.9f, 0.999f, 1e-8f, 1e-3f, false));
            try (OneShotSearch step =
                    new OneShotSearch(
                            net,
                            weights,
                            arch,
                            null,
                            null,
                            LrSchedule.constant(0.025f),
                            LrSchedule.constant(3e-3f),
                            0,
                            0f,
                            constants,
                            new ParameterStore(base, false))) {
                // one untimed iteration first: the optimizers allocate their state on first use
                try (NDManager sm = base.newSubManager()) {
                    step.weightStep(sm, 0, new NDList(sm.create(image, xs), sm.create(label, ys)));
                    step.archStep(sm, 0, new NDList(sm.create(image, xs), sm.create(label, ys)));
                }
                long[] ops = new long[2];
                try (NDManager sm = base.newSubManager()) {
                    NDList in = new NDList(sm.create(image, xs), sm.create(label, ys));
                    ops[0] =
                            OpProfile.profile(
                                            () -> step.weightStep(sm, 1, in),
                                            dir.resolve("weight.json"))
                                    .topLevelOps();
                }
                try (NDManager sm = base.newSubManager()) {
                    NDList in = new NDList(sm.create(image, xs), sm.create(label, ys));
                    ops[1] =
                            OpProfile.profile(
                                            () -> step.archStep(sm, 1, in),
                                            dir.resolve("arch.json"))
                                    .topLevelOps();
                }
                assertTrue(
                        ops[0] <= WEIGHT_STEP_BUDGET,
                        "weight step ran "
                                + ops[0]
                                + " top-level ops, budget "
                                + WEIGHT_STEP_BUDGET);
                assertTrue(
                        ops[1] <= ARCH_STEP_BUDGET,
                        "architecture step ran "
                                + ops[1]
                                + " top-level ops, budget "
                                + ARCH_STEP_BUDGET);
                // a count far below the budget means the profiler missed the step, not a speed-up
                assertTrue(ops[0] > WEIGHT_STEP_BUDGET / 2, "weight step ops " + ops[0]);
                assertTrue(ops[1] > ARCH_STEP_BUDGET / 2, "architecture step ops " + ops[1]);
            }
            weights.optimizer().close();
            arch.optimizer().close();
        }
    }
}
