package org.dpnas.common.search.strategies;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.train.Checkpointer;
import org.dpnas.common.train.ParamIO;

/**
 * The weight-inheritance step of RENAS (Chen et al., CVPR 2019, §3.3: a child starts from its
 * parent's trained weights where the layers match): reads the parent trial's newest checkpoint
 * ({@code checkpoints/step-N/model.params}) into the parent's network and writes it as a
 * safetensors file under PyTorch names, which the child's training loads non-strictly ({@code
 * model.init_weights} with {@code model.strict_weights=false}): every parameter whose name and
 * shape match is copied, the rest keeps its fresh initialisation.
 */
public final class InheritedWeights {

    private InheritedWeights() {}

    /**
     * Exports the parent's newest checkpoint.
     *
     * @param parentNetwork the parent's network, built as its training built it, uninitialised
     * @param input an input shape that initialises the network's parameters
     * @param parentRunDir the parent trial's run directory
     * @param out the safetensors file to write (atomically)
     * @return {@code out}, or empty when the parent has no checkpoint
     * @throws IOException when the checkpoint does not fit the network or cannot be read
     */
    public static Optional<Path> export(
            Block parentNetwork, Shape input, Path parentRunDir, Path out) throws IOException {
        Optional<Path> latest = new Checkpointer(parentRunDir.resolve("checkpoints"), 1).latest();
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        Path params = latest.get().resolve("model.params");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            parentNetwork.initialize(m, DataType.FLOAT32, input);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
                ParamIO.load(parentNetwork, new DataInputStream(in), params.toString());
            }
            WeightFiles.save(parentNetwork, out, Map.of("inherited_from", parentRunDir.toString()));
        }
        return Optional.of(out);
    }
}
