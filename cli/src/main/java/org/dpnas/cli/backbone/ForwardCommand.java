package org.dpnas.cli.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.io.SafeTensors;
import org.dpnas.common.io.SafeTensorsException;
import org.dpnas.common.io.TensorInfo;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.dpnas.common.train.Devices;

/**
 * {@code dpnas backbone forward}: reads the tensor {@code input} (N×3×H×W) from a safetensors file,
 * runs a backbone with the given weights in inference mode (BatchNorm on running statistics) and
 * writes every tap as float32 under its name ({@code stem}, {@code layer1}…{@code layer4} for a
 * ResNet; {@code features.0}…{@code features.18} for MobileNet-v2).
 */
public final class ForwardCommand implements Command {

    /** The name of the input tensor. */
    public static final String INPUT = "input";

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "run a backbone on an input tensor and write its feature taps (safetensors)";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("arch", "ARCH", "one of " + String.join(", ", Backbones.NAMES)),
                Opts.required("weights", "FILE", "the backbone's weights (.safetensors)"),
                Opts.required(
                        "input", "FILE", "safetensors file with the tensor 'input' (N×3×H×W)"),
                Opts.required("out", "FILE", "the .safetensors file the taps are written to"),
                Opts.value("output-stride", "N", "8, 16 or 32", "32"),
                Opts.value("width", "X", "MobileNet-v2 width multiplier", "1.0"),
                Opts.value(
                        "strict",
                        "BOOL",
                        "weights must match exactly (false: load what matches, print the rest)",
                        "true"),
                Opts.value("threads", "T", "libtorch intra-op threads", "1"));
    }

    @Override
    public List<String> positionals() {
        return List.of();
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        String arch = Args.requiredString(cl, "arch");
        Path weights = Path.of(Args.requiredString(cl, "weights"));
        Path inputFile = Path.of(Args.requiredString(cl, "input"));
        Path target = Path.of(Args.requiredString(cl, "out"));
        int os = Args.intValue(cl, "output-stride", 32);
        float width = Args.floatValue(cl, "width", 1f);
        String strictText = Args.string(cl, "strict", "true");
        if (!strictText.equals("true") && !strictText.equals("false")) {
            throw new CliException(
                    "option '--strict' must be true or false, got '" + strictText + "'");
        }
        Backbone b;
        try {
            b = Backbones.create(arch, os, width);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Devices.setUp(Args.intValue(cl, "threads", 1), "cpu");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = readInput(m, inputFile);
            b.initialize(m, DataType.FLOAT32, x.getShape());
            WeightFiles.LoadReport r =
                    WeightFiles.load(b, weights, strictText.equals("true"), Backbone.HEAD_PREFIXES);
            if (!r.complete()) {
                err.println("WARNING: " + weights + " (--strict false):\n" + r.problems());
            }
            NDList taps = b.forward(new ParameterStore(m, false), new NDList(x), false);
            Map<String, SafeTensors.Tensor> outTensors = new LinkedHashMap<>();
            for (int i = 0; i < taps.size(); i++) {
                NDArray t = taps.get(i);
                outTensors.put(
                        b.tapNames().get(i),
                        new SafeTensors.Tensor(t.getShape().getShape(), t.toFloatArray()));
            }
            SafeTensors.write(
                    target, outTensors, Map.of("arch", arch, "output_stride", String.valueOf(os)));
            for (Map.Entry<String, SafeTensors.Tensor> e : outTensors.entrySet()) {
                out.printf(
                        Locale.ROOT,
                        "%-12s %s%n",
                        e.getKey(),
                        SafeTensors.shapeText(e.getValue().shape()));
            }
            out.println("wrote " + target);
        } catch (SafeTensorsException e) {
            throw new CliException(e.getMessage(), 1);
        }
        return 0;
    }

    private static NDArray readInput(NDManager m, Path file) throws SafeTensorsException {
        try (SafeTensors st = SafeTensors.open(file)) {
            if (!st.tensors().containsKey(INPUT)) {
                throw new SafeTensorsException(
                        file,
                        INPUT,
                        "missing; the file has " + String.join(", ", st.tensors().keySet()));
            }
            TensorInfo t = st.info(INPUT);
            long[] s = t.shape();
            if (s.length != 4 || s[1] != 3 || s[0] < 1 || s[2] < 1 || s[3] < 1) {
                throw new SafeTensorsException(
                        file, INPUT, "shape " + t.shapeText() + " is not N×3×H×W");
            }
            return m.create(st.readFloats(INPUT), new Shape(s));
        } catch (SafeTensorsException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new SafeTensorsException(file, null, e.getMessage());
        }
    }
}
