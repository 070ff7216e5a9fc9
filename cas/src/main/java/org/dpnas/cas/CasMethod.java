package org.dpnas.cas;

import ai.djl.nn.Block;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dpnas.cas.search.CasSearchJob;
import org.dpnas.cas.search.CostSweep;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ConfigOption;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.StepBench;

/**
 * Registers CAS (Zhang et al., CVPR 2019) with the {@code dpnas} command: the two-phase cost-aware
 * search, the λ sweep ({@code --sweep-cost-weight}), presets, genotype reader, retrain network
 * ({@link CasNet}), dry run and benchmark.
 */
public final class CasMethod implements SearchMethod {

    @Override
    public String name() {
        return CasGenotype.METHOD;
    }

    @Override
    public String summary() {
        return "CAS: cost-aware normal, reduction and multi-scale cell search (latency/params/MACs)";
    }

    @Override
    public JsonObject searchDefaults() {
        return CasSearchJob.defaults();
    }

    @Override
    public List<ConfigOption> searchOptions() {
        return List.of(
                new ConfigOption(
                        "channels", "C", "channels of the first cell", "space.channels", "int"),
                new ConfigOption(
                        "layers", "L", "normal and reduction cells", "space.layers", "int"),
                new ConfigOption(
                        "cost", "KIND", "latency | params | macs", "search.cost", "string"),
                new ConfigOption(
                        "cost-weight",
                        "λ",
                        "weight of the resource penalty",
                        "search.cost_weight",
                        "float"),
                new ConfigOption(
                        "sweep-cost-weight",
                        "λ1,λ2,…",
                        "one search per λ, then the mIoU/latency plot",
                        "search.sweep_cost_weight",
                        "string"),
                new ConfigOption(
                        "max-steps",
                        "N",
                        "stop after N steps (0: all epochs)",
                        "search.max_steps",
                        "int"),
                new ConfigOption(
                        "batch-size",
                        "N",
                        "images per step (each split)",
                        "search.batch_size",
                        "int"));
    }

