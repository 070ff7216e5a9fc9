package org.dpnas.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.SearchMethod;

/**
 * {@code dpnas bench METHOD}: times a registered method's search step (its weight and architecture
 * steps on random data at a preset size) and prints the medians, the throughput, the peak resident
 * memory and the arrays one step creates.
 */
public final class BenchMethodCommand implements Command {

    private final SearchMethod method;

    /**
     * The benchmark verb of one method.
     *
     * @param method a registered method that has a benchmark
     */
    public BenchMethodCommand(SearchMethod method) {
        this.method = method;
    }

    @Override
    public String name() {
        return method.name();
    }

    @Override
    public String summary() {
        return "time the " + method.name() + " search step on random data";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value(
                        "preset", "NAME", "a benchmark preset (e.g. tiny, small, paper)", "small"),
                Opts.value("iters", "N", "timed iterations", "10 (3 for paper)"),
                Opts.value("warmup", "N", "untimed iterations first", "2 (1 for paper)"),
                Opts.value("threads", "T", "intra-op threads of the engine", "1"),
                Opts.value(
                        "impl",
                        "NAME",
                        "implementation (fused or plain cells where the method has both) or one-shot"
                                + " strategy (gdas) of the timed step",
                        "fused"),
                Opts.value("seed", "N", "seed of weights and data", "0"),
                Opts.value("json", "FILE", "also write the numbers as JSON", null));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        String preset = Args.string(cl, "preset", "small");
        boolean paper = preset.equals("paper");
        int iters = Args.intValue(cl, "iters", paper ? 3 : 10);
        int warmup = Args.intValue(cl, "warmup", paper ? 1 : 2);
        int threads = Args.intValue(cl, "threads", 1);
        if (iters < 1 || warmup < 0 || threads < 1) {
            throw new CliException("need --iters >= 1, --warmup >= 0 and --threads >= 1");
        }
        Engine.getInstance();
        JniUtils.setNumThreads(threads);
        Optional<SearchMethod.Bench> r;
        try {
            r =
                    method.bench(
                            preset,
                            Args.string(cl, "impl", "fused"),
                            warmup,
                            iters,
                            Args.longValue(cl, "seed", 0));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (r.isEmpty()) {
            throw new CliException(method.name() + " has no benchmark");
        }
        out.printf(Locale.ROOT, "%s, %d thread(s)%n", r.get().header(), threads);
        for (String[] n : r.get().numbers()) {
            out.println(n[0] + " " + n[1]);
        }
        out.printf(Locale.ROOT, "threads %d%n", threads);
        var malloc = Provenance.malloc();
        out.println(
                "malloc "
                        + (malloc.size() == 0
                                ? "glibc defaults (the dpnas launcher sets "
                                        + String.join(", ", Provenance.LAUNCHER_MALLOC_SETTINGS)
                                        + ": README, Devices and GPUs)"
                                : malloc.toString()));
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            var o = r.get().json().deepCopy();
            o.addProperty("threads", threads);
            o.add("malloc", malloc);
            RunDirectory.writeJson(json, o);
        }
        return 0;
    }
}
