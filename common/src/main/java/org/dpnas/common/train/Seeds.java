package org.dpnas.common.train;

import ai.djl.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Derives every random stream of a run from its one seed: the engine's generator (weight
 * initialisation) and one independent Java {@link Random} per named consumer (data order,
 * augmentation, sampling), so adding a consumer never shifts the others.
 */
public final class Seeds {

    private Seeds() {}

    /** Seeds the engine (libtorch) generator used for weight initialisation. */
    public static void seedEngine(long seed) {
        Engine.getInstance().setRandomSeed((int) (mix(seed, "engine") & 0x7fffffff));
    }

    /** Returns a new Random for the named consumer, independent of all other names. */
    public static Random random(long seed, String consumer) {
        return new Random(mix(seed, consumer));
    }

    /** A well-mixed 64-bit value from a seed, a name and indices (SplitMix64 finaliser). */
    public static long mix(long seed, String name, long... indices) {
        long h = splitMix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = splitMix(h ^ b);
        }
        for (long i : indices) {
            h = splitMix(h ^ i);
        }
        return h;
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
