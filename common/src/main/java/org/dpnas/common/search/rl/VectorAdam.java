package org.dpnas.common.search.rl;

/**
 * Adam (Kingma and Ba, https://arxiv.org/abs/1412.6980) on a flat float64 vector, with PyTorch's
 * bias correction and defaults (β1 0.9, β2 0.999, ε 1e-8).
 */
public final class VectorAdam {

    private final double lr;
    private final double[] m;
    private final double[] v;
    private long t;

    /** Creates the optimizer for a vector of {@code size} weights. */
    public VectorAdam(int size, double lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("controller learning rate must be > 0, got " + lr);
        }
        this.lr = lr;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** One step of {@code w} against gradient {@code g}. */
    public void step(double[] w, double[] g) {
        t++;
        double bc1 = 1 - Math.pow(0.9, t);
        double bc2 = 1 - Math.pow(0.999, t);
        for (int i = 0; i < w.length; i++) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            w[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + 1e-8);
        }
    }

    /** First moments (mutable). */
    public double[] m() {
        return m;
    }

    /** Second moments (mutable). */
    public double[] v() {
        return v;
    }

    /** Steps taken. */
    public long steps() {
        return t;
    }

    /** Sets the number of steps taken (on restore). */
    public void setSteps(long steps) {
        this.t = steps;
    }
}
