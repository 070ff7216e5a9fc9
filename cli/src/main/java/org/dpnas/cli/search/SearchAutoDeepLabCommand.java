package org.dpnas.cli.search;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.autodeeplab.search.SearchJob;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.JobOptions.Key;
import org.dpnas.cli.JobOptions.Kind;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;

/**
 * {@code dpnas search autodeeplab}: the Auto-DeepLab hierarchical search (cell α and network path
 * β) with presets {@code tiny} (the synthetic demo), {@code small} (L 4, crop 64, batch 2: the CPU
 * benchmark setting) and {@code paper} (Cityscapes settings of the paper).
 */
public final class SearchAutoDeepLabCommand implements Command {

    static final JobOptions OPTIONS =
            new JobOptions(
                    SearchJob::defaults,
                    List.of(
                            JobOptions.DATASET,
                            JobOptions.ROOT,
                            JobOptions.SEED,
                            new Key("layers", "L", "network layers", "space.layers", Kind.INT),
                            new Key(
                                    "filter-multiplier",
                                    "F",
                                    "filter multiplier",
                                    "space.filter_multiplier",
                                    Kind.INT),
                            new Key(
                                    "epochs",
                                    "N",
                                    "search epochs (over split A)",
                                    "search.epochs",
                                    Kind.INT),
                            new Key(
                                    "max-steps",
                                    "N",
                                    "stop after N steps (0: epochs × steps per epoch)",
                                    "search.max_steps",
                                    Kind.INT),
                            new Key(
                                    "batch-size",
                                    "N",
                                    "images per step (each split)",
                                    "search.batch_size",
                                    Kind.INT),
                            new Key(
                                    "arch-start-epoch",
                                    "N",
                                    "first epoch with α/β updates",
                                    "search.arch_start_epoch",
                                    Kind.INT),
                            new Key(
                                    "checkpoint-every",
                                    "N",
                                    "steps between checkpoints (0: every epoch)",
                                    "search.checkpoint_every",
                                    Kind.INT),
                            JobOptions.DEVICE,
                            JobOptions.THREADS));

    @Override
    public String name() {
        return "autodeeplab";
    }

    @Override
    public String summary() {
        return "Auto-DeepLab: search a cell and a network path (DARTS-style bilevel)";
    }

    @Override
    public Options options() {
        List<Option> o = new ArrayList<>();
        o.add(
                Opts.value(
                        "preset",
                        "NAME",
                        "tiny (synthetic demo), small (L 4, crop 64: CPU benchmark) or paper"
                                + " (Cityscapes); configs/autodeeplab/NAME.json",
                        "tiny"));
        o.addAll(OPTIONS.configOptions("JSON config instead of a preset (may name a 'base')"));
        o.addAll(JobOptions.runOptions("autodeeplab"));
        o.add(
                Opts.flag(
                        "dry-run",
                        "build the supernet and print its weights, α, β and cells, then exit"));
        o.add(Opts.value("json", "FILE", "with --dry-run: also write the sizes as JSON", null));
        return Opts.of(o.toArray(new Option[0]));
    }

    /** The preset file {@code configs/autodeeplab/NAME.json} under the dpnas home. */
    static Path preset(String name) {
        if (!name.matches("[a-z0-9_-]+")) {
            throw new CliException(
                    "--preset " + name + ": expected a name such as tiny, small or paper");
        }
        Path home = Path.of(System.getProperty("dpnas.home", "."));
        Path file = home.resolve("configs/autodeeplab/" + name + ".json");
        if (!Files.isRegularFile(file)) {
            throw new CliException(
                    "--preset " + name + ": " + file + " not found (presets: tiny, small, paper)");
        }
        return file;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        Path file = Args.path(cl, "config", null);
        if (file != null && cl.hasOption("preset")) {
            throw new CliException("give --preset or --config, not both");
        }
        if (file == null && !Args.flag(cl, "resume")) {
            file = preset(Args.string(cl, "preset", "tiny"));
        }
        if (Args.flag(cl, "dry-run")) {
            return dryRun(OPTIONS.resolve(file, cl), Args.path(cl, "json", null), out);
        }
        JobOptions.Prepared p = OPTIONS.prepare(cl, file, c -> "autodeeplab");
        err.println("run directory: " + p.run().root());
        SearchJob.Outcome o =
                SearchJob.run(
                        p.config(),
                        p.run(),
                        p.resume(),
                        JobOptions.words("search autodeeplab", cl),
                        err);
        AutoDeepLabGenotype g = o.genotype();
        RunDirectory run = o.run();
        out.printf(
                Locale.ROOT,
                "searched %d steps in %.1f s — %s%n",
                o.loop().steps(),
                o.loop().seconds(),
                run.root());
        out.println("network path (level per layer, stride 4·2^level): " + g.networkPath());
        out.println("cell:");
        for (int i = 0; i < g.cell().size(); i++) {
            StringBuilder line = new StringBuilder("  block " + i + " = ");
            for (AutoDeepLabGenotype.Edge e : g.cell().get(i)) {
                if (line.charAt(line.length() - 2) != '=') {
                    line.append(" + ");
                }
                String in =
                        e.input() == 0
                                ? "H(l-2)"
                                : e.input() == 1 ? "H(l-1)" : "block " + (e.input() - 2);
                line.append(e.op()).append('(').append(in).append(')');
            }
            out.println(line);
        }
        out.println(
                "  best/genotype.json    the searched architecture (retrain: dpnas train --genotype)");
        out.println("  best/genotype.svg     picture of the cell and the network path");
        out.println("  search/genotypes.jsonl the decoded genotype after every epoch");
        out.println("  metrics.jsonl, summary.csv, curves.png  loss and supernet mIoU");
        out.println(
                "  checkpoints/          weights, α, β and both optimizers (resume with --resume)");
        return 0;
    }

    private static int dryRun(Config config, Path json, PrintStream out) throws Exception {
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
        return 0;
    }
}
