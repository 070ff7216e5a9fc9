package org.dpnas.common.cost;

import ai.djl.ndarray.types.Shape;

/**
 * A block that reports its own cost: it passes each child block to {@link
 * CostCounter#count(ai.djl.nn.Block, Shape...)} with the shapes the child sees, adds the work it
 * does outside its children (residual adds, concatenation, global pooling, resizing) through the
 * counter's helpers, and returns its output shapes.
 *
 * <p>Composite blocks that do work outside their children must implement it; otherwise the counter
 * only sees the children and records a warning naming the block's class. The block's own direct
 * parameters, if any, are counted by the counter, not by the implementation.
 */
public interface CostAware {

    /**
     * Counts this block's cost for the given input shapes.
     *
     * @param counter the counter to add to
     * @param inputShapes the shapes of the block's inputs
     * @return the shapes of the block's outputs
     */
    Shape[] countCost(CostCounter counter, Shape[] inputShapes);
}
