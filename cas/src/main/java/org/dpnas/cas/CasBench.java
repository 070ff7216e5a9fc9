package org.dpnas.cas;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.dpnas.cas.search.CasSearchJob;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.StepBench;
import org.dpnas.common.search.gdas.GdasSampler;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;

/**
 * Times the CAS search step — the real {@link OneShotSearch} weight step and architecture step
 * (with the multiply-add penalty) on random images — at a named size, with the search's own
 * optimizer settings, through the timing loop every method's benchmark shares ({@link StepBench});
 * reports medians, images per second, arrays per weight step and the peak resident memory.
 */
public final class CasBench {

    private CasBench() {}

    /**
     * The sizes of a bench preset: {@code tiny} (the tiny search preset, 32×32, batch 4), {@code
     * small} (the CamVid preset's supernet at its 64×64 training crop, batch 2), {@code camvid}
     * (the same at 180×240), {@code paper} (the paper preset's supernet at 321×321, batch 2).
     */
    static StepBench.Preset<CasSizes> preset(String name) {
        return switch (name) {
            case "tiny" ->
                    new StepBench.Preset<>(
                            new CasSizes(5, 8, 4, 3, 16, CasSpace.MS_RATES, CasSpace.OPS),
                            32,
                            32,
                            4);
            case "small" ->
                    new StepBench.Preset<>(
                            new CasSizes(11, 8, 6, 4, 32, CasSpace.MS_RATES, CasSpace.OPS),
                            64,
                            64,
                            2);
            case "camvid" ->
                    new StepBench.Preset<>(
                            new CasSizes(11, 8, 6, 4, 32, CasSpace.MS_RATES, CasSpace.OPS),
                            180,
                            240,
                            2);
            case "paper" ->
                    new StepBench.Preset<>(
                            new CasSizes(19, 16, 8, 4, 64, CasSpace.MS_RATES, CasSpace.OPS),
                            321,
                            321,
                            2);
            default ->
                    throw new IllegalArgumentException(
                            "unknown bench preset '"
                                    + name
                                    + "', expected tiny, small, camvid or paper");
        };
    }

    /**
     * Runs the benchmark.
     *
     * @param presetName {@code tiny}, {@code small}, {@code camvid} or {@code paper}
     * @param fused whether the supernet's cells evaluate their edges fused (else plain MixedOps)
     * @param strategy bilevel (every op of an edge) or GDAS (one sampled op per edge, τ = 10)
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @param seed seed of the weights and data
     */
    public static StepBench.Result run(
            String presetName,
            boolean fused,
            OneShotStrategy strategy,
            int warmup,
            int iters,
            long seed)
            throws Exception {
        StepBench.check(warmup, iters);
        if (fused && strategy == OneShotStrategy.GDAS) {
            throw new IllegalArgumentException(
                    "GDAS runs one sampled op per edge on the plain cells; it has no fused form");
        }
        StepBench.Preset<CasSizes> p = preset(presetName);
        CasSizes sizes = p.sizes();
        Engine.getInstance().setRandomSeed((int) seed);
        StepBench.Batch batch = p.randomBatch(sizes.numClasses(), seed);
        Config search = ConfigLoader.load(CasSearchJob.defaults(), null, List.of()).sub("search");
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            CasNet net = CasNet.supernet(sizes, fused);
            net.initialize(base, DataType.FLOAT32, batch.imageShape());
            if (strategy == OneShotStrategy.GDAS) {
                Config g = search.sub("gdas");
                net.sampleOps(
                        new GdasSampler(
                                seed, g.getDouble("tau_max"), g.getDouble("tau_min"), 1, 1));
            }
            OpCosts costs =
                    OpCosts.of(
                            net,
                            CostKind.MACS,
                            p.height(),
                            p.width(),
                            LatencyTable.forDevice(base.getDevice()),
                            base,
                            new LatencyMeter(0, 1));
            ParameterStore ps = new ParameterStore(base, false);
            ParamGroup weights = OneShotJob.weightGroup(net.weightParameters(), search);
            ParamGroup arch =
                    OneShotJob.archGroup(
                            "arch", List.of(net.alphaNormal(), net.alphaReduce()), search);
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
                            .withPenalty(new CasPenalty(net, costs, 1e-3f))) {
                timing = StepBench.time(base, step, batch, warmup, iters);
            }
            weights.optimizer().close();
            arch.optimizer().close();
            String d =
                    String.format(
                            "C %d, %d cells, B %d, M %d, %dx%d, batch %d",
                            sizes.channels(),
                            sizes.layers(),
                            sizes.blocks(),
                            sizes.msChannels(),
                            p.height(),
                            p.width(),
                            p.batch());
            return new StepBench.Result(d, timing);
        }
    }
}
