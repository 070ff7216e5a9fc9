package org.dpnas.common.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.gdas.GdasSampler;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.BatchStream;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;
import org.dpnas.common.train.TrainLoop;

/**
 * The one-shot search job every supernet method shares (DARTS, Liu et al., ICLR 2019, §2.3;
 * Auto-DeepLab §4; CAS Sec. 3.2): given an initialised {@link Supernet} and the two disjoint
 * training splits, it builds the optimizers (SGD + cosine schedule on the weights, Adam on each
 * phase's architecture parameters), runs {@link OneShotSearch} steps inside the shared {@link
 * TrainLoop} (log, checkpoint, resume), and after every epoch decodes the genotype, validates the
 * supernet and writes
 *
 * <ul>
 *   <li>{@code search/genotypes.jsonl}: per epoch its step, epoch, supernet validation mIoU, the
 *       method's extra numbers (e.g. CAS's expected cost) and the genotype;
 *   <li>{@code last/genotype.json} (+ {@code .svg}): the last epoch's genotype;
 *   <li>{@code best/genotype.json} (+ {@code .svg}): the genotype of the epoch with the best
 *       supernet validation mIoU (the first such epoch on a tie) among the epochs of the last
 *       phase, as the Auto-DeepLab reference keeps its best checkpoint.
 * </ul>
 *
 * <p><b>Phases</b> (CAS, Sec. 3.2: the backbone cells first, then the multi-scale cell with the
 * backbone fixed): each phase names the architecture parameters it updates and lasts a number of
 * epochs; the weights train through every phase, and the other phases' architecture parameters
 * never step (their gradients are dropped every step). {@code search.arch_start_epoch} delays the
 * architecture updates of the first phase; later phases update from their first step. A method with
 * one phase (Auto-DeepLab) gets the plain bilevel search.
 *
 * <p><b>Strategy</b> ({@code search.strategy}): {@code bilevel} (DARTS's softmax relaxation) or
 * {@code gdas} (Dong &amp; Yang, CVPR 2019: one op per edge sampled with Gumbel-max in the forward
 * pass, the softmax gradient in the backward pass; {@link GdasSampler}), for a supernet that is
 * {@link OpSampling}.
 */
public final class OneShotJob<G extends Genotype> {

    /** The run's folder of the last epoch's genotype ({@code best/} holds the best epoch's). */
    public static final String LAST = "last";

    /** The checkpoint state key of the GDAS sampler. */
    private static final String SAMPLER_STATE = "gdas_sampler";

    /** The checkpoint state key of a method's own {@link SampledRelaxation}. */
    private static final String RELAXATION_STATE = "relaxation";

    /**
     * One phase of the search.
     *
     * @param name the phase's name in the log ({@code phase} field, written when there are several)
     * @param group the name of its architecture parameter group (its optimizer's checkpoint file)
     * @param arch the architecture parameters it updates
     * @param epochs how many epochs it lasts
     */
    public record Phase(String name, String group, List<Parameter> arch, long epochs) {

        /** Validates the phase. */
        public Phase {
            if (arch.isEmpty()) {
                throw new IllegalArgumentException("phase " + name + " updates no parameters");
            }
            if (epochs < 0) {
                throw new IllegalArgumentException(
                        "phase " + name + " must last >= 0 epochs, got " + epochs);
            }
            arch = List.copyOf(arch);
        }
    }

    /**
     * The search's data: batch assembly and sampling of the two disjoint training splits (A for the
     * weights, B for the architecture).
     *
     * @param splitA batches of split A
     * @param samplerA the order of split A (its steps per epoch define an epoch)
     * @param splitB batches of split B
     * @param samplerB the order of split B
     * @param batch images per step
     */
    public record Data(
            SegBatcher splitA,
            EpochSampler samplerA,
            SegBatcher splitB,
            EpochSampler samplerB,
            int batch) {}

    /** The supernet's validation: metrics with {@code mIoU} first. */
    @FunctionalInterface
    public interface Validation {
        /** Validates the network as it is now. */
        Map<String, Double> validate(NDManager base, ParameterStore store) throws Exception;
    }

    /** Extra numbers of an epoch, e.g. the expected cost of the current α. */
    @FunctionalInterface
    public interface Extras<G> {
        /** The numbers for the epoch that decoded {@code genotype}. */
        Map<String, Double> at(G genotype);
    }

    /**
     * The outcome of a search.
     *
     * @param best the genotype in {@code best/genotype.json}
     * @param last the last epoch's genotype
     * @param loop the loop's result
     */
    public record Outcome<G>(G best, G last, TrainLoop.Result loop) {}

