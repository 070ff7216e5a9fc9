package org.dpnas.autodeeplab;

/**
 * The network-level search space of Auto-DeepLab (Liu et al., CVPR 2019, Sec. 3.2, Fig. 1): L
 * layers over 4 levels (output strides 4, 8, 16, 32); the node at (layer l, level s) is reachable
 * only if s ≤ l + 1, and a node at level s' chooses to go up a level ({@link #UP}, s' − 1), stay
 * ({@link #SAME}) or go down ({@link #DOWN}, s' + 1), weighted by β[l][s'][choice].
 *
 * <p>Layer −1 is the stem, a single node at level 0.
 */
public final class NetworkSpace {

    /** Number of spatial levels (strides 4, 8, 16, 32). */
    public static final int LEVELS = 4;

    /** β choice: to the next higher resolution (level − 1, stride halves). */
    public static final int UP = 0;

    /** β choice: the same level. */
    public static final int SAME = 1;

    /** β choice: to the next lower resolution (level + 1, stride doubles). */
    public static final int DOWN = 2;

    private NetworkSpace() {}

    /** Whether node (layer, level) exists; layer −1 is the stem at level 0. */
    public static boolean exists(int layer, int level) {
        if (level < 0 || level >= LEVELS || layer < -1) {
            return false;
        }
        return level <= layer + 1;
    }

    /** Whether {@code choice} is valid at {@code level}: no up from level 0, no down from 3. */
    public static boolean valid(int level, int choice) {
        return switch (choice) {
            case UP -> level > 0;
            case SAME -> true;
            case DOWN -> level < LEVELS - 1;
            default -> false;
        };
    }

    /** The level a choice leads to from {@code level}. */
    public static int target(int level, int choice) {
        return level + choice - 1;
    }

    /** Output stride of a level (4, 8, 16, 32). */
    public static int stride(int level) {
        return 4 << level;
    }

    /** Number of cells of an L-layer supernet (45 at L = 12). */
    public static int cells(int layers) {
        int n = 0;
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < LEVELS; s++) {
                if (exists(l, s)) {
                    n++;
                }
            }
        }
        return n;
    }
}
