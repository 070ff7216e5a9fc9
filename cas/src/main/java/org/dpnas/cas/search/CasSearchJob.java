package org.dpnas.cas.search;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
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
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.BatchStream;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.Sgd;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.job.JobSetup;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.eval.seg.SegMetrics;

/**
 * The CAS search (Zhang et al., CVPR 2019, Sec. 3.2–3.3) on the shared {@link OneShotSearch}: the
 * candidates priced first ({@link OpCosts}; latency measured on this run's device and thread count,
 * cached in {@code cost/latency-table.json} and reused from {@code search.latency_table}), then two
 * phases in the paper's order — the backbone (α_normal, α_reduce) for {@code backbone_epochs}, then
 * the multi-scale cell (α_ms) for {@code multiscale_epochs} with the backbone's α fixed — each
 * architecture step penalised by λ·Σ softmax(α)·cost ({@link CasPenalty}). The weights train
 * through both phases (SGD, cosine schedule). After every epoch the decoded genotype goes to {@code
 * best/genotype.json}, the expected cost and the supernet's validation mIoU to the metrics.
 */
public final class CasSearchJob {

    private static final String DEFAULTS = "/org/dpnas/cas/search-defaults.json";

    /**
     * The outcome of a search.
     *
     * @param run the run directory
     * @param genotype the decoded genotype
     * @param loop the loop's result
     * @param expectedCost the final Σ softmax(α)·cost, in the cost's unit
     * @param initialCost the same at the start (uniform α)
     * @param height the image height ops were priced at
     * @param width the image width ops were priced at
     */
    public record Outcome(
            RunDirectory run,
            CasGenotype genotype,
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
        int batch = search.getInt("batch_size");
        JobSetup job = JobSetup.open(config, m -> console.println("WARNING: " + m));
        Device device = job.device();
        long seed = job.seed();
        BadSampleDataset[] ab = job.abSplit();
        SegDataset splitA = job.training(ab[0], batch, null);
        SegDataset splitB = job.training(ab[1], batch, "split-b-augment");
        SegDataset val = job.valSet();
        CasSizes sizes = sizes(config);
        if (sizes.numClasses() != ab[0].numClasses()) {
            throw new IllegalArgumentException(
                    "space.num_classes is "
                            + sizes.numClasses()
                            + " but the dataset has "
                            + ab[0].numClasses()
                            + " classes");
        }
        EpochSampler samplerA = new EpochSampler(splitA.size(), batch, seed);
        EpochSampler samplerB = new EpochSampler(splitB.size(), batch, Seeds.mix(seed, "split-b"));
        long perEpoch = samplerA.stepsPerEpoch();
        long backboneSteps = search.getLong("backbone_epochs") * perEpoch;
        long maxSteps =
                search.getLong("max_steps") > 0
                        ? search.getLong("max_steps")
                        : backboneSteps + search.getLong("multiscale_epochs") * perEpoch;
        long archStart = search.getLong("arch_start_epoch") * perEpoch;
        long ckptEvery =
                search.getLong("checkpoint_every") > 0
                        ? search.getLong("checkpoint_every")
                        : perEpoch;
        CasNet net = CasNet.supernet(sizes);
        run.writeStart(
                config.asJsonObject(), resume, Provenance.collect(seed, device.toString(), args));
        ExecutorService pool = job.pool();
        float[] mean = job.mean();
        float[] std = job.std();
        try (NDManager base = NDManager.newBaseManager(device);
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(seed);
            SegSample first = splitA.get(0);
            net.initialize(
                    base.newSubManager(),
                    DataType.FLOAT32,
                    new Shape(batch, 3, first.height(), first.width()));
            // ops are priced (and the sweep measures networks) at search.cost_size, by default
            // the size the search trains at
            int[] costSize = search.getIntArray("cost_size");
            if (costSize.length != 0 && costSize.length != 2) {
                throw new IllegalArgumentException(
                        "search.cost_size must be [] or [height, width], got "
                                + java.util.Arrays.toString(costSize));
            }
            long h = costSize.length == 2 ? costSize[0] : first.height();
            long w = costSize.length == 2 ? costSize[1] : first.width();
            OpCosts costs = priceOps(net, kind, h, w, search, run, device, base, console);
            CasPenalty penalty = new CasPenalty(net, costs, lambda);
            double initialCost = expected(net, costs);
            ParamGroup weights =
                    new ParamGroup(
                            "weights",
                            net.weightParameters(),
                            new Sgd(search.getFloat("momentum"), search.getFloat("weight_decay")));
            float[] betas = search.getFloatArray("arch_betas");
            ParamGroup backboneArch =
                    new ParamGroup(
                            "arch_backbone",
                            List.of(net.alphaNormal(), net.alphaReduce()),
                            adam(betas, search));
            ParamGroup msArch =
                    new ParamGroup("arch_multiscale", List.of(net.alphaMs()), adam(betas, search));
            LrSchedule weightLr =
                    LrSchedule.cosine(
                            search.getFloat("weight_lr"),
                            maxSteps,
                            search.getFloat("weight_min_lr"));
            LrSchedule archLr = LrSchedule.constant(search.getFloat("arch_lr"));
            ParameterStore store = new ParameterStore(base, false);
            SegBatcher valBatcher = new SegBatcher(val, mean, std, pool);
            int evalBatch = config.getInt("eval.batch_size");
            MetricsLog history = new MetricsLog(run.root().resolve("search/genotypes.jsonl"));
            TrainLoop.Options options =
                    new TrainLoop.Options(
                            maxSteps,
                            search.getLong("log_every"),
                            perEpoch,
                            ckptEvery,
                            search.getInt("keep_checkpoints"),
                            batch,
                            "cas search",
                            "mIoU");
            TrainLoop loop =
                    new TrainLoop(
                                    base,
                                    net,
                                    List.of(weights, backboneArch, msArch),
                                    run,
                                    options,
                                    console)
                            .logFields(
                                    t -> {
                                        JsonObject f = new JsonObject();
                                        f.addProperty("epoch", samplerA.epochOf(t));
                                        f.addProperty("lr", weightLr.at(t));
                                        f.addProperty(
                                                "phase",
                                                t < backboneSteps ? "backbone" : "multiscale");
                                        f.addProperty("arch_updates", t >= archStart);
                                        return f;
                                    });
            CasGenotype[] last = new CasGenotype[1];
            TrainLoop.Evaluation evaluation =
                    step -> {
                        CasGenotype g = net.derive();
                        last[0] = g;
                        long epoch = (step + perEpoch - 1) / perEpoch;
                        writeGenotype(run, g, "epoch " + epoch + ", step " + step);
                        double cost = expected(net, costs);
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", step);
                        rec.addProperty("epoch", epoch);
                        rec.addProperty("expected_cost", cost);
                        rec.add("genotype", JsonParser.parseString(g.toJson()));
                        history.append(rec);
                        SegMetrics m =
                                SegEvaluator.evaluate(net, valBatcher, evalBatch, base, store);
                        Map<String, Double> out = new LinkedHashMap<>();
                        out.put("mIoU", m.mIoU());
                        out.put("pixel_accuracy", m.pixelAccuracy());
                        out.put("expected_cost", cost);
                        return out;
                    };
            long start = loop.restore(resume);
            history.truncateAfter(start);
            TrainLoop.Result result;
            BatchStream a =
                    new BatchStream(
                            new SegBatcher(splitA, mean, std, pool), samplerA, maxSteps, "a");
            BatchStream b =
                    new BatchStream(
                            new SegBatcher(splitB, mean, std, pool), samplerB, maxSteps, "b");
            try (history;
                    a;
                    b;
                    OneShotSearch backbone =
                            new OneShotSearch(
                                            net,
                                            weights,
                                            backboneArch,
                                            null,
                                            null,
                                            weightLr,
                                            archLr,
                                            archStart,
                                            search.getFloat("grad_clip_norm"),
                                            constants,
                                            store)
                                    .withPenalty(penalty);
                    OneShotSearch multiscale =
                            new OneShotSearch(
                                            net,
                                            weights,
                                            msArch,
                                            null,
                                            null,
                                            weightLr,
                                            archLr,
                                            0,
                                            search.getFloat("grad_clip_norm"),
                                            constants,
                                            store)
                                    .withPenalty(penalty)) {
                TrainLoop.Step step =
                        (sm, t) -> {
                            boolean phase1 = t < backboneSteps;
                            OneShotSearch s = phase1 ? backbone : multiscale;
                            ParamGroup frozen = phase1 ? msArch : backboneArch;
                            NDArray l = s.weightStep(sm, t, a.get(t).toNDList(sm));
                            if (s.updatesArchitecture(t)) {
                                s.archStep(sm, t, b.get(t).toNDList(sm));
                            }
                            // the frozen group never steps; its gradient is dropped every step
                            frozen.zeroGrad();
                            return l;
                        };
                result = loop.run(start, step, evaluation);
            }
            run.writeDataSkips(BadSampleDataset.report(Map.of("split_a", ab[0], "split_b", ab[1])));
            if (last[0] == null) {
                last[0] = net.derive();
                writeGenotype(run, last[0], "step " + result.steps());
            }
            return new Outcome(run, last[0], result, expected(net, costs), initialCost, h, w);
        } finally {
            job.close();
        }
    }

