package org.dpnas.fbnet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Locale;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.StepBench;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.fbnet.search.FbnetSearchJob;
import org.dpnas.fbnet.search.GumbelSoftmax;
import org.dpnas.fbnet.search.LatencyLoss;
import org.dpnas.fbnet.search.LatencyLut;

/**
 * Times the FBNet search step — the real {@link OneShotSearch} weight step and architecture step
 * (Gumbel-softmax over all nine candidates of every layer, the latency loss) on random images — at
 * a named size with the search's own optimizer settings, through the shared {@link StepBench}.
 */
public final class FbnetBench {

    private FbnetBench() {}

    /**
     * The sizes of a bench preset: {@code tiny} (the tiny search preset at 32×32, batch 4), {@code
     * small} (the CamVid preset's supernet at its 64×64 training crop, batch 4).
     */
    static StepBench.Preset<FbnetSizes> preset(String name) {
        return switch (name) {
            case "tiny" ->
                    new StepBench.Preset<>(
                            new FbnetSizes(
                                    5, 0.25, List.of(1, 1, 1, 1, 1, 1, 1), 16, 16, List.of(2, 4)),
                            32,
                            32,
                            4);
            case "small" ->
                    new StepBench.Preset<>(
                            new FbnetSizes(
                                    11,
                                    0.5,
                                    List.of(1, 2, 2, 2, 2, 2, 1),
                                    16,
                                    64,
                                    List.of(2, 4, 6)),
                            64,
                            64,
                            4);
            default ->
                    throw new IllegalArgumentException(
                            "unknown bench preset '" + name + "', expected tiny or small");
        };
    }

    /**
     * Runs the benchmark.
     *
     * @param presetName {@code tiny} or {@code small}
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @param seed seed of the weights and data
     */
    public static StepBench.Result run(String presetName, int warmup, int iters, long seed)
            throws Exception {
        StepBench.check(warmup, iters);
        StepBench.Preset<FbnetSizes> p = preset(presetName);
        FbnetSizes sizes = p.sizes();
        Engine.getInstance().setRandomSeed((int) seed);
        StepBench.Batch batch = p.randomBatch(sizes.numClasses(), seed);
        Config config = ConfigLoader.load(FbnetSearchJob.defaults(), null, List.of());
        Config search = config.sub("search");
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            FbnetNet net = FbnetNet.supernet(sizes);
            net.initialize(base, DataType.FLOAT32, batch.imageShape());
            GumbelSoftmax gumbel = FbnetSearchJob.relaxation(config);
            net.relaxation(gumbel);
            LatencyLut lut =
                    LatencyLut.measure(
                            sizes,
                            p.height(),
                            p.width(),
                            "us",
                            LatencyTable.forDevice(base.getDevice()),
                            base,
                            new LatencyMeter(0, 1));
            ParameterStore ps = new ParameterStore(base, false);
            ParamGroup weights = OneShotJob.weightGroup(net.weightParameters(), search);
            ParamGroup arch = OneShotJob.archGroup("arch", net.archParameters(), search);
            StepBench.Timing timing;
            try (OneShotSearch step =
                    new OneShotSearch(
                                    net,
                                    weights,
                                    arch,
                                    null,
                                    null,
                                    LrSchedule.constant(search.getFloat("weight_lr")),
                                    LrSchedule.constant(search.getFloat("arch_lr")),
                                    0,
                                    search.getFloat("grad_clip_norm"),
                                    constants,
                                    ps)
                            .withPenalty(
                                    new LatencyLoss(
                                            net::lastWeights,
                                            lut.values(),
                                            search.getDouble("latency_alpha"),
                                            search.getDouble("latency_beta")))) {
                timing = StepBench.time(base, step, batch, warmup, iters);
            }
            weights.optimizer().close();
            arch.optimizer().close();
            String d =
                    String.format(
                            Locale.ROOT,
                            "width %s, depths %s, %d layers x 9 candidates, %dx%d, batch %d",
                            sizes.width(),
                            sizes.depths(),
                            sizes.layerCount(),
                            p.height(),
                            p.width(),
                            p.batch());
            return new StepBench.Result(d, timing);
        }
    }
}
