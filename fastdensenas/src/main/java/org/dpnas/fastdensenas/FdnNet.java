package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Path;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.io.SafeTensorsException;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.Resize;

/**
 * A FastDenseNAS segmenter: the {@link FdnEncoder} (MobileNet-v2) and a searched {@link
 * DecoderNet}; the main logits are resized bilinearly to the input's size, and in training the
 * auxiliary logits (at their cells' resolutions) follow them. With an encoder weights file, the
 * encoder's weights are read from it right after initialisation (torchvision names, classifier
 * ignored), so a retraining starts from the pretrained encoder.
 */
public final class FdnNet extends AbstractBlock implements CostAware {

    private final FdnEncoder encoder;
    private final DecoderNet decoder;
    private final Path encoderWeights;

    /**
     * Creates the segmenter.
     *
     * @param genotype the decoder's architecture
     * @param aggSize the decoder width (48)
     * @param numClasses output classes
     * @param aux the auxiliary outputs in training
     * @param widthMultiplier the encoder's width multiplier (1)
     * @param encoderWeights torchvision MobileNet-v2 weights (.safetensors) loaded at
     *     initialisation, or null
     */
    public FdnNet(
            DecoderGenotype genotype,
            int aggSize,
            int numClasses,
            DecoderNet.Aux aux,
            float widthMultiplier,
            Path encoderWeights) {
        this.encoder = addChildBlock("encoder", new FdnEncoder(widthMultiplier));
        this.decoder =
                addChildBlock(
                        "decoder",
                        new DecoderNet(genotype, encoder.channels(), aggSize, numClasses, aux));
        this.encoderWeights = encoderWeights;
    }

    /** The encoder. */
    public FdnEncoder encoder() {
        return encoder;
    }

    /** The decoder. */
    public DecoderNet decoder() {
        return decoder;
    }

    /** The genotype. */
    public DecoderGenotype genotype() {
        return decoder.genotype();
    }

    /**
     * Encoder and decoder without the final resize: main logits (at the finest collected cell's
     * resolution), then in training the auxiliary logits.
     */
    public NDList logits(ParameterStore ps, NDArray images, boolean training) {
        return decoder.forward(ps, encoder.forward(ps, new NDList(images), training), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList out = logits(ps, x, training);
        NDList r = new NDList(out.size());
        r.add(Resize.bilinear(out.get(0), x.getShape().get(2), x.getShape().get(3)));
        for (int i = 1; i < out.size(); i++) {
            r.add(out.get(i));
        }
        return r;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), -1, s.get(2), s.get(3))};
    }

    /** Encoder, decoder and the final resize to the input's size. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape[] y = counter.count(decoder, counter.count(encoder, in));
        Shape out = new Shape(y[0].get(0), y[0].get(1), in.get(2), in.get(3));
        counter.bilinear(y[0], out);
        return new Shape[] {out};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        decoder.initialize(manager, dataType, encoder.getOutputShapes(inputShapes));
        if (encoderWeights != null) {
            loadEncoder(encoder, encoderWeights);
        }
    }

    /**
     * Loads torchvision MobileNet-v2 weights into an initialised encoder (every tensor it has must
     * be in the file; the classifier and {@code features.18} are skipped).
     *
     * @throws IllegalArgumentException naming the file when it does not fit
     */
    public static void loadEncoder(FdnEncoder encoder, Path file) {
        try {
            WeightFiles.LoadReport r =
                    WeightFiles.load(
                            encoder.backbone(), file, false, encoder.backbone().ignoredPrefixes());
            if (!r.missing().isEmpty() || !r.mismatched().isEmpty()) {
                throw new IllegalArgumentException(
                        "encoder weights " + file + " do not fit MobileNet-v2:\n" + r.problems());
            }
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException(
                    "encoder weights (model.encoder_weights): " + e.getMessage(), e);
        }
    }
}
