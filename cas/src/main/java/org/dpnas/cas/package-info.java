/**
 * CAS (Zhang et al., CVPR 2019, https://arxiv.org/abs/1903.02024): cost-aware search of normal,
 * reduction and multi-scale cells on the shared DARTS cell and op table, searched by the shared
 * one-shot strategy with an expected-cost architecture penalty.
 */
package org.dpnas.cas;
