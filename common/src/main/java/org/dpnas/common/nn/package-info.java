/** Network building blocks shared by every search space, and the fixed baseline network. */
package org.dpnas.common.nn;
