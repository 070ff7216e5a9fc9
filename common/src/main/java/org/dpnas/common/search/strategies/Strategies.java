package org.dpnas.common.search.strategies;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.dpnas.common.config.Config;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.RandomSearch;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.search.rl.DecisionSpace;
import org.dpnas.common.search.rl.RlSearch;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.Seeds;

/**
 * Builds a multi-trial search from a configuration, for any method's space: the strategy ({@code
 * random}, {@code rl} — the shared controller —, {@code renas}), the IRLAS term on top of a
 * learning strategy ({@code search.irlas.weight > 0}), the reward ({@code search.reward = metric |
 * mnas}) around the method's evaluator and the weight-inheritance hook around the trial runner.
 * {@link #defaults} holds every key these read, under {@code search}; the {@code dpnas search} verb
 * adds them to a method's search defaults for a multi-trial run.
 */
public final class Strategies {

    /** The strategies {@link #create} knows. */
    public static final List<String> NAMES = List.of("random", "rl", "renas");

    private Strategies() {}

    /** The multi-trial keys under {@code search}, with their defaults. */
    public static JsonObject defaults() {
        JsonObject s = new JsonObject();
        s.addProperty("reward", "metric");
        s.addProperty("inherit_weights", true);
        JsonObject mnas = new JsonObject();
        mnas.addProperty("target_ms", 0.0);
        mnas.addProperty("constraint", "soft");
        mnas.addProperty("alpha", MnasReward.SOFT);
        mnas.addProperty("beta", MnasReward.SOFT);
        JsonArray size = new JsonArray();
        size.add(64);
        size.add(64);
        mnas.add("input_size", size);
        mnas.addProperty("warmup", 2);
        mnas.addProperty("runs", 5);
        s.add("mnas", mnas);
        JsonObject rl = new JsonObject();
        rl.addProperty("algorithm", "ppo");
        rl.addProperty("lr", 1e-4);
        s.add("rl", rl);
        JsonObject renas = new JsonObject();
        renas.addProperty("population", 8);
        renas.addProperty("tournament", 3);
        renas.addProperty("lr", 3e-3);
        renas.addProperty("baseline_decay", 0.9);
        renas.addProperty("max_grad_norm", 2.0);
        renas.addProperty("removal", "worst");
        s.add("renas", renas);
        JsonObject irlas = new JsonObject();
        irlas.addProperty("weight", 0.0);
        irlas.addProperty("expert", "");
        irlas.addProperty("discount", 1.0);
        s.add("irlas", irlas);
        return s;
    }

