package dev.pier.proxy.http;

import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.DefaultHeaders.ValueValidator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of an HTTP/1.1 head as the decoders read them (a client's request, an upstream's response), in one small
 * array of name-value pairs instead of Netty's hash table (sixteen buckets and a list head on top of an entry per
 * field): five fields cost about 150 bytes instead of 330. Lookups scan the array, which for the ten or twenty fields
 * of a head is as quick as hashing. Names match case-insensitively and keep their order and spelling, every name and
 * value is validated as Netty's default headers validate them (a token for a name; no CR, LF or NUL in a value), and
 * each read answers as {@code DefaultHttpHeaders} does, quirks included (the values of a name iterate newest first):
 * {@code CompactHeadersTest} holds the two to the same answers.
 *
 * <p>Event-loop confined, as the message it belongs to.
 */
final class CompactHeaders extends HttpHeaders {
    private static final DefaultHttpHeadersFactory DEFAULTS = DefaultHttpHeadersFactory.headersFactory();
    private static final NameValidator<CharSequence> NAMES = DEFAULTS.getNameValidator();
    private static final ValueValidator<CharSequence> VALUES = DEFAULTS.getValueValidator();
    private static final CharSequenceValueConverter CONVERT = CharSequenceValueConverter.INSTANCE;
    private static final int INITIAL = 8;

    /** The factory to give {@code HttpDecoderConfig.setHeadersFactory}. */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new CompactHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new CompactHeaders();
        }
    };

    /** One field; itself the entry iteration hands out. */
    private static final class Field implements Map.Entry<CharSequence, CharSequence> {
        final CharSequence name;
        CharSequence value;

        Field(CharSequence name, CharSequence value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public CharSequence getKey() {
            return name;
        }

        @Override
        public CharSequence getValue() {
            return value;
        }

        @Override
        public CharSequence setValue(CharSequence newValue) {
            VALUES.validate(newValue);
            CharSequence old = value;
            value = newValue;
            return old;
        }

        @Override
        public String toString() {
            return name + "=" + value;
        }
    }

    private Field[] fields = new Field[INITIAL];
    private int size;

    CompactHeaders() {
    }

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    /** Netty's conversion of a value object to the text of a field. */
    private static CharSequence text(Object value) {
        if (value instanceof CharSequence s) {
            return s;
        }
        if (value instanceof Date d) {
            return DateFormatter.format(d);
        }
        if (value instanceof Calendar c) {
            return DateFormatter.format(c.getTime());
        }
        if (value == null) {
            throw new NullPointerException("value");
        }
        return value.toString();
    }

    /** The text of a value, validated. */
    private static CharSequence validValue(Object value) {
        CharSequence v = text(value);
        VALUES.validate(v);
        return v;
    }

    private void append(CharSequence name, Object value) {
        store(name, validValue(value));
    }

    /** Adds a field whose name and value are valid. */
    private void store(CharSequence name, CharSequence v) {
        if (size == fields.length) {
            fields = Arrays.copyOf(fields, size * 2);
        }
        fields[size++] = new Field(name, v);
    }

    private static CharSequence validName(CharSequence name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        NAMES.validateName(name);
        return name;
    }

    private Field first(CharSequence name) {
        for (int i = 0; i < size; i++) {
            if (sameName(fields[i].name, name)) {
                return fields[i];
            }
        }
        return null;
    }

    // Reads

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        Field f = first(name);
        return f == null ? null : f.value.toString();
    }

    // Numbers and dates as Netty's headers read them: null (or the default) when the text is not one, except that an
    // unparsable date throws as there.

    @Override
    public Integer getInt(CharSequence name) {
        Field f = first(name);
        try {
            return f == null ? null : CONVERT.convertToInt(f.value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        Field f = first(name);
        try {
            return f == null ? null : CONVERT.convertToShort(f.value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        Field f = first(name);
        try {
            return f == null ? null : CONVERT.convertToTimeMillis(f.value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        String one = null;
        List<String> more = null;
        for (int i = 0; i < size; i++) {
            if (sameName(fields[i].name, name)) {
                String value = fields[i].value.toString();
                if (one == null) {
                    one = value;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(4);
                        more.add(one);
                    }
                    more.add(value);
                }
            }
        }
        // the decoder asks for every response's Content-Length: one value costs one small list
        return more != null ? Collections.unmodifiableList(more)
                : one != null ? Collections.singletonList(one) : Collections.emptyList();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new AbstractMap.SimpleImmutableEntry<>(fields[i].name.toString(), fields[i].value.toString()));
        }
        return out;
    }

    @Override
    public boolean contains(String name) {
        return first(name) != null;
    }

    @Override
    public boolean contains(CharSequence name) {
        return first(name) != null;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return fields[next++];
            }
        };
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    /** The values of {@code name}, the newest first, as Netty's headers hand them out here. */
    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Iterator<>() {
            private int next = advance(size - 1);

            private int advance(int from) {
                while (from >= 0 && !sameName(fields[from].name, name)) {
                    from--;
                }
                return from;
            }

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence value = fields[next].value;
                next = advance(next - 1);
                return value;
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>(size * 2);
        for (int i = 0; i < size; i++) {
            names.add(fields[i].name.toString());
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public HttpHeaders copy() {
        CompactHeaders copy = new CompactHeaders();
        copy.fields = Arrays.copyOf(fields, Math.max(INITIAL, size));
        for (int i = 0; i < size; i++) {
            copy.fields[i] = new Field(fields[i].name, fields[i].value);
        }
        copy.size = size;
        return copy;
    }

    // Writes

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(validName(name), value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        validName(name);
        for (Object value : values) {
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        validName(name);
        CharSequence v = validValue(value); // before removing: a bad value changes nothing
        remove(name);
        store(name, v);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        validName(name);
        remove(name);
        for (Object value : values) {
            if (value == null) {
                break; // as Netty's headers: a null ends the values
            }
            append(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!sameName(fields[i].name, name)) {
                fields[kept++] = fields[i];
            }
        }
        Arrays.fill(fields, kept, size, null);
        size = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(fields, 0, size, null);
        size = 0;
        return this;
    }
}
