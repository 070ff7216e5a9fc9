package org.dpnas.fastdensenas;

import ai.djl.nn.Block;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;

/**
 * The FastDenseNAS search space as the suite's contracts see it: decoder genotypes over the
 * MobileNet-v2 encoder ({@link DecoderSpace} gives the controller's decisions), the fixed network
 * of a genotype ({@link FdnNet} without auxiliary outputs, for retraining and inference), the
 * genotype's JSON, words and picture. It is also a {@link DecisionSpace} (the decoder space's
 * decisions), so the multi-trial strategies that need categorical decisions ({@code --strategy
 * rl|renas}) run on it.
 */
public final class FastDenseNasSpace
        implements SearchSpace<DecoderGenotype>, DecisionSpace<DecoderGenotype> {

    private final DecoderSpace decisions;
    private final int aggSize;
    private final float widthMultiplier;
    private final Path encoderWeights;

    /**
     * Creates the space.
     *
     * @param decisions the decision space (its sizes)
     * @param aggSize decoder width
     * @param widthMultiplier encoder width multiplier
     * @param encoderWeights encoder weights a built network loads at initialisation, or null
     */
    public FastDenseNasSpace(
            DecoderSpace decisions, int aggSize, float widthMultiplier, Path encoderWeights) {
        this.decisions = decisions;
        this.aggSize = aggSize;
        this.widthMultiplier = widthMultiplier;
        this.encoderWeights = encoderWeights;
    }

    /** The space of a search's settings. */
    public static FastDenseNasSpace of(FdnSettings s) {
        return new FastDenseNasSpace(s.space(), s.aggSize(), s.widthMultiplier(), null);
    }

    /** The decoder space whose decisions the controller makes. */
    public DecoderSpace decoderSpace() {
        return decisions;
    }

    @Override
    public List<Decision> decisions() {
        return decisions.decisions();
    }

    @Override
    public int[] encode(DecoderGenotype genotype) {
        return decisions.encode(genotype);
    }

    @Override
    public DecoderGenotype decode(int[] vector) {
        return decisions.decode(vector);
    }

    @Override
    public String method() {
        return DecoderGenotype.METHOD;
    }

    @Override
    public DecoderGenotype sample(Random random) {
        return decisions.sample(random);
    }

    @Override
    public Block build(DecoderGenotype genotype, int numClasses) {
        return new FdnNet(
                genotype,
                aggSize,
                numClasses,
                DecoderNet.Aux.NONE,
                widthMultiplier,
                encoderWeights);
    }

    @Override
    public DecoderGenotype fromJson(String json) {
        DecoderGenotype g = DecoderGenotype.fromJson(json);
        decisions.encode(g); // refuses a genotype of other sizes, naming them
        return g;
    }

    @Override
    public String describe(DecoderGenotype genotype) {
        return decisions.describe(genotype);
    }

    @Override
    public String picture(DecoderGenotype genotype, String title) {
        return DecoderPicture.svg(genotype, title);
    }
}
