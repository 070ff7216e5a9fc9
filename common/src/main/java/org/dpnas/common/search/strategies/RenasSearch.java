package org.dpnas.common.search.strategies;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;
import org.dpnas.common.search.rl.SplitMix64;
import org.dpnas.common.search.rl.VectorAdam;

/**
 * RENAS, reinforced evolutionary search (Chen et al., "RENAS: Reinforced Evolutionary Neural
 * Architecture Search", CVPR 2019): a population of scored architectures; each child is a mutation
 * of the winner of a tournament among {@code tournament} members drawn at random (§3.1), the
 * mutation — which decision to change and to what — chosen by a controller ({@link MutationPolicy})
 * trained with REINFORCE on the child's improvement over its parent, {@code score(child) −
 * score(parent)} (§3.2), less a moving-average baseline; the child joins the population and the
 * worst member (or, as an option, the oldest, as regularized evolution) leaves. The first {@code
 * population} children are uniform samples of the decision space. Each child names its parent
 * ({@link ParentAware}) so an evaluator may inherit the parent's weights (§3.3).
 *
 * <p>Mutations are the generic ones of a decision space (as {@link Mutator#of}), so the strategy
 * runs on any {@link DecisionSpace} (the FastDenseNAS decoder and NAS-FPN pyramid spaces).
 *
 * <p>State: the generator, the population, pending proposals (with their parent and mutation),
 * baseline, counters and the controller's weights and Adam moments (in a file of {@code
 * checkpointDir} or base64 in the JSON); restoring continues the same sequence of proposals.
 *
 * @param <G> the genotype type
 */
public final class RenasSearch<G extends Genotype> implements SearchStrategy<G>, ParentAware<G> {

    /** Which member leaves a full population. */
    public enum Removal {
        /** The lowest score (the oldest among equals). */
        WORST,
        /** The oldest (regularized evolution, Real et al., AAAI 2019). */
        OLDEST
    }

    /**
     * The settings.
     *
     * @param population members kept (and random children first), ≥ 2
     * @param tournament members drawn per tournament, in [1, population]
     * @param lr the controller's Adam learning rate (> 0)
     * @param baselineDecay moving-average decay of the improvement baseline, in [0, 1)
     * @param maxGradNorm gradient-norm clip of a controller step (> 0)
     * @param removal which member leaves
     */
    public record Options(
            int population,
            int tournament,
            double lr,
            double baselineDecay,
            double maxGradNorm,
            Removal removal) {

        /** Validates, naming the configuration key. */
        public Options {
            if (population < 2) {
                throw new IllegalArgumentException(
                        "search.renas.population must be >= 2, got " + population);
            }
            if (tournament < 1 || tournament > population) {
                throw new IllegalArgumentException(
                        "search.renas.tournament must be in [1, population = "
                                + population
                                + "], got "
                                + tournament);
            }
            if (!(lr > 0)) {
                throw new IllegalArgumentException("search.renas.lr must be > 0, got " + lr);
            }
            if (!(baselineDecay >= 0 && baselineDecay < 1)) {
                throw new IllegalArgumentException(
                        "search.renas.baseline_decay must be in [0, 1), got " + baselineDecay);
            }
            if (!(maxGradNorm > 0)) {
                throw new IllegalArgumentException(
                        "search.renas.max_grad_norm must be > 0, got " + maxGradNorm);
            }
            if (removal == null) {
                throw new IllegalArgumentException("search.renas.removal is missing");
            }
        }
    }

    private record Member(int[] x, double score, String dir, long born) {}

    private record Pending(
            int[] x, int[] parent, double parentScore, String parentDir, int op, int arg) {}

    private final DecisionSpace<G> space;
    private final Options options;
    private final long seed;
    private final Path checkpointDir;
    private final int[] offset;
    private final int features;
    private final MutationPolicy policy;
    private final VectorAdam adam;
    private final SplitMix64 rng;
    private final List<Member> population = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    private Double baseline;
    private long proposals;
    private long observed;
    private long updates;
    private Trial<G> best;

    /**
     * Creates the strategy.
     *
     * @param space the decision space
     * @param options the settings
     * @param seed the seed of sampling
     * @param checkpointDir where controller files go, or {@code null} to keep them in the JSON
     */
    public RenasSearch(DecisionSpace<G> space, Options options, long seed, Path checkpointDir) {
        this.space = space;
        this.options = options;
        this.seed = seed;
        this.checkpointDir = checkpointDir;
        List<Decision> d = space.decisions();
        offset = new int[d.size()];
        int f = 0;
        for (int j = 0; j < d.size(); j++) {
            offset[j] = f;
            f += d.get(j).choices();
        }
        features = f;
        policy = new MutationPolicy(d, features);
        adam = new VectorAdam(policy.theta().length, options.lr());
        rng = new SplitMix64(seed);
    }

