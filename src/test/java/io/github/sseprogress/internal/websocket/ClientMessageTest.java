package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** The WebSocket client messages of docs/STREAMS.md, parsed strictly. */
class ClientMessageTest {

    @Test
    void subscribeUnsubscribeAndResume() throws Exception {
        assertThat(ClientMessage.parse("{\"subscribe\":\"job:42\"}"))
                .isEqualTo(new ClientMessage(ClientMessage.Op.SUBSCRIBE, "job:42", null));
        assertThat(ClientMessage.parse(" {\"subscribe\":\"topic:news\", \"last\":\"e1-2041\"}\n"))
                .isEqualTo(new ClientMessage(ClientMessage.Op.SUBSCRIBE, "topic:news", "e1-2041"));
        assertThat(ClientMessage.parse("{\"last\":\"\",\"subscribe\":\"topic:a\\u00e9\"}"))
                .isEqualTo(new ClientMessage(ClientMessage.Op.SUBSCRIBE, "topic:a\u00e9", ""));
        assertThat(ClientMessage.parse("{\"unsubscribe\":\"job:42\"}"))
                .isEqualTo(new ClientMessage(ClientMessage.Op.UNSUBSCRIBE, "job:42", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "subscribe", "{", "{\"subscribe\":\"a\"", "{\"subscribe\":'a'}", "[\"subscribe\",\"a\"]",
        "\"subscribe\"", "42", "null", "{\"subscribe\":\"a\"}{\"subscribe\":\"b\"}", "{\"subscribe\":\"a\"} x",
        "{\"subscribe\":\"a\",\"subscribe\":\"b\"}"})
    void notTheMessageShapeIsRefused(String text) {
        assertThatThrownBy(() -> ClientMessage.parse(text)).isInstanceOf(ClientMessage.BadMessage.class)
                .hasMessageContaining("expected {\"subscribe\":KEY}");
    }

    @Test
    void wrongOperationsMembersAndTypesAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> ClientMessage.parse("{}")).hasMessageStartingWith("unknown operation");
        assertThatThrownBy(() -> ClientMessage.parse("{\"publish\":\"a\"}")).hasMessageStartingWith("unknown operation");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":\"a\",\"unsubscribe\":\"a\"}"))
                .hasMessageStartingWith("unknown operation");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":\"a\",\"extra\":1}"))
                .hasMessageStartingWith("unknown member \"extra\"");
        assertThatThrownBy(() -> ClientMessage.parse("{\"unsubscribe\":\"a\",\"last\":\"1\"}"))
                .hasMessageStartingWith("unknown member \"last\"");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":\"a\",\"<script>\\\"" + "x".repeat(40) + "\":1}"))
                .hasMessageStartingWith("unknown member (a member name)");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":42}")).hasMessage("\"subscribe\" must be a string");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":null}")).hasMessage("\"subscribe\" must be a string");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":[\"a\"]}")).hasMessage("\"subscribe\" must be a string");
        assertThatThrownBy(() -> ClientMessage.parse("{\"unsubscribe\":{}}")).hasMessage("\"unsubscribe\" must be a string");
        assertThatThrownBy(() -> ClientMessage.parse("{\"subscribe\":\"a\",\"last\":7}")).hasMessage("\"last\" must be a string");
    }

    @Test
    void aMessageOverTheCapIsRefusedUnread() {
        String justFits = "{\"subscribe\":\"" + "k".repeat(ClientMessage.MAX_CHARS - 16) + "\"}";
        assertThat(justFits).hasSize(ClientMessage.MAX_CHARS);
        assertThatThrownBy(() -> ClientMessage.parse(justFits + " ")).hasMessage("message too large: at most 4096 characters");
    }

    @Test
    void theErrorAnswerIsTheDocumentedEnvelopeWithJsonData() {
        String error = ClientMessage.error(400, "key \"x\"\nalready followed");
        JsonObject outer = Json.createReader(new StringReader(error)).readObject();
        assertThat(outer.keySet()).containsExactly("event", "data");
        assertThat(outer.getString("event")).isEqualTo("error");
        JsonObject data = Json.createReader(new StringReader(outer.getString("data"))).readObject();
        assertThat(data.getInt("status")).isEqualTo(400);
        assertThat(data.getString("message")).isEqualTo("key \"x\"\nalready followed");
        assertThat(error).startsWith("{\"event\":\"error\",\"data\":\"{\\\"status\\\":400,\\\"message\\\":");
    }
}
