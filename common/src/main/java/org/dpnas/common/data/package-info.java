/** Host-side data types shared by datasets, training and evaluation. */
package org.dpnas.common.data;
