package org.dpnas.common.search.rl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The controller network of ENAS-style NAS (Pham et al., "Efficient Neural Architecture Search via
 * Parameter Sharing", ICML 2018, §2.1): a stacked LSTM run for one step per decision; the top
 * layer's output goes through the decision's head (a linear layer) to logits over its choices, and
 * the embedding of the chosen value is the next step's input (the first input is a learned vector).
 * LSTM gates follow PyTorch ({@code i, f, g, o}); forward pass and back-propagation through time
 * are written by hand in float64.
 *
 * <p>All weights live in one flat vector {@link #theta()} (gradient in {@link #grad()}): the start
 * vector, then per layer {@code W} (4H × 2H, acting on {@code [input; h]}) and {@code b} (4H), then
 * per head the embedding (k × H), the output weights (k × H) and bias (k).
 */
public final class LstmPolicy {

    private final int hidden;
    private final int layers;
    private final List<Decision> decisions;
    private final int[] headOf;
    private final int[] headChoices;
    private final int[] layerOffset;
    private final int[] embOffset;
    private final int[] outOffset;
    private final int[] biasOffset;
    private final double[] theta;
    private final double[] grad;

    /**
     * Creates the network with weights uniform in [−0.1, 0.1] (as the reference initialises).
     *
     * @param decisions the decisions, in order
     * @param hidden the LSTM width
     * @param layers the number of LSTM layers
     * @param init the generator of the initial weights
     */
    public LstmPolicy(List<Decision> decisions, int hidden, int layers, SplitMix64 init) {
        if (decisions.isEmpty()) {
            throw new IllegalArgumentException("the controller needs at least one decision");
        }
        if (hidden < 1 || layers < 1) {
            throw new IllegalArgumentException(
                    "controller hidden size and layers must be >= 1, got "
                            + hidden
                            + ", "
                            + layers);
        }
        this.hidden = hidden;
        this.layers = layers;
        this.decisions = List.copyOf(decisions);
        Map<String, Integer> heads = new LinkedHashMap<>();
        List<Integer> choices = new ArrayList<>();
        headOf = new int[decisions.size()];
        for (int t = 0; t < decisions.size(); t++) {
            Decision d = decisions.get(t);
            Integer h = heads.get(d.head());
            if (h == null) {
                h = heads.size();
                heads.put(d.head(), h);
                choices.add(d.choices());
            } else if (choices.get(h) != d.choices()) {
                throw new IllegalArgumentException(
                        "decision '"
                                + d.name()
                                + "' has "
                                + d.choices()
                                + " choices but shares head '"
                                + d.head()
                                + "' with "
                                + choices.get(h));
            }
            headOf[t] = h;
        }
        headChoices = choices.stream().mapToInt(Integer::intValue).toArray();
        int off = hidden;
        layerOffset = new int[layers];
        for (int l = 0; l < layers; l++) {
            layerOffset[l] = off;
            off += 4 * hidden * 2 * hidden + 4 * hidden;
        }
        embOffset = new int[headChoices.length];
        outOffset = new int[headChoices.length];
        biasOffset = new int[headChoices.length];
        for (int h = 0; h < headChoices.length; h++) {
            embOffset[h] = off;
            off += headChoices[h] * hidden;
            outOffset[h] = off;
            off += headChoices[h] * hidden;
            biasOffset[h] = off;
            off += headChoices[h];
        }
        theta = new double[off];
        grad = new double[off];
        for (int i = 0; i < off; i++) {
            theta[i] = 0.2 * init.nextDouble() - 0.1;
        }
    }

    /** The weights (mutable, flat). */
    public double[] theta() {
        return theta;
    }

    /** The accumulated gradient (mutable, flat). */
    public double[] grad() {
        return grad;
    }

    /** The decisions. */
    public List<Decision> decisions() {
        return decisions;
    }

    /** Sets the gradient to zero. */
    public void zeroGrad() {
        java.util.Arrays.fill(grad, 0.0);
    }

    /** One pass over the decisions with what back-propagation needs. */
    public final class Pass {
        final int[] actions;
        final double[][] x;
        final double[][][] z;
        final double[][][] gates;
        final double[][][] cPrev;
        final double[][][] tanhC;
        final double[][] probs;
        double logProb;
        double entropy;

        Pass(int n) {
            actions = new int[n];
            x = new double[n][];
            z = new double[n][layers][];
            gates = new double[n][layers][];
            cPrev = new double[n][layers][];
            tanhC = new double[n][layers][];
            probs = new double[n][];
        }

        /** The decisions taken. */
        public int[] actions() {
            return actions.clone();
        }

        /** log π(actions). */
        public double logProb() {
            return logProb;
        }

        /** The sum over decisions of the entropy of each decision's distribution. */
        public double entropy() {
            return entropy;
        }
    }

    /**
     * Runs the network. With {@code forced == null} each decision is sampled by inverse CDF from
     * {@code rng}; otherwise the given decisions are scored.
     */
    public Pass run(int[] forced, SplitMix64 rng) {
        int n = decisions.size();
        if (forced != null && forced.length != n) {
            throw new IllegalArgumentException(
                    "expected " + n + " decisions, got " + forced.length);
        }
        Pass p = new Pass(n);
        double[][] h = new double[layers][hidden];
        double[][] c = new double[layers][hidden];
        double[] in = new double[hidden];
        System.arraycopy(theta, 0, in, 0, hidden);
        for (int t = 0; t < n; t++) {
            p.x[t] = in;
            double[] cur = in;
            for (int l = 0; l < layers; l++) {
                double[] z = new double[2 * hidden];
                System.arraycopy(cur, 0, z, 0, hidden);
                System.arraycopy(h[l], 0, z, hidden, hidden);
                double[] g = new double[4 * hidden];
                int w = layerOffset[l];
                int b = w + 8 * hidden * hidden;
                for (int r = 0; r < 4 * hidden; r++) {
                    double s = theta[b + r];
                    int row = w + r * 2 * hidden;
                    for (int k = 0; k < 2 * hidden; k++) {
                        s += theta[row + k] * z[k];
                    }
                    g[r] = r >= 2 * hidden && r < 3 * hidden ? Math.tanh(s) : sigmoid(s);
                }
                double[] tc = new double[hidden];
                double[] nh = new double[hidden];
                double[] nc = new double[hidden];
                for (int k = 0; k < hidden; k++) {
                    nc[k] = g[hidden + k] * c[l][k] + g[k] * g[2 * hidden + k];
                    tc[k] = Math.tanh(nc[k]);
                    nh[k] = g[3 * hidden + k] * tc[k];
                }
                p.z[t][l] = z;
                p.gates[t][l] = g;
                p.cPrev[t][l] = c[l];
                p.tanhC[t][l] = tc;
                c[l] = nc;
                h[l] = nh;
                cur = nh;
            }
            int hd = headOf[t];
            int k = headChoices[hd];
            double[] logits = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double s = theta[biasOffset[hd] + j];
                int row = outOffset[hd] + j * hidden;
                for (int q = 0; q < hidden; q++) {
                    s += theta[row + q] * cur[q];
                }
                logits[j] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                logits[j] = Math.exp(logits[j] - max);
                sum += logits[j];
            }
            double[] prob = logits;
            for (int j = 0; j < k; j++) {
                prob[j] /= sum;
            }
            int a;
            if (forced == null) {
                double u = rng.nextDouble();
                a = k - 1;
                double acc = 0;
                for (int j = 0; j < k; j++) {
                    acc += prob[j];
                    if (u < acc) {
                        a = j;
                        break;
                    }
                }
            } else {
                a = forced[t];
                if (a < 0 || a >= k) {
                    throw new IllegalArgumentException(
                            "decision '"
                                    + decisions.get(t).name()
                                    + "' = "
                                    + a
                                    + " is outside [0, "
                                    + k
                                    + ")");
                }
            }
            p.actions[t] = a;
            p.probs[t] = prob;
            p.logProb += Math.log(prob[a]);
            for (double q : prob) {
                if (q > 0) {
                    p.entropy -= q * Math.log(q);
                }
            }
            in = new double[hidden];
            System.arraycopy(theta, embOffset[hd] + a * hidden, in, 0, hidden);
        }
        return p;
    }

    /**
     * Adds to {@link #grad()} the gradient of {@code −coef · log π(actions)} (so a gradient descent
     * step raises the probability of the actions when {@code coef > 0}).
     */
    public void backward(Pass p, double coef) {
        int n = decisions.size();
        double[][] dhNext = new double[layers][hidden];
        double[][] dcNext = new double[layers][hidden];
        for (int t = n - 1; t >= 0; t--) {
            int hd = headOf[t];
            int k = headChoices[hd];
            double[] top = hOut(p, t, layers - 1);
            double[] dTop = new double[hidden];
            for (int j = 0; j < k; j++) {
                double dl = coef * (p.probs[t][j] - (j == p.actions[t] ? 1.0 : 0.0));
                grad[biasOffset[hd] + j] += dl;
                int row = outOffset[hd] + j * hidden;
                for (int q = 0; q < hidden; q++) {
                    grad[row + q] += dl * top[q];
                    dTop[q] += dl * theta[row + q];
                }
            }
            double[] dAbove = dTop;
            for (int l = layers - 1; l >= 0; l--) {
                double[] g = p.gates[t][l];
                double[] tc = p.tanhC[t][l];
                double[] cp = p.cPrev[t][l];
                double[] da = new double[4 * hidden];
                for (int q = 0; q < hidden; q++) {
                    double dh = dhNext[l][q] + dAbove[q];
                    double i = g[q];
                    double f = g[hidden + q];
                    double gg = g[2 * hidden + q];
                    double o = g[3 * hidden + q];
                    double dc = dcNext[l][q] + dh * o * (1 - tc[q] * tc[q]);
                    da[q] = dc * gg * i * (1 - i);
                    da[hidden + q] = dc * cp[q] * f * (1 - f);
                    da[2 * hidden + q] = dc * i * (1 - gg * gg);
                    da[3 * hidden + q] = dh * tc[q] * o * (1 - o);
                    dcNext[l][q] = dc * f;
                }
                double[] z = p.z[t][l];
                double[] dz = new double[2 * hidden];
                int w = layerOffset[l];
                int b = w + 8 * hidden * hidden;
                for (int r = 0; r < 4 * hidden; r++) {
                    double d = da[r];
                    if (d == 0) {
                        continue;
                    }
                    grad[b + r] += d;
                    int row = w + r * 2 * hidden;
                    for (int q = 0; q < 2 * hidden; q++) {
                        grad[row + q] += d * z[q];
                        dz[q] += d * theta[row + q];
                    }
                }
                double[] dIn = new double[hidden];
                System.arraycopy(dz, 0, dIn, 0, hidden);
                System.arraycopy(dz, hidden, dhNext[l], 0, hidden);
                dAbove = dIn;
            }
            int target = t == 0 ? 0 : embOffset[headOf[t - 1]] + p.actions[t - 1] * hidden;
            for (int q = 0; q < hidden; q++) {
                grad[target + q] += dAbove[q];
            }
        }
    }

    private double[] hOut(Pass p, int t, int l) {
        double[] g = p.gates[t][l];
        double[] tc = p.tanhC[t][l];
        double[] h = new double[hidden];
        for (int q = 0; q < hidden; q++) {
            h[q] = g[3 * hidden + q] * tc[q];
        }
        return h;
    }

    private static double sigmoid(double s) {
        return 1.0 / (1.0 + Math.exp(-s));
    }
}
