package org.dpnas.datasets.djl;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.dpnas.common.search.Registry;
import org.dpnas.common.train.ParamIO;

/**
 * DJL's {@link BlockFactory} for a dpnas {@link ModelDir}: rebuilds the network from the stored
 * configuration (a registered model, or a registered method's retrain network from the directory's
 * genotype), initialises it at the training input size on the model's manager and loads {@code
 * model.params} into it. Named in the directory's {@code serving.properties}, so {@code
 * Criteria.optModelPath(DIR)} finds it with no code of the user's.
 */
public final class DpnasBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** Creates the factory (DJL instantiates it by class name). */
    public DpnasBlockFactory() {}

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments)
            throws IOException {
        ModelDir dir = ModelDir.read(modelPath);
        return build(dir, model);
    }

    /**
     * The network of {@code dir} with its trained parameters, initialised on {@code model}'s
     * manager.
     *
     * @throws IOException when the parameters do not fit the rebuilt network (the message names the
     *     file)
     */
    static Block build(ModelDir dir, Model model) throws IOException {
        Block block;
        try {
            block = Registry.build(dir.config().sub("model"), dir.classNames().size());
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.root() + ": " + e.getMessage(), e);
        }
        block.initialize(
                model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, dir.height(), dir.width()));
        Path params = dir.root().resolve(ModelDir.PARAMS_FILE);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
            ParamIO.load(block, new DataInputStream(in), params.toString());
        }
        return block;
    }
}
