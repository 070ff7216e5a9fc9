package org.dpnas.cli.pretrain;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.nn.backbone.Backbones;

/**
 * {@code dpnas pretrain --backbone ARCH --images DIR --out W.safetensors}: trains the backbone with
 * a linear classifier on a folder of images (one sub-folder per class) and writes the backbone's
 * weights, loadable with {@code --backbone-weights} ({@code model.backbone_weights}) and {@code
 * dpnas backbone forward}. See {@link Pretraining}.
 */
public final class PretrainCommand implements Command {

    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String summary() {
        return "pre-train a backbone as a classifier on an image folder (DJL ImageFolder)";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("backbone", "ARCH", "one of " + String.join(", ", Backbones.NAMES)),
                Opts.required("images", "DIR", "image folder: one sub-folder of images per class"),
                Opts.required("out", "FILE", "the .safetensors file the backbone is written to"),
                Opts.value("width", "X", "MobileNet-v2 width multiplier", "1.0"),
                Opts.value("size", "N", "images are resized to N x N", "224"),
                Opts.value("epochs", "N", "passes over the folder", "10"),
                Opts.value("max-steps", "N", "stop after N batches (0: no limit)", "0"),
                Opts.value("batch-size", "N", "images per batch", "32"),
                Opts.value("lr", "X", "SGD learning rate", "0.05"),
                Opts.value("momentum", "X", "SGD momentum", "0.9"),
                Opts.value("weight-decay", "X", "L2 weight decay", "1e-4"),
                Opts.value("flip", "BOOL", "random horizontal flips", "true"),
                Opts.value("seed", "N", "random seed (weights, order, flips)", "0"),
                Opts.value("threads", "T", "libtorch intra-op threads", "1"));
    }

    @Override
    public List<String> positionals() {
        return List.of();
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        String arch = Args.requiredString(cl, "backbone");
        if (arch.equals("mobilenetv2")) {
            arch = "mobilenet_v2";
        }
        if (!Backbones.NAMES.contains(arch)) {
            throw new CliException(
                    "option '--backbone' must be one of "
                            + String.join(", ", Backbones.NAMES)
                            + ", got '"
                            + arch
                            + "'");
        }
        Path images = Path.of(Args.requiredString(cl, "images"));
        Path target = Path.of(Args.requiredString(cl, "out"));
        int size = Args.intValue(cl, "size", 224);
        int epochs = Args.intValue(cl, "epochs", 10);
        int maxSteps = Args.intValue(cl, "max-steps", 0);
        int batch = Args.intValue(cl, "batch-size", 32);
        float lr = Args.floatValue(cl, "lr", 0.05f);
        float momentum = Args.floatValue(cl, "momentum", 0.9f);
        float wd = Args.floatValue(cl, "weight-decay", 1e-4f);
        String flip = Args.string(cl, "flip", "true");
        int threads = Args.intValue(cl, "threads", 1);
        float width = Args.floatValue(cl, "width", 1f);
        require(size >= 32, "--size must be at least 32 (the backbone's stride), got " + size);
        require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        require(maxSteps >= 0, "--max-steps must be >= 0, got " + maxSteps);
        require(batch >= 1, "--batch-size must be at least 1, got " + batch);
        require(lr > 0 && Float.isFinite(lr), "--lr must be > 0, got " + lr);
        require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
        require(wd >= 0 && Float.isFinite(wd), "--weight-decay must be >= 0, got " + wd);
        require(threads >= 0, "--threads must be >= 0, got " + threads);
        require(
                flip.equals("true") || flip.equals("false"),
                "--flip must be true or false, got '" + flip + "'");
        require(
                target.getFileName() != null
                        && target.getFileName().toString().endsWith(".safetensors"),
                "--out must name a .safetensors file, got " + target);
        Pretraining.Result r =
                Pretraining.run(
                        new Pretraining.Params(
                                images,
                                arch,
                                width,
                                target,
                                size,
                                epochs,
                                maxSteps,
                                batch,
                                lr,
                                momentum,
                                wd,
                                flip.equals("true"),
                                Args.longValue(cl, "seed", 0L),
                                threads),
                        err);
        out.printf(
                Locale.ROOT,
                "wrote %s (%s backbone, %d steps in %.1f s, final loss %.4f, accuracy %.3f)%n",
                target,
                arch,
                r.steps(),
                r.seconds(),
                r.epochLoss().get(r.epochLoss().size() - 1),
                r.epochAccuracy().get(r.epochAccuracy().size() - 1));
        return 0;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new CliException(message);
        }
    }
}
