package org.dpnas.fbnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.LightAspp;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.nn.ops.ArchRelaxation;
import org.dpnas.common.search.Supernet;

/**
 * The FBNet segmentation network (Wu et al., CVPR 2019, Sec. 3.1, Table 1): the stem, the
 * searchable layers ({@link FbnetSizes}), the light ASPP head the suite's baseline uses ({@link
 * LightAspp}), a 1×1 classifier and a bilinear up-sampling to the input size.
 *
 * <p>As a <b>supernet</b> every layer holds all nine candidates ({@link FbnetOp}) and the
 * architecture parameters θ (layers × 9); a training pass computes every candidate and mixes them
 * with the relaxation's weights m = relax(θ) (FBNet: the Gumbel-softmax of Sec. 3.2, Eq. 6), {@code
 * x_{l+1} = Σ_i m_{l,i} · b_{l,i}(x_l)} — one stacked matrix product per layer. The weights of the
 * last training pass stay readable ({@link #lastWeights()}) for the latency term, which must use
 * the same sample. An evaluation pass runs each layer's most likely block, argmax θ, which is also
 * what {@link #derive()} decodes. The <b>fixed</b> network of a genotype has one block per layer
 * and no θ.
 */
public final class FbnetNet extends AbstractBlock implements Supernet<FbnetGenotype>, CostAware {

    private final FbnetSizes sizes;
    private final FbnetGenotype genotype;
    private final ConvBnAct stem;
    private final List<List<FbnetBlock>> layers = new ArrayList<>();
    private final LightAspp head;
    private final Conv2d classifier;
    private final Parameter theta;
    private ArchRelaxation relaxation = ArchRelaxation.SOFTMAX;
    private NDArray lastWeights;

    private FbnetNet(FbnetSizes sizes, FbnetGenotype genotype) {
        this.sizes = sizes;
        this.genotype = genotype;
        stem = addChildBlock("stem", new ConvBnAct(sizes.stemChannels(), 3, 2, 1, 1, true));
        List<FbnetSizes.Layer> plan = sizes.layers();
        for (int l = 0; l < plan.size(); l++) {
            List<FbnetBlock> choices = new ArrayList<>();
            List<FbnetOp> ops = genotype == null ? FbnetOp.ALL : List.of(genotype.ops().get(l));
            for (FbnetOp op : ops) {
                choices.add(
                        addChildBlock(
                                "layer" + l + "_" + op.opName(), new FbnetBlock(plan.get(l), op)));
            }
            layers.add(choices);
        }
        int[] rates = sizes.asppRates().stream().mapToInt(Integer::intValue).toArray();
        head = addChildBlock("aspp", new LightAspp(sizes.headChannels(), rates));
        classifier =
                addChildBlock(
                        "classifier",
                        Conv2d.builder()
                                .setFilters(sizes.numClasses())
                                .setKernelShape(new Shape(1, 1))
                                .build());
        theta =
                genotype != null
                        ? null
                        : addParameter(
                                Parameter.builder()
                                        .setName("theta")
                                        .setType(Parameter.Type.OTHER)
                                        .optShape(new Shape(plan.size(), FbnetOp.ALL.size()))
                                        .optInitializer(new NormalInitializer(1e-3f))
                                        .build());
        // He initialisation (fan-out, Gaussian), as the suite's other segmentation networks
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
    }

    /** The supernet over every candidate of every layer. */
    public static FbnetNet supernet(FbnetSizes sizes) {
        return new FbnetNet(sizes, null);
    }

    /** The fixed network of a genotype. */
    public static FbnetNet fixed(FbnetGenotype genotype, int numClasses) {
        return new FbnetNet(genotype.sizes(numClasses), genotype);
    }

    /** The sizes. */
    public FbnetSizes sizes() {
        return sizes;
    }

    /** Whether this is the supernet. */
    public boolean isSupernet() {
        return genotype == null;
    }

    /** θ, layers × 9 (the supernet only). */
    public Parameter theta() {
        return theta;
    }

