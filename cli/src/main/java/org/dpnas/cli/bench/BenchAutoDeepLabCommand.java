package org.dpnas.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.autodeeplab.SupernetBench;
import org.dpnas.autodeeplab.SupernetImpl;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.run.RunDirectory;

/**
 * {@code dpnas bench autodeeplab}: times the Auto-DeepLab supernet's weight step and architecture
 * step on random data at a preset size (see {@link SupernetBench}) and prints the medians, the
 * throughput, the peak resident memory and the arrays one step creates.
 */
public final class BenchAutoDeepLabCommand implements Command {

    @Override
    public String name() {
        return "autodeeplab";
    }

    @Override
    public String summary() {
        return "time the Auto-DeepLab supernet's weight and architecture steps on random data";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value(
                        "preset",
                        "NAME",
                        "tiny, small (L 4, crop 64) or paper (L 12, crop 321)",
                        "small"),
                Opts.value("iters", "N", "timed iterations", "10 (3 for paper)"),
                Opts.value("warmup", "N", "untimed iterations first", "2 (1 for paper)"),
                Opts.value("threads", "T", "intra-op threads of the engine", "1"),
                Opts.value("impl", "NAME", "supernet implementation: fused or plain", "fused"),
                Opts.value("seed", "N", "seed of weights and data", "0"),
                Opts.value("json", "FILE", "also write the numbers as JSON", null));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        SupernetBench.Preset preset;
        SupernetImpl impl;
        try {
            preset = SupernetBench.Preset.named(Args.string(cl, "preset", "small"));
            impl = SupernetImpl.valueOf(Args.string(cl, "impl", "fused").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        boolean paper = preset.name().equals("paper");
        int iters = Args.intValue(cl, "iters", paper ? 3 : 10);
        int warmup = Args.intValue(cl, "warmup", paper ? 1 : 2);
        int threads = Args.intValue(cl, "threads", 1);
        if (iters < 1 || warmup < 0 || threads < 1) {
            throw new CliException("need --iters >= 1, --warmup >= 0 and --threads >= 1");
        }
        Engine.getInstance();
        JniUtils.setNumThreads(threads);
        SupernetBench.Result r =
                SupernetBench.run(preset, impl, warmup, iters, Args.longValue(cl, "seed", 0));
        out.printf(
                Locale.ROOT,
                "preset %s (%s), impl %s, %d iters after %d warm-up, %d thread(s)%n",
                preset.name(),
                preset.config(),
                impl.name().toLowerCase(Locale.ROOT),
                iters,
                warmup,
                threads);
        out.printf(Locale.ROOT, "weight_step_ms %.1f%n", r.weightStepMs());
        out.printf(Locale.ROOT, "arch_step_ms %.1f%n", r.archStepMs());
        out.printf(Locale.ROOT, "images_per_s %.3f%n", r.imagesPerSecond());
        out.printf(Locale.ROOT, "peak_rss_mib %.0f%n", r.peakRssMib());
        out.printf(Locale.ROOT, "threads %d%n", threads);
        out.printf(Locale.ROOT, "arrays_per_step %d%n", r.arraysPerStep());
        out.printf(Locale.ROOT, "forward_ms %.1f (of the weight step)%n", r.forwardMs());
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("preset", preset.name());
            o.addProperty("iters", iters);
            o.addProperty("weight_step_ms", r.weightStepMs());
            o.addProperty("arch_step_ms", r.archStepMs());
            o.addProperty("images_per_s", r.imagesPerSecond());
            o.addProperty("peak_rss_mib", r.peakRssMib());
            o.addProperty("threads", threads);
            RunDirectory.writeJson(json, o);
        }
        return 0;
    }
}