    private final String label;
    private final Config search;
    private final Supernet<G> net;
    private final SearchSpace<G> space;
    private final String title;
    private List<Phase> phases;
    private ArchPenalty penalty;
    private Extras<G> extras = g -> Map.of();
    private SampledRelaxation relaxation;

    /**
     * Creates the job.
     *
     * @param label the progress label, e.g. {@code autodeeplab search}
     * @param search the {@code search} section of the resolved configuration
     * @param net the supernet (initialised before {@link #run})
     * @param space the space, to write, draw and read genotypes
     * @param title the pictures' caption prefix, e.g. {@code Auto-DeepLab genotype}
     */
    public OneShotJob(
            String label, Config search, Supernet<G> net, SearchSpace<G> space, String title) {
        this.label = label;
        this.search = search;
        this.net = net;
        this.space = space;
        this.title = title;
    }

    /** The supernet. */
    public Supernet<G> supernet() {
        return net;
    }

    /** The phases (default: one phase over every architecture parameter, {@code search.epochs}). */
    public OneShotJob<G> phases(List<Phase> phases) {
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a search needs at least one phase");
        }
        this.phases = List.copyOf(phases);
        return this;
    }

    /** Adds {@code penalty} to every architecture step's loss. */
    public OneShotJob<G> penalty(ArchPenalty penalty) {
        this.penalty = penalty;
        return this;
    }

    /**
     * Anneals {@code relaxation}, which the supernet already draws its op weights with (e.g.
     * FBNet's Gumbel-softmax): the job sets its step before every step, logs its temperature as
     * {@code tau} and checkpoints its state. Not combined with {@code search.strategy = gdas}.
     */
    public OneShotJob<G> relaxation(SampledRelaxation relaxation) {
        this.relaxation = relaxation;
        return this;
    }

    /** Extra numbers per epoch, logged with the validation metrics and in the history. */
    public OneShotJob<G> extras(Extras<G> extras) {
        this.extras = extras;
        return this;
    }

    /** The one-shot strategy a configuration names ({@code search.strategy}). */
    public static OneShotStrategy strategy(Config search) {
        return OneShotStrategy.parse(
                search.has("strategy") ? search.getString("strategy") : "bilevel",
                "search.strategy");
    }

    /**
     * Runs (or resumes) the search.
     *
     * @param base the run's base manager (the supernet is initialised in it)
     * @param constants the run's constants
     * @param run the run directory (its start already written)
     * @param data the two training splits
     * @param validation the supernet's validation
     * @param seed the run's seed (the GDAS sampler's stream derives from it)
     * @param resume continue from the last checkpoint
     * @param console where progress goes
     * @return the outcome
     */
    public Outcome<G> run(
            NDManager base,
            Constants constants,
            RunDirectory run,
            Data data,
            Validation validation,
            long seed,
            boolean resume,
            PrintStream console)
            throws Exception {
        List<Phase> ph =
                phases != null
                        ? phases
                        : List.of(
                                new Phase(
                                        "search",
                                        "arch",
                                        net.archParameters(),
                                        search.getLong("epochs")));
        EpochSampler samplerA = data.samplerA();
        long perEpoch = samplerA.stepsPerEpoch();
        long[] ends = new long[ph.size()];
        long total = 0;
        for (int i = 0; i < ph.size(); i++) {
            total += ph.get(i).epochs() * perEpoch;
            ends[i] = total;
        }
        long maxSteps = search.getLong("max_steps") > 0 ? search.getLong("max_steps") : total;
        long archStart = search.getLong("arch_start_epoch") * perEpoch;
        long ckptEvery =
                search.getLong("checkpoint_every") > 0
                        ? search.getLong("checkpoint_every")
                        : perEpoch;
        ParamGroup weights = weightGroup(net.weightParameters(), search);
        List<ParamGroup> archGroups = new ArrayList<>();
        for (Phase p : ph) {
            archGroups.add(archGroup(p.group(), p.arch(), search));
        }
        LrSchedule weightLr =
                LrSchedule.cosine(
                        search.getFloat("weight_lr"), maxSteps, search.getFloat("weight_min_lr"));
        LrSchedule archLr = LrSchedule.constant(search.getFloat("arch_lr"));
        ParameterStore store = new ParameterStore(base, false);
        GdasSampler gdas =
                installSampler(net, search, seed, perEpoch, (maxSteps + perEpoch - 1) / perEpoch);
        if (gdas != null && relaxation != null) {
            throw new IllegalArgumentException(
                    "search.strategy gdas: this search samples its ops its own way; use bilevel");
        }
        SampledRelaxation sampler = gdas != null ? gdas : relaxation;
        if (relaxation != null) {
            relaxation.stepsPerEpoch(perEpoch);
        }
        List<ParamGroup> groups = new ArrayList<>();
        groups.add(weights);
        groups.addAll(archGroups);
        MetricsLog history = new MetricsLog(run.root().resolve("search/genotypes.jsonl"));
        TrainLoop.Options options =
                new TrainLoop.Options(
                        maxSteps,
                        search.getLong("log_every"),
                        perEpoch,
                        ckptEvery,
                        search.getInt("keep_checkpoints"),
                        data.batch(),
                        label,
                        "mIoU");
        boolean named = ph.size() > 1;
        TrainLoop loop =
                new TrainLoop(base, net, groups, run, options, console)
                        .logFields(
                                t -> {
                                    JsonObject f = new JsonObject();
                                    f.addProperty("epoch", samplerA.epochOf(t));
                                    f.addProperty("lr", weightLr.at(t));
                                    if (named) {
                                        f.addProperty("phase", ph.get(phaseOf(ends, t)).name());
                                    }
                                    if (sampler != null) {
                                        f.addProperty("tau", sampler.temperature(t));
                                    }
                                    f.addProperty("arch_updates", t >= archStart);
                                    return f;
                                });
        if (sampler != null) {
            loop.state(
                    gdas != null ? SAMPLER_STATE : RELAXATION_STATE,
                    sampler::state,
                    sampler::restore);
        }
        // best/ is chosen among the epochs of the last phase that ran: earlier phases decode
        // cells whose architecture parameters have not been searched yet
        long bestFrom = lastPhaseStart(ends, maxSteps);
        List<G> last = new ArrayList<>();
        last.add(null);
        double[] bestMiou = {Double.NEGATIVE_INFINITY};
        long[] mark = {System.nanoTime()};
        TrainLoop.Evaluation evaluation =
                step -> {
                    long t0 = System.nanoTime();
                    G g = net.derive();
                    last.set(0, g);
                    long epoch = (step + perEpoch - 1) / perEpoch;
                    Map<String, Double> m = validation.validate(base, store);
                    long t1 = System.nanoTime();
                    Map<String, Double> more = extras.at(g);
                    String when = "epoch " + epoch + ", step " + step;
                    writeGenotype(run.root().resolve(LAST), g, when);
                    double miou = m.get("mIoU");
                    if (step > bestFrom && miou > bestMiou[0]) {
                        bestMiou[0] = miou;
                        writeGenotype(
                                run.best(),
                                g,
                                when + String.format(Locale.ROOT, ", mIoU %.2f%%", 100 * miou));
                    }
                    JsonObject rec = new JsonObject();
                    rec.addProperty("step", step);
                    rec.addProperty("epoch", epoch);
                    rec.addProperty("mIoU", miou);
                    more.forEach(rec::addProperty);
                    rec.add("genotype", JsonParser.parseString(g.toJson()));
                    history.append(rec);
                    Map<String, Double> out = new LinkedHashMap<>(m);
                    out.putAll(more);
                    long t2 = System.nanoTime();
                    // where an epoch's time goes (console only: the run's files stay
                    // deterministic)
                    console.printf(
                            Locale.ROOT,
                            "epoch %d timing: steps %.1f s, decode + validation %.1f s,"
                                    + " genotype files %.2f s%n",
                            epoch,
                            (t0 - mark[0]) / 1e9,
                            (t1 - t0) / 1e9,
                            (t2 - t1) / 1e9);
                    mark[0] = System.nanoTime();
                    return out;
                };
        long start = loop.restore(resume);
        history.truncateAfter(start);
        for (JsonObject rec : history.read()) {
            if (rec.has("mIoU") && rec.get("step").getAsLong() > bestFrom) {
                bestMiou[0] = Math.max(bestMiou[0], rec.get("mIoU").getAsDouble());
            }
        }
        List<OneShotSearch> steps = new ArrayList<>();
        TrainLoop.Result result;
        try (history;
                BatchStream a = new BatchStream(data.splitA(), samplerA, maxSteps, "a");
                BatchStream b = new BatchStream(data.splitB(), data.samplerB(), maxSteps, "b")) {
            for (int i = 0; i < ph.size(); i++) {
                steps.add(
                        new OneShotSearch(
                                        net,
                                        weights,
                                        archGroups.get(i),
                                        null,
                                        null,
                                        weightLr,
                                        archLr,
                                        i == 0 ? archStart : 0,
                                        search.getFloat("grad_clip_norm"),
                                        constants,
                                        store)
                                .withPenalty(penalty));
            }
            TrainLoop.Step step =
                    (sm, t) -> {
                        if (sampler != null) {
                            sampler.atStep(t);
                        }
                        int p = phaseOf(ends, t);
                        OneShotSearch s = steps.get(p);
                        NDArray l = s.weightStep(sm, t, a.get(t).toNDList(sm));
                        if (s.updatesArchitecture(t)) {
                            s.archStep(sm, t, b.get(t).toNDList(sm));
                        }
                        // the other phases' architecture parameters never step
                        for (int i = 0; i < archGroups.size(); i++) {
                            if (i != p) {
                                archGroups.get(i).zeroGrad();
                            }
                        }
                        return l;
                    };
            result = loop.run(start, step, evaluation);
        } finally {
            for (OneShotSearch s : steps) {
                s.close();
            }
        }
        G lastG = last.get(0);
        if (lastG == null) {
            lastG = net.derive();
            writeGenotype(run.root().resolve(LAST), lastG, "step " + result.steps());
        }
        if (!Files.exists(run.best().resolve("genotype.json"))) {
            writeGenotype(run.best(), lastG, "step " + result.steps());
        }
        G best = space.read(run.best().resolve("genotype.json"));
        return new Outcome<>(best, lastG, result);
    }

    /**
     * Prepares a search run's supernet for evaluation as the search left it: with {@code
     * search.strategy = gdas} each edge runs its most likely op (GDAS's validation), otherwise the
     * softmax mixture. Returns {@code net}.
     */
    public static <B extends Supernet<?>> B forEvaluation(B net, Config search, long seed) {
        installSampler(net, search, seed, 1, 1);
        return net;
    }

    /**
     * Installs a GDAS sampler of {@code epochs} epochs when {@code search.strategy} is gdas; null
     * for bilevel.
     */
    private static GdasSampler installSampler(
            Supernet<?> net, Config search, long seed, long perEpoch, long epochs) {
        if (strategy(search) != OneShotStrategy.GDAS) {
            return null;
        }
        if (!(net instanceof OpSampling s)) {
            throw new IllegalArgumentException(
                    "search.strategy gdas: the supernet "
                            + net.getClass().getSimpleName()
                            + " cannot sample its ops");
        }
        Config g = search.sub("gdas");
        GdasSampler sampler =
                new GdasSampler(
                        seed, g.getDouble("tau_max"), g.getDouble("tau_min"), perEpoch, epochs);
        s.sampleOps(sampler);
        return sampler;
    }

    /** The phase of step t: the first whose end is after t (the last one past the end). */
    static int phaseOf(long[] ends, long t) {
        for (int i = 0; i < ends.length; i++) {
            if (t < ends[i]) {
                return i;
            }
        }
        return ends.length - 1;
    }

    /** The first step of the last phase that runs before {@code maxSteps}. */
    private static long lastPhaseStart(long[] ends, long maxSteps) {
        int p = phaseOf(ends, maxSteps - 1);
        return p == 0 ? 0 : ends[p - 1];
    }

    /** Writes {@code genotype.json} and {@code genotype.svg} into {@code dir} atomically. */
    private void writeGenotype(Path dir, G g, String when) throws IOException {
        space.write(g, dir.resolve("genotype.json"));
        AtomicFiles.writeString(dir.resolve("genotype.svg"), space.picture(g, title + ", " + when));
    }

    /**
     * The weight group of a one-shot search: SGD with the {@code search} section's {@code momentum}
     * and {@code weight_decay} (the search, its benchmarks and every method use this one).
     */
    public static ParamGroup weightGroup(List<Parameter> weights, Config search) {
        return new ParamGroup(
                "weights",
                weights,
                new Sgd(search.getFloat("momentum"), search.getFloat("weight_decay")));
    }

    /**
     * An architecture group of a one-shot search: Adam with the {@code search} section's {@code
     * arch_betas} and {@code arch_weight_decay}, ε 1e-8.
     */
    public static ParamGroup archGroup(String name, List<Parameter> arch, Config search) {
        float[] betas = search.getFloatArray("arch_betas");
        return new ParamGroup(
                name,
                arch,
                new Adam(betas[0], betas[1], 1e-8f, search.getFloat("arch_weight_decay"), false));
    }
}
