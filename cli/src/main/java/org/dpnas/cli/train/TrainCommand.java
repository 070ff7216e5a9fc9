package org.dpnas.cli.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.TrainTask;

/**
 * {@code dpnas train}: trains a fixed segmentation network and reports its validation mIoU, or
 * hands a model that belongs to a registered {@link TrainTask} (e.g. a detector) to that task.
 */
public final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a fixed network (the baseline, a searched genotype, a detector) and report"
                + " its validation mIoU or AP";
    }

    @Override
    public Options options() {
        List<Option> o =
                new ArrayList<>(
                        TrainConfigs.OPTIONS.configOptions(
                                "JSON config (may name a 'base'); see configs/"));
        o.addAll(JobOptions.runOptions("<model>"));
        return Opts.of(o.toArray(new Option[0]));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        if (cl.hasOption("genotype") && cl.hasOption("model") && !Args.flag(cl, "resume")) {
            String method = TrainConfigs.genotypeMethod(Args.path(cl, "genotype", null));
            if (!method.equals(cl.getOptionValue("model"))) {
                throw new CliException(
                        "--genotype retrains a '"
                                + method
                                + "' genotype: drop --model "
                                + cl.getOptionValue("model")
                                + " or use --model "
                                + method);
            }
        }
        if (cl.hasOption("genotype") && Args.flag(cl, "resume")) {
            throw new CliException(
                    "--resume continues with the run's own genotype.json; drop --genotype");
        }
        Path configFile = Args.path(cl, "config", null);
        Optional<TrainTask> task = TrainTasks.of(cl, configFile);
        if (task.isPresent()) {
            JobOptions options = TrainConfigs.OPTIONS.over(task.get()::trainDefaults);
            for (Option o : cl.getOptions()) {
                if (TrainConfigs.OPTIONS.offers(o.getLongOpt())
                        && !options.offers(o.getLongOpt())) {
                    throw new CliException(
                            "--"
                                    + o.getLongOpt()
                                    + " does not apply to a "
                                    + task.get().name()
                                    + " model (set its keys with --set or a config file)");
                }
            }
            JobOptions.Prepared p = options.prepare(cl, configFile, c -> c.getString("model.name"));
            err.println("run directory: " + p.run().root());
            TrainTask.Report r;
            try {
                r =
                        task.get()
                                .train(
                                        p.config(),
                                        p.run(),
                                        p.resume(),
                                        JobOptions.words("train", cl),
                                        err);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            out.print(r.text());
            return 0;
        }
        JobOptions.Prepared p =
                TrainConfigs.OPTIONS.prepare(
                        cl, Args.path(cl, "config", null), c -> c.getString("model.name"));
        RunDirectory run = p.run();
        Config config = p.config();
        boolean resume = p.resume();
        err.println("run directory: " + run.root());
        SegTrainJob.Outcome o =
                SegTrainJob.run(config, run, resume, JobOptions.words("train", cl), err);
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
