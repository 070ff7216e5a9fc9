package org.dpnas.cas;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.nn.ops.OpSpec;

/**
 * The resource cost of every candidate, as CAS defines it (Zhang et al., CVPR 2019, Sec. 3.3): the
 * cost of an op is the cost of a cell built only from that op minus the cost of the same cell built
 * only from identity, at the cell's real position and size (batch 1, the search's image size). A
 * cell's cost is split evenly over its edges, and cells of one type add up, since they share one α:
 * row e of {@code normal} is Σ over the normal cells of (cost(cell of op) − cost(cell of identity))
 * / edges. The multi-scale cell's branch r costs cost(cell with only branch r) − cost(cell with
 * only the identity branch).
 *
 * <p>Latency comes from a {@link LatencyTable} (the core's per-op table, here keyed by whole
 * cells), measured on the run's device and thread count and reused when the table already holds the
 * key.
 *
 * @param kind the resource
 * @param normal cost per (edge, op) of α_normal
 * @param reduce cost per (edge, op) of α_reduce
 * @param multiscale cost per rate of α_ms
 */
public record OpCosts(CostKind kind, float[][] normal, float[][] reduce, float[] multiscale) {

    /**
     * Prices the candidates of a supernet.
     *
     * @param net the supernet
     * @param kind the resource
     * @param height image height
     * @param width image width
     * @param table the latency table (read and extended; used only for {@code LATENCY})
     * @param manager where measured blocks live
     * @param meter the latency meter
     */
    public static OpCosts of(
            CasNet net,
            CostKind kind,
            long height,
            long width,
            LatencyTable table,
            NDManager manager,
            LatencyMeter meter) {
        if (!net.isSupernet()) {
            throw new IllegalArgumentException("op costs are priced on the supernet");
        }
        CasSizes s = net.sizes();
        List<Shape[]> shapes = net.cellInputShapes(1, height, width);
        int k = s.ops().size();
        double[] normal = new double[k];
        double[] reduce = new double[k];
        for (int l = 0; l < net.cells().size(); l++) {
            CasCell cell = net.cells().get(l);
            Shape[] in = shapes.get(l);
            double base =
                    cost(
                            kind,
                            cell.allOf(OpSpec.SKIP_CONNECT),
                            in,
                            cell,
                            "skip",
                            table,
                            manager,
                            meter);
            double[] into = cell.reduction() ? reduce : normal;
            for (int o = 0; o < k; o++) {
                OpSpec op = s.ops().get(o);
                double c =
                        op == OpSpec.SKIP_CONNECT
                                ? base
                                : cost(
                                        kind,
                                        cell.allOf(op),
                                        in,
                                        cell,
                                        op.opName(),
                                        table,
                                        manager,
                                        meter);
                into[o] += (c - base) / s.edges();
            }
        }
        MultiScaleCell ms = net.multiScale();
        Shape[] in = shapes.get(shapes.size() - 1);
        List<Integer> rates = s.msRates();
        double base = msCost(kind, ms, 0, in, table, manager, meter);
        float[] msCosts = new float[rates.size()];
        for (int i = 0; i < rates.size(); i++) {
            int r = rates.get(i);
            msCosts[i] =
                    (float)
                            ((r == 0 ? base : msCost(kind, ms, r, in, table, manager, meter))
                                    - base);
        }
        return new OpCosts(kind, rows(normal, s.edges()), rows(reduce, s.edges()), msCosts);
    }

    private static float[][] rows(double[] perOp, int edges) {
        float[][] m = new float[edges][perOp.length];
        for (float[] row : m) {
            for (int o = 0; o < perOp.length; o++) {
                row[o] = (float) perOp[o];
            }
        }
        return m;
    }

    private static double msCost(
            CostKind kind,
            MultiScaleCell ms,
            int rate,
            Shape[] in,
            LatencyTable table,
            NDManager manager,
            LatencyMeter meter) {
        String key = "cas multiscale m" + ms.channels() + " rate" + rate;
        return measure(kind, ms.fixedLike(List.of(rate)), in, key, table, manager, meter);
    }

    private static double cost(
            CostKind kind,
            CasCell cell,
            Shape[] in,
            CasCell position,
            String op,
            LatencyTable table,
            NDManager manager,
            LatencyMeter meter) {
        String key = "cas cell " + position.positionKey() + " all " + op;
        return measure(kind, cell, in, key, table, manager, meter);
    }

    private static double measure(
            CostKind kind,
            Block block,
            Shape[] in,
            String key,
            LatencyTable table,
            NDManager manager,
            LatencyMeter meter) {
        switch (kind) {
            case PARAMS:
                return CostCounter.of(block, in).params() / 1e6;
            case MACS:
                return CostCounter.of(block, in).macs() / 1e6;
            default:
                break;
        }
        StringBuilder config = new StringBuilder(key);
        for (int i = 0; i < in.length - 1; i++) {
            config.append(" in").append(i).append(' ').append(LatencyTable.dims(in[i]));
        }
        String full = LatencyTable.key(config.toString(), in[in.length - 1]);
        OptionalDouble known = table.lookup(full);
        if (known.isPresent()) {
            return known.getAsDouble();
        }
        try (NDManager sub = manager.newSubManager()) {
            block.initialize(sub, DataType.FLOAT32, in);
            double ms = meter.measure(block, sub, in).medianMs();
            table.put(full, ms);
            return ms;
        }
    }

    /**
     * The expected cost of the current architecture, Σ softmax(α)·cost over every α (in the cost's
     * unit, without λ).
     */
    public double expected(float[][] alphaNormal, float[][] alphaReduce, float[] alphaMs) {
        double sum = 0;
        for (int e = 0; e < normal.length; e++) {
            sum += dot(softmax(alphaNormal[e]), normal[e]);
            sum += dot(softmax(alphaReduce[e]), reduce[e]);
        }
        return sum + dot(softmax(alphaMs), multiscale);
    }

    /** The costs as a small JSON-friendly report: per op of each cell type, per rate. */
    public String describe(List<OpSpec> ops, List<Integer> rates) {
        StringBuilder b = new StringBuilder();
        b.append("cost (").append(kind.unit()).append(", per edge, summed over cells of a type)\n");
        for (int o = 0; o < ops.size(); o++) {
            b.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "  %-14s normal %10.5f  reduce %10.5f%n",
                            ops.get(o).opName(),
                            normal.length == 0 ? 0 : normal[0][o],
                            reduce.length == 0 ? 0 : reduce[0][o]));
        }
        b.append("  multi-scale rates ")
                .append(rates)
                .append(": ")
                .append(Arrays.toString(multiscale))
                .append('\n');
        return b.toString();
    }

    static double[] softmax(float[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : a) {
            max = Math.max(max, v);
        }
        double[] p = new double[a.length];
        double z = 0;
        for (int i = 0; i < a.length; i++) {
            p[i] = Math.exp(a[i] - max);
            z += p[i];
        }
        for (int i = 0; i < a.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    private static double dot(double[] p, float[] c) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += p[i] * c[i];
        }
        return s;
    }
}
