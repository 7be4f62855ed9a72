/** Implementation details of costwise-core. Not public API: may change without notice. */
package dev.costwise.core.internal;
