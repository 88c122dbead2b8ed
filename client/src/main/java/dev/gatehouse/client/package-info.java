/** The headless Gatehouse client. */
package dev.gatehouse.client;
