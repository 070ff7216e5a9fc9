package org.dpnas.autodeeplab.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.BatchStream;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.dpnas.datasets.synthetic.SyntheticSpec;
import org.junit.jupiter.api.Test;

class SearchMemoryTest {

    private static BatchStream stream(String split, long steps) {
        SyntheticDataset d =
                new SyntheticDataset(SyntheticSpec.of(1, split, 8).withImageSize(32, 32));
        return new BatchStream(
                new SegBatcher(d, SegBatcher.IMAGENET_MEAN, SegBatcher.IMAGENET_STD),
                new EpochSampler(d.size(), 2, 1),
                steps,
                split);
    }

    /**
     * Memory stays flat once architecture updates run (a mistake of public ports): after the first
     * bilevel iteration has created the optimizers' state, further iterations — weight step on A,
     * architecture step on B, both updates — leave the number of live arrays unchanged.
     */
    @Test
    void liveArraysStayFlatAcrossBilevelIterations() throws Exception {
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(new SupernetConfig(5, 3, 4, 3));
            net.initialize(base.newSubManager(), DataType.FLOAT32, new Shape(2, 3, 32, 32));
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
                            stream("a", 6),
                            stream("b", 6),
                            LrSchedule.cosine(0.025f, 6, 0.001f),
                            LrSchedule.constant(3e-3f),
                            0,
                            5f,
                            constants,
                            new ParameterStore(base, false))) {
                int[] live = new int[6];
                for (int t = 0; t < 6; t++) {
                    try (NDManager sm = base.newSubManager()) {
                        step.run(sm, t);
                    }
                    live[t] = base.getManagedArrays().size();
                }
                for (int t = 2; t < 6; t++) {
                    assertEquals(live[1], live[t], "live arrays after iteration " + t);
                }
            }
        }
    }
}
