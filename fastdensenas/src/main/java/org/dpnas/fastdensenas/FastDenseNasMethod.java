package org.dpnas.fastdensenas;

import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.ConfigOption;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.strategies.Strategies;
import org.dpnas.datasets.SegDatasets;

/**
 * Registers FastDenseNAS (Nekrasov et al., CVPR 2019) with the {@code dpnas} command: the
 * controller search over decoders ({@link FdnSearchJob}), its child evaluator ({@link
 * ChildEvaluator}), presets, genotype reader, the retrain network ({@link FdnNet} without auxiliary
 * outputs, encoder from {@code model.encoder_weights}), dry run and benchmark.
 */
public final class FastDenseNasMethod implements SearchMethod {

    /** The decoder width when a training configuration does not name one. */
    public static final int DEFAULT_AGG_SIZE = 48;

    @Override
    public String name() {
        return DecoderGenotype.METHOD;
    }

    @Override
    public String summary() {
        return "FastDenseNAS: RL decoder search over MobileNet-v2, auxiliary cells, two-stage"
                + " children with early stopping";
    }

    @Override
    public JsonObject searchDefaults() {
        return FdnSearchJob.defaults();
    }

    @Override
    public List<ConfigOption> searchOptions() {
        return List.of(
                new ConfigOption(
                        "encoder-weights",
                        "FILE",
                        "torchvision MobileNet-v2 weights (.safetensors); without them the encoder"
                                + " is pre-trained briefly on the run's data",
                        "model.encoder_weights",
                        "string"),
                new ConfigOption(
                        "algorithm",
                        "NAME",
                        "controller: ppo or reinforce",
                        "search.algorithm",
                        "string"),
                new ConfigOption(
                        "children",
                        "N",
                        "children to sample and evaluate",
                        "search.children",
                        "int"),
                new ConfigOption(
                        "teacher",
                        "RUN",
                        "a training run whose logits stage 1 distils (MSE, weight 0.3)",
                        "search.teacher",
                        "string"),
                new ConfigOption("agg-size", "N", "decoder width (48)", "space.agg_size", "int"));
    }

