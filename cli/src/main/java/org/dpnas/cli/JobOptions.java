package org.dpnas.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.config.ResumeChanges;
import org.dpnas.common.run.RunDirectory;

/**
 * The options every job verb ({@code train}, {@code search ...}) shares and how they become a
 * configuration and a run directory: {@code --config FILE} (with its {@code base} chain), {@code
 * --set KEY=VALUE}, convenience options that each set one config key (their help shows the key and
 * its default), {@code --work-dir}, {@code --runs-dir} and {@code --resume}. Precedence: defaults
 * &lt; file &lt; {@code --set} &lt; convenience options.
 */
public final class JobOptions {

    /** How a convenience option's value is parsed. */
    public enum Kind {
        /** Any text. */
        STRING,
        /** An integer. */
        INT,
        /** A decimal number. */
        FLOAT
    }

    /**
     * One convenience option.
     *
     * @param option the long option name
     * @param arg the value's placeholder in help
     * @param description what it sets
     * @param key the dotted config key
     * @param kind how the value is parsed
     */
    public record Key(String option, String arg, String description, String key, Kind kind) {}

    /**
     * A prepared job.
     *
     * @param run the run directory (new, or the one to resume)
     * @param config the resolved configuration
     * @param resume whether the job continues a run
     */
    public record Prepared(RunDirectory run, Config config, boolean resume) {}

    /** {@code --dataset}: the {@code data.dataset} of every job. */
    public static final Key DATASET =
            new Key(
                    "dataset",
                    "NAME",
                    "dataset: synthetic, camvid, cityscapes or voc",
                    "data.dataset",
                    Kind.STRING);

    /** {@code --root}: {@code data.root}. */
    public static final Key ROOT =
            new Key(
                    "root",
                    "DIR",
                    "dataset root directory (real datasets)",
                    "data.root",
                    Kind.STRING);

    /** {@code --seed}: the one seed. */
    public static final Key SEED =
            new Key("seed", "N", "the one seed every random stream derives from", "seed", Kind.INT);

    /** {@code --device}. */
    public static final Key DEVICE =
            new Key("device", "D", "auto, cpu, gpu or gpu:N", "device", Kind.STRING);

    /** {@code --threads}. */
    public static final Key THREADS =
            new Key(
                    "threads",
                    "N",
                    "libtorch intra-op threads (0: libtorch's default)",
                    "threads",
                    Kind.INT);

    private final Supplier<JsonObject> defaults;
    private final List<Key> keys;
    private final Map<String, Function<CommandLine, String>> implied =
            new java.util.LinkedHashMap<>();

    /**
     * Creates the options of a job.
     *
     * @param defaults supplies a fresh copy of the job's defaults
     * @param keys its convenience options
     */
    public JobOptions(Supplier<JsonObject> defaults, List<Key> keys) {
        this.defaults = defaults;
        this.keys = List.copyOf(keys);
    }

    /**
     * Declares that giving {@code option} also applies {@code override} (a {@code KEY=VALUE}),
     * before the options themselves, so an explicit option still wins.
     */
    public JobOptions implying(String option, String override) {
        implied.put(option, cl -> override);
        return this;
    }

    /**
     * Like {@link #implying(String, String)}, with an override computed from the command line (e.g.
     * {@code model.name} read from the genotype file that {@code --genotype} names).
     */
    public JobOptions implyingFrom(String option, Function<CommandLine, String> override) {
        implied.put(option, override);
        return this;
    }

    /**
     * The same options over other defaults (another task's training job): the convenience options
     * whose key the other defaults have, and the same implied overrides.
     *
     * @param otherDefaults supplies a fresh copy of the other job's defaults
     */
    public JobOptions over(Supplier<JsonObject> otherDefaults) {
        Config c = ConfigLoader.load(otherDefaults.get(), null, List.of());
        List<Key> kept = new ArrayList<>();
        for (Key k : keys) {
            if (c.has(k.key())) {
                kept.add(k);
            }
        }
        JobOptions o = new JobOptions(otherDefaults, kept);
        o.implied.putAll(implied);
        return o;
    }

    /** Whether a convenience option of this job sets a config key. */
    public boolean offers(String option) {
        return keys.stream().anyMatch(k -> k.option().equals(option));
    }

    /** The default value of a dotted key as shown in help ({@code null} for none). */
    public String defaultOf(String key) {
        Config c = ConfigLoader.load(defaults.get(), null, List.of());
        return c.isNull(key) ? null : c.getJson(key).toString().replace("\"", "");
    }

    /** {@code --config} and {@code --set}, then the convenience options, in declaration order. */
    public List<Option> configOptions(String configHint) {
        List<Option> o = new ArrayList<>();
        o.add(Opts.value("config", "FILE", configHint, null));
        o.add(Opts.repeatable("set", "KEY=VALUE", "override one config key, e.g. seed=3"));
        for (Key k : keys) {
            o.add(
                    Opts.value(
                            k.option(),
                            k.arg(),
                            k.description() + " [" + k.key() + "]",
                            defaultOf(k.key())));
        }
        return o;
    }

    /** {@code --work-dir}, {@code --runs-dir} and {@code --resume}. */
    public static List<Option> runOptions(String method) {
        return List.of(
                Opts.value(
                        "work-dir",
                        "DIR",
                        "run directory (with --resume: the run to continue)",
                        "RUNS/" + method + "/<timestamp>"),
                Opts.value("runs-dir", "DIR", "where new run directories are created", "runs"),
                Opts.flag(
                        "resume",
                        "continue the run in --work-dir (or the newest run) from its last"
                                + " checkpoint (from step 0 when it has none)"),
                Opts.flag(
                        "allow-changes",
                        "with --resume: accept changed settings that alter the run (lr, steps,"
                                + " seed, data, ...; recorded in provenance.json)"));
    }

