package org.dpnas.datasets.split;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded index splits for architecture search: the two disjoint halves A/B used to train weights
 * and architecture parameters alternately, and a held-out part for validation.
 *
 * <p>Splits depend only on {@code n} and the seed (a {@link Random} Fisher-Yates shuffle, whose
 * sequence is fixed by the Java specification), so they are reproducible across runs and machines.
 * Each returned index array is sorted ascending.
 */
public final class Splits {

    private Splits() {}

    /**
     * Two disjoint, sorted index arrays that together cover {@code 0..n-1}.
     *
     * @param first indices of the first part (A, or the training part)
     * @param second indices of the second part (B, or the held-out part)
     */
    public record Split(int[] first, int[] second) {}

    /**
     * Splits {@code 0..n-1} into halves A and B of sizes {@code n/2} (rounded down) and {@code n/2}
     * (rounded up), drawn at random by the seed.
     */
    public static Split abSplit(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        return cut(shuffled(n, seed), n / 2);
    }

    /**
     * Splits {@code 0..n-1} into a part A of {@code floor(n·fractionA)} indices and a part B of the
     * rest, drawn at random by the seed; each part keeps at least one index when {@code n >= 2}. At
     * {@code fractionA = 0.5} this is {@link #abSplit(int, long)} (FBNet, Wu et al., CVPR 2019,
     * Sec. 4.1, trains the weights on 80 % and the architecture on 20 %).
     *
     * @throws IllegalArgumentException unless {@code 0 < fractionA < 1}
     */
    public static Split abSplit(int n, double fractionA, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!(fractionA > 0 && fractionA < 1)) {
            throw new IllegalArgumentException("fraction A must be in (0, 1), got " + fractionA);
        }
        int first = (int) Math.floor(n * fractionA);
        if (n >= 2) {
            first = Math.max(1, Math.min(n - 1, first));
        }
        return cut(shuffled(n, seed), first);
    }

    /**
     * Holds out {@code round(n * fraction)} random indices; the rest is the training part. A
     * fraction strictly between 0 and 1 always leaves at least one index on each side when {@code n
     * >= 2}.
     *
     * @return the split with {@code first} = training indices and {@code second} = held-out indices
     */
    public static Split holdOut(int n, double fraction, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
        }
        int held = (int) Math.round(n * fraction);
        if (n >= 2 && fraction > 0 && fraction < 1) {
            held = Math.max(1, Math.min(n - 1, held));
        }
        return cut(shuffled(n, seed), n - held);
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Split cut(int[] order, int firstSize) {
        int[] first = Arrays.copyOfRange(order, 0, firstSize);
        int[] second = Arrays.copyOfRange(order, firstSize, order.length);
        Arrays.sort(first);
        Arrays.sort(second);
        return new Split(first, second);
    }
}
