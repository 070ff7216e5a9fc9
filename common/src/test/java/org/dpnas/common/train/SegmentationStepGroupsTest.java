package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.nn.BaselineSegNet;
import org.junit.jupiter.api.Test;

/** A second parameter group stepped at a fraction of the rate (a pretrained backbone). */
class SegmentationStepGroupsTest {

    private static final int SIDE = 16;
    private static final int BATCH = 4;

    /**
     * One plain SGD step (no momentum history yet, no decay): w ← w − lr·g. With the second group
     * at 0.25·lr its change is exactly a quarter of the change a single group makes from the same
     * initial weights and batch; the first group's change is unchanged.
     */
    @Test
    void secondGroupMovesAtItsFraction() throws Exception {
        float[][] full = deltas(1f);
        float[][] scaled = deltas(0.25f);
        int half = full.length / 2;
        double checked = 0;
        for (int i = 0; i < full.length; i++) {
            float k = i < half ? 1f : 0.25f;
            for (int j = 0; j < full[i].length; j++) {
                assertEquals(k * full[i][j], scaled[i][j], 1e-6f + 1e-4f * Math.abs(full[i][j]));
                checked += Math.abs(full[i][j]);
            }
        }
        assertTrue(checked > 0, "the step moved the weights");
    }

    /** The change of every trainable parameter after one step, second half at {@code scale}. */
    private static float[][] deltas(float scale) throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(7);
            BaselineSegNet model = new BaselineSegNet(2, 8);
            model.initialize(
                    base.newSubManager(), DataType.FLOAT32, new Shape(BATCH, 3, SIDE, SIDE));
            List<Parameter> all = ParamIO.trainable(model);
            int half = all.size() / 2;
            List<float[]> before = new ArrayList<>();
            for (Parameter p : all) {
                before.add(p.getArray().toFloatArray());
            }
            ParamGroup a = new ParamGroup("weights", all.subList(0, half), new Sgd(0f, 0f));
            ParamGroup b =
                    new ParamGroup("backbone", all.subList(half, all.size()), new Sgd(0f, 0f));
            SegBatcher batcher =
                    new SegBatcher(
                            new TinyData(8, SIDE),
                            SegBatcher.IMAGENET_MEAN,
                            SegBatcher.IMAGENET_STD);
            try (SegmentationStep step =
                    new SegmentationStep(
                            model,
                            a,
                            batcher,
                            new EpochSampler(8, BATCH, 3),
                            LrSchedule.poly(0.1f, 1, 1f, 0f),
                            0f,
                            constants,
                            new ParameterStore(base, false),
                            1)) {
                step.alsoStep(b, scale);
                try (NDManager sm = base.newSubManager()) {
                    step.run(sm, 0);
                }
            }
            float[][] out = new float[all.size()][];
            for (int i = 0; i < all.size(); i++) {
                float[] now = all.get(i).getArray().toFloatArray();
                out[i] = new float[now.length];
                for (int j = 0; j < now.length; j++) {
                    out[i][j] = now[j] - before.get(i)[j];
                }
            }
            return out;
        }
    }
}
