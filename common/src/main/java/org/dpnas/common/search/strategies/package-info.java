/**
 * Multi-trial strategies and reward shapes beyond random search and the RL controller, each on the
 * ask/tell contracts of {@link org.dpnas.common.search}: the MnasNet latency-aware reward ({@link
 * org.dpnas.common.search.strategies.MnasReward}), RENAS reinforced evolution ({@link
 * org.dpnas.common.search.strategies.RenasSearch}) and the IRLAS topology-imitation term ({@link
 * org.dpnas.common.search.strategies.ImitationReward}), and the factory the {@code dpnas search}
 * verb builds them with from a configuration ({@link
 * org.dpnas.common.search.strategies.Strategies}).
 */
package org.dpnas.common.search.strategies;
