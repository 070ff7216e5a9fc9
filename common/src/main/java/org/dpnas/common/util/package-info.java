/** Small utilities shared by every module. */
package org.dpnas.common.util;
