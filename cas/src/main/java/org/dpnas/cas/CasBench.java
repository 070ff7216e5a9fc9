package org.dpnas.cas;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dpnas.cas.search.CasSearchJob;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;

/**
 * Times the CAS search step — the real {@link OneShotSearch} weight step and architecture step
 * (with the multiply-add penalty) on random images — at a named size, with the search's own
 * optimizer settings; reports medians, images per second and the peak resident memory.
 */
public final class CasBench {

    private static final int IGNORE = 255;

    /**
     * The benchmark's medians.
     *
     * @param description the sizes
     * @param weightStepMs median weight step
     * @param archStepMs median architecture step
     * @param imagesPerSecond images through one weight and one architecture step per second
     * @param peakRssMib the process's peak resident set (VmHWM), MiB; −1 when unknown
     */
    public record Result(
            String description,
            double weightStepMs,
            double archStepMs,
            double imagesPerSecond,
            double peakRssMib) {}

    private CasBench() {}

    /**
     * The sizes of a bench preset: {@code tiny} (the tiny search preset, 32×32, batch 4), {@code
     * small} (the CamVid preset's supernet at its 64×64 training crop, batch 2), {@code camvid}
     * (the same at 180×240), {@code paper} (the paper preset's supernet at 321×321, batch 2).
     */
    static Object[] preset(String name) {
        return switch (name) {
            case "tiny" ->
                    new Object[] {
                        new CasSizes(5, 8, 4, 3, 16, CasSpace.MS_RATES, CasSpace.OPS), 32, 32, 4
                    };
            case "small" ->
                    new Object[] {
                        new CasSizes(11, 8, 6, 4, 32, CasSpace.MS_RATES, CasSpace.OPS), 64, 64, 2
                    };
            case "camvid" ->
                    new Object[] {
                        new CasSizes(11, 8, 6, 4, 32, CasSpace.MS_RATES, CasSpace.OPS), 180, 240, 2
                    };
            case "paper" ->
                    new Object[] {
                        new CasSizes(19, 16, 8, 4, 64, CasSpace.MS_RATES, CasSpace.OPS), 321, 321, 2
                    };
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
     * @param presetName {@code tiny} or {@code camvid}
     * @param fused whether the supernet's cells evaluate their edges fused (else plain MixedOps)
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @param seed seed of the weights and data
     */
    public static Result run(String presetName, boolean fused, int warmup, int iters, long seed)
            throws Exception {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("need iters >= 1 and warmup >= 0");
        }
        Object[] p = preset(presetName);
        CasSizes sizes = (CasSizes) p[0];
        int h = (Integer) p[1];
        int w = (Integer) p[2];
        int n = (Integer) p[3];
        Engine.getInstance().setRandomSeed((int) seed);
        Random rnd = new Random(seed);
        float[] image = new float[n * 3 * h * w];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) rnd.nextGaussian();
        }
        int[] label = new int[n * h * w];
        for (int i = 0; i < label.length; i++) {
            label[i] = rnd.nextInt(10) == 0 ? IGNORE : rnd.nextInt(sizes.numClasses());
        }
        Shape xs = new Shape(n, 3, h, w);
        Shape ys = new Shape(n, h, w);
        Config search = ConfigLoader.load(CasSearchJob.defaults(), null, List.of()).sub("search");
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            CasNet net = CasNet.supernet(sizes, fused);
            net.initialize(base, DataType.FLOAT32, xs);
            OpCosts costs =
                    OpCosts.of(
                            net,
                            CostKind.MACS,
                            h,
                            w,
                            LatencyTable.forDevice(base.getDevice()),
                            base,
                            new LatencyMeter(0, 1));
            ParameterStore ps = new ParameterStore(base, false);
            float[] betas = search.getFloatArray("arch_betas");
            ParamGroup weights =
                    new ParamGroup(
                            "weights",
                            net.weightParameters(),
                            new Sgd(search.getFloat("momentum"), search.getFloat("weight_decay")));
            ParamGroup arch =
                    new ParamGroup(
                            "arch",
                            List.of(net.alphaNormal(), net.alphaReduce()),
                            new Adam(
                                    betas[0],
                                    betas[1],
                                    1e-8f,
                                    search.getFloat("arch_weight_decay"),
                                    false));
            double[] tw = new double[iters];
            double[] ta = new double[iters];
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
                for (int it = 0; it < warmup + iters; it++) {
                    long t0 = System.nanoTime();
                    try (NDManager sm = base.newSubManager()) {
                        step.weightStep(
                                sm, it, new NDList(sm.create(image, xs), sm.create(label, ys)));
                    }
                    long t1 = System.nanoTime();
                    try (NDManager sm = base.newSubManager()) {
                        step.archStep(
                                sm, it, new NDList(sm.create(image, xs), sm.create(label, ys)));
                    }
                    long t2 = System.nanoTime();
                    if (it >= warmup) {
                        tw[it - warmup] = (t1 - t0) / 1e6;
                        ta[it - warmup] = (t2 - t1) / 1e6;
                    }
                }
            }
            weights.optimizer().close();
            arch.optimizer().close();
            double mw = median(tw);
            double ma = median(ta);
            String d =
                    String.format(
                            "C %d, %d cells, B %d, M %d, %dx%d, batch %d",
                            sizes.channels(),
                            sizes.layers(),
                            sizes.blocks(),
                            sizes.msChannels(),
                            h,
                            w,
                            n);
            return new Result(d, mw, ma, n / ((mw + ma) / 1e3), peakRssMib());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    private static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
