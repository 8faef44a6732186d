package io.github.sseprogress.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.net.URI;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;

import jakarta.ws.rs.core.UriInfo;

/** {@link Manager#topicOf}: path plus raw query, without the library's own resume parameter (issue 10 item 16). */
class TopicOfTest {

    private static UriInfo uri(String path, String requestUri) {
        return (UriInfo) Proxy.newProxyInstance(UriInfo.class.getClassLoader(), new Class<?>[] {UriInfo.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getPath":
                            return path;
                        case "getRequestUri":
                            return URI.create(requestUri);
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Test
    void aResumeThroughTheQueryLandsOnTheSameTopic() {
        String plain = Manager.topicOf(uri("devices", "http://h/api/devices?label=a"));
        assertEquals("/devices?label=a", plain);
        assertEquals(plain, Manager.topicOf(uri("devices", "http://h/api/devices?label=a&lastEventId=x1-7")));
        assertEquals(plain, Manager.topicOf(uri("devices", "http://h/api/devices?lastEventId=x1-7&label=a")));
        assertEquals(plain, Manager.topicOf(uri("/devices", "http://h/api/devices?label=a&last%45ventId=x1-7")));
    }

    @Test
    void theQueryTokenNeverNamesATopicOrAKey() {
        assertEquals("/devices?label=a",
                Manager.topicOf(uri("devices", "http://h/api/devices?access_token=s3cr3t&label=a&lastEventId=1")));
        assertEquals(java.util.List.of("job:42", "topic:news"), io.github.sseprogress.Streams.keysOf(
                uri("streams", "http://h/api/streams?job=42&access_token=s3cr3t&topic=news")));
    }

    @Test
    void otherParametersAreKeptRawAndInOrder() {
        assertEquals("/devices", Manager.topicOf(uri("devices", "http://h/api/devices?lastEventId=")));
        assertEquals("/devices", Manager.topicOf(uri("devices", "http://h/api/devices")));
        assertEquals("/devices?b=2&a=%20x&lastEventIdX=1",
                Manager.topicOf(uri("devices", "http://h/api/devices?b=2&lastEventId=9&a=%20x&lastEventIdX=1")));
    }
}
