package io.github.sseprogress.it;

import java.lang.reflect.Field;
import java.util.Map;

import io.github.sseprogress.Manager;

/**
 * IT only: the library's internal subscribers of a topic, read by reflection through the CDI proxy, for
 * the debug and writes-in-flight endpoints. Field names are the library's; a rename fails these endpoints
 * loudly rather than quietly.
 */
final class ItInternals {

    private ItInternals() {
    }

    /** The subscribers of {@code topic} as the Manager holds them, or {@code null} when it has no such topic. */
    static Iterable<?> subscribers(Manager topics, String topic) throws ReflectiveOperationException {
        Object bean = topics;
        try {
            Object meta = bean.getClass().getMethod("getMetadata").invoke(bean);
            bean = meta.getClass().getMethod("getContextualInstance").invoke(meta);
        } catch (NoSuchMethodException e) {
            // not a Weld proxy
        }
        Object t = ((Map<?, ?>) field(bean, "topics")).get(topic);
        return t == null ? null : (Iterable<?>) field(t, "subscribers");
    }

    /** The value of the declared field {@code name} of {@code target}. */
    static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }
}
