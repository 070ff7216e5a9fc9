/**
 * Reinforcement-learning search strategies: an LSTM controller (Zoph and Le, ICLR 2017; ENAS, Pham
 * et al. 2018) that emits a space's categorical decisions one after another, trained with PPO
 * (Schulman et al. 2017) or REINFORCE (Williams 1992) with a moving-average baseline. The
 * controller is plain Java in float64: it is tiny, deterministic and never competes with a child's
 * training for the engine's one gradient collector.
 */
package org.dpnas.common.search.rl;
