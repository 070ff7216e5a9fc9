package org.dpnas.cli.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;

/** {@code dpnas train}: trains a fixed segmentation network and reports its validation mIoU. */
public final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a fixed segmentation network (the baseline or a searched genotype) and"
                + " report its mIoU";
    }

    @Override
    public Options options() {
        List<Option> o = new ArrayList<>();
        o.add(Opts.value("config", "FILE", "JSON config (may name a 'base'); see configs/", null));
        o.add(Opts.repeatable("set", "KEY=VALUE", "override one config key, e.g. train.lr=0.01"));
        o.add(opt("model", "NAME", "network to train: baseline or autodeeplab (needs --genotype)"));
        o.add(
                opt(
                        "genotype",
                        "FILE",
                        "Auto-DeepLab genotype.json to retrain from scratch (implies --model"
                                + " autodeeplab; copied into the run as genotype.json)"));
        o.add(opt("dataset", "NAME", "dataset: synthetic, camvid, cityscapes or voc"));
        o.add(opt("root", "DIR", "dataset root directory (real datasets)"));
        o.add(
                opt(
                        "on-bad-sample",
                        "MODE",
                        "unreadable sample: fail (stop, naming the file) or skip (use the next"
                                + " good one)"));
        o.add(opt("workers", "N", "threads reading a batch's samples (0: one per core)"));
        o.add(
                Opts.value(
                        "work-dir",
                        "DIR",
                        "run directory (with --resume: the run to continue)",
                        "RUNS/<model>/<timestamp>"));
        o.add(Opts.value("runs-dir", "DIR", "where new run directories are created", "runs"));
        o.add(opt("seed", "N", "the one seed every random stream derives from"));
        o.add(opt("max-steps", "N", "training steps"));
        o.add(opt("batch-size", "N", "images per step"));
        o.add(opt("lr", "X", "base learning rate"));
        o.add(opt("checkpoint-every", "N", "steps between checkpoints (and one at the end)"));
        o.add(opt("eval-every", "N", "steps between validations (0: only at the end)"));
        o.add(opt("device", "D", "auto, cpu, gpu or gpu:N"));
        o.add(opt("threads", "N", "libtorch intra-op threads (0: libtorch's default)"));
        o.add(
                Opts.flag(
                        "resume",
                        "continue the run in --work-dir (or the newest run) from its last checkpoint"));
        return Opts.of(o.toArray(new Option[0]));
    }

    private static Option opt(String name, String arg, String description) {
        for (String[] ok : TrainConfigs.OPTION_KEYS) {
            if (ok[0].equals(name)) {
                return Opts.value(
                        name, arg, description + " [" + ok[1] + "]", TrainConfigs.defaultOf(ok[1]));
            }
        }
        throw new IllegalStateException("no config key for --" + name);
    }

    /** The parsed command line as words, for provenance. */
    static List<String> commandLine(CommandLine cl) {
        List<String> words = new ArrayList<>(List.of("dpnas", "train"));
        for (Option o : cl.getOptions()) {
            words.add("--" + o.getLongOpt());
            if (o.getValue() != null) {
                words.add(o.getValue());
            }
        }
        return words;
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        boolean resume = Args.flag(cl, "resume");
        Path runs = Args.path(cl, "runs-dir", Path.of("runs"));
        Path workDir = Args.path(cl, "work-dir", null);
        Path configFile = Args.path(cl, "config", null);
        List<String> sets = new ArrayList<>();
        for (Map.Entry<String, String> e : Args.keyValues(cl, "set").entrySet()) {
            sets.add(e.getKey() + "=" + e.getValue());
        }
        if (cl.hasOption("genotype")
                && cl.hasOption("model")
                && !"autodeeplab".equals(cl.getOptionValue("model"))) {
            throw new CliException(
                    "--genotype retrains an Auto-DeepLab genotype: drop --model "
                            + cl.getOptionValue("model")
                            + " or use --model autodeeplab");
        }
        RunDirectory run;
        if (resume) {
            if (cl.hasOption("genotype")) {
                throw new CliException(
                        "--resume continues with the run's own genotype.json; drop --genotype");
            }
            if (configFile != null) {
                throw new CliException(
                        "--resume continues with the run's own config.resolved.json; drop --config"
                                + " (use --set or options to change single keys)");
            }
            if (workDir != null) {
                run = new RunDirectory(workDir);
            } else {
                String model = cl.hasOption("model") ? cl.getOptionValue("model") : "baseline";
                run =
                        RunDirectory.latest(runs, model)
                                .orElseThrow(
                                        () ->
                                                new CliException(
                                                        "--resume: no run under "
                                                                + runs.resolve(model)
                                                                + "; give --work-dir DIR"));
            }
            if (!Files.exists(run.resolvedConfig())) {
                throw new CliException(
                        "--resume: "
                                + run.resolvedConfig()
                                + " not found: not a dpnas run directory");
            }
            configFile = run.resolvedConfig();
        }
        Config config = TrainConfigs.resolve(configFile, cl, sets);
        if (!resume) {
            run =
                    workDir != null
                            ? new RunDirectory(workDir)
                            : RunDirectory.fresh(runs, config.getString("model.name"));
            if (Files.exists(run.resolvedConfig())) {
                throw new CliException(
                        run.root()
                                + " already holds a run; use --resume to continue it or choose"
                                + " another --work-dir");
            }
        } else {
            run = new RunDirectory(configFile.getParent());
        }
        err.println("run directory: " + run.root());
        SegTrainJob.Outcome o = SegTrainJob.run(config, run, resume, commandLine(cl), err);
        out.println(o.metrics().table(o.classNames()));
        out.println();
        out.printf(
                "val mIoU %.2f%% after %d steps (%.1f s) — %s%n",
                100 * o.metrics().mIoU(), o.loop().steps(), o.loop().seconds(), run.root());
        out.println("  config.resolved.json  the complete configuration");
        out.println("  provenance.json       versions, seed, device, git revision");
        out.println("  metrics.jsonl         loss per log step, validation metrics");
        out.println("  summary.csv           the same as a table");
        out.println("  curves.png            loss and mIoU curves");
        out.println("  final_metrics.json    final validation metrics per class");
        out.println("  checkpoints/          the last checkpoints (resume with --resume)");
        if (Files.exists(run.root().resolve(Models.GENOTYPE_FILE))) {
            out.println(
                    "  genotype.json         the retrained genotype (model.genotype points here)");
        }
        return 0;
    }
}
