package org.dpnas.nasfpn;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;
import org.dpnas.common.search.strategies.ExpertGenotypes;

/**
 * The NAS-FPN search space (Ghiasi et al., CVPR 2019, section 3.1): pyramids of {@code cells}
 * merging cells on levels {@code 3 … 7}, each choosing input 1, input 2, the output level and the
 * binary op, and their one-to-one mapping to a vector of categorical decisions for an RL
 * controller.
 *
 * <p>Decisions, per cell {@code i} in order: input 1 and input 2 ({@code L + i} choices each, any
 * existing node), the level, and the op (2 choices). A non-output cell's level is one of the {@code
 * L} levels; the {@code k}-th output cell (the last {@code L} cells are the outputs) picks among
 * the {@code L − k} levels the earlier output cells left, in increasing order, so every decision
 * vector is a valid pyramid and every pyramid has exactly one vector.
 */
public final class PyramidSpace
        implements SearchSpace<PyramidGenotype>,
                DecisionSpace<PyramidGenotype>,
                ExpertGenotypes<PyramidGenotype> {

    private static final int MIN = 3;
    private static final int MAX = 7;
    private static final int L = MAX - MIN + 1;

    private final int cells;
    private final String backbone;
    private final int width;
    private final int repeats;
    private final String attention;

    /**
     * Creates the space.
     *
     * @param cells merging cells per pyramid (≥ 5; the paper searches 7)
     * @param backbone backbone of the built detector
     * @param width pyramid and head width
     * @param repeats stacks of the built detector
     * @param attention global-attention variant
     */
    public PyramidSpace(int cells, String backbone, int width, int repeats, String attention) {
        if (cells < L) {
            throw new IllegalArgumentException(
                    "a pyramid needs at least " + L + " merging cells, got " + cells);
        }
        this.cells = cells;
        this.backbone = backbone;
        this.width = width;
        this.repeats = repeats;
        this.attention = attention;
    }

    /**
     * A built-in pyramid ({@code fpn}, {@code nasfpn}) as an expert of this space (the IRLAS term),
     * when it has this space's number of cells (FPN has 5, NAS-FPN 7).
     */
    @Override
    public java.util.Optional<PyramidGenotype> expert(String name) {
        if (!name.equals("fpn") && !name.equals("nasfpn")) {
            return java.util.Optional.empty();
        }
        PyramidGenotype g = PyramidGenotype.builtIn(name);
        return g.cells().size() == cells ? java.util.Optional.of(g) : java.util.Optional.empty();
    }

    /** Number of merging cells. */
    public int cells() {
        return cells;
    }

    /** The number of choices of every decision, in controller order. */
    public int[] choices() {
        int[] c = new int[4 * cells];
        for (int i = 0; i < cells; i++) {
            int k = i - (cells - L);
            c[4 * i] = L + i;
            c[4 * i + 1] = L + i;
            c[4 * i + 2] = k < 0 ? L : L - k;
            c[4 * i + 3] = MergingCell.OPS.size();
        }
        return c;
    }

    /** The name of every decision, for messages and logs. */
    public List<String> decisionNames() {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
            n.add("cell" + i + ".input1");
            n.add("cell" + i + ".input2");
            n.add("cell" + i + ".level");
            n.add("cell" + i + ".op");
        }
        return n;
    }

    @Override
    public List<Decision> decisions() {
        int[] c = choices();
        List<String> names = decisionNames();
        List<Decision> d = new ArrayList<>();
        for (int j = 0; j < c.length; j++) {
            d.add(
                    j % 4 == 3
                            ? new Decision(names.get(j), c[j], "op")
                            : Decision.of(names.get(j), c[j]));
        }
        return d;
    }

    /** The decision vector of a genotype of this space. */
    @Override
    public int[] encode(PyramidGenotype g) {
        if (g.cells().size() != cells || g.minLevel() != MIN || g.maxLevel() != MAX) {
            throw new IllegalArgumentException(
                    "genotype has "
                            + g.cells().size()
                            + " cells on levels "
                            + g.minLevel()
                            + ".."
                            + g.maxLevel()
                            + ", the space "
                            + cells
                            + " on "
                            + MIN
                            + ".."
                            + MAX);
        }
        int[] d = new int[4 * cells];
        List<Integer> free = freeLevels();
        for (int i = 0; i < cells; i++) {
            MergingCell c = g.cells().get(i);
            d[4 * i] = c.input1();
            d[4 * i + 1] = c.input2();
            if (i < cells - L) {
                d[4 * i + 2] = c.level() - MIN;
            } else {
                d[4 * i + 2] = free.indexOf(c.level());
                free.remove(Integer.valueOf(c.level()));
            }
            d[4 * i + 3] = MergingCell.OPS.indexOf(c.op());
        }
        return d;
    }

    /**
     * The genotype of a decision vector.
     *
     * @throws IllegalArgumentException naming the decision whose value is out of range
     */
    @Override
    public PyramidGenotype decode(int[] d) {
        int[] choices = choices();
        if (d.length != choices.length) {
            throw new IllegalArgumentException(
                    "expected " + choices.length + " decisions, got " + d.length);
        }
        List<String> names = decisionNames();
        for (int j = 0; j < d.length; j++) {
            if (d[j] < 0 || d[j] >= choices[j]) {
                throw new IllegalArgumentException(
                        "decision "
                                + names.get(j)
                                + " = "
                                + d[j]
                                + " outside [0, "
                                + choices[j]
                                + ")");
            }
        }
        List<MergingCell> out = new ArrayList<>();
        List<Integer> free = freeLevels();
        for (int i = 0; i < cells; i++) {
            int level = i < cells - L ? MIN + d[4 * i + 2] : free.remove(d[4 * i + 2]);
            out.add(
                    new MergingCell(
                            d[4 * i], d[4 * i + 1], level, MergingCell.OPS.get(d[4 * i + 3])));
        }
        return new PyramidGenotype(MIN, MAX, out);
    }

    private static List<Integer> freeLevels() {
        List<Integer> free = new ArrayList<>();
        for (int l = MIN; l <= MAX; l++) {
            free.add(l);
        }
        return free;
    }

    @Override
    public String method() {
        return PyramidGenotype.METHOD;
    }

    /** Uniform over decision vectors, each decision drawn independently. */
    @Override
    public PyramidGenotype sample(Random random) {
        int[] c = choices();
        int[] d = new int[c.length];
        for (int j = 0; j < c.length; j++) {
            d[j] = random.nextInt(c[j]);
        }
        return decode(d);
    }

    @Override
    public Block build(PyramidGenotype genotype, int numClasses) {
        return new RetinaNet(backbone, genotype, width, repeats, attention, numClasses, 9, 4);
    }

    @Override
    public PyramidGenotype fromJson(String json) {
        return PyramidGenotype.fromJson(json);
    }

    @Override
    public String describe(PyramidGenotype g) {
        StringBuilder sb = new StringBuilder();
        List<List<Integer>> absorbed = g.absorbed();
        for (int i = 0; i < g.cells().size(); i++) {
            MergingCell c = g.cells().get(i);
            sb.append(
                    String.format(
                            "node %2d = P%d <- %s(%s, %s)%s%s%n",
                            g.levels() + i,
                            c.level(),
                            c.op(),
                            nodeName(g, c.input1()),
                            nodeName(g, c.input2()),
                            absorbed.get(i).isEmpty() ? "" : " + absorbs " + absorbed.get(i),
                            i >= g.cells().size() - g.levels() ? "  [output]" : ""));
        }
        return sb.toString();
    }

    private static String nodeName(PyramidGenotype g, int node) {
        return node < g.levels() ? "in P" + g.levelOf(node) : "node " + node;
    }

    @Override
    public String picture(PyramidGenotype g, String title) {
        return PyramidPicture.svg(g, title);
    }
}