    /**
     * Resolves the configuration from the defaults, {@code file}, the {@code --set} pairs and the
     * convenience options of {@code cl}. Typed options are parsed first, so a bad value names the
     * option the user typed.
     */
    public Config resolve(Path file, CommandLine cl) {
        List<ConfigLoader.Setting> overrides = new ArrayList<>();
        for (Map.Entry<String, String> e : Args.keyValues(cl, "set").entrySet()) {
            overrides.add(ConfigLoader.Setting.of(e.getKey() + "=" + e.getValue()));
        }
        implied.forEach(
                (option, override) -> {
                    if (cl.hasOption(option)) {
                        overrides.add(
                                new ConfigLoader.Setting(
                                        override.apply(cl),
                                        "--" + option + " " + lastValue(cl, option)));
                    }
                });
        for (Key k : keys) {
            if (cl.hasOption(k.option())) {
                String v =
                        switch (k.kind()) {
                            case INT -> String.valueOf(Args.longValue(cl, k.option(), 0));
                            case FLOAT -> String.valueOf(Args.doubleValue(cl, k.option(), 0));
                            case STRING ->
                                    new JsonPrimitive(Args.string(cl, k.option(), "")).toString();
                        };
                overrides.add(
                        new ConfigLoader.Setting(
                                k.key() + "=" + v,
                                "--" + k.option() + " " + lastValue(cl, k.option())));
            }
        }
        return ConfigLoader.loadSettings(defaults.get(), file, overrides);
    }

    /**
     * Chooses the run directory and resolves the configuration. A fresh run gets {@code --work-dir}
     * or {@code RUNS/<method>/<timestamp>}; a directory that holds a checkpoint is never reused,
     * while one whose run stopped before its first checkpoint is started again (nothing is lost).
     * {@code --resume} continues {@code --work-dir} or the newest run under {@code RUNS/<method>}
     * with its own {@code config.resolved.json} (plus {@code --set} and options); a changed key
     * that alters the trajectory ({@link ResumeChanges}) is refused, naming every such key, unless
     * {@code --allow-changes} accepts them, and accepted changes go into {@code provenance.json}.
     *
     * @param cl the parsed command line
     * @param configFile the file to resolve for a fresh run ({@code --config} or a preset)
     * @param method names the run's folder under the runs directory, from the configuration
     */
    public Prepared prepare(CommandLine cl, Path configFile, Function<Config, String> method)
            throws java.io.IOException {
        boolean resume = Args.flag(cl, "resume");
        Path runs = Args.path(cl, "runs-dir", Path.of("runs"));
        Path workDir = Args.path(cl, "work-dir", null);
        if (!resume) {
            if (Args.flag(cl, "allow-changes")) {
                throw new CliException("--allow-changes goes with --resume");
            }
            Config config = resolve(configFile, cl);
            RunDirectory run =
                    workDir != null
                            ? new RunDirectory(workDir)
                            : RunDirectory.fresh(runs, method.apply(config));
            if (run.hasCheckpoint()) {
                throw new CliException(
                        run.root()
                                + " already holds a run with checkpoints; use --resume to continue"
                                + " it or choose another --work-dir");
            }
            return new Prepared(run, config, false);
        }
        if (configFile != null) {
            throw new CliException(
                    "--resume continues with the run's own config.resolved.json; drop --config"
                            + " and --preset (use --set or options to change single keys)");
        }
        RunDirectory run;
        if (workDir != null) {
            run = new RunDirectory(workDir);
        } else {
            String folder = method.apply(resolve(null, cl));
            run =
                    RunDirectory.latest(runs, folder)
                            .orElseThrow(
                                    () ->
                                            new CliException(
                                                    "--resume: no run under "
                                                            + runs.resolve(folder)
                                                            + "; give --work-dir DIR"));
        }
        if (!Files.exists(run.resolvedConfig())) {
            throw new CliException(
                    "--resume: " + run.resolvedConfig() + " not found: not a dpnas run directory");
        }
        Config before = ConfigLoader.load(defaults.get(), run.resolvedConfig(), List.of());
        Config after = resolve(run.resolvedConfig(), cl);
        List<ResumeChanges.Change> changes = ResumeChanges.diff(before, after);
        List<ResumeChanges.Change> altering = ResumeChanges.trajectory(changes);
        if (!altering.isEmpty() && !Args.flag(cl, "allow-changes")) {
            throw new CliException(
                    "--resume: "
                            + run.root()
                            + " ran with other settings; changed: "
                            + ResumeChanges.describe(altering)
                            + ". These alter the run's trajectory: drop them to continue it as it"
                            + " was, add --allow-changes to continue with them (recorded in"
                            + " provenance.json), or start a new run in another --work-dir");
        }
        if (!changes.isEmpty()) {
            run.recordChanges(ResumeChanges.toJson(changes));
        }
        return new Prepared(run, after, true);
    }

    /** The value a repeated option ends with (the one that applies). */
    private static String lastValue(CommandLine cl, String option) {
        String[] v = cl.getOptionValues(option);
        return v == null || v.length == 0 ? "" : v[v.length - 1];
    }

    /** The parsed command line as words, for provenance. */
    public static List<String> words(String verb, CommandLine cl) {
        List<String> words = new ArrayList<>(List.of("dpnas"));
        words.addAll(List.of(verb.split(" ")));
        for (Option o : cl.getOptions()) {
            words.add("--" + o.getLongOpt());
            if (o.getValue() != null) {
                words.add(o.getValue());
            }
        }
        words.addAll(cl.getArgList());
        return words;
    }
}
