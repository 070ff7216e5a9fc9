package org.dpnas.autodeeplab;

import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dpnas.autodeeplab.retrain.AutoDeepLabNet;
import org.dpnas.autodeeplab.search.SearchJob;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ConfigOption;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;

/**
 * Registers Auto-DeepLab (Liu et al., CVPR 2019) with the {@code dpnas} command: its search job,
 * presets, genotype reader, retrain network ({@link AutoDeepLabNet}), dry run and benchmark.
 */
public final class AutoDeepLabMethod implements SearchMethod {

    @Override
    public String name() {
        return AutoDeepLabGenotype.METHOD;
    }

    @Override
    public String summary() {
        return "Auto-DeepLab: search a cell and a network path (DARTS-style bilevel)";
    }

    @Override
    public JsonObject searchDefaults() {
        return SearchJob.defaults();
    }

    @Override
    public List<ConfigOption> searchOptions() {
        return List.of(
                new ConfigOption("layers", "L", "network layers", "space.layers", "int"),
                new ConfigOption(
                        "filter-multiplier",
                        "F",
                        "filter multiplier",
                        "space.filter_multiplier",
                        "int"),
                new ConfigOption(
                        "epochs", "N", "search epochs (over split A)", "search.epochs", "int"),
                new ConfigOption(
                        "max-steps",
                        "N",
                        "stop after N steps (0: epochs × steps per epoch)",
                        "search.max_steps",
                        "int"),
                new ConfigOption(
                        "batch-size",
                        "N",
                        "images per step (each split)",
                        "search.batch_size",
                        "int"),
                new ConfigOption(
                        "arch-start-epoch",
                        "N",
                        "first epoch with α/β updates",
                        "search.arch_start_epoch",
                        "int"),
                new ConfigOption(
                        "checkpoint-every",
                        "N",
                        "steps between checkpoints (0: every epoch)",
                        "search.checkpoint_every",
                        "int"));
    }

