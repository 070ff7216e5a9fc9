/** The CAS search job: two search phases, the cost table, the λ sweep. */
package org.dpnas.cas.search;
