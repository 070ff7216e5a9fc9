/**
 * Cost models: parameter and multiply-add counts of any DJL block for an input shape ({@link
 * org.dpnas.common.cost.CostCounter}, {@link org.dpnas.common.cost.CostAware}), measured latency
 * ({@link org.dpnas.common.cost.LatencyMeter}) and a per-op latency lookup table ({@link
 * org.dpnas.common.cost.LatencyTable}) that lets a search price candidate ops without running them.
 */
package org.dpnas.common.cost;
