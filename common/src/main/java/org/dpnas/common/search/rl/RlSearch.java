package org.dpnas.common.search.rl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;

/**
 * An RL search strategy: an {@link LstmPolicy} emits a child's decisions and learns from its score
 * with PPO (Schulman et al., https://arxiv.org/abs/1707.06347, clipped surrogate over a buffer of
 * the last {@code rolloutSize} children, one Adam step per child, as the FastDenseNAS reference
 * trains its controller) or REINFORCE (Williams 1992, one step on the child just scored), both with
 * an exponential moving-average baseline (the first reward, then {@code b ← d·b + (1−d)·r}) and
 * gradient-norm clipping.
 *
 * <p>Sampling uses inverse CDF on a {@link SplitMix64} stream (no engine multinomial). Learning is
 * lazy: {@link #observe} queues a score and the update runs at the next {@link #propose} or {@link
 * #state}, so replaying a history before {@link #restore} costs nothing. The state holds the
 * generator, baseline, pending proposals, the rollout buffer and — when a checkpoint directory is
 * given — the name and SHA-256 of a binary file with the weights and Adam moments (otherwise the
 * same bytes in base64 inside the JSON); restoring continues the same sequence of architectures.
 *
 * @param <G> the genotype type
 */
public final class RlSearch<G extends Genotype> implements SearchStrategy<G> {

    /** The policy-gradient estimator. */
    public enum Algorithm {
        /** Clipped-surrogate proximal policy optimisation. */
        PPO,
        /** Plain score-function gradient with a baseline. */
        REINFORCE
    }

    /**
     * The controller's settings; {@link #defaults} are the reference's.
     *
     * @param algorithm PPO or REINFORCE
     * @param hidden LSTM width (100)
     * @param layers LSTM layers (2)
     * @param lr Adam learning rate (1e-4)
     * @param clip PPO ratio clip ε (0.1)
     * @param baselineDecay moving-average decay (0.95)
     * @param maxGradNorm gradient-norm clip (2)
     * @param rolloutSize PPO buffer length (100)
     * @param ppoEpochs passes over the buffer per update (1)
     */
    public record Options(
            Algorithm algorithm,
            int hidden,
            int layers,
            double lr,
            double clip,
            double baselineDecay,
            double maxGradNorm,
            int rolloutSize,
            int ppoEpochs) {

        /** Validates. */
        public Options {
            if (algorithm == null) {
                throw new IllegalArgumentException("controller algorithm is missing");
            }
            if (!(clip > 0) || !(baselineDecay >= 0 && baselineDecay < 1) || !(maxGradNorm > 0)) {
                throw new IllegalArgumentException(
                        "controller needs clip > 0, baseline decay in [0, 1) and max grad norm"
                                + " > 0, got "
                                + clip
                                + ", "
                                + baselineDecay
                                + ", "
                                + maxGradNorm);
            }
            if (rolloutSize < 1 || ppoEpochs < 1) {
                throw new IllegalArgumentException(
                        "controller rollout size and PPO epochs must be >= 1");
            }
        }

        /** The reference's settings for an algorithm. */
        public static Options defaults(Algorithm algorithm) {
            return new Options(algorithm, 100, 2, 1e-4, 0.1, 0.95, 2.0, 100, 1);
        }

        /** A copy with another learning rate. */
        public Options withLr(double newLr) {
            return new Options(
                    algorithm,
                    hidden,
                    layers,
                    newLr,
                    clip,
                    baselineDecay,
                    maxGradNorm,
                    rolloutSize,
                    ppoEpochs);
        }
    }

    private record Sample(int[] actions, double logProb, double reward) {}

    private final DecisionSpace<G> space;
    private final Options options;
    private final long seed;
    private final Path checkpointDir;
    private final LstmPolicy policy;
    private final VectorAdam adam;
    private final SplitMix64 rng;
    private final List<Sample> pending = new ArrayList<>();
    private final ArrayDeque<Sample> rollout = new ArrayDeque<>();
    private final List<Sample> queue = new ArrayList<>();
    private Double baseline;
    private long proposals;
    private long updates;
    private double lastLoss;
    private Trial<G> best;

    /**
     * Creates the strategy.
     *
     * @param space the decision space
     * @param options the controller settings
     * @param seed the seed of the initial weights and of sampling
     * @param checkpointDir where weight files go, or {@code null} to keep them in the state JSON
     */
    public RlSearch(DecisionSpace<G> space, Options options, long seed, Path checkpointDir) {
        this.space = space;
        this.options = options;
        this.seed = seed;
        this.checkpointDir = checkpointDir;
        this.policy =
                new LstmPolicy(
                        space.decisions(),
                        options.hidden(),
                        options.layers(),
                        new SplitMix64(seed ^ 0x5DEECE66DL));
        this.adam = new VectorAdam(policy.theta().length, options.lr());
        this.rng = new SplitMix64(seed);
    }

