package org.dpnas.cas.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The λ list of {@code --sweep-cost-weight} and the names its runs get. */
class CostSweepTest {

    @Test
    void lambdaNamesArePlainDecimalsAsTheUserTypedThem() {
        // the README's retrain loop is `for l in 0 0.0005 0.002`: the directories must match
        List<Float> l = CostSweep.parse("0, 0.0005,0.002,2,1e-4,12.50");
        String[] names = l.stream().map(CostSweep::fmt).toArray(String[]::new);
        assertEquals(List.of("0", "0.0005", "0.002", "2", "0.0001", "12.5"), List.of(names));
    }

    @Test
    void badListsNameTheOptionAndTheEntry() {
        var e = assertThrows(IllegalArgumentException.class, () -> CostSweep.parse("0,abc"));
        assertTrue(e.getMessage().contains("search.sweep_cost_weight"), e.getMessage());
        assertTrue(e.getMessage().contains("'abc'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CostSweep.parse("0,-1"));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CostSweep.parse("NaN"));
        assertThrows(IllegalArgumentException.class, () -> CostSweep.parse("Infinity"));
    }
}
