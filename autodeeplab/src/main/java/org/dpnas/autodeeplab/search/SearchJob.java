package org.dpnas.autodeeplab.search;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.AutoDeepLabSpace;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.BetaNormalisation;
import org.dpnas.autodeeplab.DownTransition;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.autodeeplab.SupernetImpl;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.job.JobSetup;
import org.dpnas.datasets.job.SegOneShotJob;
import org.dpnas.eval.seg.SegEvaluator;

/**
 * The Auto-DeepLab search (Liu et al., CVPR 2019, §4) on the shared one-shot job ({@link
 * SegOneShotJob}, {@link OneShotJob}): the run set up by {@link JobSetup}, the training split cut
 * into two disjoint halves from the seed (A for the weights, B for α and β), the supernet searched
 * by the shared {@link OneShotSearch} strategy in one phase over α and β: first-order bilevel
 * optimisation with SGD + cosine schedule on the weights and Adam on the architecture from {@code
 * arch_start_epoch} — or GDAS's sampled ops with {@code search.strategy = gdas} (on the plain cell
 * evaluation, α only; β stays a softmax) — and after every epoch the supernet's validation mIoU (at
 * the search crop unless {@code search.val_full_size}) and the decoded genotype, appended with that
 * mIoU to {@code search/genotypes.jsonl} and written to {@code last/genotype.json}; {@code
 * best/genotype.json} (with a picture, {@code genotype.svg}) holds the genotype of the epoch with
 * the best supernet validation mIoU (the first such epoch on a tie), as the reference keeps its
 * best checkpoint. Checkpoints hold the weights, α, β and both optimizers' state; {@code --resume}
 * continues exactly.
 */
public final class SearchJob {

    private static final String DEFAULTS = "/org/dpnas/autodeeplab/search-defaults.json";

    /** The run's folder of the last epoch's genotype ({@code best/} holds the best epoch's). */
    public static final String LAST = OneShotJob.LAST;

    /**
     * The outcome of a search.
     *
     * @param run the run directory
     * @param genotype the genotype of the epoch with the best supernet validation mIoU ({@code
     *     best/genotype.json})
     * @param loop the loop's result
     */
    public record Outcome(RunDirectory run, AutoDeepLabGenotype genotype, TrainLoop.Result loop) {}

    private SearchJob() {}

    /** The defaults of {@code dpnas search autodeeplab}, with the shared data section. */
    public static JsonObject defaults() {
        return SegDatasets.withData(
                ConfigLoader.defaultsFromResource(SearchJob.class, DEFAULTS), "space");
    }

    /** The supernet sizes of a configuration; opens the dataset only to count its classes. */
    public static SupernetConfig space(Config config) {
        Config s = config.sub("space");
        int classes = SegDatasets.spaceClasses(config);
        return new SupernetConfig(
                classes,
                s.getInt("layers"),
                s.getInt("filter_multiplier"),
                s.getInt("blocks"),
                BetaNormalisation.parse(
                        s.getString("beta_normalisation"), "space.beta_normalisation"),
                DownTransition.parse(s.getString("down"), "space.down"));
    }

    /**
     * The supernet a search configuration trains: fused cells for the bilevel strategy, plain cells
     * for GDAS (which runs one op per edge; the fused evaluation mixes them all).
     */
    public static AutoDeepLabSupernet supernet(SupernetConfig space, Config search) {
        return OneShotJob.strategy(search) == OneShotStrategy.GDAS
                ? new AutoDeepLabSupernet(space, SupernetImpl.PLAIN)
                : new AutoDeepLabSupernet(space);
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     * @return the outcome
     */
    public static Outcome run(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        Config search = config.sub("search");
        SupernetConfig space = space(config);
        AutoDeepLabSupernet net = supernet(space, search);
        OneShotJob<AutoDeepLabGenotype> job =
                new OneShotJob<>(
                        "autodeeplab search",
                        search,
                        net,
                        new AutoDeepLabSpace(1, 1, 1),
                        "Auto-DeepLab genotype");
        OneShotJob.Outcome<AutoDeepLabGenotype> o =
                SegOneShotJob.run(
                        config,
                        run,
                        resume,
                        args,
                        console,
                        job,
                        space.numClasses(),
                        (j, ctx) -> {},
                        SegEvaluator::searchMetrics);
        return new Outcome(run, o.best(), o.loop());
    }
}
