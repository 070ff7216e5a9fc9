package org.dpnas.fastdensenas;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;

/**
 * The FastDenseNAS decoder space as the controller sees it (Nekrasov et al., CVPR 2019, §3.1): in
 * the reference's sampling order, the two inputs of each decoder cell, then the cell's first op,
 * then per later cell layer its two inputs and two ops. The op decisions share one head, every
 * other decision has its own (as the reference's controller).
 *
 * <p>With the paper's sizes (4 encoder outputs, 3 cells, 4 layers per cell, 11 ops) there are 19
 * decisions and 4²·5²·6² · 11 · (2·11)²·(5·11)²·(8·11)² ≈ 1.8·10¹⁵ decision vectors; swapping the
 * two inputs of a cell or of a layer gives the same network, so {@link #distinct} counts unordered
 * pairs.
 */
public final class DecoderSpace implements DecisionSpace<DecoderGenotype> {

    private static final int OPS = DecoderOp.values().length;
    private final int encoderOutputs;
    private final int cells;
    private final int cellLayers;
    private final List<Decision> decisions;

    /**
     * Creates the space.
     *
     * @param encoderOutputs encoder outputs the decoder reads (4)
     * @param cells decoder cells (3)
     * @param cellLayers layers per cell, the first included (4)
     */
    public DecoderSpace(int encoderOutputs, int cells, int cellLayers) {
        if (encoderOutputs < 1 || cells < 1 || cellLayers < 1) {
            throw new IllegalArgumentException(
                    "decoder space needs encoder_outputs, cells and cell_layers >= 1, got "
                            + encoderOutputs
                            + ", "
                            + cells
                            + ", "
                            + cellLayers);
        }
        this.encoderOutputs = encoderOutputs;
        this.cells = cells;
        this.cellLayers = cellLayers;
        List<Decision> d = new ArrayList<>();
        for (int c = 0; c < cells; c++) {
            for (int i = 0; i < 2; i++) {
                d.add(Decision.of("cell" + c + ".input" + (i + 1), encoderOutputs + c));
            }
        }
        d.add(new Decision("layer0.op", OPS, "op"));
        for (int k = 1; k < cellLayers; k++) {
            for (int i = 0; i < 2; i++) {
                d.add(Decision.of("layer" + k + ".input" + (i + 1), CellLayer.inputChoices(k)));
            }
            for (int i = 0; i < 2; i++) {
                d.add(new Decision("layer" + k + ".op" + (i + 1), OPS, "op"));
            }
        }
        this.decisions = List.copyOf(d);
    }

    /** The paper's space: 4 encoder outputs, 3 cells of 4 layers. */
    public static DecoderSpace paper() {
        return new DecoderSpace(4, 3, 4);
    }

    @Override
    public List<Decision> decisions() {
        return decisions;
    }

    @Override
    public int[] encode(DecoderGenotype g) {
        if (g.encoderOutputs() != encoderOutputs
                || g.connections().size() != cells
                || g.layers().size() != cellLayers - 1) {
            throw new IllegalArgumentException(
                    "genotype has "
                            + g.encoderOutputs()
                            + " encoder outputs, "
                            + g.connections().size()
                            + " cells and "
                            + (g.layers().size() + 1)
                            + " cell layers; this space has "
                            + encoderOutputs
                            + ", "
                            + cells
                            + " and "
                            + cellLayers);
        }
        int[] x = new int[decisions.size()];
        int t = 0;
        for (int[] p : g.connections()) {
            x[t++] = p[0];
            x[t++] = p[1];
        }
        x[t++] = g.firstOp().ordinal();
        for (CellLayer l : g.layers()) {
            x[t++] = l.in1();
            x[t++] = l.in2();
            x[t++] = l.op1().ordinal();
            x[t++] = l.op2().ordinal();
        }
        return x;
    }