    /** The policy (for inspection and tests). */
    public LstmPolicy policy() {
        return policy;
    }

    /** The current baseline, or NaN before the first score. */
    public double baseline() {
        flush();
        return baseline == null ? Double.NaN : baseline;
    }

    /** The number of controller updates so far. */
    public long updates() {
        flush();
        return updates;
    }

    /** The mean surrogate loss of the last update. */
    public double lastLoss() {
        return lastLoss;
    }

    @Override
    public G propose() {
        flush();
        LstmPolicy.Pass p = policy.run(null, rng);
        pending.add(new Sample(p.actions, p.logProb, Double.NaN));
        proposals++;
        return space.decode(p.actions());
    }

    @Override
    public void observe(Trial<G> trial) {
        if (best == null || trial.score() > best.score()) {
            best = trial;
        }
        queue.add(new Sample(space.encode(trial.genotype()), Double.NaN, trial.score()));
    }

    @Override
    public Optional<Trial<G>> best() {
        return Optional.ofNullable(best);
    }

    /** Runs the queued updates. */
    private void flush() {
        for (Sample s : queue) {
            double old = Double.NaN;
            for (int i = 0; i < pending.size(); i++) {
                if (Arrays.equals(pending.get(i).actions, s.actions)) {
                    old = pending.remove(i).logProb;
                    break;
                }
            }
            if (Double.isNaN(old)) {
                old = policy.run(s.actions, null).logProb;
            }
            update(new Sample(s.actions, old, s.reward));
        }
        queue.clear();
    }

    private void update(Sample s) {
        double r = s.reward;
        baseline =
                baseline == null
                        ? r
                        : options.baselineDecay() * baseline + (1 - options.baselineDecay()) * r;
        if (options.algorithm() == Algorithm.REINFORCE) {
            policy.zeroGrad();
            LstmPolicy.Pass p = policy.run(s.actions, null);
            double adv = r - baseline;
            policy.backward(p, adv);
            lastLoss = -p.logProb * adv;
            step();
        } else {
            rollout.addLast(s);
            while (rollout.size() > options.rolloutSize()) {
                rollout.removeFirst();
            }
            List<Sample> buf = new ArrayList<>(rollout);
            double loss = 0;
            int count = 0;
            for (int e = 0; e < options.ppoEpochs(); e++) {
                int[] order = new int[buf.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                for (int idx : order) {
                    Sample b = buf.get(idx);
                    policy.zeroGrad();
                    LstmPolicy.Pass p = policy.run(b.actions, null);
                    double adv = b.reward - baseline;
                    double ratio = Math.exp(p.logProb - b.logProb);
                    double clipped =
                            Math.max(1 - options.clip(), Math.min(1 + options.clip(), ratio));
                    double s1 = ratio * adv;
                    double s2 = clipped * adv;
                    if (s1 <= s2) {
                        // d(−ratio·adv)/d logπ = −ratio·adv; the clipped branch has no gradient
                        policy.backward(p, ratio * adv);
                    }
                    loss += -Math.min(s1, s2);
                    count++;
                    step();
                }
            }
            lastLoss = loss / count;
        }
        updates++;
    }

    private void step() {
        double[] g = policy.grad();
        double norm = 0;
        for (double x : g) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > options.maxGradNorm()) {
            double scale = options.maxGradNorm() / (norm + 1e-6);
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
        }
        adam.step(policy.theta(), g);
    }

    @Override
    public JsonObject state() {
        flush();
        JsonObject o = new JsonObject();
        o.addProperty("strategy", "rl");
        o.addProperty("algorithm", options.algorithm().name());
        o.addProperty("hidden", options.hidden());
        o.addProperty("layers", options.layers());
        o.addProperty("parameters", policy.theta().length);
        o.addProperty("seed", seed);
        o.addProperty("rng", rng.state());
        o.addProperty("proposals", proposals);
        o.addProperty("updates", updates);
        o.addProperty("adam_steps", adam.steps());
        if (baseline != null) {
            o.addProperty("baseline", baseline);
        }
        o.add("pending", samples(pending));
        o.add("rollout", samples(rollout));
        byte[] bytes = weightBytes();
        String sha = sha256(bytes);
        o.addProperty("weights_sha256", sha);
        if (checkpointDir == null) {
            o.addProperty("weights_base64", Base64.getEncoder().encodeToString(bytes));
        } else {
            String name = String.format("controller-%06d-%06d.bin", updates, proposals);
            try {
                Files.createDirectories(checkpointDir);
                Path tmp = AtomicFiles.tempFile(checkpointDir, "controller", ".tmp");
                Files.write(tmp, bytes);
                AtomicFiles.move(tmp, checkpointDir.resolve(name));
                pruneCheckpoints(name);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write controller checkpoint " + name, e);
            }
            o.addProperty("weights_file", name);
        }
        return o;
    }

