/** Streaming metric contract implemented by the evaluation module. */
package org.dpnas.common.metric;