    @Override
    public Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        SearchJob.Outcome o = SearchJob.run(config, run, resume, args, console);
        return new Outcome(
                o.run(),
                o.genotype(),
                o.loop().steps(),
                o.loop().seconds(),
                List.of(
                        "best/genotype.json    the genotype of the best supernet-val-mIoU epoch"
                                + " (retrain: dpnas train --genotype)",
                        "last/genotype.json    the genotype of the last epoch",
                        "best/genotype.svg     picture of the cell and the network path",
                        "search/genotypes.jsonl the decoded genotype and supernet val mIoU of every epoch",
                        "metrics.jsonl, summary.csv, curves.png  loss and supernet mIoU",
                        "checkpoints/          weights, α, β and both optimizers (resume with"
                                + " --resume)"));
    }

    @Override
    public void dryRun(Config config, PrintStream out, Path json) throws Exception {
        SupernetConfig space = SearchJob.space(config);
        AutoDeepLabSupernet.Size size = AutoDeepLabSupernet.dryRun(space);
        out.printf(
                Locale.ROOT,
                "Auto-DeepLab supernet: L=%d F=%d B=%d, %d classes%n",
                space.layers(),
                space.filterMultiplier(),
                space.blocks(),
                space.numClasses());
        out.printf(
                Locale.ROOT,
                "  weights %,d%n  alphas  %d%n  betas   %d%n  cells   %d%n",
                size.weights(),
                size.alphas(),
                size.betas(),
                size.cells());
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("weights", size.weights());
            o.addProperty("alphas", size.alphas());
            o.addProperty("betas", size.betas());
            o.addProperty("cells", size.cells());
            o.addProperty("layers", space.layers());
            o.addProperty("filter_multiplier", space.filterMultiplier());
            o.addProperty("blocks", space.blocks());
            o.addProperty("num_classes", space.numClasses());
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
    }

    @Override
    public SearchSpace<AutoDeepLabGenotype> space(Config config) {
        Config s = config.sub("space");
        return new AutoDeepLabSpace(
                s.getInt("filter_multiplier"), s.getInt("blocks"), s.getInt("layers"));
    }

    @Override
    public Genotype readGenotype(Path file) {
        return new AutoDeepLabSpace(1, 1, 1).read(file);
    }

    @Override
    public String describe(Genotype genotype) {
        return new AutoDeepLabSpace(1, 1, 1).describe((AutoDeepLabGenotype) genotype);
    }

    @Override
    public Block retrainNetwork(Config model, int numClasses) {
        if (model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model '"
                            + name()
                            + "' needs a genotype: give --genotype FILE (model.genotype)");
        }
        AutoDeepLabGenotype g =
                (AutoDeepLabGenotype) readGenotype(Path.of(model.getString("genotype")));
        String preset =
                model.has("preset") && !model.isNull("preset") ? model.getString("preset") : "S";
        AutoDeepLabNet.Settings s = AutoDeepLabNet.Settings.paper(preset, g, numClasses);
        if (model.has("filter_multiplier") && !model.isNull("filter_multiplier")) {
            s = s.withFilterMultiplier(model.getInt("filter_multiplier"));
        } else if (!model.has("preset") || model.isNull("preset")) {
            System.err.println(
                    "autodeeplab: no model.filter_multiplier or model.preset given: retraining"
                            + " Auto-DeepLab-S (F = 20), not the search's F = "
                            + g.filterMultiplier());
        }
        if (model.has("stem") && !model.isNull("stem")) {
            String stem = model.getString("stem");
            if (!stem.equals("reference") && !stem.equals("supernet")) {
                throw new IllegalArgumentException(
                        "model.stem must be 'reference' (64/64/128) or 'supernet', got '"
                                + stem
                                + "'");
            }
            s =
                    s.withHead(
                            stem.equals("reference"),
                            s.dropout1(),
                            s.dropout2(),
                            s.scaledAsppRates());
        }
        if (model.has("decoder_dropout") && !model.isNull("decoder_dropout")) {
            float[] d = model.getFloatArray("decoder_dropout");
            if (d.length != 2) {
                throw new IllegalArgumentException(
                        "model.decoder_dropout must be [after 3x3 unit 1, after unit 2], got "
                                + d.length
                                + " values");
            }
            s = s.withHead(s.referenceStem(), d[0], d[1], s.scaledAsppRates());
        }
        if (model.has("aspp_rates") && !model.isNull("aspp_rates")) {
            String r = model.getString("aspp_rates");
            if (!r.equals("fixed") && !r.equals("scaled")) {
                throw new IllegalArgumentException(
                        "model.aspp_rates must be 'fixed' (6/12/18) or 'scaled' (96,192,288 / stride),"
                                + " got '"
                                + r
                                + "'");
            }
            s = s.withHead(s.referenceStem(), s.dropout1(), s.dropout2(), r.equals("scaled"));
        }
        if (model.has("block_multiplier") && !model.isNull("block_multiplier")) {
            s = s.withBlockMultiplier(model.getInt("block_multiplier"));
        }
        return new AutoDeepLabNet(g, s);
    }

    @Override
    public Block searchNetwork(Config config) {
        Config search = config.sub("search");
        return OneShotJob.forEvaluation(
                SearchJob.supernet(SearchJob.space(config), search),
                search,
                config.getLong("seed"));
    }

    @Override
    public String sizes(Block network) {
        if (network instanceof AutoDeepLabNet n) {
            return String.format(
                    Locale.ROOT,
                    "F %d, B %d",
                    n.settings().filterMultiplier(),
                    n.settings().blockMultiplier());
        }
        return "";
    }

    @Override
    public JsonObject sizesJson(Block network) {
        JsonObject o = new JsonObject();
        if (network instanceof AutoDeepLabNet n) {
            o.addProperty("filter_multiplier", n.settings().filterMultiplier());
            o.addProperty("block_multiplier", n.settings().blockMultiplier());
        }
        return o;
    }

    @Override
    public Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        SupernetBench.Preset p = SupernetBench.Preset.named(preset);
        // --impl fused | plain (the bilevel step), or a one-shot strategy such as gdas (plain
        // cells)
        String name = impl == null ? "fused" : impl.toLowerCase(Locale.ROOT);
        boolean cellImpl = name.equals("fused") || name.equals("plain");
        SupernetImpl i =
                cellImpl ? SupernetImpl.valueOf(name.toUpperCase(Locale.ROOT)) : SupernetImpl.PLAIN;
        OneShotStrategy strategy =
                cellImpl
                        ? OneShotStrategy.BILEVEL
                        : OneShotStrategy.parse(
                                name, "--impl (fused, plain or a one-shot strategy)");
        SupernetBench.Result r = SupernetBench.run(p, i, strategy, warmup, iters, seed);
        List<String[]> n = new ArrayList<>(r.timing().lines());
        n.add(
                new String[] {
                    "forward_ms",
                    String.format(Locale.ROOT, "%.1f (of the weight step)", r.forwardMs())
                });
        JsonObject o = r.timing().json(p.name(), iters);
        o.addProperty("strategy", strategy.configName());
        o.addProperty("forward_ms", r.forwardMs());
        String header =
                String.format(
                        Locale.ROOT,
                        "preset %s (%s), impl %s, %s step, %d iters after %d warm-up",
                        p.name(),
                        p.config(),
                        i.name().toLowerCase(Locale.ROOT),
                        strategy.configName(),
                        iters,
                        warmup);
        return Optional.of(new Bench(header, n, o));
    }
}
