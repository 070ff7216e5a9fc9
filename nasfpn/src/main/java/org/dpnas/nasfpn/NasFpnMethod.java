package org.dpnas.nasfpn;

import ai.djl.nn.Block;
import ai.djl.util.Pair;
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
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.strategies.Strategies;

/**
 * Registers NAS-FPN (Ghiasi et al., CVPR 2019) with the {@code dpnas} command: the multi-trial
 * pyramid search ({@link NasFpnSearch}) with presets {@code tiny}, {@code bccd} and {@code paper},
 * its child evaluator, genotype reader, the RetinaNet retrain network of a pyramid genotype, sizes
 * for {@code cost} and the training benchmark.
 */
public final class NasFpnMethod implements SearchMethod {

    /** Pyramid width of a retrain network whose model section names none (RetinaNet: 256). */
    public static final int DEFAULT_WIDTH = 256;

    /** Subnet depth of a retrain network whose model section names none (RetinaNet: 4). */
    public static final int DEFAULT_HEAD_CONVS = 4;

    @Override
    public String name() {
        return PyramidGenotype.METHOD;
    }

    @Override
    public String summary() {
        return "NAS-FPN: RL search of a RetinaNet's merging-cell feature pyramid (reward: held-out"
                + " AP)";
    }

    @Override
    public JsonObject searchDefaults() {
        return NasFpnSearch.defaults();
    }

    @Override
    public List<ConfigOption> searchOptions() {
        return List.of(
                new ConfigOption(
                        "cells", "N", "merging cells per pyramid (paper: 7)", "space.cells", "int"),
                new ConfigOption(
                        "proxy-steps", "N", "training steps of each child", "proxy.steps", "int"),
                new ConfigOption(
                        "proxy-size",
                        "PX",
                        "image side of the proxy task",
                        "proxy.image_size",
                        "int"));
    }

    @Override
    public Outcome search(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        return NasFpnSearch.run(config, run, resume, args, console, null);
    }

    @Override
    public void dryRun(Config config, PrintStream out, Path json) throws Exception {
        PyramidSpace space = NasFpnSearch.space(config);
        int[] choices = space.choices();
        BigInteger count = NasFpnSearch.count(space);
        out.printf(
                Locale.ROOT,
                "NAS-FPN space: %d merging cells on P3-P7, %d decisions, %s pyramids (%.3g)%n",
                space.cells(),
                choices.length,
                count,
                count.doubleValue());
        out.printf(
                Locale.ROOT,
                "  proxy: %s, width %d, %d px, %d steps of %d images; %d trials%n",
                config.getString("proxy.backbone"),
                config.getInt("proxy.width"),
                config.getInt("proxy.image_size"),
                config.getInt("proxy.steps"),
                config.getInt("proxy.batch"),
                config.getInt("search.trials"));
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("cells", space.cells());
            o.addProperty("decisions", choices.length);
            JsonArray c = new JsonArray();
            for (int x : choices) {
                c.add(x);
            }
            o.add("choices", c);
            JsonArray names = new JsonArray();
            space.decisionNames().forEach(names::add);
            o.add("decision_names", names);
            o.addProperty("count", count);
            o.addProperty("trials", config.getInt("search.trials"));
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
    }

    @Override
    public SearchSpace<PyramidGenotype> space(Config config) {
        return NasFpnSearch.space(config);
    }

    @Override
    public Evaluator<PyramidGenotype> evaluator(Config config) {
        ProxyEvaluator e = NasFpnSearch.evaluator(config);
        return Strategies.rewarded(config, NasFpnSearch.space(config), e, e::numClasses);
    }

    @Override
    public Genotype readGenotype(Path file) {
        return new PyramidSpace(7, "resnet10", 1, 1, "tf").read(file);
    }

    @Override
    public String describe(Genotype genotype) {
        PyramidGenotype g = (PyramidGenotype) genotype;
        return new PyramidSpace(Math.max(5, g.cells().size()), "resnet10", 1, 1, "tf").describe(g);
    }

