package org.dpnas.datasets.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitsTest {

    /** Asserts the two parts are disjoint and together cover 0..n-1 exactly once. */
    private static void assertPartition(Splits.Split s, int n) {
        int[] seen = new int[n];
        for (int i : s.first()) {
            seen[i]++;
        }
        for (int i : s.second()) {
            seen[i]++;
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "index " + i);
        }
        assertEquals(n, s.first().length + s.second().length);
    }

    @Test
    void abSplitIsAPartitionWithHalfSizes() {
        for (int n : new int[] {0, 1, 2, 7, 367}) {
            Splits.Split s = Splits.abSplit(n, 42);
            assertEquals(n / 2, s.first().length);
            assertEquals((n + 1) / 2, s.second().length);
            assertPartition(s, n);
        }
    }

    /** The FBNet split: A is floor(n·f) of the shuffled indices; at 0.5 it is the halves. */
    @Test
    void abSplitWithAFractionCutsTheSameShuffle() {
        for (int n : new int[] {0, 1, 2, 7, 367}) {
            Splits.Split half = Splits.abSplit(n, 0.5, 42);
            assertArrayEquals(Splits.abSplit(n, 42).first(), half.first());
            assertArrayEquals(Splits.abSplit(n, 42).second(), half.second());
        }
        Splits.Split s = Splits.abSplit(10, 0.8, 3);
        assertEquals(8, s.first().length);
        assertEquals(2, s.second().length);
        assertPartition(s, 10);
        assertEquals(1, Splits.abSplit(2, 0.9, 3).second().length, "B keeps one index");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Splits.abSplit(10, 1.0, 3));
        assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
    }

    @Test
    void abSplitIsReproducibleAndSeedDependent() {
        Splits.Split a = Splits.abSplit(100, 7);
        Splits.Split b = Splits.abSplit(100, 7);
        Splits.Split c = Splits.abSplit(100, 8);
        assertArrayEquals(a.first(), b.first());
        assertArrayEquals(a.second(), b.second());
        assertFalse(Arrays.equals(a.first(), c.first()));
        int[] lowerHalf = new int[50];
        Arrays.setAll(lowerHalf, i -> i);
        assertFalse(Arrays.equals(lowerHalf, a.first()), "A is not simply the first half");
        int[] sorted = a.first().clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, a.first());
    }

    @Test
    void holdOutSizesAndPartition() {
        Splits.Split s = Splits.holdOut(101, 0.2, 3);
        assertEquals(20, s.second().length);
        assertEquals(81, s.first().length);
        assertPartition(s, 101);
        assertArrayEquals(s.second(), Splits.holdOut(101, 0.2, 3).second());
        assertFalse(Arrays.equals(s.second(), Splits.holdOut(101, 0.2, 4).second()));

        assertEquals(1, Splits.holdOut(3, 0.01, 1).second().length);
        assertEquals(1, Splits.holdOut(3, 0.99, 1).first().length);
        assertEquals(0, Splits.holdOut(5, 0.0, 1).second().length);
        assertEquals(5, Splits.holdOut(5, 1.0, 1).second().length);
        assertThrows(IllegalArgumentException.class, () -> Splits.holdOut(5, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.holdOut(5, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.abSplit(-1, 1));
        assertTrue(Splits.holdOut(0, 0.5, 1).first().length == 0);
    }
}
