package org.dpnas.cli.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.cli.cost.CostCommand;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.dpnas.common.train.Devices;

/**
 * {@code dpnas backbone cost}: a backbone's parameters and multiply-adds ({@link CostCounter}) and
 * its inference latency ({@link LatencyMeter}: median, p10, p90 after warm-up) at an input shape.
 */
public final class CostBackboneCommand implements Command {

    @Override
    public String name() {
        return "cost";
    }

    @Override
    public String summary() {
        return "count a backbone's parameters and multiply-adds and time its forward pass";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("arch", "ARCH", "one of " + String.join(", ", Backbones.NAMES)),
                Opts.value("input", "NxCxHxW", "input shape", "1x3x512x1024"),
                Opts.value("output-stride", "N", "8, 16 or 32", "32"),
                Opts.value("width", "X", "MobileNet-v2 width multiplier", "1.0"),
                Opts.value("threads", "T", "libtorch intra-op threads", "1"),
                Opts.value("runs", "N", "timed forward passes", "5"),
                Opts.value("warmup", "N", "untimed forward passes before them", "1"));
    }

    @Override
    public List<String> positionals() {
        return List.of();
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        String arch = Args.requiredString(cl, "arch");
        Shape input = CostCommand.parseShape("--input", Args.string(cl, "input", "1x3x512x1024"));
        int runs = Args.intValue(cl, "runs", 5);
        int warmup = Args.intValue(cl, "warmup", 1);
        if (runs < 1 || warmup < 0) {
            throw new CliException("--runs must be >= 1 and --warmup >= 0");
        }
        Backbone b;
        try {
            b =
                    Backbones.create(
                            arch,
                            Args.intValue(cl, "output-stride", 32),
                            Args.floatValue(cl, "width", 1f));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Devices.setUp(Args.intValue(cl, "threads", 1), "cpu");
        CostReport c = CostCounter.of(b, input);
        LatencyMeter.Result lat;
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, input);
            lat = new LatencyMeter(warmup, runs).measure(b, m, input);
        }
        out.printf(
                Locale.ROOT,
                "%s (output stride %d) at %s: %,d parameters (+%,d BatchNorm statistics),"
                        + " %.2f GMACs%n",
                arch,
                b.outputStride(),
                input,
                c.params(),
                c.nonTrainableParams(),
                c.macs() / 1e9);
        out.printf(
                Locale.ROOT,
                "latency %.1f ms median (p10 %.1f, p90 %.1f) over %d runs after %d warm-up, %d"
                        + " thread(s), %s%n",
                lat.medianMs(),
                lat.p10Ms(),
                lat.p90Ms(),
                lat.runs(),
                lat.warmup(),
                lat.threads(),
                lat.device());
        for (String w : c.warnings()) {
            out.println("warning: " + w);
        }
        return 0;
    }
}
