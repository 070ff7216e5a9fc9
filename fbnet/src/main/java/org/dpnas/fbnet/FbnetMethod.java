package org.dpnas.fbnet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ConfigOption;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.StepBench;
import org.dpnas.fbnet.search.FbnetSearchJob;

/**
 * Registers FBNet (Wu et al., CVPR 2019) with the {@code dpnas} command: the latency-aware
 * Gumbel-softmax search of a MobileNet-v2-like segmentation encoder, presets, genotype reader,
 * retrain network ({@link FbnetNet}), dry run and benchmark.
 */
public final class FbnetMethod implements SearchMethod {

    @Override
    public String name() {
        return FbnetGenotype.METHOD;
    }

    @Override
    public String summary() {
        return "FBNet: layer-wise block search with Gumbel-softmax and a latency-aware loss";
    }

    @Override
    public JsonObject searchDefaults() {
        return FbnetSearchJob.defaults();
    }

    @Override
    public List<ConfigOption> searchOptions() {
        return List.of(
                new ConfigOption("width", "W", "channel multiplier", "space.width", "float"),
                new ConfigOption(
                        "output-stride",
                        "16|32",
                        "encoder output stride",
                        "space.output_stride",
                        "int"),
                new ConfigOption("epochs", "N", "search epochs", "search.epochs", "int"),
                new ConfigOption(
                        "latency-alpha",
                        "α",
                        "α of CE·α·log(LAT)^β (0: no latency term)",
                        "search.latency_alpha",
                        "float"),
                new ConfigOption(
                        "latency-beta",
                        "β",
                        "β of CE·α·log(LAT)^β",
                        "search.latency_beta",
                        "float"),
                new ConfigOption(
                        "max-steps",
                        "N",
                        "stop after N steps (0: all epochs)",
                        "search.max_steps",
                        "int"),
                new ConfigOption(
                        "batch-size",
                        "N",
                        "images per step (each split)",
                        "search.batch_size",
                        "int"));
    }

    @Override
    public Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        FbnetSearchJob.Outcome o = FbnetSearchJob.run(config, run, resume, args, console);
        console.printf(
                Locale.ROOT,
                "LUT latency of the found architecture %.3f %s (fastest possible %.3f)%n",
                o.lut().latency(o.genotype()),
                o.lut().unit(),
                o.lut().fastest());
        return new Outcome(
                o.run(),
                o.genotype(),
                o.loop().steps(),
                o.loop().seconds(),
                List.of(
                        "best/genotype.json    the genotype of the best supernet-val-mIoU epoch"
                                + " (retrain: dpnas train --genotype)",
                        "last/genotype.json    the genotype of the last epoch",
                        "best/genotype.svg     the layers' blocks as a picture",
                        "search/genotypes.jsonl the decoded genotype, supernet val mIoU and LUT"
                                + " latency per epoch",
                        "cost/latency-table.json  block latencies measured here (reusable:"
                                + " search.latency_table)",
                        "cost/lut.txt          the lookup table per layer and candidate",
                        "checkpoints/          weights, θ, both optimizers and the Gumbel"
                                + " stream (--resume)"));
    }

    @Override
    public void dryRun(Config config, PrintStream out, Path json) throws Exception {
        FbnetSearchJob.check(config);
        FbnetSizes s = FbnetSearchJob.sizes(config);
        FbnetNet net = FbnetNet.supernet(s);
        long weights = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            for (Parameter p : net.weightParameters()) {
                weights += p.getArray().size();
            }
        }
        int layers = s.layerCount();
        int choices = FbnetOp.ALL.size();
        BigInteger archs = BigInteger.valueOf(choices).pow(layers);
        out.printf(
                Locale.ROOT,
                "FBNet supernet: %d layers x %d candidates, width %s, depths %s, output stride"
                        + " %d, ASPP %d rates %s, %d classes%n",
                layers,
                choices,
                s.width(),
                s.depths(),
                s.outputStride(),
                s.headChannels(),
                s.asppRates(),
                s.numClasses());
        out.printf(
                Locale.ROOT,
                "  weights       %,d%n  theta         %d x %d%n  architectures 9^%d = %s%n",
                weights,
                layers,
                choices,
                layers,
                archs);
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("weights", weights);
            o.addProperty("layers", layers);
            o.addProperty("choices_per_layer", choices);
            o.addProperty("architectures", archs);
            JsonArray ops = new JsonArray();
            FbnetOp.ALL.forEach(op -> ops.add(op.opName()));
            o.add("ops", ops);
            JsonArray plan = new JsonArray();
            for (FbnetSizes.Layer y : s.layers()) {
                JsonObject l = new JsonObject();
                l.addProperty("in", y.in());
                l.addProperty("out", y.out());
                l.addProperty("stride", y.stride());
                l.addProperty("dilation", y.dilation());
                plan.add(l);
            }
            o.add("layer_shapes", plan);
            o.addProperty("width", s.width());
            o.addProperty("output_stride", s.outputStride());
            o.addProperty("num_classes", s.numClasses());
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
    }

    @Override
    public SearchSpace<FbnetGenotype> space(Config config) {
        return new FbnetSpace(FbnetSearchJob.sizes(config));
    }

    @Override
    public Genotype readGenotype(Path file) {
        return new FbnetSpace(null).read(file);
    }

    @Override
    public String describe(Genotype genotype) {
        return new FbnetSpace(null).describe((FbnetGenotype) genotype);
    }

    @Override
    public Block retrainNetwork(Config model, int numClasses) {
        if (model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model 'fbnet' needs a genotype: give --genotype FILE (model.genotype)");
        }
        FbnetGenotype g = (FbnetGenotype) readGenotype(Path.of(model.getString("genotype")));
        return FbnetNet.fixed(g, numClasses);
    }

    @Override
    public Block searchNetwork(Config config) {
        // an evaluation pass runs every layer's argmax-θ block, as the search validated it
        return FbnetNet.supernet(FbnetSearchJob.sizes(config));
    }

    @Override
    public String sizes(Block network) {
        if (network instanceof FbnetNet n) {
            return String.format(
                    Locale.ROOT,
                    "width %s, %d layers, output stride %d",
                    n.sizes().width(),
                    n.sizes().layerCount(),
                    n.sizes().outputStride());
        }
        return "";
    }

    @Override
    public JsonObject sizesJson(Block network) {
        JsonObject o = new JsonObject();
        if (network instanceof FbnetNet n) {
            o.addProperty("width", n.sizes().width());
            o.addProperty("layers", n.sizes().layerCount());
            o.addProperty("output_stride", n.sizes().outputStride());
        }
        return o;
    }

    @Override
    public Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        // the command's default --impl (fused) names the one step FBNet has
        if (impl != null && !impl.equals("gumbel") && !impl.equals("fused")) {
            throw new IllegalArgumentException(
                    "--impl: FBNet has one step (gumbel, the default), got '" + impl + "'");
        }
        StepBench.Result r = FbnetBench.run(preset, warmup, iters, seed);
        JsonObject o = r.timing().json(preset, iters);
        o.addProperty("strategy", "gumbel");
        String header =
                String.format(
                        Locale.ROOT,
                        "preset %s (%s), Gumbel-softmax step with the latency loss, %d iters"
                                + " after %d warm-up",
                        preset,
                        r.description(),
                        iters,
                        warmup);
        return Optional.of(new Bench(header, r.timing().lines(), o));
    }
}
