/**
 * The FBNet search (Wu et al., CVPR 2019, Sec. 3.2–3.3): Gumbel-softmax op weights with an annealed
 * temperature, the per-layer latency lookup table and the latency-aware loss, on the shared
 * one-shot job.
 */
package org.dpnas.fbnet.search;
