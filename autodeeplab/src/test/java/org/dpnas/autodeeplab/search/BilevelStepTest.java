package org.dpnas.autodeeplab.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.datasets.split.Splits;
import org.dpnas.datasets.split.SubsetDataset;
import org.junit.jupiter.api.Test;

class BilevelStepTest {

    /** Eight 16×16 images: a bright square (class 1) on noise. */
    private static final class Squares implements SegDataset {
        @Override
        public int size() {
            return 8;
        }

        @Override
        public SegSample get(int index) {
            Random r = new Random(index);
            byte[] rgb = new byte[16 * 16 * 3];
            byte[] label = new byte[16 * 16];
            int x0 = r.nextInt(8);
            for (int p = 0; p < 256; p++) {
                boolean in = p % 16 >= x0 && p % 16 < x0 + 6 && p / 16 >= 4 && p / 16 < 10;
                rgb[3 * p] = (byte) ((in ? 180 : 30) + r.nextInt(40));
                label[p] = (byte) (in ? 1 : 0);
            }
            return new SegSample("sq" + index, 16, 16, rgb, label);
        }

        @Override
        public List<String> classNames() {
            return List.of("bg", "square");
        }
    }

    private static SegBatcher batcher(SegDataset d) {
        return new SegBatcher(d, SegBatcher.IMAGENET_MEAN, SegBatcher.IMAGENET_STD);
    }

    /**
     * Epoch 0 (steps 0, 1) updates the weights only; from epoch 1 (step 2) α and β move too. Split
     * A and split B are disjoint halves.
     */
    @Test
    void architectureMovesOnlyFromTheStartEpoch() throws Exception {
        Engine.getInstance().setRandomSeed(3);
        SegDataset all = new Squares();
        Splits.Split ab = Splits.abSplit(all.size(), 1);
        assertTrue(
                Arrays.stream(ab.first())
                        .noneMatch(i -> Arrays.stream(ab.second()).anyMatch(j -> j == i)));
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(new SupernetConfig(2, 2, 4, 2));
            net.initialize(base, DataType.FLOAT32, new Shape(2, 3, 16, 16));
            BilevelStep.Settings s =
                    new BilevelStep.Settings(0.05f, 0.001f, 0.9f, 3e-4f, 0.1f, 1e-3f, 1);
            BilevelStep step =
                    new BilevelStep(
                            net,
                            s,
                            batcher(new SubsetDataset(all, ab.first())),
                            new EpochSampler(ab.first().length, 2, 5),
                            batcher(new SubsetDataset(all, ab.second())),
                            new EpochSampler(ab.second().length, 2, 6),
                            6,
                            c,
                            new ParameterStore(base, false));
            float[] alpha0 = net.alphas().getArray().toFloatArray();
            float[] w0 = net.weightParameters().get(0).getArray().toFloatArray();
            for (long t = 0; t < 2; t++) {
                try (NDManager sm = base.newSubManager()) {
                    assertFalse(step.archActive(t));
                    assertTrue(Float.isFinite(step.run(sm, t).getFloat()));
                }
            }
            assertArrayEquals(alpha0, net.alphas().getArray().toFloatArray(), 0f);
            assertFalse(Arrays.equals(w0, net.weightParameters().get(0).getArray().toFloatArray()));
            float[] beta0 = net.betas().getArray().toFloatArray();
            try (NDManager sm = base.newSubManager()) {
                assertTrue(step.archActive(2));
                step.run(sm, 2);
            }
            assertFalse(Arrays.equals(alpha0, net.alphas().getArray().toFloatArray()));
            assertFalse(Arrays.equals(beta0, net.betas().getArray().toFloatArray()));
        }
    }

    @Test
    void rejectsTheSameDatasetForBothSplits() {
        SegBatcher same = batcher(new Squares());
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(new SupernetConfig(2, 1, 4, 1));
            net.initialize(base, DataType.FLOAT32, new Shape(2, 3, 16, 16));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new BilevelStep(
                                            net,
                                            BilevelStep.Settings.paper(),
                                            same,
                                            new EpochSampler(8, 2, 1),
                                            same,
                                            new EpochSampler(8, 2, 1),
                                            4,
                                            c,
                                            new ParameterStore(base, false)));
            assertTrue(e.getMessage().contains("split A and split B"), e.getMessage());
            SegDataset all = new Squares();
            IllegalArgumentException overlap =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new BilevelStep(
                                            net,
                                            BilevelStep.Settings.paper(),
                                            batcher(new SubsetDataset(all, new int[] {0, 1, 2})),
                                            new EpochSampler(3, 1, 1),
                                            batcher(new SubsetDataset(all, new int[] {2, 3})),
                                            new EpochSampler(2, 1, 1),
                                            4,
                                            c,
                                            new ParameterStore(base, false)));
            assertTrue(overlap.getMessage().contains("share sample 2"), overlap.getMessage());
        }
    }
}
