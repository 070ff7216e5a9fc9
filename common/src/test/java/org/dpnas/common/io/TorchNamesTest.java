package org.dpnas.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.nn.SequentialBlock;
import java.util.List;
import org.dpnas.common.nn.ConvBnAct;
import org.junit.jupiter.api.Test;

class TorchNamesTest {

    /** Children keep their names without DJL's two-digit prefix; BatchNorm's take PyTorch's. */
    @Test
    void childNamesWithoutTheDjlPrefix() {
        assertEquals(
                List.of("conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"),
                List.copyOf(TorchNames.of(ConvBnAct.of(4, 3, 1)).keySet()));
    }

    /**
     * Two children of one type in a SequentialBlock (DJL: {@code 01ConvBnAct}, {@code 02ConvBnAct})
     * would both be {@code ConvBnAct}: they are indexed from 0 as in {@code nn.Sequential}.
     */
    @Test
    void repeatedSiblingNamesAreIndexed() {
        SequentialBlock seq =
                new SequentialBlock().add(ConvBnAct.of(4, 3, 1)).add(ConvBnAct.of(4, 1, 1));
        List<String> names = List.copyOf(TorchNames.of(seq).keySet());
        assertEquals(10, names.size());
        assertEquals("0.conv.weight", names.get(0));
        assertEquals("1.conv.weight", names.get(5));
        assertEquals("1.bn.running_var", names.get(9));
    }
}