    /** The controller (for inspection and tests). */
    public MutationPolicy policy() {
        return policy;
    }

    /** The current population's scores, in age order. */
    public double[] populationScores() {
        return population.stream().mapToDouble(Member::score).toArray();
    }

    /** Controller updates so far. */
    public long updates() {
        return updates;
    }

    /** The one-hot features of a decision vector. */
    double[] features(int[] x) {
        double[] f = new double[features];
        for (int j = 0; j < x.length; j++) {
            f[offset[j] + x[j]] = 1;
        }
        return f;
    }

    private MutationPolicy.Mask mask(int[] parent) {
        return (op, a) -> a != parent[op];
    }

    @Override
    public G propose() {
        proposals++;
        if (proposals <= options.population() || population.isEmpty()) {
            int[] x = new int[offset.length];
            for (int j = 0; j < x.length; j++) {
                x[j] = rng.nextInt(space.decisions().get(j).choices());
            }
            pending.add(new Pending(x, null, Double.NaN, null, -1, -1));
            return space.decode(x);
        }
        Member parent = tournament();
        MutationPolicy.Sample s = policy.sample(features(parent.x), mask(parent.x), rng);
        int[] x = parent.x.clone();
        x[s.op()] = s.argument();
        pending.add(new Pending(x, parent.x, parent.score, parent.dir, s.op(), s.argument()));
        return space.decode(x);
    }