    /** Makes later training passes weight the candidates with {@code relaxation}. */
    public void relaxation(ArchRelaxation relaxation) {
        this.relaxation = relaxation;
    }

    /** The op weights m (layers × 9) of the last training pass, in that pass's manager. */
    public NDArray lastWeights() {
        if (lastWeights == null) {
            throw new IllegalStateException("no training pass has run yet");
        }
        return lastWeights;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape in = x.getShape();
        NDManager sm = x.getManager();
        Device device = x.getDevice();
        NDArray m = null;
        int[] chosen = null;
        if (isSupernet()) {
            if (training) {
                m = relaxation.weights(ps.getValue(theta, device, true), true, sm).weights();
                m.attach(sm);
                lastWeights = m;
            } else {
                chosen = argmax(ps.getValue(theta, device, false));
            }
        }
        NDList h = stem.forward(ps, inputs, training);
        for (int l = 0; l < layers.size(); l++) {
            List<FbnetBlock> choices = layers.get(l);
            if (!isSupernet()) {
                h = choices.get(0).forward(ps, h, training);
            } else if (chosen != null) {
                h = choices.get(chosen[l]).forward(ps, h, training);
            } else {
                NDList outs = new NDList(choices.size());
                for (FbnetBlock b : choices) {
                    outs.add(b.forward(ps, h, training).head());
                }
                NDArray stacked = NDArrays.stack(outs, 0);
                Shape s = outs.head().getShape();
                NDArray row = m.get(l).reshape(1, choices.size());
                NDArray mixed = row.matMul(stacked.reshape(choices.size(), -1)).reshape(s);
                h = new NDList(mixed);
            }
        }
        h = head.forward(ps, h, training);
        NDArray logits = classifier.forward(ps, h, training).head();
        return new NDList(Resize.bilinear(logits, in.get(2), in.get(3)));
    }

    private static int[] argmax(NDArray theta) {
        int rows = (int) theta.getShape().get(0);
        int cols = (int) theta.getShape().get(1);
        float[] t = theta.toType(DataType.FLOAT32, false).toFloatArray();
        int[] best = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 1; c < cols; c++) {
                if (t[r * cols + c] > t[r * cols + best[r]]) {
                    best[r] = c;
                }
            }
        }
        return best;
    }

    @Override
    public List<Parameter> archParameters() {
        return isSupernet() ? List.of(theta) : List.of();
    }

    @Override
    public List<Parameter> weightParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (p.getValue() != theta && p.getValue().requiresGradient()) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /** argmax θ per layer (Sec. 3.3: the final architecture samples the optimal distribution). */
    @Override
    public FbnetGenotype derive() {
        if (!isSupernet()) {
            return genotype;
        }
        int[] best = argmax(theta.getArray());
        List<FbnetOp> ops = new ArrayList<>();
        for (int b : best) {
            ops.add(FbnetOp.ALL.get(b));
        }
        return new FbnetGenotype(
                ops,
                sizes.width(),
                sizes.depths(),
                sizes.outputStride(),
                sizes.headChannels(),
                sizes.asppRates());
    }

    /**
     * Counts the stem, each layer's blocks (all nine of a supernet layer, as a training pass runs
     * them), the head, the classifier and the final resize.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = counter.count(stem, inputShapes);
        for (List<FbnetBlock> choices : layers) {
            Shape[] o = null;
            for (FbnetBlock b : choices) {
                o = counter.count(b, s);
            }
            s = o;
        }
        s = counter.count(classifier, counter.count(head, s));
        Shape[] out = getOutputShapes(inputShapes);
        counter.bilinear(s[0], out[0]);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), sizes.numClasses(), s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        stem.initialize(manager, dataType, inputShapes);
        Shape[] s = stem.getOutputShapes(inputShapes);
        for (List<FbnetBlock> choices : layers) {
            for (FbnetBlock b : choices) {
                b.initialize(manager, dataType, s);
            }
            s = choices.get(0).getOutputShapes(s);
        }
        head.initialize(manager, dataType, s);
        classifier.initialize(manager, dataType, head.getOutputShapes(s));
    }
}
