package org.dpnas.fastdensenas;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.MultiTrialSearch;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.search.rl.RlSearch;
import org.dpnas.common.search.strategies.Strategies;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.SegDatasets;

/**
 * The FastDenseNAS search (Nekrasov et al., CVPR 2019, §3): the shared RL controller ({@link
 * RlSearch}, PPO or REINFORCE over the {@link DecoderSpace} decisions) proposes decoders, each
 * child is one trial of {@link MultiTrialSearch} evaluated by the {@link ChildEvaluator} (two
 * stages with early stopping) in {@code trials/trial-NNNN/}, and the search directory holds {@code
 * search/history.jsonl} (per child: genotype, stage reached, rewards, seconds, and the controller's
 * state), {@code best/genotype.json} + {@code best/genotype.svg}, the controller's weights in
 * {@code search/controller/} and, without encoder weights, {@code encoder/pretrained.safetensors}.
 * {@code --resume} replays the history and continues the same sequence of children. With {@code
 * trials.backend} local or slurm ({@code --backend}, {@code --parallel K}) the children run as
 * {@code dpnas trial fastdensenas} processes through the launcher; the encoder is pre-trained here
 * first, and each child process computes its own stage-1 cache.
 */
public final class FdnSearchJob {

    private static final String DEFAULTS = "/org/dpnas/fastdensenas/search-defaults.json";

    private FdnSearchJob() {}

    /** The defaults of {@code dpnas search fastdensenas}, with the shared data section. */
    public static JsonObject defaults() {
        JsonObject o =
                SegDatasets.withData(
                        ConfigLoader.defaultsFromResource(FdnSearchJob.class, DEFAULTS), "space");
        o.add("trials", MultiTrialSearch.trialsDefaults());
        return o;
    }

    /** The controller of a configuration (its seed derived from the run's). */
    public static RlSearch<DecoderGenotype> controller(
            FdnSettings s, long seed, java.nio.file.Path checkpointDir) {
        return new RlSearch<>(
                s.space(),
                RlSearch.Options.defaults(s.algorithm()).withLr(s.controllerLr()),
                Seeds.mix(seed, "fdn-controller"),
                checkpointDir);
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue a stopped search
     * @param args the command line, for provenance
     * @param console where progress goes
     * @return the outcome
     */
    public static SearchMethod.Outcome run(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        long t0 = System.nanoTime();
        FdnSettings s = FdnSettings.of(config);
        long seed = config.getLong("seed");
        run.writeStart(
                config.asJsonObject(),
                resume,
                Provenance.collect(seed, config.getString("device"), args));
        FastDenseNasSpace space = FastDenseNasSpace.of(s);
        console.printf(
                Locale.ROOT,
                "FastDenseNAS: %d children, controller %s (lr %g), %d decisions%n",
                s.children(),
                s.algorithm().name().toLowerCase(Locale.ROOT),
                s.controllerLr(),
                s.space().decisions().size());
        RlSearch<DecoderGenotype> controller =
                controller(s, seed, run.root().resolve("search/controller"));
        List<Trial<DecoderGenotype>> done;
        boolean processes =
                config.has("trials") && !config.getString("trials.backend").equals("inprocess");
        try (ChildEvaluator evaluator = new ChildEvaluator(config, console)) {
            if (processes) {
                // each child process caches the encoder outputs itself; the encoder is made once
                evaluator.prepareEncoder(run.root());
                evaluator.close();
                done =
                        MultiTrialSearch.forConfig(
                                        new FastDenseNasMethod(),
                                        space,
                                        controller,
                                        config,
                                        run.root(),
                                        console)
                                .run(s.children());
            } else {
                evaluator.prepare(run.root());
                TrialRunner<DecoderGenotype> runner =
                        TrialRunner.inProcess(
                                Strategies.rewarded(
                                        config,
                                        space,
                                        evaluator,
                                        () -> SegDatasets.spaceClasses(config)));
                done =
                        new MultiTrialSearch<>(space, controller, runner, run.root(), console)
                                .run(s.children());
            }
        }
        Trial<DecoderGenotype> best = controller.best().orElse(done.get(done.size() - 1));
        AtomicFiles.writeString(
                run.best().resolve("genotype.svg"),
                space.picture(
                        best.genotype(),
                        String.format(
                                Locale.ROOT,
                                "FastDenseNAS decoder, child %d of %d, reward %.4f",
                                best.id(),
                                done.size(),
                                best.score())));
        int stopped = 0;
        for (Trial<DecoderGenotype> t : done) {
            if (t.metrics().getOrDefault("early_stopped", 0.0) > 0) {
                stopped++;
            }
        }
        console.printf(
                Locale.ROOT,
                "%d children, %d stopped after stage 1; best child %d, reward %.4f%n",
                done.size(),
                stopped,
                best.id(),
                best.score());
        return new SearchMethod.Outcome(
                run,
                best.genotype(),
                done.size(),
                (System.nanoTime() - t0) / 1e9,
                List.of(
                        "search/history.jsonl  one line per child: genotype, stage reached,"
                                + " rewards, seconds",
                        "best/genotype.json    the best decoder (retrain: dpnas train --genotype)",
                        "best/genotype.svg     its picture",
                        "trials/trial-NNNN/    each child (stage1.json, result.json)"));
    }
}
