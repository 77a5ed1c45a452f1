/**
 * The routing model: an immutable {@link dev.pier.proxy.route.RouteTable} built once per configuration and looked up
 * by (Host header, path) on every request without allocating.
 *
 * <p>This package is the contract between the control plane (which builds tables from Kubernetes objects) and the
 * data plane (which only reads them). It depends on the JDK alone (BoundariesTest checks it): no Netty,
 * no fabric8, no certificates ({@code ActiveRoutes} publishes those beside the table).
 *
 * <p>Threading: every type here is immutable and safe to share, except {@link dev.pier.proxy.route.RouteTable.Builder},
 * which is confined to the thread that builds the table.
 */
package dev.pier.proxy.route;
