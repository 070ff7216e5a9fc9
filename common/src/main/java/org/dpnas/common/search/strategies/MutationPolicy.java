package org.dpnas.common.search.strategies;

import java.util.List;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.SplitMix64;

/**
 * The mutation controller of {@link RenasSearch}: a linear softmax policy conditioned on the
 * parent. Input is the one-hot code of the parent's decisions plus a bias; one softmax picks the
 * operator (which decision to change), a second picks its argument (the new choice), with one
 * weight matrix per decision head, so decisions of one head (for example every op decision) share
 * what was learned about their choices, as the shared controller's heads do. Choices that do not
 * change the parent get probability 0. RENAS (Chen et al., CVPR 2019, §3.2) reads the parent with
 * an LSTM; a linear policy keeps the controller small enough to checkpoint in the search state and
 * to check against finite differences.
 *
 * <p>All weights start at 0, so the untrained controller is uniform random mutation.
 */
public final class MutationPolicy {

    /** A mutation with what the gradient needs. */
    public record Sample(int op, int argument, double logProb) {}

    /** Which (operator, argument) pairs may be chosen for a parent. */
    @FunctionalInterface
    public interface Mask {
        /** Whether operator {@code op} with {@code argument} changes the parent. */
        boolean allowed(int op, int argument);
    }

    private final List<Decision> ops;
    private final int inputs;
    private final int[] argOffset;
    private final double[] theta;
    private final double[] grad;

    /**
     * Creates the policy.
     *
     * @param ops the mutation operators (their choice counts are the arguments)
     * @param inputs the length of the parent's feature vector, without the bias
     */
    public MutationPolicy(List<Decision> ops, int inputs) {
        this.ops = List.copyOf(ops);
        this.inputs = inputs;
        int width = inputs + 1;
        int size = ops.size() * width;
        argOffset = new int[ops.size()];
        java.util.Map<String, Integer> heads = new java.util.HashMap<>();
        java.util.Map<String, Integer> headChoices = new java.util.HashMap<>();
        for (int j = 0; j < ops.size(); j++) {
            Decision d = ops.get(j);
            Integer at = heads.get(d.head());
            if (at == null) {
                heads.put(d.head(), size);
                headChoices.put(d.head(), d.choices());
                argOffset[j] = size;
                size += d.choices() * width;
            } else if (headChoices.get(d.head()) != d.choices()) {
                throw new IllegalArgumentException(
                        "decisions sharing the head '"
                                + d.head()
                                + "' need the same number of choices; '"
                                + d.name()
                                + "' has "
                                + d.choices()
                                + ", the head "
                                + headChoices.get(d.head()));
            } else {
                argOffset[j] = at;
            }
        }
        theta = new double[size];
        grad = new double[size];
    }

    /** The weights (mutable, flat). */
    public double[] theta() {
        return theta;
    }

    /** The gradient of the last {@link #backward} (mutable, flat). */
    public double[] grad() {
        return grad;
    }

    /** Operator probabilities for a parent (0 where no argument is allowed). */
    public double[] opProbs(double[] x, Mask mask) {
        double[] z = new double[ops.size()];
        boolean[] ok = new boolean[ops.size()];
        for (int j = 0; j < ops.size(); j++) {
            for (int a = 0; a < ops.get(j).choices() && !ok[j]; a++) {
                ok[j] = mask.allowed(j, a);
            }
            z[j] = dot(j * (inputs + 1), x);
        }
        return softmax(z, ok);
    }

    /** Argument probabilities of operator {@code op} for a parent. */
    public double[] argProbs(int op, double[] x, Mask mask) {
        int c = ops.get(op).choices();
        double[] z = new double[c];
        boolean[] ok = new boolean[c];
        for (int a = 0; a < c; a++) {
            ok[a] = mask.allowed(op, a);
            z[a] = dot(argOffset[op] + a * (inputs + 1), x);
        }
        return softmax(z, ok);
    }

    /**
     * Samples a mutation by inverse CDF on {@code rng} (one draw for the operator, one for the
     * argument).
     */
    public Sample sample(double[] x, Mask mask, SplitMix64 rng) {
        double[] p = opProbs(x, mask);
        int op = draw(p, rng.nextDouble());
        double[] q = argProbs(op, x, mask);
        int a = draw(q, rng.nextDouble());
        return new Sample(op, a, Math.log(p[op]) + Math.log(q[a]));
    }

    /** log π(op, argument | parent). */
    public double logProb(double[] x, Mask mask, int op, int argument) {
        return Math.log(opProbs(x, mask)[op]) + Math.log(argProbs(op, x, mask)[argument]);
    }

    /**
     * Sets {@link #grad} to {@code coef · ∇ log π(op, argument | parent)}: for a softmax, the
     * gradient of the log-probability with respect to the logits is {@code onehot − p}.
     */
    public void backward(double[] x, Mask mask, int op, int argument, double coef) {
        java.util.Arrays.fill(grad, 0);
        double[] p = opProbs(x, mask);
        for (int j = 0; j < p.length; j++) {
            double d = coef * ((j == op ? 1 : 0) - p[j]);
            addOuter(j * (inputs + 1), d, x);
        }
        double[] q = argProbs(op, x, mask);
        for (int a = 0; a < q.length; a++) {
            double d = coef * ((a == argument ? 1 : 0) - q[a]);
            addOuter(argOffset[op] + a * (inputs + 1), d, x);
        }
    }

    private double dot(int row, double[] x) {
        double s = theta[row + inputs]; // bias
        for (int i = 0; i < inputs; i++) {
            if (x[i] != 0) {
                s += theta[row + i] * x[i];
            }
        }
        return s;
    }

    private void addOuter(int row, double d, double[] x) {
        if (d == 0) {
            return;
        }
        for (int i = 0; i < inputs; i++) {
            grad[row + i] += d * x[i];
        }
        grad[row + inputs] += d;
    }

    private static double[] softmax(double[] z, boolean[] ok) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < z.length; i++) {
            if (ok[i]) {
                max = Math.max(max, z[i]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("no mutation applies to this parent");
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = ok[i] ? Math.exp(z[i] - max) : 0;
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int draw(double[] p, double u) {
        double c = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                c += p[i];
                last = i;
                if (u < c) {
                    return i;
                }
            }
        }
        return last;
    }
}
