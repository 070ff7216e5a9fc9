package org.dpnas.cli.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.Opts;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.ChildProcesses;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;

/**
 * {@code dpnas trial METHOD}: evaluates one child of a multi-trial search in its own process (what
 * a launcher slot or a Slurm job of {@code dpnas search ... --backend local|slurm} runs): rebuilds
 * the child's evaluator from the search's configuration ({@link SearchMethod#evaluator}, or the
 * retrain of {@code --strategy random}), evaluates the genotype in the run directory (resuming it
 * when a previous attempt was cut off) and writes {@link ChildProcesses#RESULT_FILE} there.
 */
public final class TrialChildCommand implements Command {

    @Override
    public String name() {
        return "trial";
    }

    @Override
    public String summary() {
        return "evaluate one child of a multi-trial search (run by the search's launcher)";
    }

    @Override
    public List<String> positionals() {
        return List.of("METHOD");
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("config", "FILE", "the search's child configuration"),
                Opts.required("genotype", "FILE", "the child's genotype"),
                Opts.required("run-dir", "DIR", "the child's run directory"),
                Opts.value(
                        "evaluator",
                        "E",
                        "method (the method's child evaluator) or retrain (random search's"
                                + " retrain)",
                        "method"),
                Opts.value(
                        "trial-steps",
                        "N",
                        "with --evaluator retrain: training steps (0: the train defaults')",
                        "0"));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 1);
        String name = Args.positional(cl, 0, "METHOD");
        SearchMethod method =
                Registry.method(name)
                        .orElseThrow(
                                () -> new CliException("trial: no search method '" + name + "'"));
        Path file = Args.path(cl, "config", null);
        if (!Files.isRegularFile(file)) {
            throw new CliException("--config " + file + ": no such file");
        }
        JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        Config config = ConfigLoader.load(json, null, List.of());
        String evaluator = Args.string(cl, "evaluator", "method");
        int steps = Args.intValue(cl, "trial-steps", 0);
        if (!evaluator.equals("method") && !evaluator.equals("retrain")) {
            throw new CliException("--evaluator " + evaluator + ": expected method or retrain");
        }
        return child(
                method,
                method.space(config),
                config,
                evaluator,
                steps,
                Args.path(cl, "genotype", null),
                Args.path(cl, "run-dir", null).toAbsolutePath(),
                JobOptions.words("trial " + name, cl),
                out,
                err);
    }

    @SuppressWarnings("unchecked")
    private static <G extends Genotype> int child(
            SearchMethod method,
            SearchSpace<G> space,
            Config config,
            String evaluator,
            int steps,
            Path genotypeFile,
            Path runDir,
            List<String> args,
            PrintStream out,
            PrintStream err)
            throws Exception {
        G g = space.read(genotypeFile);
        Evaluator<G> e =
                evaluator.equals("retrain")
                        ? RandomTrials.retrain(method, space, config, steps, args, err)
                        : (Evaluator<G>) method.evaluator(config);
        Evaluator.Result r = e.evaluate(g, runDir);
        ChildProcesses.writeResult(runDir, r);
        out.printf(
                Locale.ROOT,
                "trial %s: score %.6f — %s%n",
                runDir.getFileName(),
                r.score(),
                runDir);
        return 0;
    }
}
