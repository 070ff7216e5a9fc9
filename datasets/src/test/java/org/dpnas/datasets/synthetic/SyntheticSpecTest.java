package org.dpnas.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SyntheticSpecTest {

    @Test
    void factoryUsesDocumentedDefaults() {
        SyntheticSpec spec = SyntheticSpec.of(7L, "train", 12);
        assertEquals(7L, spec.seed());
        assertEquals("train", spec.split());
        assertEquals(12, spec.size());
        assertEquals(96, spec.height());
        assertEquals(96, spec.width());
        assertEquals(4, spec.maxObjects());
        assertEquals(1, spec.ignoreBorder());
    }

    @Test
    void withersChangeExactlyOneField() {
        SyntheticSpec base = SyntheticSpec.of(1L, "train", 10);
        assertEquals(new SyntheticSpec(2L, "train", 10, 96, 96, 4, 1), base.withSeed(2L));
        assertEquals(new SyntheticSpec(1L, "val", 10, 96, 96, 4, 1), base.withSplit("val"));
        assertEquals(new SyntheticSpec(1L, "train", 3, 96, 96, 4, 1), base.withSize(3));
        assertEquals(new SyntheticSpec(1L, "train", 10, 64, 80, 4, 1), base.withImageSize(64, 80));
        assertEquals(new SyntheticSpec(1L, "train", 10, 96, 96, 1, 1), base.withMaxObjects(1));
        assertEquals(new SyntheticSpec(1L, "train", 10, 96, 96, 4, 0), base.withIgnoreBorder(0));
    }

    @Test
    void rejectsBadArgumentsWithMessagesNamingTheParameter() {
        SyntheticSpec ok = SyntheticSpec.of(1L, "train", 10);
        assertRejected("size must be > 0, got 0", () -> ok.withSize(0));
        assertRejected("size must be > 0, got -3", () -> ok.withSize(-3));
        assertRejected("height must be >= 16, got 15", () -> ok.withImageSize(15, 96));
        assertRejected("width must be >= 16, got 8", () -> ok.withImageSize(96, 8));
        assertRejected("maxObjects must be in 1..64, got 0", () -> ok.withMaxObjects(0));
        assertRejected("maxObjects must be in 1..64, got 65", () -> ok.withMaxObjects(65));
        assertRejected("ignoreBorder must be in 0..8, got -1", () -> ok.withIgnoreBorder(-1));
        assertRejected("ignoreBorder must be in 0..8, got 9", () -> ok.withIgnoreBorder(9));
        assertRejected("split must not be blank", () -> ok.withSplit("  "));
        assertRejected("split must use only", () -> ok.withSplit("../etc"));
        assertRejected("too large", () -> ok.withImageSize(40000, 40000));
        NullPointerException npe =
                assertThrows(NullPointerException.class, () -> ok.withSplit(null));
        assertEquals("split must not be null", npe.getMessage());
    }

    @Test
    void acceptsBoundaryValues() {
        SyntheticSpec spec = new SyntheticSpec(-5L, "tiny_split-2", 1, 16, 16, 64, 8);
        assertEquals(16, spec.height());
        assertEquals(0, SyntheticSpec.of(0L, "x", 1).withIgnoreBorder(0).ignoreBorder());
    }

    private static void assertRejected(String expectedMessagePart, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expectedMessagePart),
                () -> "message '" + e.getMessage() + "' lacks '" + expectedMessagePart + "'");
    }
}
