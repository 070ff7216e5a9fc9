package org.dpnas.datasets.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;

class EvalTransformTest {

    private static final int[] FILL = {1, 2, 3};

    @Test
    void padsToAMultipleWithIgnoreAndFillKeepingPixelsInPlace() {
        SegSample s = Samples.random("x", 10, 13, 3, 1);
        SegSample o = new EvalTransform(0, 0, 0, 8, FILL, Resampler.JAVA).apply(s);
        assertEquals(16, o.height());
        assertEquals(16, o.width());
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int p = y * 16 + x;
                if (y < 10 && x < 13) {
                    assertEquals(s.label()[y * 13 + x], o.label()[p]);
                    assertEquals(s.rgb()[3 * (y * 13 + x) + 1], o.rgb()[3 * p + 1]);
                } else {
                    assertEquals(255, o.label()[p] & 0xff);
                    assertArrayEquals(
                            new byte[] {1, 2, 3},
                            new byte[] {o.rgb()[3 * p], o.rgb()[3 * p + 1], o.rgb()[3 * p + 2]});
                }
            }
        }
    }

    @Test
    void resizesTheShortSideThenPadsToAFixedSize() {
        SegSample s = Samples.random("x", 10, 20, 3, 2);
        SegSample o = new EvalTransform(5, 8, 12, 1, FILL, Resampler.JAVA).apply(s);
        assertEquals(8, o.height());
        assertEquals(12, o.width());
        int image = 0;
        for (byte b : o.label()) {
            image += (b & 0xff) != 255 ? 1 : 0;
        }
        assertEquals(5 * 10, image);
    }

    @Test
    void identityReturnsTheSampleAndOversizeIsRejected() {
        SegSample s = Samples.random("big", 10, 20, 3, 2);
        assertSame(s, new EvalTransform(0, 0, 0, 1, FILL, Resampler.JAVA).apply(s));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new EvalTransform(0, 8, 8, 1, FILL, Resampler.JAVA).apply(s));
        assertTrue(e.getMessage().contains("big"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new EvalTransform(0, 0, 0, 0, FILL, Resampler.JAVA));
    }
}