    /** The best of {@code tournament} distinct members drawn uniformly (the earliest on ties). */
    private Member tournament() {
        int n = population.size();
        int k = Math.min(options.tournament(), n);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Member winner = null;
        int winnerIndex = -1;
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            Member m = population.get(idx[i]);
            if (winner == null
                    || m.score > winner.score
                    || (m.score == winner.score && idx[i] < winnerIndex)) {
                winner = m;
                winnerIndex = idx[i];
            }
        }
        return winner;
    }

    @Override
    public Optional<String> parentDir(G child) {
        int[] x = space.encode(child);
        for (Pending p : pending) {
            if (Arrays.equals(p.x, x)) {
                return Optional.ofNullable(p.parentDir);
            }
        }
        return Optional.empty();
    }

    @Override
    public void observe(Trial<G> trial) {
        if (best == null || trial.score() > best.score()) {
            best = trial;
        }
        int[] x = space.encode(trial.genotype());
        Pending p = null;
        for (int i = 0; i < pending.size(); i++) {
            if (Arrays.equals(pending.get(i).x, x)) {
                p = pending.remove(i);
                break;
            }
        }
        if (p != null && p.parent != null) {
            learn(p, trial.score());
        }
        observed++;
        population.add(new Member(x, trial.score(), trial.dir(), observed));
        if (population.size() > options.population()) {
            population.remove(victim());
        }
    }

    /** One REINFORCE step on the improvement of a child over its parent (RENAS §3.2). */
    private void learn(Pending p, double score) {
        double r = score - p.parentScore;
        baseline =
                baseline == null
                        ? r
                        : options.baselineDecay() * baseline + (1 - options.baselineDecay()) * r;
        double adv = r - baseline;
        // loss −adv·log π: its gradient is −adv·∇log π
        policy.backward(features(p.parent), mask(p.parent), p.op, p.arg, -adv);
        double[] g = policy.grad();
        double norm = 0;
        for (double v : g) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm > options.maxGradNorm()) {
            double scale = options.maxGradNorm() / (norm + 1e-6);
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
        }
        adam.step(policy.theta(), g);
        updates++;
    }

    private int victim() {
        int v = 0;
        for (int i = 1; i < population.size(); i++) {
            Member m = population.get(i);
            Member w = population.get(v);
            boolean worse =
                    options.removal() == Removal.OLDEST
                            ? m.born < w.born
                            : m.score < w.score || (m.score == w.score && m.born < w.born);
            if (worse) {
                v = i;
            }
        }
        return v;
    }

    @Override
    public Optional<Trial<G>> best() {
        return Optional.ofNullable(best);
    }

    @Override
    public JsonObject state() {
        JsonObject o = new JsonObject();
        o.addProperty("strategy", "renas");
        o.addProperty("seed", seed);
        o.addProperty("rng", rng.state());
        o.addProperty("proposals", proposals);
        o.addProperty("observed", observed);
        o.addProperty("updates", updates);
        o.addProperty("adam_steps", adam.steps());
        o.addProperty("parameters", policy.theta().length);
        if (baseline != null) {
            o.addProperty("baseline", baseline);
        }
        JsonArray pop = new JsonArray();
        for (Member m : population) {
            JsonObject e = new JsonObject();
            e.add("x", ints(m.x));
            e.addProperty("score", m.score);
            e.addProperty("dir", m.dir);
            e.addProperty("born", m.born);
            pop.add(e);
        }
        o.add("population", pop);
        JsonArray pend = new JsonArray();
        for (Pending p : pending) {
            JsonObject e = new JsonObject();
            e.add("x", ints(p.x));
            if (p.parent != null) {
                e.add("parent", ints(p.parent));
                e.addProperty("parent_score", p.parentScore);
                e.addProperty("parent_dir", p.parentDir);
                e.addProperty("op", p.op);
                e.addProperty("arg", p.arg);
            }
            pend.add(e);
        }
        o.add("pending", pend);
        WeightBlob.write(o, checkpointDir, "renas", observed, policy.theta(), adam.m(), adam.v());
        return o;
    }

    @Override
    public void restore(JsonObject state) {
        for (String f :
                new String[] {
                    "strategy",
                    "rng",
                    "proposals",
                    "observed",
                    "updates",
                    "adam_steps",
                    "parameters",
                    "population",
                    "pending"
                }) {
            if (!state.has(f)) {
                throw new IllegalArgumentException("search state lacks the field '" + f + "'");
            }
        }
        if (!"renas".equals(state.get("strategy").getAsString())) {
            throw new IllegalArgumentException(
                    "search state field 'strategy' is '"
                            + state.get("strategy").getAsString()
                            + "', not 'renas'");
        }
        if (state.get("parameters").getAsInt() != policy.theta().length) {
            throw new IllegalArgumentException(
                    "search state field 'parameters' is "
                            + state.get("parameters").getAsInt()
                            + " but this controller has "
                            + policy.theta().length
                            + " (the space changed)");
        }
        WeightBlob.read(state, checkpointDir, policy.theta(), adam.m(), adam.v());
        rng.setState(state.get("rng").getAsLong());
        proposals = state.get("proposals").getAsLong();
        observed = state.get("observed").getAsLong();
        updates = state.get("updates").getAsLong();
        adam.setSteps(state.get("adam_steps").getAsLong());
        baseline = state.has("baseline") ? state.get("baseline").getAsDouble() : null;
        population.clear();
        for (JsonElement el : state.getAsJsonArray("population")) {
            JsonObject e = el.getAsJsonObject();
            population.add(
                    new Member(
                            vector(e, "x"),
                            e.get("score").getAsDouble(),
                            e.get("dir").getAsString(),
                            e.get("born").getAsLong()));
        }
        pending.clear();
        for (JsonElement el : state.getAsJsonArray("pending")) {
            JsonObject e = el.getAsJsonObject();
            if (e.has("parent")) {
                pending.add(
                        new Pending(
                                vector(e, "x"),
                                vector(e, "parent"),
                                e.get("parent_score").getAsDouble(),
                                e.get("parent_dir").getAsString(),
                                e.get("op").getAsInt(),
                                e.get("arg").getAsInt()));
            } else {
                pending.add(new Pending(vector(e, "x"), null, Double.NaN, null, -1, -1));
            }
        }
    }

    private int[] vector(JsonObject e, String field) {
        if (!e.has(field)) {
            throw new IllegalArgumentException(
                    "search state entry lacks the field '" + field + "'");
        }
        JsonArray a = e.getAsJsonArray(field);
        int n = offset.length;
        if (a.size() != n) {
            throw new IllegalArgumentException(
                    "search state field '"
                            + field
                            + "' has "
                            + a.size()
                            + " decisions, expected "
                            + n);
        }
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = a.get(i).getAsInt();
            int c = space.decisions().get(i).choices();
            if (x[i] < 0 || x[i] >= c) {
                throw new IllegalArgumentException(
                        "search state field '"
                                + field
                                + "': decision "
                                + space.decisions().get(i).name()
                                + " = "
                                + x[i]
                                + " outside [0, "
                                + c
                                + ")");
            }
        }
        return x;
    }

    private static JsonArray ints(int[] x) {
        JsonArray a = new JsonArray();
        for (int v : x) {
            a.add(v);
        }
        return a;
    }
}
