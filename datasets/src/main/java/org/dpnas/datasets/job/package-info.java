/**
 * The set-up every training, search and evaluation run shares: configuration → device, seed,
 * datasets, splits and loader threads ({@link org.dpnas.datasets.job.JobSetup}).
 */
package org.dpnas.datasets.job;
