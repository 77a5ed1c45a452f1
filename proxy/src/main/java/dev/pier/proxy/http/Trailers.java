package dev.pier.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trailer fields for the HTTP/1.1 decoders, validated as Netty's default trailers are, with no table until the first
 * field is added. The decoder makes trailers for the last piece of every message with a {@code Content-Length} body
 * (one per proxied response) and almost all stay empty: empty, they are this object alone, where Netty's take four
 * objects and about 110 bytes more. The fields, once there are any, live in a {@link DefaultHttpHeaders} of two
 * buckets.
 *
 * <p>Event-loop confined, as the message they belong to.
 */
final class Trailers extends HttpHeaders {
    private static final DefaultHttpHeadersFactory DEFAULTS = DefaultHttpHeadersFactory.trailersFactory();
    private static final int SIZE_HINT = 2;

    /** The factory to give {@code HttpDecoderConfig.setTrailersFactory}. */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new Trailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return DEFAULTS.newEmptyHeaders();
        }
    };

    private Fields fields; // null while there are none

    /** Netty's trailers with their validation, in a table of two buckets rather than sixteen. */
    private static final class Fields extends DefaultHttpHeaders {
        Fields() {
            super(DEFAULTS.getNameValidator(), DEFAULTS.getValueValidator(), SIZE_HINT);
        }
    }

    private Trailers() {
    }

    /** The table, made on the first write. */
    private Fields fields() {
        Fields f = fields;
        if (f == null) {
            f = fields = new Fields();
        }
        return f;
    }

    // Reads: an empty answer while there is no table.

    @Override
    public String get(String name) {
        return fields == null ? null : fields.get(name);
    }

    @Override
    public String get(CharSequence name) {
        return fields == null ? null : fields.get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return fields == null ? null : fields.getInt(name);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return fields == null ? defaultValue : fields.getInt(name, defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return fields == null ? null : fields.getShort(name);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return fields == null ? defaultValue : fields.getShort(name, defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return fields == null ? null : fields.getTimeMillis(name);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return fields == null ? defaultValue : fields.getTimeMillis(name, defaultValue);
    }

    @Override
    public List<String> getAll(String name) {
        return fields == null ? Collections.emptyList() : fields.getAll(name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        return fields == null ? Collections.emptyList() : fields.getAll(name);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return fields == null ? Collections.emptyList() : fields.entries();
    }

    @Override
    public boolean contains(String name) {
        return fields != null && fields.contains(name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return fields != null && fields.contains(name);
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return fields != null && fields.contains(name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        return fields != null && fields.contains(name, value, ignoreCase);
    }

    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        return fields != null && fields.containsValue(name, value, ignoreCase);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return fields == null ? Collections.emptyIterator() : fields.iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return fields == null ? Collections.emptyIterator() : fields.iteratorCharSequence();
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return fields == null ? Collections.emptyIterator() : fields.valueStringIterator(name);
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return fields == null ? Collections.emptyIterator() : fields.valueCharSequenceIterator(name);
    }

    @Override
    public boolean isEmpty() {
        return fields == null || fields.isEmpty();
    }

    @Override
    public int size() {
        return fields == null ? 0 : fields.size();
    }

    @Override
    public Set<String> names() {
        return fields == null ? Collections.emptySet() : fields.names();
    }

    @Override
    public HttpHeaders copy() {
        return fields == null ? DEFAULTS.newHeaders() : fields.copy();
    }

    // Writes: to the table, made now if need be; each validated as Netty's trailers are.

    @Override
    public HttpHeaders add(String name, Object value) {
        fields().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        fields().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        fields().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        fields().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        fields().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        fields().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        fields().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        fields().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        fields().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        fields().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        fields().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        fields().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        if (fields != null) {
            fields.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (fields != null) {
            fields.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (fields != null) {
            fields.clear();
        }
        return this;
    }
}
