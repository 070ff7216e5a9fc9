package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.List;
import org.dpnas.common.train.Polyak;
import org.dpnas.eval.seg.SegMetrics;
import org.junit.jupiter.api.Test;

/** Reward, early stop and Polyak averaging against hand-computed values. */
class ChildPiecesTest {

    @Test
    void rewardIsTheGeometricMean() {
        assertEquals(0.4, Reward.of(0.2, 0.4, 0.8), 1e-15); // (0.064)^(1/3)
        // a 2-class confusion matrix: gt0 = [3 right, 1 as 1], gt1 = [0, 4 right]
        SegMetrics m = SegMetrics.fromCounts(new long[][] {{3, 1}, {0, 4}});
        // IoU0 = 3/4, IoU1 = 4/5, acc0 = 3/4, acc1 = 1, fw = ½·¾ + ½·⅘
        double miou = (0.75 + 0.8) / 2;
        double acc = (0.75 + 1.0) / 2;
        double fw = 0.5 * 0.75 + 0.5 * 0.8;
        assertEquals(Math.cbrt(miou * acc * fw), Reward.of(m), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Reward.of(Double.NaN, 0.5, 0.5));
    }

    @Test
    void earlyStopFollowsTheRunningAverageAndMargin() {
        EarlyStop s = new EarlyStop(0.5, 0.0, 1); // no margin: stop iff r <= new average
        assertTrue(s.proceed(0.6)); // m = 0.99·0.5 + 0.01·0.6 = 0.501 < 0.6
        assertEquals(0.501, s.average(), 1e-15);
        assertFalse(s.proceed(0.4)); // m = 0.49999 > 0.4, no margin
        EarlyStop wide = new EarlyStop(0.5, 1.0, 1); // margin u ~ U(0, 1): 0.4 > m(1−u) often
        int pass = 0;
        for (int i = 0; i < 99; i++) {
            pass += wide.proceed(0.4) ? 1 : 0;
        }
        // P(0.4 > m(1−u)) = P(u > 1 − 0.4/m) with m drifting from 0.5 toward 0.4: between 0.8 and 1
        assertTrue(pass > 70 && pass < 99, "passes " + pass);
        // the schedule: after 100 decisions the margin bound is multiplied by 0.9
        assertEquals(1.0, wide.delta(), 0);
        wide.proceed(0.4);
        wide.proceed(0.4);
        assertEquals(0.9, wide.delta(), 1e-15);
    }

    @Test
    void earlyStopStateRestoresTheSameDecisions() {
        EarlyStop a = new EarlyStop(3);
        for (int i = 0; i < 5; i++) {
            a.proceed(0.01 * i);
        }
        EarlyStop b = new EarlyStop(99);
        b.restore(a.state());
        for (int i = 0; i < 20; i++) {
            double r = 0.005 * (i % 4);
            assertEquals(a.proceed(r), b.proceed(r));
        }
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> b.restore(new com.google.gson.JsonObject()));
        assertTrue(e.getMessage().contains("'average'"));
    }

    @Test
    void polyakAveragesAndApplies() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(new float[] {1f, 2f}));
            try (Polyak avg = new Polyak(List.of(p), 0.9f)) {
                p.getArray().set(new float[] {11f, 2f});
                avg.update(); // 0.9·1 + 0.1·11 = 2, 2
                p.getArray().set(new float[] {21f, 12f});
                avg.update(); // 0.9·2 + 0.1·21 = 3.9, 0.9·2 + 0.1·12 = 3
                assertArrayEquals(new float[] {3.9f, 3f}, avg.average(0).toFloatArray(), 1e-6f);
                avg.apply();
                assertArrayEquals(new float[] {3.9f, 3f}, p.getArray().toFloatArray(), 1e-6f);
                assertEquals(DataType.FLOAT32, p.getArray().getDataType());
            }
        }
    }
}
