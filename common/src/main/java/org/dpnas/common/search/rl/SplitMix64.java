package org.dpnas.common.search.rl;

/**
 * SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): a 64-bit random generator whose whole state is
 * one {@code long}, so a checkpoint holds it exactly and a resumed search draws the same numbers.
 */
public final class SplitMix64 {

    private long state;

    /** Creates the generator at a seed. */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A uniform int in [0, n). */
    public int nextInt(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        return (int) Math.floorMod(nextLong(), (long) n);
    }

    /** The state (restore it with {@link #setState}). */
    public long state() {
        return state;
    }

    /** Sets the state. */
    public void setState(long state) {
        this.state = state;
    }
}
