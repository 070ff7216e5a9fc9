package org.dpnas.cli.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dpnas.cli.CliException;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.train.SegTrainJob;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ChildProcesses;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.MultiTrialSearch;
import org.dpnas.common.search.RandomSearch;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.train.Seeds;

/**
 * {@code dpnas search METHOD --strategy random}: random search over a method's space, each child
 * retrained from scratch with the training defaults (the retrain budget; the batch size of the
 * search's {@code search.batch_size}, {@code --trial-steps} to shorten it) on the search
 * configuration's data, in its own run directory {@code trials/trial-NNNN} under the search
 * directory, scored by its validation mIoU. Resumes: finished trials are read back from {@code
 * search/history.jsonl}, a cut-off child resumes from its checkpoint.
 */
final class RandomTrials {

    private RandomTrials() {}

    static int run(
            SearchMethod method,
            JobOptions.Prepared p,
            int trials,
            int steps,
            List<String> args,
            PrintStream out,
            PrintStream err)
            throws Exception {
        Config config = p.config();
        RunDirectory dir = p.run();
        long seed = config.getLong("seed");
        if (!p.resume()
                && (Files.exists(dir.root().resolve("search/history.jsonl"))
                        || Files.exists(dir.root().resolve("search/events.jsonl")))) {
            throw new CliException(
                    dir.root()
                            + " holds a random search with finished children; continue it with"
                            + " --resume or choose another --work-dir");
        }
        err.println("run directory: " + dir.root());
        dir.writeStart(
                config.asJsonObject(),
                p.resume(),
                Provenance.collect(seed, config.getString("device"), args));
        return search(
                method, method.space(config), config, dir.root(), trials, steps, args, out, err);
    }

    /**
     * The evaluator of one child of a random search: retrains the child from scratch in its run
     * directory (resuming it from its checkpoint when it has one) and scores its validation mIoU;
     * the same in this process and in a {@code dpnas trial} process.
     */
    static <G extends Genotype> Evaluator<G> retrain(
            SearchMethod method,
            SearchSpace<G> space,
            Config config,
            int steps,
            List<String> args,
            PrintStream err) {
        long seed = config.getLong("seed");
        return (g, runDir) -> {
            Files.createDirectories(runDir);
            Path genotype = runDir.resolve("genotype.json");
            RunDirectory child = new RunDirectory(runDir);
            boolean resume = Files.exists(child.resolvedConfig());
            if (!resume) {
                space.write(g, genotype);
            }
            Config c = childConfig(method, config, genotype, steps, seed);
            SegTrainJob.Outcome o = SegTrainJob.run(c, child, resume, args, err);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mIoU", o.metrics().mIoU());
            m.put("pixel_accuracy", o.metrics().pixelAccuracy());
            m.put("steps", (double) o.loop().steps());
            m.put("seconds", o.loop().seconds());
            return new Evaluator.Result(m, o.metrics().mIoU());
        };
    }

    private static <G extends Genotype> int search(
            SearchMethod method,
            SearchSpace<G> space,
            Config config,
            Path root,
            int trials,
            int steps,
            List<String> args,
            PrintStream out,
            PrintStream err)
            throws Exception {
        long seed = config.getLong("seed");
        RandomSearch<G> strategy = new RandomSearch<>(space, Seeds.mix(seed, "random-search"));
        Optional<ChildProcesses> processes =
                MultiTrialSearch.childProcesses(
                        config,
                        root,
                        (genotype, runDir) ->
                                List.of(
                                        "trial",
                                        method.name(),
                                        "--config",
                                        MultiTrialSearch.childConfig(root).toString(),
                                        "--genotype",
                                        genotype.toString(),
                                        "--run-dir",
                                        runDir.toString(),
                                        "--evaluator",
                                        "retrain",
                                        "--trial-steps",
                                        String.valueOf(steps)));
        MultiTrialSearch<G> driver =
                processes.isPresent()
                        ? new MultiTrialSearch<>(space, strategy, processes.get(), root, err)
                        : new MultiTrialSearch<>(
                                space,
                                strategy,
                                TrialRunner.inProcess(
                                        retrain(method, space, config, steps, args, err)),
                                root,
                                err);
        List<Trial<G>> done = driver.run(trials);
        if (done.isEmpty()) {
            out.printf("random search: no child finished with a result — %s%n", root);
            return 1;
        }
        Trial<G> best = done.get(0);
        for (Trial<G> t : done) {
            if (t.score() > best.score()) {
                best = t;
            }
        }
        out.printf(
                java.util.Locale.ROOT,
                "random search: %d trials — best trial %d, val mIoU %.2f%% — %s%n",
                done.size(),
                best.id(),
                100 * best.score(),
                root);
        out.print(space.describe(best.genotype()));
        out.println("  search/history.jsonl  one line per trial: genotype, metrics, score");
        out.println("  best/genotype.json    the best child (best/trial.json: its record)");
        out.println("  trials/trial-NNNN/    each child's training run");
        if (processes.isPresent()) {
            out.println(
                    "  search/events.jsonl   proposals and arrivals in order (launch/: the jobs)");
        }
        if (driver.failures() > 0) {
            out.printf(
                    "%d of %d children ended without a result (see search/events.jsonl)%n",
                    driver.failures(), trials);
            return 1;
        }
        return 0;
    }

    /** The training configuration of one child: train defaults, the search's data and seed. */
    static Config childConfig(
            SearchMethod method, Config search, Path genotype, int steps, long seed) {
        JsonObject defaults = TrainConfigs.defaults();
        defaults.add("data", search.sub("data").asJsonObject().deepCopy());
        List<String> sets = new ArrayList<>();
        sets.add("model.name=" + new JsonPrimitive(method.name()));
        sets.add("model.genotype=" + new JsonPrimitive(genotype.toAbsolutePath().toString()));
        sets.add("seed=" + seed);
        sets.add("threads=" + search.getInt("threads"));
        sets.add("device=" + new JsonPrimitive(search.getString("device")));
        if (steps > 0) {
            sets.add("train.max_steps=" + steps);
        }
        if (search.has("search.batch_size")) {
            sets.add("train.batch_size=" + search.getInt("search.batch_size"));
        }
        return ConfigLoader.load(defaults, null, sets);
    }
}
