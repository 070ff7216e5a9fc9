package org.dpnas.common.cost;

import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The counts of one {@link CostCounter}: trainable and non-trainable parameters, multiply-adds in
 * total and per {@link OpType}, and the warnings that say where a count is incomplete.
 *
 * @param params trainable parameters (the usual "params")
 * @param nonTrainableParams parameters without gradient, such as BatchNorm running mean and
 *     variance
 * @param macs multiply-adds of all op types, {@code Σ macsByOp}
 * @param macsByOp multiply-adds per op type, every type present (zero if unused)
 * @param paramsByOp trainable parameters per op type; parameters of blocks the counter does not
 *     know by type are in {@code params} only
 * @param warnings why some counts may be incomplete, empty when every block was understood
 * @param outputShapes the shapes of the counted block's outputs
 */
public record CostReport(
        long params,
        long nonTrainableParams,
        long macs,
        Map<OpType, Long> macsByOp,
        Map<OpType, Long> paramsByOp,
        List<String> warnings,
        Shape[] outputShapes) {

    /** Copies the maps and list so that the report is immutable. */
    public CostReport {
        macsByOp = Collections.unmodifiableMap(new EnumMap<>(macsByOp));
        paramsByOp = Collections.unmodifiableMap(new EnumMap<>(paramsByOp));
        warnings = List.copyOf(warnings);
        outputShapes = outputShapes.clone();
    }

    /** Multiply-adds of one op type. */
    public long macs(OpType type) {
        return macsByOp.getOrDefault(type, 0L);
    }

    /** Multiply-adds of convolutions and linear layers only, the figure most papers quote. */
    public long convLinearMacs() {
        return macs(OpType.CONV) + macs(OpType.LINEAR);
    }

    /** The shapes of the counted block's outputs (a copy). */
    @Override
    public Shape[] outputShapes() {
        return outputShapes.clone();
    }
}
