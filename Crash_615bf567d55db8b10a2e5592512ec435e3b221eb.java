import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

public class Crash_615bf567d55db8b10a2e5592512ec435e3b221eb {
    static final String base64Bytes = String.join("", "AAAABAEAAAAAAABSAQQAAAABAAc6bWV0aG9kBFBPU1QABzpzY2hlbWUFaHR0cHMACjphdXRob3JpdHkLZXhhbXBsZS5jb20ABTpwYXRoAy91cAAOY29udGVudC1sZW5ndGgBMAAAdGVudC1sZW5nYw==");

    public static void main(String[] args) throws Throwable {
        Crash_615bf567d55db8b10a2e5592512ec435e3b221eb.class.getClassLoader().setDefaultAssertionStatus(true);
        try {
            Method fuzzerInitialize = dev.pier.proxy.http.Http2Fuzzer.class.getMethod("fuzzerInitialize");
            fuzzerInitialize.invoke(null);
        } catch (NoSuchMethodException ignored) {
            try {
                Method fuzzerInitialize = dev.pier.proxy.http.Http2Fuzzer.class.getMethod("fuzzerInitialize", String[].class);
                fuzzerInitialize.invoke(null, (Object) args);
            } catch (NoSuchMethodException ignored1) {
            } catch (IllegalAccessException | InvocationTargetException e) {
                e.printStackTrace();
                System.exit(1);
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            e.printStackTrace();
            System.exit(1);
        }
        byte[] input = java.util.Base64.getDecoder().decode(base64Bytes);
        dev.pier.proxy.http.Http2Fuzzer.fuzzerTestOneInput(input);
    }
}