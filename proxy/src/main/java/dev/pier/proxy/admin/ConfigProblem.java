package dev.pier.proxy.admin;

/**
 * A problem of the configuration in force, as {@code /routes} lists it: something in an object Pier could not serve as
 * written (a missing Service, an annotation it does not apply), and what it did instead.
 *
 * @param object the object at fault, {@code Kind namespace/name}
 * @param field where in it, as a JSON path
 * @param reason the stable reason, as in the object's Warning Event ({@code ServiceNotFound}...)
 * @param message what is wrong and what Pier did about it
 */
public record ConfigProblem(String object, String field, String reason, String message) {}