    /** Keeps the three newest checkpoint files (the history's last line names one of them). */
    private void pruneCheckpoints(String keep) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var s = Files.list(checkpointDir)) {
            s.filter(p -> p.getFileName().toString().matches("controller-\\d+-\\d+\\.bin"))
                    .sorted()
                    .forEach(files::add);
        }
        for (int i = 0; i < files.size() - 3; i++) {
            if (!files.get(i).getFileName().toString().equals(keep)) {
                Files.deleteIfExists(files.get(i));
            }
        }
    }

    @Override
    public void restore(JsonObject state) {
        require(state, "strategy");
        if (!"rl".equals(state.get("strategy").getAsString())) {
            throw new IllegalArgumentException("search state field 'strategy' is not 'rl'");
        }
        for (String f :
                new String[] {
                    "algorithm",
                    "hidden",
                    "layers",
                    "parameters",
                    "rng",
                    "proposals",
                    "updates",
                    "adam_steps",
                    "pending",
                    "rollout",
                    "weights_sha256"
                }) {
            require(state, f);
        }
        if (!options.algorithm().name().equals(state.get("algorithm").getAsString())) {
            throw new IllegalArgumentException(
                    "search state field 'algorithm' is "
                            + state.get("algorithm").getAsString()
                            + " but this search uses "
                            + options.algorithm());
        }
        if (state.get("parameters").getAsInt() != policy.theta().length
                || state.get("hidden").getAsInt() != options.hidden()
                || state.get("layers").getAsInt() != options.layers()) {
            throw new IllegalArgumentException(
                    "search state fields 'hidden'/'layers'/'parameters' do not fit this"
                            + " controller (the space or the controller size changed)");
        }
        byte[] bytes;
        if (state.has("weights_base64")) {
            bytes = Base64.getDecoder().decode(state.get("weights_base64").getAsString());
        } else {
            require(state, "weights_file");
            if (checkpointDir == null) {
                throw new IllegalArgumentException(
                        "search state names 'weights_file' but no checkpoint directory is set");
            }
            Path file = checkpointDir.resolve(state.get("weights_file").getAsString());
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "search state field 'weights_file': cannot read " + file, e);
            }
        }
        if (!sha256(bytes).equals(state.get("weights_sha256").getAsString())) {
            throw new IllegalArgumentException(
                    "search state field 'weights_sha256' does not match the controller weights");
        }
        readWeights(bytes);
        queue.clear();
        rng.setState(state.get("rng").getAsLong());
        proposals = state.get("proposals").getAsLong();
        updates = state.get("updates").getAsLong();
        adam.setSteps(state.get("adam_steps").getAsLong());
        baseline = state.has("baseline") ? state.get("baseline").getAsDouble() : null;
        pending.clear();
        pending.addAll(readSamples(state.getAsJsonArray("pending")));
        rollout.clear();
        rollout.addAll(readSamples(state.getAsJsonArray("rollout")));
    }

    private static void require(JsonObject state, String field) {
        if (!state.has(field)) {
            throw new IllegalArgumentException("search state lacks the field '" + field + "'");
        }
    }

    private static JsonArray samples(Iterable<Sample> list) {
        JsonArray a = new JsonArray();
        for (Sample s : list) {
            JsonObject o = new JsonObject();
            JsonArray acts = new JsonArray();
            for (int x : s.actions) {
                acts.add(x);
            }
            o.add("actions", acts);
            o.addProperty("log_prob", s.logProb);
            if (!Double.isNaN(s.reward)) {
                o.addProperty("reward", s.reward);
            }
            a.add(o);
        }
        return a;
    }

    private List<Sample> readSamples(JsonArray a) {
        List<Sample> out = new ArrayList<>();
        int n = policy.decisions().size();
        for (JsonElement e : a) {
            JsonObject o = e.getAsJsonObject();
            JsonArray acts = o.getAsJsonArray("actions");
            if (acts.size() != n) {
                throw new IllegalArgumentException(
                        "search state sample has " + acts.size() + " decisions, expected " + n);
            }
            int[] x = new int[n];
            for (int i = 0; i < n; i++) {
                x[i] = acts.get(i).getAsInt();
            }
            out.add(
                    new Sample(
                            x,
                            o.get("log_prob").getAsDouble(),
                            o.has("reward") ? o.get("reward").getAsDouble() : Double.NaN));
        }
        return out;
    }

    private byte[] weightBytes() {
        double[] w = policy.theta();
        ByteBuffer b = ByteBuffer.allocate(3 * 8 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(w).put(adam.m()).put(adam.v());
        return b.array();
    }

    private void readWeights(byte[] bytes) {
        double[] w = policy.theta();
        if (bytes.length != 3 * 8 * w.length) {
            throw new IllegalArgumentException(
                    "controller weights have "
                            + bytes.length
                            + " bytes, expected "
                            + 3 * 8 * w.length);
        }
        var d = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        d.get(w).get(adam.m()).get(adam.v());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
