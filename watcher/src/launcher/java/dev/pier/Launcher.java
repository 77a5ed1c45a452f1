package dev.pier;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The jar's entry point, compiled for Java 8 so that an old JVM can run it: on a Java older than 21 it prints one
 * line saying so, instead of an {@code UnsupportedClassVersionError}; on 21 or newer it hands over to Pier's
 * {@code Main}. It loads nothing else.
 */
public final class Launcher {
    static final int REQUIRED = 21;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        String problem = check(System.getProperty("java.specification.version"));
        if (problem != null) {
            System.err.println(problem + " (" + System.getProperty("java.home") + ")");
            System.exit(1);
        }
        Method main = Class.forName("dev.pier.watcher.app.Main").getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** What is wrong with this Java for Pier, or null: it needs {@value #REQUIRED} or newer. */
    static String check(String specificationVersion) {
        int feature;
        try {
            String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
            int dot = v.indexOf('.');
            feature = Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (RuntimeException e) {
            return null; // a version Pier cannot read: let the JVM speak for itself
        }
        if (feature >= REQUIRED) {
            return null;
        }
        return "pier: needs Java " + REQUIRED + " or newer, and this is Java " + feature
                + "; run it with a newer java (JAVA_HOME, or the full path to its bin/java)";
    }
}
