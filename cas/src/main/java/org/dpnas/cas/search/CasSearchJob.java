package org.dpnas.cas.search;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dpnas.cas.CasGenotype;
import org.dpnas.cas.CasNet;
import org.dpnas.cas.CasPenalty;
import org.dpnas.cas.CasSizes;
import org.dpnas.cas.CasSpace;
import org.dpnas.cas.CostKind;
import org.dpnas.cas.OpCosts;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.job.SegOneShotJob;
import org.dpnas.eval.seg.SegEvaluator;

/**
 * The CAS search (Zhang et al., CVPR 2019, Sec. 3.2–3.3) on the shared one-shot job ({@link
 * SegOneShotJob}, {@link OneShotJob}, steps of {@link OneShotSearch}): the candidates priced first
 * ({@link OpCosts}; latency measured on this run's device and thread count, cached in {@code
 * cost/latency-table.json} and reused from {@code search.latency_table}), then two phases in the
 * paper's order — the backbone (α_normal, α_reduce) for {@code backbone_epochs}, then the
 * multi-scale cell (α_ms) for {@code multiscale_epochs} with the backbone's α fixed — each
 * architecture step penalised by λ·Σ softmax(α)·cost ({@link CasPenalty}). The weights train
 * through both phases (SGD, cosine schedule). After every epoch the decoded genotype goes to {@code
 * last/genotype.json} and, with the expected cost and the supernet's validation mIoU, to {@code
 * search/genotypes.jsonl}; {@code best/genotype.json} holds the genotype of the multi-scale phase's
 * epoch with the best supernet validation mIoU (the backbone phase decodes a multi-scale cell that
 * has not been searched yet). {@code search.strategy = gdas} samples the cells' ops (GDAS; α_ms
 * stays a softmax).
 */
public final class CasSearchJob {

    private static final String DEFAULTS = "/org/dpnas/cas/search-defaults.json";

    /**
     * The outcome of a search.
     *
     * @param run the run directory
     * @param genotype the genotype of the last phase's epoch with the best supernet validation mIoU
     *     ({@code best/genotype.json})
     * @param last the last epoch's genotype ({@code last/genotype.json})
     * @param loop the loop's result
     * @param expectedCost the final Σ softmax(α)·cost, in the cost's unit
     * @param initialCost the same at the start (uniform α)
     * @param height the image height ops were priced at
     * @param width the image width ops were priced at
     */
    public record Outcome(
            RunDirectory run,
            CasGenotype genotype,
            CasGenotype last,
            TrainLoop.Result loop,
            double expectedCost,
            double initialCost,
            long height,
            long width) {}

    private CasSearchJob() {}

    /** The defaults of {@code dpnas search cas}, with the shared data section. */
    public static JsonObject defaults() {
        return SegDatasets.withData(
                ConfigLoader.defaultsFromResource(CasSearchJob.class, DEFAULTS), "space");
    }

    /**
     * The supernet a search run trains: normal and reduction cells fused, except for GDAS, which
     * runs one sampled op per edge on the plain cells (the two keep their weights in different
     * layouts, so evaluating a search run must build the same one).
     */
    public static CasNet supernet(Config config) {
        return OneShotJob.strategy(config.sub("search")) == OneShotStrategy.GDAS
                ? CasNet.supernet(sizes(config), false)
                : CasNet.supernet(sizes(config));
    }

