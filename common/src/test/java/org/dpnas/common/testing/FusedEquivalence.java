package org.dpnas.common.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.Supplier;

/**
 * The checks a fused supernet's equivalence test makes against its plain (one mixed op per edge)
 * twin after one training pass of each on the same weights: the BN running statistics and the
 * gradient of every parameter the fused network owns, read through a fresh fused network mapped
 * from the plain one (the network's own {@code copyFrom}). Used by the Auto-DeepLab and CAS fused
 * tests; the tolerances are theirs, derived in their class comments.
 */
public final class FusedEquivalence {

    /**
     * What was compared.
     *
     * @param stats running statistics compared
     * @param grads parameter gradients compared
     * @param gradScale the largest plain gradient, the scale every gradient difference is relative
     *     to (round-off in a gradient scales with the gradients flowing back, not with the entry: a
     *     bias before a BN has a true gradient of 0 and a computed one of 1e-17)
     */
    public record Result(int stats, int grads, double gradScale) {}

    private FusedEquivalence() {}

    /**
     * Forward in training mode and the backward pass of an uneven loss, mean((logits · c)²) with c
     * = 1, 2, … over the classes, so that every class's gradient differs; returns the logits.
     */
    public static NDArray trainPass(Block net, NDManager store, NDArray x) {
        NDManager sm = x.getManager();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits =
                    net.forward(new ParameterStore(store, false), new NDList(x), true).head();
            long classes = logits.getShape().get(1);
            NDArray w =
                    sm.arange(1f, classes + 1f)
                            .reshape(1, classes, 1, 1)
                            .toType(x.getDataType(), false);
            NDArray two = sm.create(2f).toType(x.getDataType(), false);
            gc.backward(logits.mul(w).pow(two).mean());
            return logits;
        }
    }

    /** max |a − b| / max(max |a|, floor). */
    public static double diff(NDArray a, NDArray b, double floor) {
        double scale = Math.max(maxAbs(a), floor);
        return a.sub(b).abs().max().toType(DataType.FLOAT64, false).getDouble() / scale;
    }

    /** max |a| as a double. */
    public static double maxAbs(NDArray a) {
        return a.abs().max().toType(DataType.FLOAT64, false).getDouble();
    }

    /** Whether {@code p} is a BN running mean or variance. */
    public static boolean isStat(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN
                || p.getType() == Parameter.Type.RUNNING_VAR;
    }

    /**
     * After one {@link #trainPass} of each: asserts that the fused network's running statistics
     * equal the plain ones mapped into the fused layout (relative to at least 1: a mean of
     * zero-mean activations is round-off), then writes the plain gradients into the plain
     * parameters, maps them the same way and asserts every fused gradient equal to its mapped plain
     * one.
     *
     * <p>This overwrites the plain network's parameters with their gradients.
     *
     * @param plain the plain network, after its pass
     * @param fused the fused network, after its pass on the same weights and input
     * @param mapped a new fused network holding the plain network's current state ({@code
     *     copyFrom})
     * @param sm the manager gradients are attached to (closed by the caller)
     * @param statsTolerance the allowed relative difference of a running statistic
     * @param gradTolerance the allowed difference of a gradient, relative to {@link
     *     Result#gradScale()}
     * @return what was compared
     */
    public static Result assertStatsAndGradientsMatch(
            Block plain,
            Block fused,
            Supplier<Block> mapped,
            NDManager sm,
            double statsTolerance,
            double gradTolerance) {
        PairList<String, Parameter> b = fused.getParameters();
        PairList<String, Parameter> a = mapped.get().getParameters();
        int stats = 0;
        for (int i = 0; i < a.size(); i++) {
            if (isStat(a.valueAt(i))) {
                double ds = diff(a.valueAt(i).getArray(), b.valueAt(i).getArray(), 1.0);
                assertTrue(ds < statsTolerance, a.keyAt(i) + " differs by " + ds);
                stats++;
            }
        }
        PairList<String, Parameter> pp = plain.getParameters();
        for (int i = 0; i < pp.size(); i++) {
            Parameter p = pp.valueAt(i);
            if (p.requiresGradient() && !isStat(p)) {
                NDArray g = p.getArray().getGradient();
                g.attach(sm);
                g.duplicate().copyTo(p.getArray());
            }
        }
        a = mapped.get().getParameters();
        double scale = 0;
        for (int i = 0; i < a.size(); i++) {
            if (b.valueAt(i).requiresGradient() && !isStat(b.valueAt(i))) {
                scale = Math.max(scale, maxAbs(a.valueAt(i).getArray()));
            }
        }
        int grads = 0;
        for (int i = 0; i < a.size(); i++) {
            Parameter p = b.valueAt(i);
            if (!p.requiresGradient() || isStat(p)) {
                continue;
            }
            NDArray actual = p.getArray().getGradient();
            actual.attach(sm);
            double dg = diff(a.valueAt(i).getArray(), actual, scale);
            assertTrue(dg < gradTolerance, b.keyAt(i) + " gradients differ by " + dg);
            grads++;
        }
        return new Result(stats, grads, scale);
    }

    /** Asserts that every array of {@code params} received a gradient well above round-off. */
    public static void assertHaveGradients(Iterable<Parameter> params, double scale, NDManager sm) {
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(sm);
            assertTrue(maxAbs(g) > 1e-6 * scale, p.getName() + " has no gradient");
        }
    }
}