    /**
     * A method's search defaults with the multi-trial keys added under {@code search} (keys the
     * method already has are kept).
     */
    public static JsonObject withDefaults(JsonObject searchDefaults) {
        JsonObject out = searchDefaults.deepCopy();
        if (!out.has("search")) {
            out.add("search", new JsonObject());
        }
        JsonObject s = out.getAsJsonObject("search");
        for (var e : defaults().entrySet()) {
            if (!s.has(e.getKey())) {
                s.add(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * The strategy a configuration names.
     *
     * @param name {@code random}, {@code rl} or {@code renas}
     * @param space the method's space ({@code rl} and {@code renas} need a {@link DecisionSpace})
     * @param config the resolved configuration (with {@link #defaults})
     * @param searchDir the search directory (controller checkpoints go to {@code
     *     search/controller})
     * @throws IllegalArgumentException naming the option or key that does not fit
     */
    @SuppressWarnings("unchecked")
    public static <G extends Genotype> SearchStrategy<G> create(
            String name, SearchSpace<G> space, Config config, Path searchDir) {
        long seed = config.getLong("seed");
        Path controller = searchDir.resolve("search/controller");
        Config s = config.sub("search");
        SearchStrategy<G> strategy =
                switch (name) {
                    case "random" -> new RandomSearch<>(space, Seeds.mix(seed, "random-search"));
                    case "rl" -> {
                        Config rl = s.sub("rl");
                        RlSearch.Algorithm alg = algorithm(rl.getString("algorithm"));
                        yield new RlSearch<>(
                                decisions(space, name),
                                RlSearch.Options.defaults(alg).withLr(rl.getDouble("lr")),
                                Seeds.mix(seed, "rl-search"),
                                controller);
                    }
                    case "renas" -> {
                        Config r = s.sub("renas");
                        yield new RenasSearch<>(
                                decisions(space, name),
                                new RenasSearch.Options(
                                        r.getInt("population"),
                                        r.getInt("tournament"),
                                        r.getDouble("lr"),
                                        r.getDouble("baseline_decay"),
                                        r.getDouble("max_grad_norm"),
                                        removal(r.getString("removal"))),
                                Seeds.mix(seed, "renas-search"),
                                controller);
                    }
                    default ->
                            throw new IllegalArgumentException(
                                    "--strategy "
                                            + name
                                            + ": expected one of "
                                            + String.join(", ", NAMES));
                };
        Config irlas = s.sub("irlas");
        double weight = irlas.getDouble("weight");
        if (weight != 0) {
            if (name.equals("random")) {
                throw new IllegalArgumentException(
                        "search.irlas.weight = "
                                + weight
                                + ": the imitation term shapes what a strategy learns from;"
                                + " random search learns nothing (use --strategy rl or renas)");
            }
            G expert = expert(space, irlas.getString("expert"));
            strategy =
                    new ImitationReward<>(
                            strategy,
                            FeatureCount.of(space, irlas.getDouble("discount")),
                            expert,
                            weight);
        }
        return strategy;
    }

    /**
     * A method's own child evaluator with the configured reward, for the methods whose children are
     * scored by their own proxy task: {@code evaluator} itself when the configuration has no {@code
     * search.reward} or it is {@code metric}, else {@link #reward} (so {@code search.reward=mnas}
     * applies to every multi-trial search, in this process and in {@code dpnas trial} processes).
     *
     * @param numClasses the classes a child's network predicts (asked only for a latency reward)
     */
    public static <G extends Genotype> Evaluator<G> rewarded(
            Config config, SearchSpace<G> space, Evaluator<G> evaluator, IntSupplier numClasses) {
        if (!config.has("search.reward") || config.getString("search.reward").equals("metric")) {
            return evaluator;
        }
        return reward(config, space, evaluator, numClasses.getAsInt());
    }

    /**
     * The child evaluator with the configured reward: {@code metric} returns {@code evaluator};
     * {@code mnas} wraps it in {@link MnasEvaluator}, timing each child's network built by {@code
     * space} on the configuration's {@code device}.
     *
     * @param numClasses the classes the child's network is built with
     * @throws IllegalArgumentException naming the key that does not fit
     */
    public static <G extends Genotype> Evaluator<G> reward(
            Config config, SearchSpace<G> space, Evaluator<G> evaluator, int numClasses) {
        String reward = config.getString("search.reward");
        switch (reward) {
            case "metric":
                return evaluator;
            case "mnas":
                Config m = config.sub("search.mnas");
                MnasReward r =
                        MnasReward.of(
                                m.getString("constraint"),
                                m.getDouble("target_ms"),
                                m.getDouble("alpha"),
                                m.getDouble("beta"));
                int[] hw = m.getIntArray("input_size");
                if (hw.length != 2 || hw[0] < 1 || hw[1] < 1) {
                    throw new IllegalArgumentException(
                            "search.mnas.input_size must be [height, width] >= 1");
                }
                LatencyProbe<G> probe =
                        new BuiltLatency<>(
                                space,
                                numClasses,
                                new Shape(1, 3, hw[0], hw[1]),
                                Devices.resolve(config.getString("device")),
                                m.getInt("warmup"),
                                m.getInt("runs"));
                return new MnasEvaluator<>(evaluator, probe, r);
            default:
                throw new IllegalArgumentException(
                        "search.reward '" + reward + "': expected metric or mnas");
        }
    }

    /**
     * The trial runner with the weight-inheritance hook when the strategy names parents ({@link
     * InheritingRunner}).
     */
    @SuppressWarnings("unchecked")
    public static <G extends Genotype> TrialRunner<G> runner(
            TrialRunner<G> runner, SearchStrategy<G> strategy, Path searchDir) {
        return strategy instanceof ParentAware<?> p
                ? new InheritingRunner<>(runner, (ParentAware<G>) p, searchDir)
                : runner;
    }

    @SuppressWarnings("unchecked")
    private static <G extends Genotype> DecisionSpace<G> decisions(
            SearchSpace<G> space, String name) {
        if (space instanceof DecisionSpace<?> d) {
            return (DecisionSpace<G>) d;
        }
        throw new IllegalArgumentException(
                "--strategy "
                        + name
                        + " needs a space of categorical decisions (FastDenseNAS, NAS-FPN);"
                        + " the "
                        + space.method()
                        + " space is not one (use --strategy random)");
    }

    @SuppressWarnings("unchecked")
    private static <G extends Genotype> G expert(SearchSpace<G> space, String expert) {
        if (expert.isBlank()) {
            throw new IllegalArgumentException(
                    "search.irlas.expert is empty: give a genotype.json of this space or a"
                            + " built-in name of the space");
        }
        if (space instanceof ExpertGenotypes<?> e) {
            var named = ((ExpertGenotypes<G>) e).expert(expert);
            if (named.isPresent()) {
                return named.get();
            }
        }
        Path file = Path.of(expert);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "search.irlas.expert '"
                            + expert
                            + "': neither a built-in expert of the "
                            + space.method()
                            + " space nor a genotype file");
        }
        return space.read(file);
    }

    private static RlSearch.Algorithm algorithm(String s) {
        try {
            return RlSearch.Algorithm.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "search.rl.algorithm '" + s + "': expected ppo or reinforce", e);
        }
    }

    private static RenasSearch.Removal removal(String s) {
        try {
            return RenasSearch.Removal.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "search.renas.removal '" + s + "': expected worst or oldest", e);
        }
    }
}
