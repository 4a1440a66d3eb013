package dev.doorbell.seal.testing;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an object can still reach through its instance fields: every byte array and the class of every object. Objects
 * of the JDK's own modules are recorded but not entered (their fields are closed to reflection); ours, protobuf's and
 * BouncyCastle's are entered. Used to check that a finished sealer holds no key, nor a JCA object made from one.
 */
public final class Reachable {
    private final List<byte[]> byteArrays = new ArrayList<>();
    private final Set<Class<?>> classes = new LinkedHashSet<>();

    private Reachable() {}

    public static Reachable from(Object root) {
        Reachable found = new Reachable();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!seen.add(o)) {
                continue;
            }
            Class<?> type = o.getClass();
            found.classes.add(type);
            if (o instanceof byte[] bytes) {
                found.byteArrays.add(bytes);
            } else if (type.isArray()) {
                if (!type.getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(o); i++) {
                        Object element = Array.get(o, i);
                        if (element != null) {
                            todo.push(element);
                        }
                    }
                }
            } else if (!type.getModule().isNamed()) {
                for (Class<?> c = type; c != null && !c.getModule().isNamed(); c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                            continue;
                        }
                        f.setAccessible(true);
                        try {
                            Object value = f.get(o);
                            if (value != null) {
                                todo.push(value);
                            }
                        } catch (IllegalAccessException e) {
                            throw new LinkageError("cannot read " + f, e);
                        }
                    }
                }
            }
        }
        return found;
    }

    public List<byte[]> byteArrays() {
        return byteArrays;
    }

    public Set<Class<?>> classes() {
        return classes;
    }

    /** The reachable classes of package {@code prefix} (e.g. "javax.crypto."). */
    public List<String> classesIn(String prefix) {
        List<String> out = new ArrayList<>();
        for (Class<?> c : classes) {
            if (c.getName().startsWith(prefix)) {
                out.add(c.getName());
            }
        }
        return out;
    }
}
