/** The control plane: PostgreSQL schema, change-data-capture stream and slim caches. */
package dev.gatehouse.controlplane;