    @Override
    public Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        return FdnSearchJob.run(config, run, resume, args, console);
    }

    @Override
    public void dryRun(Config config, PrintStream out, Path json) throws Exception {
        FdnSettings s = FdnSettings.of(config);
        DecoderSpace d = s.space();
        JsonObject sizes = d.sizes();
        out.printf(
                Locale.ROOT,
                "FastDenseNAS decoder space: %d encoder outputs (MobileNet-v2 %s), %d cells of %d"
                        + " layers, %d ops, agg_size %d%n",
                FdnSettings.ENCODER_OUTPUTS,
                String.join(" ", FdnEncoder.TAPS),
                s.cells(),
                s.cellLayers(),
                DecoderOp.values().length,
                s.aggSize());
        StringBuilder choices = new StringBuilder();
        sizes.getAsJsonArray("choices_per_decision")
                .forEach(c -> choices.append(choices.length() == 0 ? "" : " ").append(c));
        out.printf(
                Locale.ROOT,
                "  decisions              %d%n  choices per decision   %s%n"
                        + "  decision vectors       %s%n  distinct architectures %s (up to"
                        + " swapping the two inputs of a cell or a layer)%n",
                d.decisions().size(),
                choices,
                sizes.get("decision_vectors").getAsString(),
                sizes.get("distinct_architectures").getAsString());
        out.printf(
                Locale.ROOT,
                "  children %d, controller %s; stage 1: %d samples, batch %d, crop %dx%d, %d"
                        + " epochs; stage 2: batch %d, crop %dx%d, %d epoch(s)%n",
                s.children(),
                s.algorithm().name().toLowerCase(Locale.ROOT),
                s.stage1Samples(),
                s.stage1Batch(),
                s.stage1Crop()[0],
                s.stage1Crop()[1],
                s.stage1Epochs(),
                s.stage2Batch(),
                s.stage2Crop()[0],
                s.stage2Crop()[1],
                s.stage2Epochs());
        if (json != null) {
            sizes.addProperty("agg_size", s.aggSize());
            sizes.addProperty("children", s.children());
            sizes.addProperty("algorithm", s.algorithm().name().toLowerCase(Locale.ROOT));
            RunDirectory.writeJson(json, sizes);
            out.println("wrote " + json);
        }
    }

    @Override
    public SearchSpace<DecoderGenotype> space(Config config) {
        return FastDenseNasSpace.of(FdnSettings.of(config));
    }

    @Override
    public Evaluator<DecoderGenotype> evaluator(Config config) {
        return Strategies.rewarded(
                config,
                space(config),
                new ChildEvaluator(config, System.err),
                () -> SegDatasets.spaceClasses(config));
    }

    @Override
    public Genotype readGenotype(Path file) {
        String text = GenotypeFiles.read(file);
        try {
            return DecoderGenotype.fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("genotype file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe(Genotype genotype) {
        DecoderGenotype g = (DecoderGenotype) genotype;
        return new DecoderSpace(g.encoderOutputs(), g.connections().size(), g.layers().size() + 1)
                .describe(g);
    }

    @Override
    public Block retrainNetwork(Config model, int numClasses) {
        if (model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model 'fastdensenas' needs a genotype: give --genotype FILE (model.genotype)");
        }
        DecoderGenotype g = (DecoderGenotype) readGenotype(Path.of(model.getString("genotype")));
        if (g.encoderOutputs() != FdnSettings.ENCODER_OUTPUTS) {
            throw new IllegalArgumentException(
                    "genotype "
                            + model.getString("genotype")
                            + " reads "
                            + g.encoderOutputs()
                            + " encoder outputs; the MobileNet-v2 encoder gives "
                            + FdnSettings.ENCODER_OUTPUTS);
        }
        int agg = optionalInt(model, "agg_size", DEFAULT_AGG_SIZE);
        Path weights = null;
        if (model.has("encoder_weights") && !model.isNull("encoder_weights")) {
            weights = Path.of(model.getString("encoder_weights"));
            if (!Files.isRegularFile(weights)) {
                throw new IllegalArgumentException(
                        "encoder weights " + weights + " (model.encoder_weights) not found");
            }
        }
        return new FdnNet(g, agg, numClasses, DecoderNet.Aux.NONE, 1f, weights);
    }

    private static int optionalInt(Config c, String key, int fallback) {
        return c.has(key) && !c.isNull(key) ? c.getInt(key) : fallback;
    }

    @Override
    public String sizes(Block network) {
        if (network instanceof FdnNet n) {
            return String.format(
                    Locale.ROOT,
                    "MobileNet-v2 + %d decoder cells, agg %d",
                    n.genotype().connections().size(),
                    n.decoder().aggSize());
        }
        return "";
    }

    @Override
    public JsonObject sizesJson(Block network) {
        JsonObject o = new JsonObject();
        if (network instanceof FdnNet n) {
            o.addProperty("cells", n.genotype().connections().size());
            o.addProperty("agg_size", n.decoder().aggSize());
        }
        return o;
    }

    @Override
    public Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        FdnBench.Result r = FdnBench.run(preset, warmup, iters, seed);
        List<String[]> n = new ArrayList<>();
        JsonObject o = new JsonObject();
        o.addProperty("preset", preset);
        o.addProperty("iters", iters);
        for (var e : r.numbers().entrySet()) {
            n.add(new String[] {e.getKey(), String.format(Locale.ROOT, "%.1f", e.getValue())});
            o.addProperty(e.getKey(), e.getValue());
        }
        // the reference (DrSleep/nas-segm-pytorch) at this bench's setting, thread CPU at one
        // thread, medians of 7 rounds (controller: 2) with every other process paused, on the
        // project's 2-core machine (fastdensenas/README.md, "Grouped cells ..."; measured with
        // fastdensenas/bench/reference_step.py); the issue quoted 115 / 275 / 1,900 ms
        JsonObject ref = new JsonObject();
        ref.addProperty("stage1_step_ms", 101.2);
        ref.addProperty("stage2_step_ms", 440.9);
        ref.addProperty("controller_update_ms", 4731);
        ref.addProperty(
                "measured", "thread CPU, 1 thread, quiet, 2026-11-30, fastdensenas/README.md");
        o.add("reference_thread_cpu", ref);
        return Optional.of(new Bench(r.header(), n, o));
    }
}
