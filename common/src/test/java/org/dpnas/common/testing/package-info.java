/** Test support shared by every module's tests (through the common test jar): real data. */
package org.dpnas.common.testing;
