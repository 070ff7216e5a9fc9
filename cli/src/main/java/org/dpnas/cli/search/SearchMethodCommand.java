package org.dpnas.cli.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.JobOptions.Key;
import org.dpnas.cli.JobOptions.Kind;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ConfigOption;
import org.dpnas.common.search.MultiTrialSearch;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.strategies.Strategies;

/**
 * {@code dpnas search METHOD}: one registered {@link SearchMethod}'s search, with its presets
 * ({@code configs/METHOD/NAME.json}) and convenience options; {@code --strategy one-shot} runs the
 * method's own (supernet) search; {@code --strategy random|rl|renas --trials N} trains N children
 * that the named multi-trial strategy proposes over the method's space ({@link RandomTrials}).
 */
public final class SearchMethodCommand implements Command {

    private static final String ONE_SHOT = "one-shot";

    /** The options that set the {@code trials} section (children as processes). */
    static final List<Key> TRIAL_KEYS =
            List.of(
                    new Key(
                            "backend",
                            "B",
                            "where children run: inprocess (one after another in this process),"
                                    + " local (processes on this machine) or slurm (jobs)",
                            "trials.backend",
                            Kind.STRING),
                    new Key(
                            "parallel",
                            "K",
                            "children in flight at once (local/slurm); results are told to the"
                                    + " strategy as they arrive",
                            "trials.parallel",
                            Kind.INT),
                    new Key(
                            "slots",
                            "N",
                            "local processes (0: --parallel) or the Slurm array throttle (0: none)",
                            "trials.slots",
                            Kind.INT),
                    new Key(
                            "retries",
                            "N",
                            "submit a failed child again up to N times",
                            "trials.retries",
                            Kind.INT),
                    new Key(
                            "poll",
                            "SECONDS",
                            "seconds between two looks at the children's jobs",
                            "trials.poll",
                            Kind.FLOAT),
                    new Key(
                            "exec",
                            "SHELL",
                            "shell words that run dpnas inside a job (empty: DPNAS_HOME/dpnas)",
                            "trials.exec",
                            Kind.STRING));

    private final SearchMethod method;
    private final JobOptions options;
    private final JobOptions trialOptions;
    private final JobOptions strategyOptions;
    private final boolean ownTrials;

    /**
     * The search verb of one method.
     *
     * @param method the registered method
     */
    public SearchMethodCommand(SearchMethod method) {
        this.method = method;
        List<Key> keys = new ArrayList<>();
        keys.add(JobOptions.DATASET);
        keys.add(JobOptions.ROOT);
        keys.add(JobOptions.SEED);
        for (ConfigOption o : method.searchOptions()) {
            keys.add(
                    new Key(
                            o.option(),
                            o.arg(),
                            o.description(),
                            o.key(),
                            Kind.valueOf(o.kind().toUpperCase(Locale.ROOT))));
        }
        keys.add(JobOptions.DEVICE);
        keys.add(JobOptions.THREADS);
        this.options =
                new JobOptions(method::searchDefaults, keys)
                        .implyingFrom(
                                "strategy",
                                cl -> {
                                    String s = Args.string(cl, "strategy", ONE_SHOT);
                                    return s.equals(ONE_SHOT) || Strategies.NAMES.contains(s)
                                            ? null
                                            : "search.strategy=" + new JsonPrimitive(s);
                                });
        this.ownTrials = method.searchDefaults().has("trials");
        List<Key> withTrials = new ArrayList<>(keys);
        withTrials.addAll(TRIAL_KEYS);
        this.trialOptions = new JobOptions(() -> withTrials(method.searchDefaults()), withTrials);
        this.strategyOptions =
                new JobOptions(
                        () -> withTrials(Strategies.withDefaults(method.searchDefaults())),
                        withTrials);
    }

    /** Whether the method's one-shot search takes {@code search.strategy} (e.g. gdas). */
    private boolean hasOneShotStrategies() {
        JsonObject search = method.searchDefaults().getAsJsonObject("search");
        return search != null && search.has("strategy");
    }

    /** The method's defaults with a {@code trials} section (its own, or the common one). */
    public static com.google.gson.JsonObject withTrials(com.google.gson.JsonObject defaults) {
        if (!defaults.has("trials")) {
            defaults.add("trials", MultiTrialSearch.trialsDefaults());
        }
        return defaults;
    }

    /** The method this verb runs. */
    public SearchMethod method() {
        return method;
    }

    /** The job options (defaults and convenience options) of this verb. */
    public JobOptions jobOptions() {
        return options;
    }

    @Override
    public String name() {
        return method.name();
    }

    @Override
    public String summary() {
        return method.summary();
    }

