/** The Auto-DeepLab search job: bilevel optimisation, per-epoch decoding, genotype pictures. */
package org.dpnas.autodeeplab.search;
