package org.dpnas.common.train;

import java.util.Random;

/**
 * The order in which training samples are visited: a fresh permutation per epoch drawn from the
 * run's seed and the epoch number, batches of a fixed size, the last incomplete batch of an epoch
 * dropped. The batch of step {@code t} is a pure function of (seed, t), so a resumed run sees
 * exactly the batches an uninterrupted one would.
 */
public final class EpochSampler {

    private final int n;
    private final int batchSize;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] cachedPerm;

    /**
     * Creates a sampler.
     *
     * @param n number of samples
     * @param batchSize samples per batch (at most {@code n})
     * @param seed the run's seed
     */
    public EpochSampler(int n, int batchSize, long seed) {
        if (batchSize < 1 || batchSize > n) {
            throw new IllegalArgumentException(
                    "batch size "
                            + batchSize
                            + " must be between 1 and the number of samples ("
                            + n
                            + ")");
        }
        this.n = n;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Steps per epoch ({@code ⌊n / batchSize⌋}). */
    public long stepsPerEpoch() {
        return n / batchSize;
    }

    /** The epoch (from 0) that step {@code t} (from 0) belongs to. */
    public long epochOf(long t) {
        return t / stepsPerEpoch();
    }

    /** The sample indices of step {@code t} (from 0). */
    public synchronized int[] batch(long t) {
        long epoch = epochOf(t);
        if (epoch != cachedEpoch) {
            cachedPerm = permutation(epoch);
            cachedEpoch = epoch;
        }
        int start = (int) (t % stepsPerEpoch()) * batchSize;
        int[] out = new int[batchSize];
        System.arraycopy(cachedPerm, start, out, 0, batchSize);
        return out;
    }

    private int[] permutation(long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random r = new Random(Seeds.mix(seed, "data-order", epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
