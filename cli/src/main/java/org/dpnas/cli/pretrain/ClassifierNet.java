package org.dpnas.cli.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.nn.backbone.Backbone;

/**
 * An image classifier for pre-training: a {@link Backbone}'s deepest tap, global average pooling
 * and one linear layer (torchvision's ResNet / MobileNet-v2 classifier without dropout).
 */
final class ClassifierNet extends AbstractBlock {

    private final Backbone backbone;
    private final Linear head;

    /**
     * Creates the classifier.
     *
     * @param backbone the backbone whose deepest tap is pooled
     * @param classes the number of classes
     */
    ClassifierNet(Backbone backbone, int classes) {
        this.backbone = addChildBlock("backbone", backbone);
        this.head = addChildBlock("fc", Linear.builder().setUnits(classes).build());
    }

    /** The backbone (its weights are what pre-training is for). */
    Backbone backbone() {
        return backbone;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList taps = backbone.forward(store, inputs, training, params);
        NDArray deepest = taps.get(taps.size() - 1);
        long n = deepest.getShape().get(0);
        long c = deepest.getShape().get(1);
        NDArray pooled = Pool.globalAvgPool2d(deepest).reshape(n, c);
        return head.forward(store, new NDList(pooled), training, params);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes[0]);
        Shape[] taps = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
        Shape deepest = taps[taps.length - 1];
        head.initialize(manager, dataType, new Shape(deepest.get(0), deepest.get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] taps = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
        Shape deepest = taps[taps.length - 1];
        return head.getOutputShapes(new Shape[] {new Shape(deepest.get(0), deepest.get(1))});
    }
}
