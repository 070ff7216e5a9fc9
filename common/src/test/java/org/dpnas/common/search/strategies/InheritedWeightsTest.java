package org.dpnas.common.search.strategies;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.train.Checkpointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child loads its parent's checkpoint where the layers match and keeps its own elsewhere. */
class InheritedWeightsTest {

    /** Two named convolutions, {@code first.weight} … {@code last.bias}. */
    static final class TwoConv extends AbstractBlock {
        private final Block first;
        private final Block last;

        TwoConv(int lastOut) {
            first =
                    addChildBlock(
                            "first",
                            Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build());
            last =
                    addChildBlock(
                            "last",
                            Conv2d.builder()
                                    .setKernelShape(new Shape(1, 1))
                                    .setFilters(lastOut)
                                    .build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> p) {
            return last.forward(store, first.forward(store, inputs, training), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return last.getOutputShapes(first.getOutputShapes(inputs));
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... inputs) {
            first.initialize(m, t, inputs);
            last.initialize(m, t, first.getOutputShapes(inputs));
        }
    }

    private static Block net(int lastOut) {
        return new TwoConv(lastOut);
    }

    private static float[] param(Block b, int layer, String name) {
        return b.getChildren()
                .get(layer)
                .getValue()
                .getParameters()
                .get(name)
                .getArray()
                .toFloatArray();
    }

    @Test
    void matchingLayersAreInheritedOthersKeepTheirInitialisation(@TempDir Path dir)
            throws Exception {
        Shape input = new Shape(1, 3, 8, 8);
        Path parentDir = dir.resolve("trial-0001");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Block parent = net(2);
            parent.initialize(m, DataType.FLOAT32, input);
            new Checkpointer(parentDir.resolve("checkpoints"), 1)
                    .save(7, parent, List.of(), new JsonObject());
            float[] parentFirst = param(parent, 0, "weight");

            Path out = dir.resolve("child/inherited.safetensors");
            java.nio.file.Files.createDirectories(out.getParent());
            assertEquals(out, InheritedWeights.export(net(2), input, parentDir, out).orElseThrow());

            Block child = net(3); // the last layer changed: 3 outputs
            child.initialize(m, DataType.FLOAT32, input);
            float[] childLast = param(child, 1, "weight");
            WeightFiles.LoadReport r = WeightFiles.load(child, out, false, Set.of());
            assertArrayEquals(parentFirst, param(child, 0, "weight"), 0);
            assertArrayEquals(childLast, param(child, 1, "weight"), 0);
            assertEquals(2, r.loaded().size(), r.problems()); // first weight and bias
            assertFalse(r.complete());
        }
    }

    @Test
    void aParentWithoutCheckpointGivesNothing(@TempDir Path dir) throws Exception {
        assertTrue(
                InheritedWeights.export(
                                net(2), new Shape(1, 3, 8, 8), dir, dir.resolve("w.safetensors"))
                        .isEmpty());
    }
}
