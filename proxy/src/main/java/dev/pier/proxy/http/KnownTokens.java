package dev.pier.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A fixed set of ASCII tokens found by their exact bytes, so that a decoder hands out one shared constant for a field
 * name or status-line word it sees on every message instead of copying it into a new object each time. The match is
 * byte for byte, case included: a message is forwarded spelled as it came. Immutable, thread-safe.
 *
 * @param <T> the constant handed out for a token
 */
final class KnownTokens<T> {
    private final byte[][][] bytes; // by length: the tokens of that length
    private final Object[][] values; // by length: the constants, in the same order

    /**
     * @param tokens the tokens to recognise
     * @param value the constant for a token
     */
    KnownTokens(List<String> tokens, Function<String, T> value) {
        int longest = tokens.stream().mapToInt(String::length).max().orElse(0);
        bytes = new byte[longest + 1][][];
        values = new Object[longest + 1][];
        for (String token : tokens) {
            int n = token.length();
            bytes[n] = bytes[n] == null ? new byte[1][] : Arrays.copyOf(bytes[n], bytes[n].length + 1);
            values[n] = values[n] == null ? new Object[1] : Arrays.copyOf(values[n], values[n].length + 1);
            bytes[n][bytes[n].length - 1] = token.getBytes(StandardCharsets.US_ASCII);
            values[n][values[n].length - 1] = value.apply(token);
        }
    }

    /** The constant for {@code buf[start, start + length)}, or null when those bytes are not one of the tokens. */
    @SuppressWarnings("unchecked")
    T find(byte[] buf, int start, int length) {
        if (length >= bytes.length) {
            return null;
        }
        byte[][] candidates = bytes[length];
        if (candidates == null) {
            return null;
        }
        for (int i = 0; i < candidates.length; i++) {
            if (Arrays.equals(candidates[i], 0, length, buf, start, start + length)) {
                return (T) values[length][i];
            }
        }
        return null;
    }
}
