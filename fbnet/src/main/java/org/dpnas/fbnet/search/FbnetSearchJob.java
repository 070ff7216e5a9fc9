package org.dpnas.fbnet.search;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.job.SegOneShotJob;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.fbnet.FbnetGenotype;
import org.dpnas.fbnet.FbnetNet;
import org.dpnas.fbnet.FbnetSizes;
import org.dpnas.fbnet.FbnetSpace;

/**
 * The FBNet search (Wu et al., CVPR 2019, Sec. 3.2–3.3) on the shared one-shot job ({@link
 * SegOneShotJob}, {@link OneShotJob}, steps of {@link OneShotSearch}): the latency lookup table
 * first ({@link LatencyLut}, measured on this run's device and thread count, cached in {@code
 * cost/latency-table.json} and reused from {@code search.latency_table}), then the supernet's
 * weights trained on split A ({@code search.split_a} = 80 % of the training set) and θ on split B
 * (the other 20 %), every training pass weighting the candidates with the Gumbel-softmax ({@link
 * GumbelSoftmax}, τ annealed per epoch) and every architecture step minimising {@code CE · α ·
 * log(LAT)^β} ({@link LatencyLoss}; {@code search.latency_alpha = 0} drops the latency factor and
 * searches on the cross-entropy alone). The weight steps minimise the cross-entropy: the latency
 * factor does not depend on the weights, so in the paper's loss it only rescales their learning
 * rate. The paper alternates whole epochs (w over 80 %, then θ over 20 %); the shared job
 * alternates single steps, as DARTS.
 *
 * <p>After every epoch the decoded genotype (argmax θ per layer) goes to {@code last/}, the history
 * with its LUT latency and the supernet's validation mIoU (each layer running its argmax block) to
 * {@code search/genotypes.jsonl}, and the best epoch's to {@code best/}.
 */
public final class FbnetSearchJob {

    private static final String DEFAULTS = "/org/dpnas/fbnet/search-defaults.json";

    /**
     * The outcome of a search.
     *
     * @param run the run directory
     * @param genotype the best epoch's genotype ({@code best/genotype.json})
     * @param last the last epoch's genotype
     * @param loop the loop's result
     * @param lut the latency table the search priced with
     */
    public record Outcome(
            RunDirectory run,
            FbnetGenotype genotype,
            FbnetGenotype last,
            TrainLoop.Result loop,
            LatencyLut lut) {}

    private FbnetSearchJob() {}

    /** The defaults of {@code dpnas search fbnet}, with the shared data section. */
    public static JsonObject defaults() {
        return SegDatasets.withData(
                ConfigLoader.defaultsFromResource(FbnetSearchJob.class, DEFAULTS), "space");
    }

    /** The sizes of a configuration; opens the dataset only to count its classes. */
    public static FbnetSizes sizes(Config config) {
        Config s = config.sub("space");
        List<Integer> depths = new ArrayList<>();
        for (int d : s.getIntArray("depths")) {
            depths.add(d);
        }
        List<Integer> rates = new ArrayList<>();
        for (int r : s.getIntArray("aspp_rates")) {
            rates.add(r);
        }
        return new FbnetSizes(
                SegDatasets.spaceClasses(config),
                s.getDouble("width"),
                depths,
                s.getInt("output_stride"),
                s.getInt("head_channels"),
                rates);
    }

    /**
     * The Gumbel-softmax of a configuration ({@code search.gumbel}), drawing from the run's seed.
     */
    public static GumbelSoftmax relaxation(Config config) {
        Config g = config.sub("search.gumbel");
        return new GumbelSoftmax(config.getLong("seed"), g.getDouble("tau0"), g.getDouble("decay"));
    }