    @Override
    public Options options() {
        List<Option> o = new ArrayList<>();
        o.add(
                Opts.value(
                        "preset",
                        "NAME",
                        "a preset config, " + method.presetsDir() + "/NAME.json",
                        method.defaultPreset()));
        o.addAll(trialOptions.configOptions("JSON config instead of a preset (may name a 'base')"));
        o.addAll(JobOptions.runOptions(method.name()));
        o.add(
                Opts.value(
                        "strategy",
                        "NAME",
                        "one-shot (the method's supernet search as configured), a one-shot"
                                + " strategy of the supernet search (bilevel, gdas: sets"
                                + " search.strategy), or a multi-trial strategy that trains"
                                + " --trials children: random (uniform samples), rl (the shared"
                                + " controller) or renas (reinforced evolution); the multi-trial"
                                + " keys search.reward (metric | mnas), search.mnas.*,"
                                + " search.rl.*, search.renas.* and search.irlas.* are set with"
                                + " --set",
                        ONE_SHOT));
        o.add(Opts.value("trials", "N", "with a multi-trial strategy: children to train", "8"));
        o.add(
                Opts.value(
                        "trial-steps",
                        "N",
                        "with a multi-trial strategy: training steps per child (0: the train"
                                + " defaults' max_steps)",
                        "0"));
        o.add(Opts.flag("dry-run", "print the search's sizes, then exit"));
        o.add(Opts.value("json", "FILE", "with --dry-run: also write the sizes as JSON", null));
        return Opts.of(o.toArray(new Option[0]));
    }

    /** The preset file {@code <presetsDir>/NAME.json} under the dpnas home. */
    Path preset(String name) {
        if (!name.matches("[a-z0-9_-]+")) {
            throw new CliException("--preset " + name + ": expected a name such as tiny or small");
        }
        Path home = Path.of(System.getProperty("dpnas.home", "."));
        Path dir = home.resolve(method.presetsDir());
        Path file = dir.resolve(name + ".json");
        if (!Files.isRegularFile(file)) {
            List<String> names = new ArrayList<>();
            try (var s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(f -> f.endsWith(".json"))
                        .map(f -> f.substring(0, f.length() - 5))
                        .sorted()
                        .forEach(names::add);
            } catch (java.io.IOException | RuntimeException e) {
                // no presets directory: the message says so below
            }
            throw new CliException(
                    "--preset "
                            + name
                            + ": "
                            + file
                            + " not found (presets: "
                            + String.join(", ", names)
                            + ")");
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
            file = preset(Args.string(cl, "preset", method.defaultPreset()));
        }
        String strategy = Args.string(cl, "strategy", ONE_SHOT);
        boolean trials = Strategies.NAMES.contains(strategy);
        if (!trials && !strategy.equals(ONE_SHOT)) {
            String expected =
                    "expected one-shot, "
                            + String.join(", ", Strategies.NAMES)
                            + (hasOneShotStrategies()
                                    ? ", or a one-shot strategy (bilevel or gdas)"
                                    : "");
            if (!hasOneShotStrategies()) {
                throw new CliException("--strategy " + strategy + ": " + expected);
            }
            try {
                OneShotStrategy.parse(strategy, "--strategy");
            } catch (IllegalArgumentException e) {
                throw new CliException("--strategy " + strategy + ": " + expected);
            }
        }
        if (Args.flag(cl, "dry-run")) {
            method.dryRun(options.resolve(file, cl), out, Args.path(cl, "json", null));
            return 0;
        }
        if (trials) {
            int n = Args.intValue(cl, "trials", 8);
            int steps = Args.intValue(cl, "trial-steps", 0);
            if (n < 1 || steps < 0) {
                throw new CliException("need --trials >= 1 and --trial-steps >= 0");
            }
            JobOptions.Prepared p =
                    strategyOptions.prepare(cl, file, c -> method.name() + "-" + strategy);
            return RandomTrials.run(
                    method, strategy, p, n, steps, JobOptions.words(words(), cl), out, err);
        }
        if (!ownTrials) {
            for (Key k : TRIAL_KEYS) {
                if (cl.hasOption(k.option())) {
                    throw new CliException(
                            "--"
                                    + k.option()
                                    + ": "
                                    + method.name()
                                    + "'s own search runs in one process; --backend, --parallel,"
                                    + " --slots, --retries, --poll and --exec apply to --strategy"
                                    + " random and to multi-trial methods");
                }
            }
        }
        JobOptions.Prepared p =
                (ownTrials ? trialOptions : options).prepare(cl, file, c -> method.name());
        err.println("run directory: " + p.run().root());
        SearchMethod.Outcome o =
                method.search(p.config(), p.run(), p.resume(), JobOptions.words(words(), cl), err);
        RunDirectory run = o.run();
        out.printf(
                Locale.ROOT,
                "searched %d steps in %.1f s — %s%n",
                o.steps(),
                o.seconds(),
                run.root());
        out.print(method.describe(o.genotype()));
        for (String f : o.files()) {
            out.println("  " + f);
        }
        return 0;
    }

    private String words() {
        return "search " + method.name();
    }

    /** The resolved configuration of a fresh search with these options (for tests). */
    Config resolve(Path file, CommandLine cl) {
        return options.resolve(file, cl);
    }
}