    @Override
    public DecoderGenotype decode(int[] x) {
        if (x.length != decisions.size()) {
            throw new IllegalArgumentException(
                    "expected " + decisions.size() + " decisions, got " + x.length);
        }
        for (int t = 0; t < x.length; t++) {
            if (x[t] < 0 || x[t] >= decisions.get(t).choices()) {
                throw new IllegalArgumentException(
                        "decision '"
                                + decisions.get(t).name()
                                + "' = "
                                + x[t]
                                + " is outside [0, "
                                + decisions.get(t).choices()
                                + ")");
            }
        }
        DecoderOp[] ops = DecoderOp.values();
        int t = 0;
        List<int[]> conns = new ArrayList<>();
        for (int c = 0; c < cells; c++) {
            conns.add(new int[] {x[t], x[t + 1]});
            t += 2;
        }
        DecoderOp first = ops[x[t++]];
        List<CellLayer> layers = new ArrayList<>();
        for (int k = 1; k < cellLayers; k++) {
            layers.add(new CellLayer(x[t], x[t + 1], ops[x[t + 2]], ops[x[t + 3]]));
            t += 4;
        }
        return new DecoderGenotype(encoderOutputs, first, layers, conns);
    }

    /** A uniform sample. */
    public DecoderGenotype sample(Random random) {
        int[] x = new int[decisions.size()];
        for (int t = 0; t < x.length; t++) {
            x[t] = random.nextInt(decisions.get(t).choices());
        }
        return decode(x);
    }

    /** The number of decision vectors (the product of the choice counts). */
    public BigInteger sequences() {
        BigInteger n = BigInteger.ONE;
        for (Decision d : decisions) {
            n = n.multiply(BigInteger.valueOf(d.choices()));
        }
        return n;
    }

    /**
     * The number of different networks up to swapping the two inputs of a decoder cell and the two
     * (input, op) branches of a cell layer: unordered pairs with repetition, m(m+1)/2 for m choices
     * per side. (Other coincidences, e.g. a branch through {@code none}, are not merged.)
     */
    public BigInteger distinct() {
        BigInteger n = BigInteger.valueOf(OPS);
        for (int c = 0; c < cells; c++) {
            n = n.multiply(pairs(encoderOutputs + c));
        }
        for (int k = 1; k < cellLayers; k++) {
            n = n.multiply(pairs((long) CellLayer.inputChoices(k) * OPS));
        }
        return n;
    }

    private static BigInteger pairs(long m) {
        return BigInteger.valueOf(m).multiply(BigInteger.valueOf(m + 1)).shiftRight(1);
    }

    /** The sizes for {@code --dry-run --json}. */
    public JsonObject sizes() {
        JsonObject o = new JsonObject();
        o.addProperty("encoder_outputs", encoderOutputs);
        o.addProperty("cells", cells);
        o.addProperty("cell_layers", cellLayers);
        o.addProperty("ops", OPS);
        o.addProperty("decisions", decisions.size());
        JsonArray names = new JsonArray();
        JsonArray choices = new JsonArray();
        for (Decision d : decisions) {
            names.add(d.name());
            choices.add(d.choices());
        }
        o.add("decision_names", names);
        o.add("choices_per_decision", choices);
        o.addProperty("decision_vectors", sequences().toString());
        o.addProperty("distinct_architectures", distinct().toString());
        return o;
    }

    /** The genotype in words: the cell, then what each decoder cell aggregates. */
    public String describe(DecoderGenotype g) {
        List<String> nodes = new ArrayList<>();
        nodes.add("x");
        nodes.add(g.firstOp().label() + "(x)");
        StringBuilder b = new StringBuilder("cell:\n  n1 = " + g.firstOp().label() + "(x)\n");
        for (int k = 1; k <= g.layers().size(); k++) {
            CellLayer l = g.layers().get(k - 1);
            b.append("  n")
                    .append(3 * k + 1)
                    .append(" = ")
                    .append(l.op1().label())
                    .append("(n")
                    .append(l.in1())
                    .append(") + ")
                    .append(l.op2().label())
                    .append("(n")
                    .append(l.in2())
                    .append(")\n");
        }
        b.append("decoder (nodes 0-").append(encoderOutputs - 1).append(" are encoder outputs):\n");
        for (int c = 0; c < g.connections().size(); c++) {
            int[] p = g.connections().get(c);
            b.append("  node ")
                    .append(encoderOutputs + c)
                    .append(" = cell(node ")
                    .append(p[0])
                    .append(") + cell(node ")
                    .append(p[1])
                    .append(")\n");
        }
        return b.toString();
    }
}