    /** The sizes of a configuration; opens the dataset only to count its classes. */
    public static CasSizes sizes(Config config) {
        Config s = config.sub("space");
        int classes = SegDatasets.spaceClasses(config);
        List<Integer> rates = new ArrayList<>();
        for (int r : s.getIntArray("ms_rates")) {
            if (r < 0) {
                throw new IllegalArgumentException(
                        "space.ms_rates: rates must be >= 0 (0 = identity), got " + r);
            }
            rates.add(r);
        }
        return new CasSizes(
                classes,
                s.getInt("channels"),
                s.getInt("layers"),
                s.getInt("blocks"),
                s.getInt("ms_channels"),
                rates,
                CasSpace.OPS);
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
        Config search = config.sub("search");
        CostKind kind = CostKind.parse(search.getString("cost"));
        float lambda = search.getFloat("cost_weight");
        // ops are priced (and the sweep measures networks) at search.cost_size, by default the
        // size the search trains at
        int[] costSize = search.getIntArray("cost_size");
        if (costSize.length != 0 && costSize.length != 2) {
            throw new IllegalArgumentException(
                    "search.cost_size must be [] or [height, width], got "
                            + java.util.Arrays.toString(costSize));
        }
        CasSizes sizes = sizes(config);
        CasNet net = supernet(config);
        OneShotJob<CasGenotype> job =
                new OneShotJob<>("cas search", search, net, new CasSpace(sizes), "CAS genotype")
                        .phases(
                                List.of(
                                        new OneShotJob.Phase(
                                                "backbone",
                                                "arch_backbone",
                                                List.of(net.alphaNormal(), net.alphaReduce()),
                                                search.getLong("backbone_epochs")),
                                        new OneShotJob.Phase(
                                                "multiscale",
                                                "arch_multiscale",
                                                List.of(net.alphaMs()),
                                                search.getLong("multiscale_epochs"))));
        OpCosts[] costs = new OpCosts[1];
        double[] initialCost = new double[1];
        long[] hw = new long[2];
        OneShotJob.Outcome<CasGenotype> o =
                SegOneShotJob.run(
                        config,
                        run,
                        resume,
                        args,
                        console,
                        job,
                        sizes.numClasses(),
                        (j, ctx) -> {
                            hw[0] = costSize.length == 2 ? costSize[0] : ctx.height();
                            hw[1] = costSize.length == 2 ? costSize[1] : ctx.width();
                            costs[0] =
                                    priceOps(
                                            net,
                                            kind,
                                            hw[0],
                                            hw[1],
                                            search,
                                            run,
                                            ctx.device(),
                                            ctx.base(),
                                            console);
                            initialCost[0] = expected(net, costs[0]);
                            j.penalty(new CasPenalty(net, costs[0], lambda))
                                    .extras(g -> Map.of("expected_cost", expected(net, costs[0])));
                        },
                        SegEvaluator::searchMetrics);
        // the supernet's arrays are closed with the run: the final cost is the last epoch's record
        List<JsonObject> history = MetricsLog.read(run.root().resolve("search/genotypes.jsonl"));
        double finalCost =
                history.isEmpty()
                        ? initialCost[0]
                        : history.get(history.size() - 1).get("expected_cost").getAsDouble();
        return new Outcome(
                run, o.best(), o.last(), o.loop(), finalCost, initialCost[0], hw[0], hw[1]);
    }

    /** Σ softmax(α)·cost of the supernet's current α. */
    public static double expected(CasNet net, OpCosts costs) {
        return costs.expected(
                matrix(net.alphaNormal().getArray()),
                matrix(net.alphaReduce().getArray()),
                net.alphaMs().getArray().toFloatArray());
    }

    private static float[][] matrix(NDArray a) {
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, m[r], 0, cols);
        }
        return m;
    }

    /**
     * Prices the candidates; for latency, reads the table named by {@code search.latency_table} or
     * the run's own {@code cost/latency-table.json} when it was measured under the same device,
     * thread count and engine version, measures what is missing and saves the table in the run.
     */
    static OpCosts priceOps(
            CasNet net,
            CostKind kind,
            long h,
            long w,
            Config search,
            RunDirectory run,
            Device device,
            NDManager base,
            PrintStream console)
            throws IOException {
        Path own = run.root().resolve("cost/latency-table.json");
        String named = search.getString("latency_table");
        List<Path> files =
                kind != CostKind.LATENCY
                        ? List.of()
                        : named.isEmpty() ? List.of(own) : List.of(Path.of(named), own);
        LatencyTable table = LatencyTable.reuse(device, files, console);
        int before = table.entries().size();
        long t0 = System.nanoTime();
        OpCosts costs =
                OpCosts.of(
                        net,
                        kind,
                        h,
                        w,
                        table,
                        base,
                        new LatencyMeter(
                                search.getInt("latency_warmup"), search.getInt("latency_runs")));
        if (kind == CostKind.LATENCY) {
            table.save(own);
            console.printf(
                    "latency table: measured %d cells in %.1f s (%s, %d threads) -> %s%n",
                    table.entries().size() - before,
                    (System.nanoTime() - t0) / 1e9,
                    table.device(),
                    table.threads(),
                    own);
        }
        String text = costs.describe(net.sizes().ops(), net.sizes().msRates());
        AtomicFiles.writeString(run.root().resolve("cost/op-costs.txt"), text);
        console.print(text);
        return costs;
    }
}