    @Override
    public Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        if (!config.getString("search.sweep_cost_weight").isBlank()) {
            if (resume) {
                throw new IllegalArgumentException(
                        "--resume does not apply to a λ sweep: resume one of its runs in sweep/");
            }
            long t0 = System.nanoTime();
            List<CostSweep.Point> points = CostSweep.run(config, run, args, console);
            CostSweep.Point last = points.get(points.size() - 1);
            return new Outcome(
                    run,
                    CasGenotype.fromJson(last.genotype()),
                    0,
                    (System.nanoTime() - t0) / 1e9,
                    List.of(
                            "sweep/tradeoff.png     validation mIoU against measured latency, one"
                                    + " point per λ",
                            "sweep/points.json      per λ: mIoU, latency, params, MACs, genotype",
                            "sweep/lambda-*/        each search's run (best/genotype.json)"));
        }
        CasSearchJob.Outcome o = CasSearchJob.run(config, run, resume, args, console);
        console.printf(
                Locale.ROOT,
                "expected cost %.5f -> %.5f (%s)%n",
                o.initialCost(),
                o.expectedCost(),
                config.getString("search.cost"));
        return new Outcome(
                o.run(),
                o.genotype(),
                o.loop().steps(),
                o.loop().seconds(),
                List.of(
                        "best/genotype.json    the genotype of the multi-scale phase's best"
                                + " supernet-val-mIoU epoch (retrain: dpnas train --genotype)",
                        "last/genotype.json    the genotype of the last epoch",
                        "best/genotype.svg     the cells in words",
                        "search/genotypes.jsonl the decoded genotype, supernet val mIoU and"
                                + " expected cost per epoch",
                        "cost/latency-table.json  cell latencies measured here (reusable:"
                                + " search.latency_table)",
                        "cost/op-costs.txt     the candidates' costs",
                        "checkpoints/          weights, α and the optimizers (--resume)"));
    }

    @Override
    public void dryRun(Config config, PrintStream out, Path json) throws Exception {
        CasSizes s = CasSearchJob.sizes(config);
        CasNet net = CasNet.supernet(s);
        long weights = 0;
        // count from the shapes a real initialisation gives (no forward)
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            net.initialize(
                    m,
                    ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            for (var p : net.weightParameters()) {
                weights += p.getArray().size();
            }
        }
        int k = s.ops().size();
        out.printf(
                Locale.ROOT,
                "CAS supernet: %d cells (C=%d, B=%d), multi-scale M=%d rates %s, %d classes%n",
                s.layers(),
                s.channels(),
                s.blocks(),
                s.msChannels(),
                s.msRates(),
                s.numClasses());
        out.printf(
                Locale.ROOT,
                "  weights       %,d%n  alpha_normal  %d x %d%n  alpha_reduce  %d x %d%n"
                        + "  alpha_ms      %d%n",
                weights,
                s.edges(),
                k,
                s.edges(),
                k,
                s.msRates().size());
        JsonArray cells = new JsonArray();
        StringBuilder line = new StringBuilder("  cells         ");
        for (CasCell c : net.cells()) {
            cells.add(c.reduction() ? "reduce" : "normal");
            line.append(c.reduction() ? "R " : "N ");
        }
        cells.add("multiscale");
        line.append("MS");
        out.println(line);
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("weights", weights);
            JsonObject alphas = new JsonObject();
            alphas.addProperty("normal", s.edges() * k);
            alphas.addProperty("reduce", s.edges() * k);
            alphas.addProperty("multiscale", s.msRates().size());
            o.add("alphas", alphas);
            o.add("cells", cells);
            o.addProperty("channels", s.channels());
            o.addProperty("layers", s.layers());
            o.addProperty("blocks", s.blocks());
            o.addProperty("ms_channels", s.msChannels());
            o.addProperty("num_classes", s.numClasses());
            JsonArray ops = new JsonArray();
            s.ops().forEach(op -> ops.add(op.opName()));
            o.add("ops", ops);
            JsonArray rates = new JsonArray();
            s.msRates().forEach(rates::add);
            o.add("ms_rates", rates);
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
    }

    @Override
    public SearchSpace<CasGenotype> space(Config config) {
        return new CasSpace(CasSearchJob.sizes(config));
    }

    @Override
    public Genotype readGenotype(Path file) {
        return new CasSpace(placeholder()).read(file);
    }

    @Override
    public String describe(Genotype genotype) {
        return new CasSpace(placeholder()).describe((CasGenotype) genotype);
    }

    private static CasSizes placeholder() {
        return new CasSizes(1, 1, 1, 1, 1, CasSpace.MS_RATES, CasSpace.OPS);
    }

    @Override
    public Block retrainNetwork(Config model, int numClasses) {
        if (model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model 'cas' needs a genotype: give --genotype FILE (model.genotype)");
        }
        CasGenotype g = (CasGenotype) readGenotype(Path.of(model.getString("genotype")));
        int channels =
                model.has("channels") && !model.isNull("channels") ? model.getInt("channels") : 0;
        return CasNet.fixed(g, numClasses, channels);
    }

    @Override
    public Block searchNetwork(Config config) {
        return OneShotJob.forEvaluation(
                CasSearchJob.supernet(config), config.sub("search"), config.getLong("seed"));
    }

    @Override
    public String sizes(Block network) {
        if (network instanceof CasNet n) {
            return String.format(
                    Locale.ROOT,
                    "C %d, %d cells, M %d",
                    n.sizes().channels(),
                    n.sizes().layers(),
                    n.sizes().msChannels());
        }
        return "";
    }

    @Override
    public JsonObject sizesJson(Block network) {
        JsonObject o = new JsonObject();
        if (network instanceof CasNet n) {
            o.addProperty("channels", n.sizes().channels());
            o.addProperty("layers", n.sizes().layers());
            o.addProperty("ms_channels", n.sizes().msChannels());
        }
        return o;
    }

    @Override
    public Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        String kind = impl == null ? "fused" : impl.toLowerCase(Locale.ROOT);
        // fused and plain name the bilevel step with the normal/reduction cells fused or not
        OneShotStrategy strategy =
                kind.equals("plain") || kind.equals("fused")
                        ? OneShotStrategy.BILEVEL
                        : OneShotStrategy.parse(
                                kind, "--impl (fused, plain, or a one-shot strategy)");
        boolean fused = kind.equals("fused");
        StepBench.Result r = CasBench.run(preset, fused, strategy, warmup, iters, seed);
        List<String[]> n = r.timing().lines();
        JsonObject o = r.timing().json(preset, iters);
        o.addProperty("strategy", strategy.configName());
        String header =
                String.format(
                        Locale.ROOT,
                        "preset %s (%s), %s cell evaluation, %s step, %d iters after %d"
                                + " warm-up",
                        preset,
                        r.description(),
                        fused ? "fused" : "plain",
                        strategy.configName(),
                        iters,
                        warmup);
        return Optional.of(new Bench(header, n, o));
    }
}
