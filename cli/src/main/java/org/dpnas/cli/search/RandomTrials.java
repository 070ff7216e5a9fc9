package org.dpnas.cli.search;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
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
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.search.strategies.InheritedWeights;
import org.dpnas.common.search.strategies.InheritingRunner;
import org.dpnas.common.search.strategies.ParentAware;
import org.dpnas.common.search.strategies.Strategies;
import org.dpnas.datasets.SegDatasets;

/**
 * {@code dpnas search METHOD --strategy random|rl|renas}: a multi-trial search over a method's
 * space with the strategy, reward ({@code search.reward}) and IRLAS term ({@code search.irlas})
 * that {@link Strategies} builds from the configuration, each child retrained from scratch with the
 * training defaults (the retrain budget; the batch size of the search's {@code search.batch_size},
 * {@code --trial-steps} to shorten it) on the search configuration's data, in its own run directory
 * {@code trials/trial-NNNN} under the search directory, scored by its validation mIoU. Resumes:
 * finished trials are read back from {@code search/history.jsonl}, a cut-off child resumes from its
 * checkpoint.
 */
final class RandomTrials {

    private RandomTrials() {}

    static int run(
            SearchMethod method,
            String strategy,
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
                            + " holds a multi-trial search with finished children; continue it with"
                            + " --resume or choose another --work-dir");
        }
        try {
            MultiTrialSearch.checkTrials(config);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        err.println("run directory: " + dir.root());
        dir.writeStart(
                config.asJsonObject(),
                p.resume(),
                Provenance.collect(seed, config.getString("device"), args));
        return search(
                method,
                strategy,
                method.space(config),
                config,
                dir.root(),
                trials,
                steps,
                args,
                out,
                err);
    }

    /**
     * The evaluator of one child of a {@code --strategy} search: retrains the child in its run
     * directory (from scratch, or from its parent's weights where they match when its strategy
     * named a parent, see {@link #inherited}; resuming it from its checkpoint when it has one) and
     * scores its validation mIoU, turned into the configured reward ({@link Strategies#reward},
     * e.g. the MnasNet reward with the child's latency measured here); the same in this process and
     * in a {@code dpnas trial} process.
     */
    static <G extends Genotype> Evaluator<G> retrain(
            SearchMethod method,
            SearchSpace<G> space,
            Config config,
            int steps,
            List<String> args,
            PrintStream err) {
        Evaluator<G> plain = plainRetrain(method, space, config, steps, args, err);
        try {
            return Strategies.rewarded(
                    config, space, plain, () -> SegDatasets.spaceClasses(config));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static <G extends Genotype> Evaluator<G> plainRetrain(
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
            Config c =
                    childConfig(
                            method,
                            config,
                            genotype,
                            steps,
                            seed,
                            inherited(method, config, runDir, resume, steps, seed, err));
            SegTrainJob.Outcome o = SegTrainJob.run(c, child, resume, args, err);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mIoU", o.metrics().mIoU());
            m.put("pixel_accuracy", o.metrics().pixelAccuracy());
            m.put("steps", (double) o.loop().steps());
            m.put("seconds", o.loop().seconds());
            return new Evaluator.Result(m, o.metrics().mIoU());
        };
    }

    @SuppressWarnings("unchecked")
    private static <G extends Genotype> int search(
            SearchMethod method,
            String name,
            SearchSpace<G> space,
            Config config,
            Path root,
            int trials,
            int steps,
            List<String> args,
            PrintStream out,
            PrintStream err)
            throws Exception {
        SearchStrategy<G> strategy;
        try {
            strategy = Strategies.create(name, space, config, root);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Optional<Evaluator<G>> own = ownEvaluator(method, config);
        Evaluator<G> evaluator =
                own.isPresent() ? own.get() : retrain(method, space, config, steps, args, err);
        String childEvaluator = own.isPresent() ? "method" : "retrain";
        Optional<ChildProcesses> processes =
                MultiTrialSearch.childProcesses(
                        config,
                        root,
                        (genotype, runDir) -> {
                            if (strategy instanceof ParentAware<?>) {
                                try {
                                    InheritingRunner.writeParent(
                                            (ParentAware<G>) strategy,
                                            space.read(genotype),
                                            runDir,
                                            root);
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }
                            return List.of(
                                    "trial",
                                    method.name(),
                                    "--config",
                                    MultiTrialSearch.childConfig(root).toString(),
                                    "--genotype",
                                    genotype.toString(),
                                    "--run-dir",
                                    runDir.toString(),
                                    "--evaluator",
                                    childEvaluator,
                                    "--trial-steps",
                                    String.valueOf(steps));
                        });
        MultiTrialSearch<G> driver =
                processes.isPresent()
                        ? new MultiTrialSearch<>(space, strategy, processes.get(), root, err)
                        : new MultiTrialSearch<>(
                                space,
                                strategy,
                                Strategies.runner(TrialRunner.inProcess(evaluator), strategy, root),
                                root,
                                err);
        List<Trial<G>> done = driver.run(trials);
        if (done.isEmpty()) {
            out.printf("%s search: no child finished with a result — %s%n", name, root);
            return 1;
        }
        Trial<G> best = done.get(0);
        for (Trial<G> t : done) {
            if (t.score() > best.score()) {
                best = t;
            }
        }
        if (own.isPresent()) {
            out.printf(
                    java.util.Locale.ROOT,
                    "%s search: %d trials — best trial %d, score %.4f (the method's child"
                            + " evaluator) — %s%n",
                    name,
                    done.size(),
                    best.id(),
                    best.score(),
                    root);
        } else {
            out.printf(
                    java.util.Locale.ROOT,
                    "%s search: %d trials — best trial %d, val mIoU %.2f%%%s — %s%n",
                    name,
                    done.size(),
                    best.id(),
                    100 * best.metrics().getOrDefault("metric", best.score()),
                    best.metrics().containsKey("reward")
                            ? String.format(java.util.Locale.ROOT, ", reward %.4f", best.score())
                            : "",
                    root);
        }
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

    /**
     * The method's own child evaluator (its proxy task, e.g. a detector's held-out AP), when it has
     * one; otherwise children are retrained with the segmentation training job.
     */
    @SuppressWarnings("unchecked")
    private static <G extends Genotype> Optional<Evaluator<G>> ownEvaluator(
            SearchMethod method, Config config) {
        try {
            return Optional.of((Evaluator<G>) method.evaluator(config));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The file in a child's run directory with the weights it inherits from its parent. */
    static final String INHERITED = "inherited.safetensors";

    /**
     * The weight-inheritance settings of a child whose strategy named a parent ({@code
     * parent.json}, RENAS): the parent's newest checkpoint exported once to {@code
     * inherited.safetensors} and loaded non-strictly (every parameter whose name and shape match),
     * when {@code search.inherit_weights} is on; none otherwise. When the parent cannot be exported
     * the child trains from scratch with a warning.
     */
    private static List<String> inherited(
            SearchMethod method,
            Config config,
            Path runDir,
            boolean resume,
            int steps,
            long seed,
            PrintStream err)
            throws java.io.IOException {
        Path file = runDir.resolve(INHERITED);
        if (!Files.exists(file)
                && !resume
                && config.has("search.inherit_weights")
                && config.getBoolean("search.inherit_weights")) {
            var parent = InheritingRunner.parentOf(runDir);
            if (parent.isPresent()) {
                Config pc =
                        childConfig(
                                method,
                                config,
                                parent.get().resolve("genotype.json"),
                                steps,
                                seed,
                                List.of());
                Block net =
                        method.retrainNetwork(pc.sub("model"), SegDatasets.spaceClasses(config));
                try {
                    if (InheritedWeights.export(net, new Shape(1, 3, 64, 64), parent.get(), file)
                            .isPresent()) {
                        err.println(
                                "inherits the weights of " + parent.get() + " where they match");
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    Files.deleteIfExists(file);
                    err.println(
                            "WARNING: cannot inherit the weights of "
                                    + parent.get()
                                    + " ("
                                    + e.getMessage()
                                    + "); the child trains from scratch");
                }
            }
        }
        if (!Files.exists(file)) {
            return List.of();
        }
        return List.of(
                "model.init_weights=" + new JsonPrimitive(file.toAbsolutePath().toString()),
                "model.strict_weights=\"false\"");
    }

    /** The training configuration of one child: train defaults, the search's data and seed. */
    static Config childConfig(
            SearchMethod method, Config search, Path genotype, int steps, long seed) {
        return childConfig(method, search, genotype, steps, seed, List.of());
    }

    /** The same, with further {@code --set} overrides. */
    static Config childConfig(
            SearchMethod method,
            Config search,
            Path genotype,
            int steps,
            long seed,
            List<String> extra) {
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
        sets.addAll(extra);
        return ConfigLoader.load(defaults, null, sets);
    }
}