    private static Adam adam(float[] betas, Config search) {
        return new Adam(betas[0], betas[1], 1e-8f, search.getFloat("arch_weight_decay"), false);
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
        LatencyTable table = LatencyTable.forDevice(device);
        if (kind == CostKind.LATENCY) {
            String named = search.getString("latency_table");
            Path given = named.isEmpty() ? null : Path.of(named);
            for (Path p : given == null ? List.of(own) : List.of(given, own)) {
                if (Files.isRegularFile(p)) {
                    LatencyTable t = LatencyTable.load(p);
                    if (t.matches(table.device(), table.threads(), table.engineVersion())) {
                        t.entries().forEach(table::put);
                        console.println(
                                "latency table: reusing "
                                        + t.entries().size()
                                        + " entries from "
                                        + p);
                    } else {
                        console.println(
                                "latency table: "
                                        + p
                                        + " was measured on "
                                        + t.device()
                                        + " with "
                                        + t.threads()
                                        + " threads (engine "
                                        + t.engineVersion()
                                        + "); measuring anew");
                    }
                }
            }
        }
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

    /** Writes {@code best/genotype.json} and {@code best/genotype.svg} atomically. */
    static void writeGenotype(RunDirectory run, CasGenotype g, String when) throws IOException {
        Path dir = run.best();
        AtomicFiles.writeString(dir.resolve("genotype.json"), g.toJson());
        AtomicFiles.writeString(
                dir.resolve("genotype.svg"),
                new CasSpace(sizesOf(g)).picture(g, "CAS genotype, " + when));
    }

    private static CasSizes sizesOf(CasGenotype g) {
        return new CasSizes(
                1,
                g.channels(),
                g.layers(),
                g.blocks(),
                g.msChannels(),
                g.multiscale(),
                List.of(OpSpec.SKIP_CONNECT));
    }
}
