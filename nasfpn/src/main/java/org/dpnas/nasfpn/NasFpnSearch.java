package org.dpnas.nasfpn;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Path;
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
import org.dpnas.common.train.Devices;
import org.dpnas.datasets.det.DetDataset;

/**
 * The NAS-FPN search job (Ghiasi et al., CVPR 2019, section 3): the shared RL controller ({@link
 * RlSearch}, PPO by default) proposes merging-cell pyramids of a {@link PyramidSpace}, each child
 * is one trial of the core's {@link MultiTrialSearch} ({@code trials.backend}: in this process over
 * the {@link ProxyEvaluator}, or as {@code dpnas trial nasfpn} processes through the launcher with
 * {@code --backend local|slurm --parallel K}) (short training of a small RetinaNet, reward = AP on
 * held-out training images), and the best pyramid goes to {@code best/genotype.json} and {@code
 * best/genotype.svg}. A killed search resumes from {@code search/history.jsonl} with the
 * controller's state, so it proposes the children an uninterrupted search would.
 */
public final class NasFpnSearch {

    private static final String DEFAULTS = "/org/dpnas/nasfpn/search-defaults.json";

    private NasFpnSearch() {}

    /**
     * A fresh copy of the search defaults, with the core's {@code trials} section (where the
     * children run: in this process, local processes or Slurm jobs).
     */
    public static JsonObject defaults() {
        JsonObject o = ConfigLoader.defaultsFromResource(NasFpnSearch.class, DEFAULTS);
        o.add("trials", MultiTrialSearch.trialsDefaults());
        return o;
    }

    /** The search space of a resolved search configuration. */
    public static PyramidSpace space(Config config) {
        Config p = config.sub("proxy");
        return new PyramidSpace(
                config.getInt("space.cells"),
                p.getString("backbone"),
                p.getInt("width"),
                1,
                config.getString("space.attention"));
    }

    /** The proxy-task settings of a resolved search configuration. */
    public static DetectorTrainer.Settings proxySettings(Config config) {
        Config p = config.sub("proxy");
        return new DetectorTrainer.Settings(
                p.getInt("image_size"),
                p.getInt("batch"),
                p.getInt("steps"),
                p.getFloat("lr"),
                config.getLong("seed"));
    }

    /** The child evaluator of a resolved search configuration (opens the training split). */
    public static ProxyEvaluator evaluator(Config config) {
        Devices.setUp(config.getInt("threads"), config.getString("device"));
        Config data = config.sub("data");
        DetDataset train =
                DetData.open(data, data.getString("train_split"), config.getLong("seed"));
        Config p = config.sub("proxy");
        return new ProxyEvaluator(
                train,
                p.getInt("held_out_every"),
                p.getString("backbone"),
                p.getInt("width"),
                p.getInt("head_convs"),
                config.getString("space.attention"),
                proxySettings(config));
    }

    /** The controller of a resolved search configuration. */
    static RlSearch<PyramidGenotype> controller(Config config, PyramidSpace space, Path dir) {
        Config s = config.sub("search");
        RlSearch.Algorithm a =
                RlSearch.Algorithm.valueOf(s.getString("algorithm").toUpperCase(Locale.ROOT));
        RlSearch.Options d = RlSearch.Options.defaults(a);
        RlSearch.Options o =
                new RlSearch.Options(
                        a,
                        s.getInt("controller_hidden"),
                        d.layers(),
                        s.getDouble("controller_lr"),
                        d.clip(),
                        d.baselineDecay(),
                        d.maxGradNorm(),
                        s.getInt("rollout_size"),
                        d.ppoEpochs());
        return new RlSearch<>(space, o, config.getLong("seed"), dir);
    }

    /**
     * Runs or resumes the search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue the run
     * @param args the command line, for provenance
     * @param console where progress goes
     * @param runner runs one child; {@code null}: as the configuration's {@code trials} section
     *     says ({@link MultiTrialSearch#forConfig}: in this process with {@link #evaluator}, or as
     *     {@code dpnas trial nasfpn} processes)
     * @return the outcome
     */
    public static SearchMethod.Outcome run(
            Config config,
            RunDirectory run,
            boolean resume,
            List<String> args,
            PrintStream console,
            TrialRunner<PyramidGenotype> runner)
            throws Exception {
        var device = Devices.setUp(config.getInt("threads"), config.getString("device"));
        PyramidSpace space = space(config);
        if (runner == null) {
            evaluator(config); // refuses bad data settings before the first file is written
        }
        run.writeStart(
                config.asJsonObject(),
                resume,
                Provenance.collect(config.getLong("seed"), device.toString(), args));
        long t0 = System.nanoTime();
        RlSearch<PyramidGenotype> controller =
                controller(config, space, run.root().resolve("search/controller"));
        MultiTrialSearch<PyramidGenotype> search =
                runner != null
                        ? new MultiTrialSearch<>(space, controller, runner, run.root(), console)
                        : MultiTrialSearch.forConfig(
                                new NasFpnMethod(), space, controller, config, run.root(), console);
        List<Trial<PyramidGenotype>> trials = search.run(config.getInt("search.trials"));
        Trial<PyramidGenotype> best = trials.get(0);
        for (Trial<PyramidGenotype> t : trials) {
            if (t.score() > best.score()) {
                best = t;
            }
        }
        AtomicFiles.writeString(
                run.best().resolve("genotype.svg"),
                space.picture(
                        best.genotype(),
                        String.format(
                                Locale.ROOT,
                                "NAS-FPN search: best of %d trials, held-out AP %.4f (%s)",
                                trials.size(),
                                best.score(),
                                best.dir())));
        return new SearchMethod.Outcome(
                run,
                best.genotype(),
                trials.size(),
                (System.nanoTime() - t0) / 1e9,
                List.of(
                        "best/genotype.json    the pyramid of the best trial (train it: dpnas train"
                                + " --genotype)",
                        "best/genotype.svg     picture of the pyramid",
                        "best/trial.json       its trial, metrics and held-out AP",
                        "search/history.jsonl  every child: genotype, AP, controller state",
                        "trials/trial-NNNN/    each child's genotype.json and result.json"));
    }

    /** The number of pyramids in a space: the product of the decisions' choices. */
    public static BigInteger count(PyramidSpace space) {
        BigInteger n = BigInteger.ONE;
        for (int c : space.choices()) {
            n = n.multiply(BigInteger.valueOf(c));
        }
        return n;
    }
}