    /**
     * The pyramid a model section names: {@code model.genotype} is a built-in name ({@code fpn},
     * {@code nasfpn}) or a genotype file.
     *
     * @throws IllegalArgumentException naming the key or file
     */
    public static PyramidGenotype genotype(Config model) {
        if (!model.has("genotype") || model.isNull("genotype")) {
            throw new IllegalArgumentException(
                    "model 'nasfpn' needs a pyramid: model.genotype = fpn, nasfpn or a"
                            + " genotype.json (--genotype FILE)");
        }
        String g = model.getString("genotype");
        if (g.equals("fpn") || g.equals("nasfpn")) {
            return PyramidGenotype.builtIn(g);
        }
        return (PyramidGenotype) new NasFpnMethod().readGenotype(Path.of(g));
    }

    /**
     * The RetinaNet of a model section: {@code genotype}, and when present {@code backbone}
     * (resnet50), {@code pyramid_width} (256), {@code repeats} (1), {@code attention} (tf), {@code
     * head_convs} (4) — the defaults are RetinaNet's.
     */
    public static RetinaNet network(Config model, int numClasses) {
        return new RetinaNet(
                string(model, "backbone", "resnet50"),
                genotype(model),
                integer(model, "pyramid_width", DEFAULT_WIDTH),
                integer(model, "repeats", 1),
                string(model, "attention", "tf"),
                numClasses,
                9,
                integer(model, "head_convs", DEFAULT_HEAD_CONVS));
    }

    private static String string(Config c, String key, String fallback) {
        return c.has(key) && !c.isNull(key) ? c.getString(key) : fallback;
    }

    private static int integer(Config c, String key, int fallback) {
        return c.has(key) && !c.isNull(key) ? c.getInt(key) : fallback;
    }

    @Override
    public Block retrainNetwork(Config model, int numClasses) {
        return network(model, numClasses);
    }

    @Override
    public String sizes(Block network) {
        if (network instanceof RetinaNet n) {
            Sizes s = Sizes.of(n);
            if (!n.isInitialized()) {
                return String.format(
                        Locale.ROOT,
                        "%s, %d merging cells x %d stack(s), width %d",
                        n.backboneName(),
                        s.cells,
                        n.exits(),
                        n.width());
            }
            return String.format(
                    Locale.ROOT,
                    "%s, %d merging cells x %d stack(s), width %d; pyramid %,d params, heads %,d"
                            + " params",
                    n.backboneName(),
                    s.cells,
                    n.exits(),
                    n.width(),
                    s.pyramid,
                    s.heads);
        }
        return "";
    }

    @Override
    public JsonObject sizesJson(Block network) {
        JsonObject o = new JsonObject();
        if (network instanceof RetinaNet n) {
            Sizes s = Sizes.of(n);
            o.addProperty("backbone", n.backboneName());
            o.addProperty("merging_cells", s.cells);
            o.addProperty("stacks", n.exits());
            o.addProperty("pyramid_width", n.width());
            if (!n.isInitialized()) {
                return o; // part sizes need the shapes of an initialised network
            }
            o.addProperty("params_backbone", s.backbone);
            o.addProperty("params_laterals", s.laterals);
            o.addProperty("params_pyramid", s.pyramid);
            o.addProperty("params_heads", s.heads);
        }
        return o;
    }

    /** Trainable parameters of a detector's parts (counted from the initialised shapes). */
    private record Sizes(int cells, long backbone, long laterals, long pyramid, long heads) {
        static Sizes of(RetinaNet n) {
            long b = 0;
            long l = 0;
            long p = 0;
            long h = 0;
            for (Pair<String, Block> child : n.getChildren()) {
                long size = trainable(child.getValue());
                String k = child.getKey();
                if (k.contains("backbone")) {
                    b += size;
                } else if (k.contains("lateral")) {
                    l += size;
                } else if (k.contains("pyramid")) {
                    p += size;
                } else {
                    h += size;
                }
            }
            return new Sizes(n.pyramid().genotype().cells().size() * n.exits(), b, l, p, h);
        }
    }

    private static long trainable(Block block) {
        long n = 0;
        for (Pair<String, ai.djl.nn.Parameter> e : block.getParameters()) {
            ai.djl.nn.Parameter par = e.getValue();
            if (par.requiresGradient() && par.getShape() != null) {
                n += par.getShape().size();
            }
        }
        return n;
    }

    @Override
    public Optional<Bench> bench(String preset, String impl, int warmup, int iters, long seed)
            throws Exception {
        return Optional.of(DetectorBench.run(preset, warmup, iters, seed));
    }
}