    /**
     * Checks the search settings that the schema does not, naming the key, before anything is
     * written.
     */
    public static void check(Config config) {
        Config search = config.sub("search");
        LatencyLut.scale(search.getString("latency_unit"));
        relaxation(config);
        int[] costSize = search.getIntArray("cost_size");
        if (costSize.length != 0 && costSize.length != 2) {
            throw new IllegalArgumentException(
                    "search.cost_size must be [] or [height, width], got "
                            + java.util.Arrays.toString(costSize));
        }
        double alpha = search.getDouble("latency_alpha");
        double beta = search.getDouble("latency_beta");
        if (alpha < 0 || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException(
                    "search.latency_alpha must be finite and >= 0, got " + alpha);
        }
        if (beta < 0 || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(
                    "search.latency_beta must be finite and >= 0, got " + beta);
        }
        if (OneShotJob.strategy(search) != org.dpnas.common.search.OneShotStrategy.BILEVEL) {
            throw new IllegalArgumentException(
                    "search.strategy: FBNet samples its layers with its own Gumbel-softmax;"
                            + " only bilevel (the alternation of weight and θ steps) applies");
        }
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     * @return the outcome
     */
    public static Outcome run(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        check(config);
        Config search = config.sub("search");
        int[] costSize = search.getIntArray("cost_size");
        FbnetSizes sizes = sizes(config);
        FbnetNet net = FbnetNet.supernet(sizes);
        GumbelSoftmax gumbel = relaxation(config);
        net.relaxation(gumbel);
        OneShotJob<FbnetGenotype> job =
                new OneShotJob<>(
                                "fbnet search",
                                search,
                                net,
                                new FbnetSpace(sizes),
                                "FBNet genotype")
                        .relaxation(gumbel);
        LatencyLut[] lut = new LatencyLut[1];
        double alpha = search.getDouble("latency_alpha");
        double beta = search.getDouble("latency_beta");
        OneShotJob.Outcome<FbnetGenotype> o =
                SegOneShotJob.run(
                        config,
                        run,
                        resume,
                        args,
                        console,
                        job,
                        sizes.numClasses(),
                        (j, ctx) -> {
                            long h = costSize.length == 2 ? costSize[0] : ctx.height();
                            long w = costSize.length == 2 ? costSize[1] : ctx.width();
                            lut[0] = priceLayers(sizes, h, w, search, run, ctx, console);
                            if (alpha > 0) {
                                j.penalty(
                                        new LatencyLoss(
                                                net::lastWeights, lut[0].values(), alpha, beta));
                            }
                            j.extras(
                                    g -> {
                                        Map<String, Double> m = new LinkedHashMap<>();
                                        m.put("latency", lut[0].latency(g));
                                        m.put(
                                                "expected_latency",
                                                lut[0].expected(
                                                        net.theta().getArray().toFloatArray()));
                                        return m;
                                    });
                        },
                        SegEvaluator::searchMetrics);
        return new Outcome(run, o.best(), o.last(), o.loop(), lut[0]);
    }

    /**
     * The LUT: reads the table named by {@code search.latency_table} and the run's own {@code
     * cost/latency-table.json} when measured under the same device, threads and engine, measures
     * what is missing and saves the table and {@code cost/lut.txt} in the run.
     */
    static LatencyLut priceLayers(
            FbnetSizes sizes,
            long h,
            long w,
            Config search,
            RunDirectory run,
            SegOneShotJob.Context ctx,
            PrintStream console)
            throws java.io.IOException {
        Path own = run.root().resolve("cost/latency-table.json");
        String named = search.getString("latency_table");
        LatencyTable table =
                LatencyTable.reuse(
                        ctx.device(),
                        named.isEmpty() ? List.of(own) : List.of(Path.of(named), own),
                        console);
        int before = table.entries().size();
        long t0 = System.nanoTime();
        LatencyLut lut =
                LatencyLut.measure(
                        sizes,
                        h,
                        w,
                        search.getString("latency_unit"),
                        table,
                        ctx.base(),
                        new LatencyMeter(
                                search.getInt("latency_warmup"), search.getInt("latency_runs")));
        table.save(own);
        console.printf(
                "latency table: measured %d blocks in %.1f s (%s, %d threads) -> %s%n",
                table.entries().size() - before,
                (System.nanoTime() - t0) / 1e9,
                table.device(),
                table.threads(),
                own);
        String text = lut.describe(sizes);
        AtomicFiles.writeString(run.root().resolve("cost/lut.txt"), text);
        return lut;
    }
}
